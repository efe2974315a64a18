package duckdb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// TestMonthColsMatchStatements answers random MONTHLY totals and dimension
// value lists both from the in-memory month columns and with the SQL
// statements, over random lines (several payers, accounts, services whose
// names sort differently by case and bytes, two currencies in some months,
// amounts of both signs and of every size, a replaced period), and wants
// the same rows, amounts and units.
func TestMonthColsMatchStatements(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rnd := rand.New(rand.NewPCG(7, 8))
	services := []string{"AmazonEC2", "amazonS3", "Amazon S3", "AWS Lambda", "Zeta", "Ärger", "_x", "aws"}
	payers := []string{"111111111111", "333333333333"}
	accounts := []string{"111111111111", "222222222222", "333333333333", "444444444444"}
	months := []string{"2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"}
	lines := func(month string, euro bool) []*billing.LineItem {
		var out []*billing.LineItem
		for range 20 + rnd.IntN(40) {
			cost := fmt.Sprintf("%d.%010d", rnd.Int64N(1_000_000)>>rnd.IntN(20), rnd.Int64N(10_000_000_000))
			if rnd.IntN(4) == 0 {
				cost = "-" + cost
			}
			d := day(month).AddDate(0, 0, rnd.IntN(28))
			li := item(d.Format("2006-01-02"), services[rnd.IntN(len(services))], cost, nil)
			li.UsageAccountID = accounts[rnd.IntN(len(accounts))]
			li.Blended, _ = billing.ParseAmount(fmt.Sprintf("%d", rnd.IntN(100)))
			if euro && rnd.IntN(3) == 0 {
				li.Currency = "EUR"
			}
			out = append(out, li)
		}
		return out
	}
	for _, payer := range payers {
		for i, m := range months {
			items := lines(m, payer == payers[1] && i == 2)
			for _, li := range items {
				li.PayerAccountID = payer
			}
			load(t, db, billing.BillingPeriod{Source: "cur:" + payer, Month: day(m)}, items...)
		}
	}
	// Replace one period: its first generation must not count.
	items := lines(months[1], false)
	for _, li := range items {
		li.PayerAccountID = payers[0]
	}
	load(t, db, billing.BillingPeriod{Source: "cur:" + payers[0], Month: day(months[1])}, items...)

	metrics := []billing.Metric{billing.UnblendedCost, billing.BlendedCost, billing.NetAmortizedCost, billing.AmortizedCost}
	scopes := append([]string{""}, accounts...)
	fast := 0
	for n := range 300 {
		a, b := rnd.IntN(len(months)+1), rnd.IntN(len(months)+1)
		if a == b {
			continue
		}
		a, b = min(a, b), max(a, b)
		start := day(months[0]).AddDate(0, a, 0)
		p := billing.Period{Start: start, End: day(months[0]).AddDate(0, b, 0)}
		scope := query.Scope{Account: scopes[rnd.IntN(len(scopes))]}
		ms := metrics[:1+rnd.IntN(len(metrics))]
		q := &query.Aggregate{Period: p, Granularity: query.Monthly, Metrics: ms, Scope: scope}
		m, ok := db.monthColsFor(ctx)
		if !ok {
			t.Fatal("month columns not built")
		}
		got, ok := m.aggregate(q)
		if !ok {
			t.Fatalf("case %d: not answered from memory", n)
		}
		want, err := db.aggregateRows(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(rowsText(want), rowsText(got)); diff != "" {
			t.Fatalf("case %d: %v %v %v (-statement +memory):\n%s", n, p, scope, ms, diff)
		}
		dims := []billing.Dimension{billing.DimService, billing.DimPayerAccount, billing.DimRegion, billing.DimRecordType}
		dq := &query.DimensionValues{Period: p, Dimension: dims[rnd.IntN(len(dims))], Scope: scope, Limit: rnd.IntN(3) * rnd.IntN(4)}
		col, _ := columnOf(dq.Dimension)
		values, err := db.comboValues(ctx, m, col)
		if err != nil {
			t.Fatal(err)
		}
		dgot, ok := m.dimensionValues(dq, values)
		if !ok {
			t.Fatalf("case %d: %s values not answered from memory", n, dq.Dimension)
		}
		dwant, err := db.listDimensionValues(ctx, dq)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(dwant, dgot); diff != "" {
			t.Fatalf("case %d: %s values over %v for %v, limit %d (-statement +memory):\n%s", n, dq.Dimension, p, scope, dq.Limit, diff)
		}
		fast++
	}
	if fast < 100 {
		t.Fatalf("only %d cases compared", fast)
	}
}

func rowsText(rows []query.Row) []string {
	var out []string
	for _, r := range rows {
		s := r.Bucket.Format(time.DateOnly) + fmt.Sprint(r.Keys)
		for _, v := range r.Values {
			s += " " + v.String() + " " + v.Unit
		}
		out = append(out, s)
	}
	return out
}
