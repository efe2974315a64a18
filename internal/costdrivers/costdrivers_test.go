package costdrivers

import (
	"math/big"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func n(v int64) *big.Int { return big.NewInt(v) }

type brief struct {
	Type, Name string
	Impact     string
}

func TestDecompose(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells []Cell
		usage bool
		noise int64
		want  []brief
	}{
		{"volume and rate", []Cell{{RecordType: "Usage", UsageType: "BoxUsage", Base: n(100), Comp: n(180), UsageBase: n(10), UsageComp: n(15)}}, false, 0,
			// r0 = 10; volume = 5 × 10 = 50; rate = 80 − 50 = 30 = (12 − 10) × 15.
			[]brief{{UsageChange, "BoxUsage", "50"}, {RateChange, "BoxUsage", "30"}}},
		{"rounded volume, exact sum", []Cell{{RecordType: "Usage", UsageType: "u", Base: n(10), Comp: n(20), UsageBase: n(3), UsageComp: n(4)}}, false, 0,
			// volume = 1 × 10 / 3 = 3.33… → 3; rate takes 7.
			[]brief{{RateChange, "u", "7"}, {UsageChange, "u", "3"}}},
		{"negative half rounds away from zero", []Cell{{RecordType: "Usage", UsageType: "u", Base: n(3), Comp: n(1), UsageBase: n(2), UsageComp: n(1)}}, false, 0,
			// volume = −1 × 3 / 2 = −1.5 → −2; rate = −2 − (−2) = 0, left out.
			[]brief{{UsageChange, "u", "-2"}}},
		{"rate noise folds into volume", []Cell{{RecordType: "Usage", UsageType: "u", Base: n(1000), Comp: n(1501), UsageBase: n(100), UsageComp: n(150)}}, false, 5,
			// volume = 500, rate = 1 < 5: the whole 501 is usage.
			[]brief{{UsageChange, "u", "501"}}},
		{"a real rate change stays", []Cell{{RecordType: "Usage", UsageType: "u", Base: n(1000), Comp: n(1510), UsageBase: n(100), UsageComp: n(150)}}, false, 5,
			[]brief{{UsageChange, "u", "500"}, {RateChange, "u", "10"}}},
		{"new usage type", []Cell{{RecordType: "Usage", UsageType: "new", Comp: n(40), UsageComp: n(4)}}, false, 0,
			[]brief{{UsageChange, "new", "40"}}},
		{"removed usage type", []Cell{{RecordType: "Usage", UsageType: "gone", Base: n(40), UsageBase: n(4)}}, false, 0,
			[]brief{{UsageChange, "gone", "-40"}}},
		{"usage metric has no rate", []Cell{{RecordType: "Usage", UsageType: "u", Base: n(10), Comp: n(25), UsageBase: n(10), UsageComp: n(25)}}, true, 0,
			[]brief{{UsageChange, "u", "15"}}},
		{"record types", []Cell{
			{RecordType: "Credit", Base: n(-5), Comp: n(-20)},
			{RecordType: "SavingsPlanCoveredUsage", Base: n(0), Comp: n(30)},
			{RecordType: "EdpDiscount", Base: n(-1), Comp: n(-2)},
			{RecordType: "Tax", Base: n(7), Comp: n(7)},
		}, false, 0, []brief{{SavingsPlanUsage, "SavingsPlanCoveredUsage", "30"}, {Credit, "Credit", "-15"}, {Other, "EdpDiscount", "-1"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var negligible *big.Int
			if tc.noise > 0 {
				negligible = n(tc.noise)
			}
			ds := Decompose(tc.cells, tc.usage, negligible)
			var got []brief
			sum, want := new(big.Int), new(big.Int)
			for _, d := range ds {
				got = append(got, brief{d.Type, d.Name, d.Impact.String()})
				sum.Add(sum, d.Impact)
				if diff := new(big.Int).Sub(d.Compared, d.Baseline); diff.Cmp(d.Impact) != 0 {
					t.Errorf("%s %s: Compared − Baseline = %s, impact %s", d.Type, d.Name, diff, d.Impact)
				}
			}
			for _, c := range tc.cells {
				want.Add(want, new(big.Int).Sub(val(c.Comp), val(c.Base)))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("drivers (-want +got):\n%s", diff)
			}
			if sum.Cmp(want) != 0 {
				t.Errorf("drivers add up to %s, the change is %s", sum, want)
			}
		})
	}
}
