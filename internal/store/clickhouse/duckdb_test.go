package clickhouse

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/duckdb"
	"github.com/tallyhq/tally/internal/synth"
)

// loadSynth generates a small synthetic organisation's CUR 2.0 export and
// ingests it into st.
func loadSynth(t *testing.T, dir string, st store.CostStore) {
	t.Helper()
	ctx := context.Background()
	w, err := st.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Load(ctx, []string{dir}, w, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
}

func generate(t *testing.T, rows int64) string {
	t.Helper()
	dir := t.TempDir()
	start := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	if _, err := synth.Generate(context.Background(), synth.Config{Out: dir, Seed: 7, Rows: rows, Accounts: 3,
		Start: start, End: start.AddDate(0, 3, 0), Now: start.AddDate(0, 3, 10), Workers: 1}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSameAnswersAsDuckDB loads one synthetic organisation into both
// stores and asks both the same questions: every answer must be equal, cell
// for cell (amounts as exact decimals, units, keys, order).
func TestSameAnswersAsDuckDB(t *testing.T) {
	// Small blocks: each shard's lines go in many blocks of one INSERT, and
	// the rollup rows gathered in the client go in several parts of
	// several blocks.
	defer func(n, r int) { flushEvery, rollupFlushRows = n, r }(flushEvery, rollupFlushRows)
	flushEvery, rollupFlushRows = 1500, 2000
	b := startBackends(t)
	dir := generate(t, 20000)
	// September is recent enough for an hourly rollup in both stores.
	now := func() time.Time { return time.Date(2026, 10, 10, 0, 0, 0, 0, time.UTC) }
	ddb, err := duckdb.Open(context.Background(), "", duckdb.Options{Threads: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer ddb.Close()
	chAddr, pgAddr := b.fresh(t)
	chs, err := Open(context.Background(), chAddr, Options{Meta: pgAddr, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	defer chs.Close()
	loadSynth(t, dir, ddb)
	loadSynth(t, dir, chs)
	ctx := context.Background()

	whole := billing.Period{Start: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)}
	part := billing.Period{Start: time.Date(2026, 7, 12, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 9, 3, 0, 0, 0, 0, time.UTC)}
	septHours := billing.Period{Start: time.Date(2026, 9, 14, 20, 0, 0, 0, time.UTC), End: time.Date(2026, 9, 15, 4, 0, 0, 0, time.UTC)}
	hours := billing.Period{Start: time.Date(2026, 8, 30, 18, 0, 0, 0, time.UTC), End: time.Date(2026, 9, 1, 6, 0, 0, 0, time.UTC)}
	tagKeys, err := ddb.Tags(ctx, &query.Tags{Period: whole})
	if err != nil || len(tagKeys) == 0 {
		t.Fatalf("tag keys: %v %v", tagKeys, err)
	}
	all := []billing.Metric{billing.UnblendedCost, billing.BlendedCost, billing.NetUnblendedCost, billing.AmortizedCost,
		billing.NetAmortizedCost, billing.UsageQuantity, billing.NormalizedUsageAmount}
	dim := func(d billing.Dimension) query.GroupKey {
		return query.GroupKey{Kind: query.KindDimension, Key: string(d)}
	}
	tag := query.GroupKey{Kind: query.KindTag, Key: tagKeys[0]}
	ec2 := &query.Match{Kind: query.KindDimension, Key: string(billing.DimService), Values: []string{"Amazon Elastic Compute Cloud - Compute"}}
	notUsage := query.Not{X: &query.Match{Kind: query.KindDimension, Key: string(billing.DimRecordType), Values: []string{"Usage"}}}
	tagged := &query.Match{Kind: query.KindTag, Key: tagKeys[0], Op: query.OpAbsent}
	questions := []*query.Aggregate{
		{Period: whole, Granularity: query.Monthly, Metrics: all},
		{Period: part, Granularity: query.Monthly, Metrics: all},
		{Period: whole, Granularity: query.Daily, Metrics: all},
		{Period: hours, Granularity: query.Hourly, Metrics: all},
		{Period: septHours, Granularity: query.Hourly, Metrics: all, GroupBy: []query.GroupKey{dim(billing.DimService)}},
		{Period: whole, Granularity: query.Monthly, Metrics: all, GroupBy: []query.GroupKey{dim(billing.DimService)}},
		{Period: part, Granularity: query.Daily, Metrics: all, GroupBy: []query.GroupKey{dim(billing.DimLinkedAccount), dim(billing.DimRegion)}},
		{Period: whole, Granularity: query.Monthly, Metrics: all, GroupBy: []query.GroupKey{dim(billing.DimUsageType)}},
		{Period: whole, Granularity: query.Monthly, Metrics: all, GroupBy: []query.GroupKey{tag, dim(billing.DimRecordType)}},
		{Period: whole, Granularity: query.Monthly, Metrics: all, Filter: ec2, GroupBy: []query.GroupKey{dim(billing.DimInstanceType)}},
		{Period: part, Granularity: query.Daily, Metrics: all, Filter: query.Or{notUsage, tagged}},
		{Period: hours, Granularity: query.Daily, Metrics: all, Filter: ec2, GroupBy: []query.GroupKey{dim(billing.DimResourceID)}},
		{Period: whole, Granularity: query.Monthly, Metrics: all, Scope: query.Scope{Account: "not-an-account"}},
	}
	compare(t, ddb, chs, questions, whole, part, tagKeys)
	t.Run("categories", func(t *testing.T) { compareCategories(t, ddb, chs, whole, part, tagKeys) })
	t.Run("commitments", func(t *testing.T) { compareCommitments(t, ddb, chs, whole, part, tagKeys) })
	var hourRows uint64
	if err := chs.shards[0].QueryRow(ctx, "SELECT count() FROM "+chs.addr.Database+".rollup_hour").Scan(&hourRows); err != nil || hourRows == 0 {
		t.Errorf("rollup_hour has %d rows (%v): September's HOURLY question did not read it", hourRows, err)
	}

	// Tag statuses as the metadata store hands them over: the first key
	// inactive in August for the payer, the last one inactive from now on.
	payer, err := ddb.FirstPayer(ctx)
	if err != nil || payer == "" {
		t.Fatalf("first payer %q: %v", payer, err)
	}
	rows := []store.TagStatusRow{{Payer: payer, Key: tagKeys[0], Month: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)},
		{Payer: payer, Key: tagKeys[len(tagKeys)-1]}}
	for _, st := range []store.TagLines{ddb, chs} {
		if err := st.ReplaceTagStatuses(ctx, rows); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("statuses", func(t *testing.T) {
		compare(t, ddb, chs, questions, whole, part, tagKeys)
		compareCategories(t, ddb, chs, whole, part, tagKeys)
		compareCommitments(t, ddb, chs, whole, part, tagKeys)
	})
}

type backend interface {
	store.CostStore
	store.TagLines
	store.UsageRecordCounter
}

func compare(t *testing.T, ddb, chs backend, questions []*query.Aggregate, whole, part billing.Period, tagKeys []string) {
	ctx := context.Background()
	for i, q := range questions {
		want, err := ddb.Aggregate(ctx, q)
		if err != nil {
			t.Fatalf("question %d: duckdb: %v", i, err)
		}
		got, err := chs.Aggregate(ctx, q)
		if err != nil {
			t.Fatalf("question %d: clickhouse: %v", i, err)
		}
		if i < len(questions)-1 && len(want) == 0 {
			t.Errorf("question %d has no answer: the test would prove nothing", i)
		}
		if diff := cmp.Diff(render(want), render(got)); diff != "" {
			t.Errorf("question %d (%+v): clickhouse differs from duckdb (-duckdb +clickhouse):\n%s", i, q, diff)
		}
	}
	for _, d := range []billing.Dimension{billing.DimService, billing.DimLinkedAccount, billing.DimUsageType, billing.DimRegion,
		billing.DimInstanceType, billing.DimRecordType, billing.DimOperation} {
		q := &query.DimensionValues{Period: part, Dimension: d, SortBy: []query.SortKey{{Metric: billing.UnblendedCost, Descending: true}}}
		want, err := ddb.DimensionValues(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := chs.DimensionValues(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("values of %s (-duckdb +clickhouse):\n%s", d, diff)
		}
	}
	for _, q := range []*query.Tags{{Period: whole}, {Period: part, Key: tagKeys[0]}, {Period: whole, Key: tagKeys[len(tagKeys)-1], Search: "a"}} {
		want, err := ddb.Tags(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := chs.Tags(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tags %+v (-duckdb +clickhouse):\n%s", q, diff)
		}
	}
	for _, q := range []store.UsageRecordsQuery{{Period: part}, {Period: part, Resources: true},
		{Period: billing.Period{Start: time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC), End: time.Date(2026, 9, 20, 0, 0, 0, 0, time.UTC)}, Hourly: true},
		{Period: whole, Hourly: true, Resources: true, Services: []string{"Amazon Elastic Compute Cloud - Compute"}}} {
		want, err := ddb.UsageRecords(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got, err := chs.UsageRecords(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Errorf("usage records %+v: none, the comparison proves nothing", q)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("usage records %+v (-duckdb +clickhouse):\n%s", q, diff)
		}
	}
	for _, f := range []func(backend) (any, error){
		func(s backend) (any, error) { return s.TagUses(ctx) },
		func(s backend) (any, error) { return s.AccountTagKeys(ctx, "") },
		func(s backend) (any, error) { return s.FirstPayer(ctx) },
	} {
		want, err := f(ddb)
		if err != nil {
			t.Fatal(err)
		}
		got, err := f(chs)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("tag lines (-duckdb +clickhouse):\n%s", diff)
		}
	}
	want, _ := ddb.Periods(ctx)
	got, err := chs.Periods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(periodKeys(want), periodKeys(got)); diff != "" {
		t.Errorf("periods (-duckdb +clickhouse):\n%s", diff)
	}
}

// render spells rows as the API prints them.
func render(rows []query.Row) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		s := r.Bucket.Format(time.RFC3339) + fmt.Sprint(r.Keys)
		for _, v := range r.Values {
			s += " | " + v.String() + " " + v.Unit
		}
		out = append(out, s)
	}
	return out
}

func periodKeys(ps []store.PeriodStatus) []string {
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s %s final=%v invoice=%s rows=%d files=%d %s", p.Period, p.Format, p.Final, p.InvoiceID, p.Rows, len(p.Files), p.Currency))
	}
	return out
}
