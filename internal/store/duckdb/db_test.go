package duckdb

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func item(start string, service string, cost string, tags map[string]string) *billing.LineItem {
	a, err := billing.ParseAmount(cost)
	if err != nil {
		panic(err)
	}
	s := day(start)
	return &billing.LineItem{UsageStart: s, UsageEnd: s.Add(time.Hour), PayerAccountID: "111111111111",
		UsageAccountID: "222222222222", Service: service, LineItemType: "Usage", RecordType: "Usage",
		Currency: "USD", UsageUnit: "Hrs", Unblended: a, Blended: a, NetUnblended: a, Amortized: a,
		NetAmortized: a, UsageQuantity: 1, Tags: tags}
}

func load(t *testing.T, db *DB, p billing.BillingPeriod, items ...*billing.LineItem) {
	t.Helper()
	ctx := context.Background()
	w, err := db.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, li := range items {
		if err := w.Append(p, li); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(ctx, []store.PeriodInfo{{Period: p, Format: "test"}}); err != nil {
		t.Fatal(err)
	}
}

func total(t *testing.T, db *DB, q *query.Aggregate) map[string]string {
	t.Helper()
	rows, err := db.Aggregate(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	layout := "2006-01-02"
	if q.Granularity == query.Hourly {
		layout = "2006-01-02T15"
	}
	for _, r := range rows {
		k := r.Bucket.Format(layout)
		for _, key := range r.Keys {
			k += "|" + key
		}
		out[k] = r.Values[0].String() + " " + r.Values[0].Unit
	}
	return out
}

func TestReplacePeriodAndGroupByTag(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
	load(t, db, p,
		item("2024-01-01", "AWS Lambda", "1.0000000001", map[string]string{"Team": "a"}),
		item("2024-01-01", "AWS Lambda", "2", nil),
		item("2024-01-02", "Amazon S3", "922337203.5", map[string]string{"Team": "b"}))
	q := &query.Aggregate{Period: billing.Period{Start: day("2024-01-01"), End: day("2024-01-03")},
		Granularity: query.Daily, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy: []query.GroupKey{{Kind: query.KindTag, Key: "Team"}}}
	want := map[string]string{
		"2024-01-01|":  "2 USD",
		"2024-01-01|a": "1.0000000001 USD",
		"2024-01-02|b": "922337203.5 USD",
	}
	if diff := cmp.Diff(want, total(t, db, q)); diff != "" {
		t.Errorf("first load (-want +got):\n%s", diff)
	}
	// Re-ingesting the period replaces it.
	load(t, db, p, item("2024-01-01", "AWS Lambda", "5", nil))
	want = map[string]string{"2024-01-01|": "5 USD"}
	if diff := cmp.Diff(want, total(t, db, q)); diff != "" {
		t.Errorf("after replace (-want +got):\n%s", diff)
	}
	// Filters: a tag that no longer exists matches nothing; ABSENT matches.
	q.GroupBy = nil
	q.Filter = &query.Match{Kind: query.KindTag, Key: "Team", Op: query.OpAbsent}
	want = map[string]string{"2024-01-01": "5 USD"}
	if diff := cmp.Diff(want, total(t, db, q)); diff != "" {
		t.Errorf("absent filter (-want +got):\n%s", diff)
	}
}

// TestHourlyRollupAgreesWithLineItems checks that HOURLY answers are the
// same from the hourly rollup of a recent month and from line items.
func TestHourlyRollupAgreesWithLineItems(t *testing.T) {
	ctx := context.Background()
	answers := map[bool]map[string]string{}
	for _, recent := range []bool{true, false} {
		now := day("2024-01-20")
		if !recent {
			now = day("2024-06-20")
		}
		db, err := Open(ctx, "", Options{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		p := billing.BillingPeriod{Source: "cur:111111111111", Month: day("2024-01-01")}
		a, b := item("2024-01-02", "S3", "1.25", map[string]string{"Team": "a"}), item("2024-01-02", "S3", "2", nil)
		b.UsageStart = b.UsageStart.Add(3 * time.Hour)
		load(t, db, p, a, b, item("2024-01-02", "Lambda", "4", map[string]string{"Team": "a"}))
		var hourly bool
		db.h().QueryRow(`SELECT hourly FROM generations`).Scan(&hourly)
		if hourly != recent {
			t.Errorf("recent=%v: generation hourly=%v", recent, hourly)
		}
		answers[recent] = total(t, db, &query.Aggregate{
			Period:      billing.Period{Start: day("2024-01-02"), End: day("2024-01-03")},
			Granularity: query.Hourly, Metrics: []billing.Metric{billing.UnblendedCost},
			GroupBy: []query.GroupKey{{Kind: query.KindTag, Key: "Team"}},
			Filter:  &query.Match{Kind: query.KindDimension, Key: "SERVICE", Values: []string{"S3"}}})
		db.Close()
	}
	if diff := cmp.Diff(answers[false], answers[true]); diff != "" {
		t.Errorf("hourly rollup vs line items (-lines +rollup):\n%s", diff)
	}
	want := map[string]string{"2024-01-02T00|a": "1.25 USD", "2024-01-02T03|": "2 USD"}
	if diff := cmp.Diff(want, answers[true]); diff != "" {
		t.Errorf("hourly answer (-want +got):\n%s", diff)
	}
}
