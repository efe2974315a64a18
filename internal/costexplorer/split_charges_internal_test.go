package costexplorer

import (
	"math/big"
	"slices"
	"testing"
)

// Hand-computed divisions into whole cents.
func TestDivideCents(t *testing.T) {
	third, half := big.NewRat(1, 3), big.NewRat(1, 2)
	for _, tc := range []struct {
		total   int64
		weights []*big.Rat
		want    []int64
	}{
		{1000, []*big.Rat{third, third, third}, []int64{334, 333, 333}}, // 10.00 evenly: the first target gets the cent
		{1001, []*big.Rat{third, third, third}, []int64{334, 334, 333}},
		{1, []*big.Rat{half, half}, []int64{1, 0}},
		// 7.77 as 10%, 20%, 70%: 77.7, 155.4, 543.9 → 77, 155, 543 and two
		// cents left, to 543.9 and 77.7.
		{777, []*big.Rat{big.NewRat(1, 10), big.NewRat(2, 10), big.NewRat(7, 10)}, []int64{78, 155, 544}},
		// A credit of -10.00 evenly: -333.33 → -334 each, two cents back.
		{-1000, []*big.Rat{third, third, third}, []int64{-333, -333, -334}},
		{0, []*big.Rat{third, third, third}, []int64{0, 0, 0}},
	} {
		got := divide(tc.total, tc.weights)
		if !slices.Equal(got, tc.want) {
			t.Errorf("divide(%d, %v) = %v, want %v", tc.total, tc.weights, got, tc.want)
		}
	}
}

func TestCentsRounding(t *testing.T) {
	for in, want := range map[string]int64{"0.005": 1, "0.00499": 0, "-0.005": -1, "12.345": 1235, "-12.344": -1234, "3": 300} {
		r, _ := new(big.Rat).SetString(in)
		if got := cents(r); got != want {
			t.Errorf("cents(%s) = %d, want %d", in, got, want)
		}
	}
	if got := centString(-5); got != "-0.05" {
		t.Errorf("centString(-5) = %s", got)
	}
}
