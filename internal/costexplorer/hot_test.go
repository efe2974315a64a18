package costexplorer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store/duckdb"
)

// computeCounter counts the store reads that compute answers.
type computeCounter struct {
	*duckdb.DB
	n atomic.Int64
}

func (s *computeCounter) Aggregate(ctx context.Context, q *query.Aggregate) ([]query.Row, error) {
	s.n.Add(1)
	return s.DB.Aggregate(ctx, q)
}

func (s *computeCounter) DimensionValues(ctx context.Context, q *query.DimensionValues) ([]query.DimensionValue, error) {
	s.n.Add(1)
	return s.DB.DimensionValues(ctx, q)
}

func (s *computeCounter) Tags(ctx context.Context, q *query.Tags) ([]string, error) {
	s.n.Add(1)
	return s.DB.Tags(ctx, q)
}

// hotEnv is a router over a Service with its answer cache, and one over a
// Service without it, on the same store: the second says what the answer
// is now.
type hotEnv struct {
	db          *duckdb.DB
	store       *computeCounter
	hot, fresh  *awsjson.Router
	nov, octobr time.Time
}

func newHotEnv(t *testing.T) *hotEnv { return newHotEnvPaged(t, 0) }

func newHotEnvPaged(t *testing.T, pageSize int) *hotEnv {
	t.Helper()
	db, err := duckdb.Open(context.Background(), "", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &hotEnv{db: db, store: &computeCounter{DB: db},
		nov: time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC), octobr: time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)}
	loadLines(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: e.nov},
		line(e.nov, "111111111111", "111111111111", "1.5", map[string]string{"Team": "a"}),
		line(e.nov, "111111111111", "222222222222", "2.25", map[string]string{"Team": "b"}))
	router := func(noCache bool) *awsjson.Router {
		svc := costexplorer.New(costexplorer.Config{Store: e.store, Profile: profile.Unlimited, Now: func() time.Time { return envNow },
			TokenKey: []byte("test key"), NoResultCache: noCache, PageSize: pageSize})
		r, err := awsjson.NewRouter([]awsjson.Service{svc.ServiceDef()}, awsjsontest.Strict(t))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	e.hot, e.fresh = router(false), router(true)
	return e
}

// call sends body to op as the caller with access key key and returns the
// answer's bytes; it fails the test on an error.
func (e *hotEnv) call(t *testing.T, r *awsjson.Router, key, op, body string) []byte {
	t.Helper()
	ctx := auth.WithCaller(context.Background(), testAccounts[key])
	resp := r.Dispatch(ctx, costexplorer.TargetPrefix+"."+op, []byte(body))
	if resp.Status != 200 {
		t.Fatalf("%s as %s: HTTP %d %s", op, key, resp.Status, resp.Body)
	}
	return resp.Body
}

// hit asks the hot router and checks that it computed nothing and answered
// the bytes the fresh router computes.
func (e *hotEnv) hit(t *testing.T, key, op, body string) []byte {
	t.Helper()
	n := e.store.n.Load()
	got := e.call(t, e.hot, key, op, body)
	if d := e.store.n.Load() - n; d != 0 {
		t.Errorf("%s as %s: %d store reads, want a cache hit", op, key, d)
	}
	if want := e.call(t, e.fresh, key, op, body); !bytes.Equal(got, want) {
		t.Errorf("%s as %s: cached answer\n%s\nwant the computed\n%s", op, key, got, want)
	}
	return got
}

// miss asks the hot router and checks that it computed the answer, the same
// bytes as the fresh router.
func (e *hotEnv) miss(t *testing.T, key, op, body string) []byte {
	t.Helper()
	n := e.store.n.Load()
	got := e.call(t, e.hot, key, op, body)
	if e.store.n.Load() == n {
		t.Errorf("%s as %s: answered from the cache, want it computed", op, key)
	}
	if want := e.call(t, e.fresh, key, op, body); !bytes.Equal(got, want) {
		t.Errorf("%s as %s: answer\n%s\nwant\n%s", op, key, got, want)
	}
	return got
}

const (
	hotTotal   = `{"TimePeriod":{"Start":"2024-11-01","End":"2024-12-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"]}`
	hotTotal2  = ` { "Metrics" : ["UnblendedCost"], "Granularity":"MONTHLY", "TimePeriod":{"End":"2024-12-01","Start":"2024-11-01"}}`
	hotValues  = `{"TimePeriod":{"Start":"2024-11-01","End":"2024-12-01"},"Dimension":"LINKED_ACCOUNT"}`
	hotTagKeys = `{"TimePeriod":{"Start":"2024-11-01","End":"2024-12-01"}}`
)

// TestAnswerCacheHit: a repeat, however its members are ordered and spaced,
// is answered from the cache with the bytes the computed answer has.
func TestAnswerCacheHit(t *testing.T) {
	e := newHotEnv(t)
	for _, c := range []struct{ op, body string }{
		{"GetCostAndUsage", hotTotal}, {"GetDimensionValues", hotValues}, {"GetTags", hotTagKeys},
	} {
		first := e.miss(t, "payer", c.op, c.body)
		if again := e.hit(t, "payer", c.op, c.body); !bytes.Equal(again, first) {
			t.Errorf("%s: repeat differs from the first answer", c.op)
		}
	}
	if a, b := e.hit(t, "payer", "GetCostAndUsage", hotTotal2), e.call(t, e.hot, "payer", "GetCostAndUsage", hotTotal); !bytes.Equal(a, b) {
		t.Errorf("reordered request: %s, want %s", a, b)
	}
	// A failing request is never answered from the cache.
	bad := `{"TimePeriod":{"Start":"2024-12-01","End":"2024-11-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"]}`
	for range 2 {
		ctx := auth.WithCaller(context.Background(), testAccounts["payer"])
		if r := e.hot.Dispatch(ctx, costexplorer.TargetPrefix+".GetCostAndUsage", []byte(bad)); r.Status != 400 {
			t.Fatalf("reversed period: HTTP %d %s", r.Status, r.Body)
		}
	}
}

// TestAnswerCacheTenants: two accounts asking the same question get their
// own answers, each computed.
func TestAnswerCacheTenants(t *testing.T) {
	e := newHotEnv(t)
	payer := e.miss(t, "payer", "GetCostAndUsage", hotTotal)
	linked := e.miss(t, "linked", "GetCostAndUsage", hotTotal)
	if bytes.Equal(payer, linked) {
		t.Fatalf("payer and linked account got the same answer %s", payer)
	}
	if !bytes.Contains(payer, []byte(`"3.75"`)) || !bytes.Contains(linked, []byte(`"2.25"`)) {
		t.Errorf("payer %s (want 3.75), linked %s (want 2.25)", payer, linked)
	}
	e.hit(t, "payer", "GetCostAndUsage", hotTotal)
	e.hit(t, "linked", "GetCostAndUsage", hotTotal)
	e.miss(t, "test", "GetCostAndUsage", hotTotal)
}

// TestAnswerCacheInvalidation: an ingest, a tag status change and a cost
// category change each make the next repeat compute its answer again.
func TestAnswerCacheInvalidation(t *testing.T) {
	e := newHotEnv(t)
	before := e.miss(t, "payer", "GetCostAndUsage", hotTotal)
	e.hit(t, "payer", "GetCostAndUsage", hotTotal)

	// An ingest of the month again, with other costs.
	loadLines(t, e.db, billing.BillingPeriod{Source: "cur:111111111111", Month: e.nov},
		line(e.nov, "111111111111", "111111111111", "10", map[string]string{"Team": "a"}))
	after := e.miss(t, "payer", "GetCostAndUsage", hotTotal)
	if bytes.Equal(before, after) || !bytes.Contains(after, []byte(`"10"`)) {
		t.Errorf("after the ingest: %s, want 10 (before: %s)", after, before)
	}
	e.hit(t, "payer", "GetCostAndUsage", hotTotal)

	// A tag status change.
	e.miss(t, "payer", "GetTags", hotTagKeys)
	e.hit(t, "payer", "GetTags", hotTagKeys)
	for _, status := range []string{"Active", "Inactive"} {
		e.call(t, e.hot, "payer", "UpdateCostAllocationTagsStatus",
			`{"CostAllocationTagsStatus":[{"TagKey":"Team","Status":"`+status+`"}]}`)
		e.miss(t, "payer", "GetTags", hotTagKeys) // the same bytes as computed now
		e.hit(t, "payer", "GetTags", hotTagKeys)
	}

	// A cost category definition, then grouping by it.
	byCat := `{"TimePeriod":{"Start":"2024-11-01","End":"2024-12-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"],` +
		`"GroupBy":[{"Type":"COST_CATEGORY","Key":"Owner"}]}`
	e.call(t, e.hot, "payer", "CreateCostCategoryDefinition", `{"Name":"Owner","RuleVersion":"CostCategoryExpression.v1",`+
		`"EffectiveStart":"2024-11-01T00:00:00Z","Rules":[{"Value":"Mine","Rule":{"Dimensions":{"Key":"LINKED_ACCOUNT","Values":["111111111111"]}}}]}`)
	e.miss(t, "payer", "GetCostAndUsage", hotTotal)
	first := e.miss(t, "payer", "GetCostAndUsage", byCat)
	e.hit(t, "payer", "GetCostAndUsage", byCat)
	e.call(t, e.hot, "payer", "UpdateCostCategoryDefinition", `{"CostCategoryArn":"`+categoryArn(t, e)+`","RuleVersion":"CostCategoryExpression.v1",`+
		`"EffectiveStart":"2024-11-01T00:00:00Z","Rules":[{"Value":"Theirs","Rule":{"Dimensions":{"Key":"LINKED_ACCOUNT","Values":["111111111111"]}}}]}`)
	second := e.miss(t, "payer", "GetCostAndUsage", byCat)
	if bytes.Equal(first, second) || !bytes.Contains(second, []byte("Theirs")) {
		t.Errorf("after the category update: %s (before: %s), want the value Theirs", second, first)
	}
}

// categoryArn returns the ARN of the payer's only cost category.
func categoryArn(t *testing.T, e *hotEnv) string {
	t.Helper()
	b := e.call(t, e.hot, "payer", "ListCostCategoryDefinitions", `{}`)
	i := bytes.Index(b, []byte(`"CostCategoryArn":"`))
	if i < 0 {
		t.Fatalf("no category in %s", b)
	}
	rest := b[i+len(`"CostCategoryArn":"`):]
	return string(rest[:bytes.IndexByte(rest, '"')])
}

// TestAnswerCacheOff: with NoResultCache every repeat computes.
func TestAnswerCacheOff(t *testing.T) {
	e := newHotEnv(t)
	for range 3 {
		n := e.store.n.Load()
		e.call(t, e.fresh, "payer", "GetDimensionValues", hotValues)
		if e.store.n.Load() == n {
			t.Fatal("NoResultCache: a repeat was answered from the cache")
		}
	}
}

// TestAnswerCachePages: every page of a walk is answered with the bytes the
// computed page has, the first one from the cache on a repeat, and the
// token of a page leads to the same next page either way.
func TestAnswerCachePages(t *testing.T) {
	e := newHotEnvPaged(t, 1)
	const first = `{"TimePeriod":{"Start":"2024-11-01","End":"2024-12-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"],` +
		`"GroupBy":[{"Type":"DIMENSION","Key":"LINKED_ACCOUNT"}]}`
	walk := func(hitFirst bool) []string {
		var accounts []string
		body := first
		for page := 0; ; page++ {
			var b []byte
			if page == 0 && hitFirst {
				b = e.hit(t, "payer", "GetCostAndUsage", body)
			} else {
				b = e.call(t, e.hot, "payer", "GetCostAndUsage", body)
			}
			var out struct {
				ResultsByTime []struct{ Groups []struct{ Keys []string } }
				NextPageToken string
			}
			if err := json.Unmarshal(b, &out); err != nil {
				t.Fatal(err)
			}
			for _, r := range out.ResultsByTime {
				for _, g := range r.Groups {
					accounts = append(accounts, g.Keys...)
				}
			}
			if out.NextPageToken == "" {
				return accounts
			}
			if page > 3 {
				t.Fatal("more pages than groups")
			}
			body = first[:len(first)-1] + `,"NextPageToken":"` + out.NextPageToken + `"}`
		}
	}
	want := []string{"111111111111", "222222222222"}
	if got := walk(false); !slices.Equal(got, want) {
		t.Fatalf("first walk: %v, want %v", got, want)
	}
	if got := walk(true); !slices.Equal(got, want) {
		t.Fatalf("second walk: %v, want %v", got, want)
	}
}
