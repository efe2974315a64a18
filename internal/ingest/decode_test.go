package ingest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// TestCUR2RowsKeepTheirOwnMapsAndOrder loads a CUR 2.0 Parquet file whose
// product, tag and cost category maps repeat in runs of random length (the
// mapper shares them between rows that repeat) and change back and forth,
// over more rows than one Parquet batch and many decode batches, and checks
// every row's values and the order of the rows.
func TestCUR2RowsKeepTheirOwnMapsAndOrder(t *testing.T) {
	products := []map[string]string{
		{"product_name": "Amazon Elastic Compute Cloud", "region": "us-east-1"},
		{"product_name": "Amazon Simple Storage Service", "region": "eu-west-1"},
		{"product_name": "Amazon Simple Storage Service", "operating_system": "Linux"},
	}
	tagSets := []map[string]string{
		{"user_env": "prod", "user_team": "a"},
		{"user_env": "prod"},
		{},
		{"user_env": "dev", "user_team": "a", "aws_created_by": "alice"},
	}
	wantTags := []map[string]string{
		{"env": "prod", "team": "a"},
		{"env": "prod"},
		{},
		{"env": "dev", "team": "a", "aws:createdBy": "alice"},
	}
	ccSets := []map[string]string{{"Unit": "u1"}, {}, {"Unit": "u2", "Org": "x"}}
	wantRegion := []string{"us-east-1", "eu-west-1", billing.NoValue(billing.DimRegion)}

	n := 2*batchRows + 3*decodeBatch + 37
	rng := rand.New(rand.NewPCG(17, 600000))
	var prod, tag, cc []int
	p, tg, c := 0, 0, 0
	rows := make([]cur2ParquetRow, n)
	base := utc("2024-04-01T00:00:00Z")
	for i := range rows {
		if rng.IntN(4) == 0 {
			p = rng.IntN(len(products))
		}
		if rng.IntN(3) == 0 {
			tg = rng.IntN(len(tagSets))
		}
		if rng.IntN(5) == 0 {
			c = rng.IntN(len(ccSets))
		}
		prod, tag, cc = append(prod, p), append(tag, tg), append(cc, c)
		start := base.Add(time.Duration(i%500) * time.Hour)
		rows[i] = cur2ParquetRow{PayerID: "111122223333", PeriodStart: base, AccountID: fmt.Sprintf("%012d", i),
			LineItemType: "Usage", Start: start, End: ptr(start.Add(time.Hour)), ProductCode: "AmazonEC2",
			UsageType: "BoxUsage:m5.large", Unblended: float64(i) / 100,
			Product: products[p], ResourceTags: tagSets[tg], CostCategory: ccSets[c]}
	}
	path := writeParquet(t, filepath.Join(t.TempDir(), "cur2.snappy.parquet"), rows)
	w := newMemWriter(true)
	mustLoad(t, w, path)
	if len(w.rows) != n {
		t.Fatalf("%d rows, want %d", len(w.rows), n)
	}
	for i, li := range w.rows {
		if want, _ := billing.AmountFromFloat(float64(i) / 100); li.UsageAccountID != fmt.Sprintf("%012d", i) || li.Unblended != want {
			t.Fatalf("row %d is %s %s: rows out of order", i, li.UsageAccountID, li.Unblended)
		}
		if li.Region != wantRegion[prod[i]] || !maps.Equal(li.Tags, wantTags[tag[i]]) || !maps.Equal(li.CostCategories, ccSets[cc[i]]) {
			t.Fatalf("row %d: region %q tags %v cost categories %v, want %q %v %v", i, li.Region, li.Tags, li.CostCategories,
				wantRegion[prod[i]], wantTags[tag[i]], ccSets[cc[i]])
		}
	}
}

// TestLoadStopsItsDecoder checks that a load the writer or the context ends
// in the middle of a file returns the error and leaves no goroutine behind.
func TestLoadStopsItsDecoder(t *testing.T) {
	p := filepath.Join(t.TempDir(), "cur2.snappy.parquet")
	writeSyntheticCUR2(t, p, 3*batchRows)
	before := runtime.NumGoroutine()

	w := newMemWriter(false)
	w.failAt = batchRows + 5
	_, err := Load(context.Background(), []string{p}, w, Options{})
	if !errors.Is(err, errAppend) {
		t.Fatalf("Load with a failing writer: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w = newMemWriter(false)
	w.onAppend = func(billing.BillingPeriod, *billing.LineItem) {
		if w.n == decodeBatch+1 {
			cancel()
		}
	}
	_, err = Load(ctx, []string{p}, w, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Load with a cancelled context: %v", err)
	}
	// Load waits for its decoder before it returns.
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("%d goroutines, %d before the loads", after, before)
	}
}
