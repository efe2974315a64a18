package costexplorer_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/backfill"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/duckdb"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// tagEnv is a Cost Explorer service over a DuckDB store holding a small
// organisation, with a backfill runner, behind the real SDK client.
type tagEnv struct {
	db     *duckdb.DB
	runner *backfill.Runner
	clock  *clock
	url    string
	svc    *costexplorer.Service
}

// Accounts of the test data: payer 111111111111 pays for itself and the
// linked account 222222222222 (keys Team and aws:createdBy); payer
// 333333333333 pays for itself (key Project).
var testAccounts = map[string]auth.Account{
	"test":   {AccessKeyID: "test", AccountID: auth.TestAccountID, All: true},
	"payer":  {AccessKeyID: "payer", AccountID: "111111111111"},
	"linked": {AccessKeyID: "linked", AccountID: "222222222222"},
	"other":  {AccessKeyID: "other", AccountID: "333333333333"},
	// An account that appears nowhere in the data.
	"outsider": {AccessKeyID: "outsider", AccountID: "444444444444"},
}

var envNow = time.Date(2024, 12, 10, 9, 30, 0, 0, time.UTC)

func newTagEnv(t *testing.T, prof profile.Profile) *tagEnv {
	t.Helper()
	ctx := context.Background()
	db, err := duckdb.Open(ctx, "", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, m := range []string{"2024-10", "2024-11", "2024-12"} {
		month, _ := time.Parse("2006-01", m)
		loadLines(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: month},
			line(month, "111111111111", "222222222222", "1", map[string]string{"Team": "a", "aws:createdBy": "root"}),
			line(month, "111111111111", "111111111111", "2", nil))
	}
	oct := time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC)
	loadLines(t, db, billing.BillingPeriod{Source: "cur:333333333333", Month: oct},
		line(oct, "333333333333", "333333333333", "4", map[string]string{"Project": "x"}))

	env := &tagEnv{db: db, clock: &clock{t: envNow}}
	env.runner = backfill.New(backfill.Config{Store: db, Now: env.clock.Now, Every: prof.BackfillEvery})
	if err := env.runner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.runner.Stop)
	svc := costexplorer.New(costexplorer.Config{Store: db, Profile: prof, Now: env.clock.Now,
		TokenKey: []byte("test key"), Backfills: env.runner})
	r, err := awsjson.NewRouter([]awsjson.Service{costexplorer.ServiceDef(svc)}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(withCaller(awsjsontest.Handler(r)))
	t.Cleanup(srv.Close)
	env.url, env.svc = srv.URL, svc
	return env
}

// withCaller puts the account of the request's access key in its context,
// as Tally's server does after verifying the signature.
func withCaller(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, cred, _ := strings.Cut(r.Header.Get("Authorization"), "Credential=")
		key, _, _ := strings.Cut(cred, "/")
		if a, ok := testAccounts[key]; ok {
			r = r.WithContext(auth.WithCaller(r.Context(), a))
		}
		next.ServeHTTP(w, r)
	})
}

// client returns an SDK client signing with the access key key.
func (e *tagEnv) client(key string) *cesdk.Client {
	return cesdk.New(cesdk.Options{
		BaseEndpoint: aws.String(e.url),
		Region:       "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: "secret"}, nil
		}),
		HTTPClient:       sdkhttp.Client(),
		RetryMaxAttempts: 1,
	})
}

func line(month time.Time, payer, account, cost string, tags map[string]string) *billing.LineItem {
	a, err := billing.ParseAmount(cost)
	if err != nil {
		panic(err)
	}
	start := month.Add(36 * time.Hour)
	return &billing.LineItem{UsageStart: start, UsageEnd: start.Add(time.Hour), PayerAccountID: payer,
		UsageAccountID: account, Service: "AWS Lambda", LineItemType: "Usage", RecordType: "Usage",
		Currency: "USD", UsageUnit: "Requests", Unblended: a, Blended: a, NetUnblended: a, Amortized: a,
		NetAmortized: a, UsageQuantity: 1, Tags: tags}
}

func loadLines(t *testing.T, db *duckdb.DB, p billing.BillingPeriod, items ...*billing.LineItem) {
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
