package clickhouse

import (
	"context"
	"fmt"
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
