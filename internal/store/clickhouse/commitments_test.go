package clickhouse

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// compareCommitments asks both stores the same Reserved Instance and
// Savings Plans rollup questions (store.CommitmentStore): rows, their
// order, the commitments they name and every sum must be equal.
func compareCommitments(t *testing.T, ddb, chs store.CommitmentStore, whole, part billing.Period, tagKeys []string) {
	ctx := context.Background()
	dims := func(ds ...billing.Dimension) []billing.Dimension { return ds }
	ec2 := &query.Match{Kind: query.KindDimension, Key: string(billing.DimService), Values: []string{"Amazon Elastic Compute Cloud - Compute"}}
	tagged := &query.Match{Kind: query.KindTag, Key: tagKeys[0], Op: query.OpAbsent}
	team := &query.Match{Kind: query.KindCostCategory, Key: "Team", Values: []string{"prod"}}
	both := []string{billing.CommitmentRI, billing.CommitmentSP}
	questions := []*store.CommitmentQuery{
		{Period: whole, Kinds: both, Eligible: billing.EligibleRI | billing.EligibleSP},
		{Period: whole, Monthly: true, Kinds: []string{billing.CommitmentRI}, Eligible: billing.EligibleRI,
			GroupBy: dims(billing.DimInstanceType, billing.DimRegion)},
		{Period: part, Kinds: []string{billing.CommitmentSP}, Eligible: billing.EligibleSP, Filter: ec2,
			GroupBy: dims(billing.DimLinkedAccount)},
		{Period: whole, Monthly: true, Kinds: both, Filter: query.Not{X: tagged}, GroupBy: dims(billing.DimSubscriptionID),
			Sums: []store.CommitmentSum{store.SumRIEffectiveCost, store.SumSPUsedCommitment, store.SumUnblended}},
		{Period: whole, Monthly: true, Eligible: billing.EligibleSP, GroupBy: dims(billing.DimService, billing.DimUsageType)},
		{Period: whole, Monthly: true, Kinds: both, Eligible: billing.EligibleRI, Filter: team,
			Categories: definedCategories(tagKeys[0], "x", tagKeys[len(tagKeys)-1]), GroupBy: dims(billing.DimPaymentOption)},
		{Period: whole, Kinds: both, Scope: query.Scope{Account: "not-an-account"}},
	}
	kinds := map[string]bool{}
	for i, q := range questions {
		want, err := ddb.Commitments(ctx, q)
		if err != nil {
			t.Fatalf("commitment question %d: duckdb: %v", i, err)
		}
		got, err := chs.Commitments(ctx, q)
		if err != nil {
			t.Fatalf("commitment question %d: clickhouse: %v", i, err)
		}
		if i < len(questions)-1 && len(want.Rows) == 0 {
			t.Errorf("commitment question %d has no answer: the test would prove nothing", i)
		}
		for _, c := range want.Commitments {
			kinds[c.Kind] = true
		}
		if diff := cmp.Diff(renderCommitments(want), renderCommitments(got)); diff != "" {
			t.Errorf("commitment question %d (%+v): clickhouse differs from duckdb (-duckdb +clickhouse):\n%s", i, q, diff)
		}
	}
	if !kinds[billing.CommitmentRI] || !kinds[billing.CommitmentSP] {
		t.Errorf("the data has commitments of kinds %v: want both", kinds)
	}
}

// renderCommitments spells each row with the commitment it names in full.
func renderCommitments(a *store.CommitmentAnswer) []string {
	out := make([]string, 0, len(a.Rows))
	for _, r := range a.Rows {
		c := "-"
		if r.Commitment >= 0 {
			c = fmt.Sprintf("%+v", a.Commitments[r.Commitment])
		}
		s := fmt.Sprintf("%s %s %s elig=%d %q lines=%d", r.Bucket.Format(time.RFC3339), r.LineItemType, c, r.Eligible, r.Keys, r.Lines)
		for _, v := range r.Sums {
			s += " " + v.String()
		}
		out = append(out, s)
	}
	return out
}

// TestCommitmentColumnsAdded opens a store whose line items predate the
// commitment columns (dropped here on every shard): Open adds them, once,
// and what is ingested afterwards answers commitment questions.
func TestCommitmentColumnsAdded(t *testing.T) {
	b := startBackends(t)
	ctx := context.Background()
	chAddr, pgAddr := b.fresh(t)
	s, err := Open(ctx, chAddr, Options{Meta: pgAddr})
	if err != nil {
		t.Fatal(err)
	}
	db := s.addr.Database
	var drop []string
	for _, c := range commitLineColumns() {
		drop = append(drop, "DROP COLUMN "+c[0])
	}
	for i, conn := range s.shards {
		for _, table := range []string{"line_items", "line_items_local"} {
			if err := conn.Exec(ctx, "ALTER TABLE "+db+"."+table+" "+strings.Join(drop, ", ")); err != nil {
				t.Fatalf("shard %d: %v", i, err)
			}
		}
	}
	s.Close()
	for range 2 { // the second Open finds every column there
		if s, err = Open(ctx, chAddr, Options{Meta: pgAddr}); err != nil {
			t.Fatal(err)
		}
		s.Close()
	}
	if s, err = Open(ctx, chAddr, Options{Meta: pgAddr}); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i, conn := range s.shards {
		for _, table := range []string{"line_items", "line_items_local"} {
			var n uint64
			if err := conn.QueryRow(ctx, "SELECT count() FROM system.columns WHERE database = ? AND table = ? AND name IN ('commit_kind', 'eligible', 'ri_unused_normalized')",
				db, table).Scan(&n); err != nil || n != 3 {
				t.Fatalf("shard %d %s: %d of the commitment columns (%v)", i, table, n, err)
			}
		}
	}
	month := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	p := billing.BillingPeriod{Source: "cur:111111111111", Month: month}
	w, err := s.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	li := &billing.LineItem{PayerAccountID: "111111111111", UsageAccountID: "111111111111", LineItemType: "DiscountedUsage",
		UsageStart: month.Add(3 * time.Hour), UsageEnd: month.Add(4 * time.Hour), ServiceCode: "AmazonEC2", UsageQuantity: 1,
		Commitment: billing.Commitment{ReservationARN: "arn:ri/1", RIEffectiveCost: billing.Amount(6e8)}}
	if err := w.Append(p, li); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(ctx, []store.PeriodInfo{{Period: p, Final: true}}); err != nil {
		t.Fatal(err)
	}
	ans, err := s.Commitments(ctx, &store.CommitmentQuery{Period: billing.Period{Start: month, End: month.AddDate(0, 1, 0)},
		Kinds: []string{billing.CommitmentRI}})
	if err != nil {
		t.Fatal(err)
	}
	if got := renderCommitments(ans); len(got) != 1 || ans.Commitments[0].ARN != "arn:ri/1" ||
		ans.Rows[0].Sums[store.SumRIEffectiveCost].Int64() != 6e8 || ans.Rows[0].Sums[store.SumUsage].Int64() != 1e10 {
		t.Errorf("commitments after the columns were added: %q", got)
	}
}

// commitMonthly sums the reservations' effective cost per month, spelt as
// monthly spells costs.
func commitMonthly(ctx context.Context, st store.CostStore, from, to time.Time) ([]string, error) {
	ans, err := st.(store.CommitmentStore).Commitments(ctx, &store.CommitmentQuery{Period: billing.Period{Start: from, End: to},
		Monthly: true, Kinds: []string{billing.CommitmentRI}})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range ans.Rows {
		out = append(out, r.Bucket.Format("2006-01")+" "+query.Value{Amount: r.Sums[store.SumRIEffectiveCost]}.String())
	}
	return out, nil
}
