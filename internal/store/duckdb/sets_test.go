package duckdb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/query"
)

// A NUL byte in a tag value is data like any other: it must neither create
// tag keys nor cut the value (sets were once keyed by NUL-joined strings).
func TestNULInTagValueFromCUR(t *testing.T) {
	ctx := context.Background()
	header := "identity/LineItemId,bill/PayerAccountId,bill/BillingPeriodStartDate,bill/BillingPeriodEndDate," +
		"lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate," +
		"lineItem/ProductCode,lineItem/UsageType,lineItem/CurrencyCode,lineItem/UnblendedCost,lineItem/BlendedCost," +
		"resourceTags/user:Owner,resourceTags/user:Team\n"
	row := func(id, cost, owner, team string) string {
		return id + ",111111111111,2024-01-01T00:00:00Z,2024-02-01T00:00:00Z,111111111111,Usage," +
			"2024-01-05T10:00:00Z,2024-01-05T11:00:00Z,AmazonEC2,BoxUsage," + "USD," + cost + "," + cost + "," + owner + "," + team + "\n"
	}
	csv := header + row("a", "1", "x\x00Injected\x00y", "core") + row("b", "2", "x", "core")
	path := filepath.Join(t.TempDir(), "cur.csv")
	if err := os.WriteFile(path, []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	db, err := Open(ctx, "", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err := db.NewWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ingest.Load(ctx, []string{path}, w, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	keys, err := db.TagKeys(ctx, "111111111111", "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, k := range keys {
		names = append(names, k.Key)
	}
	if diff := cmp.Diff([]string{"Owner", "Team"}, names); diff != "" {
		t.Errorf("tag keys (-want +got):\n%s", diff)
	}
	got := total(t, db, &query.Aggregate{Period: billing.Period{Start: day("2024-01-01"), End: day("2024-02-01")},
		Granularity: query.Monthly, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy: []query.GroupKey{{Kind: query.KindTag, Key: "Owner"}}})
	for k, v := range got {
		delete(got, k)
		got[strings.ReplaceAll(k, "\x00", `\0`)] = v
	}
	want := map[string]string{`2024-01-01|x\0Injected\0y`: "1 USD", "2024-01-01|x": "2 USD"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cost by Owner (-want +got):\n%s", diff)
	}
}
