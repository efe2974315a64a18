package costexplorer_test

import (
	"context"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store/duckdb"
)

// countingStore counts the aggregations the service asks the store for.
type countingStore struct {
	*duckdb.DB
	aggregates int
}

func (s *countingStore) Aggregate(ctx context.Context, q *query.Aggregate) ([]query.Row, error) {
	s.aggregates++
	return s.DB.Aggregate(ctx, q)
}

// TestNoResultCache: a page walk computes its answer once either way; a
// repeated walk reuses it from the result cache unless NoResultCache is set.
func TestNoResultCache(t *testing.T) {
	ctx := context.Background()
	db, err := duckdb.Open(ctx, "", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	nov := time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
	loadLines(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: nov},
		line(nov, "111111111111", "111111111111", "1", nil), line(nov, "111111111111", "222222222222", "2", nil))

	for _, tc := range []struct {
		noCache bool
		want    int
	}{{false, 1}, {true, 2}} {
		cs := &countingStore{DB: db}
		svc := costexplorer.New(costexplorer.Config{Store: cs, Profile: profile.Unlimited, Now: func() time.Time { return envNow },
			TokenKey: []byte("test key"), PageSize: 1, NoResultCache: tc.noCache})
		walk := func() {
			in := &costexplorer.GetCostAndUsageRequest{
				TimePeriod:  &costexplorer.DateInterval{Start: ptr("2024-11-01"), End: ptr("2024-12-01")},
				Granularity: ptr(costexplorer.GranularityMonthly), Metrics: []string{"UnblendedCost"},
				GroupBy: []costexplorer.GroupDefinition{{Type: ptr(costexplorer.GroupDefinitionTypeDimension), Key: ptr("LINKED_ACCOUNT")}}}
			pages := 0
			for {
				out, err := svc.GetCostAndUsage(ctx, in)
				if err != nil {
					t.Fatal(err)
				}
				pages++
				if out.NextPageToken == nil {
					break
				}
				in.NextPageToken = out.NextPageToken
			}
			if pages != 2 {
				t.Fatalf("%d pages, want 2", pages)
			}
		}
		walk()
		walk()
		if cs.aggregates != tc.want {
			t.Errorf("NoResultCache %v: %d aggregations for two page walks, want %d", tc.noCache, cs.aggregates, tc.want)
		}
	}
}
