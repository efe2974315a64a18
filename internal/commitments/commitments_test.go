package commitments

import (
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

func day(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCutAndStorePeriod(t *testing.T) {
	p := billing.Period{Start: day("2024-01-15T00:00:00Z"), End: day("2024-03-10T00:00:00Z")}
	var got []string
	for _, b := range Cut(p, true) {
		got = append(got, b.Start.Format("01-02")+".."+b.End.Format("01-02"))
	}
	if diff := cmp.Diff([]string{"01-15..02-01", "02-01..03-01", "03-01..03-10"}, got); diff != "" {
		t.Errorf("MONTHLY buckets (-want +got):\n%s", diff)
	}
	if n := len(Cut(p, false)); n != 55 {
		t.Errorf("%d DAILY buckets, want 55", n)
	}
	sp, monthly := StorePeriod(p, true)
	if !sp.Start.Equal(day("2024-01-01T00:00:00Z")) || !sp.End.Equal(day("2024-04-01T00:00:00Z")) || monthly {
		t.Errorf("StorePeriod = %v, %v; want whole months January to March, daily sums", sp, monthly)
	}
}

// TestReservationSpread checks that a reservation bought mid-month spreads
// its month's fee line over the hours it was active, and the figures derived
// from it.
func TestReservationSpread(t *testing.T) {
	units := func(x int64) *big.Int { return new(big.Int).Mul(big.NewInt(x), unitsPerOne) }
	sums := func(set map[store.CommitmentSum]int64) [store.NumCommitmentSums]*big.Int {
		var s [store.NumCommitmentSums]*big.Int
		for i := range s {
			s[i] = new(big.Int)
		}
		for k, v := range set {
			s[k] = units(v)
		}
		return s
	}
	ans := &store.CommitmentAnswer{
		// Active from 2024-04-21: 10 days, 240 hours of April.
		Commitments: []store.CommitmentInfo{{Kind: billing.CommitmentRI, ARN: "arn:ri", SubscriptionID: "1", Start: "2024-04-21T00:00:00.000Z"}},
		Rows: []store.CommitmentRow{
			{Bucket: day("2024-04-01T00:00:00Z"), LineItemType: "RIFee", Commitment: 0, Sums: sums(map[store.CommitmentSum]int64{
				store.SumRIPurchasedHours: 240, store.SumRIUnusedQuantity: 24, store.SumRIRecurringFee: 48, store.SumRIUnusedRecurring: 4})},
			{Bucket: day("2024-04-22T00:00:00Z"), LineItemType: "DiscountedUsage", Commitment: 0, Sums: sums(map[store.CommitmentSum]int64{
				store.SumPublicOnDemand: 30})},
		},
	}
	bs := Cut(billing.Period{Start: day("2024-04-20T00:00:00Z"), End: day("2024-04-23T00:00:00Z")}, false)
	ris := Reservations(ans, bs)
	if len(ris) != 1 {
		t.Fatalf("%d reservations, want 1", len(ris))
	}
	var got []string
	for _, u := range ris[0].Buckets {
		f := u.Figures()
		got = append(got, Format(f.PurchasedHours)+" "+Format(f.UnusedHours)+" "+Format(f.UtilizationPercentage)+" "+
			Format(f.OnDemandCostOfRIHoursUsed)+" "+Format(f.NetRISavings)+" "+Format(f.UnrealizedSavings))
	}
	// Each active day holds 24 of the 240 hours: a tenth of the month's
	// figures. On 04-21 no used hour carries an on-demand cost, so the
	// unused hours' on-demand value is 0 and UnrealizedSavings is minus
	// their cost; on 04-22, 30 of on-demand value for 21.6 hours used.
	want := []string{"0 0 0 0 0 0", "24 2.4 90 0 -4.8 -0.4", "24 2.4 90 30 25.2 2.9333333333"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("buckets (-want +got):\n%s", diff)
	}
}
