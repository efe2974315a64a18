package budgets_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	"github.com/aws/smithy-go"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/duckdb"
)

// Accounts of the tests: the built-in test identity, which sees every
// account's costs but, as the test key does, acts for one account (here
// Alice's), and two ordinary accounts whose keys are their names.
const (
	alice = "111111111111"
	bob   = "222222222222"
	payer = "999999999999"
)

var identities = map[string]auth.Account{
	"test":  {AccessKeyID: "test", Secret: "test", AccountID: alice, All: true},
	"alice": {AccessKeyID: "alice", Secret: "alice", AccountID: alice},
	"bob":   {AccessKeyID: "bob", Secret: "bob", AccountID: bob},
}

// clock is a settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is a budgets service over a DuckDB store, served to the real SDK.
type env struct {
	t     *testing.T
	db    *duckdb.DB
	svc   *budgets.Service
	clock *clock
	url   string
	logs  *logBuffer
}

// logBuffer collects the router's log, which reports internal errors and
// exceptions an operation's model does not list.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *logBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

var accessKey = regexp.MustCompile(`Credential=([^/]+)/`)

func newEnv(t *testing.T, now time.Time, opts ...func(*budgets.Config)) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: now}
	db, err := duckdb.Open(ctx, "", duckdb.Options{Threads: 1, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e := &env{t: t, db: db, clock: clk, logs: &logBuffer{}}
	// RunRate keeps forecasts computable by hand; the model is tested on
	// its own (TestModelForecaster) and end to end.
	cfg := budgets.Config{Store: db, Costs: db, Profile: profile.AWS, Now: clk.Now,
		Forecaster: budgets.RunRate{Costs: db}, TokenKey: []byte("0123456789abcdef0123456789abcdef")}
	for _, o := range opts {
		o(&cfg)
	}
	e.svc = budgets.New(cfg)
	router, err := awsjson.NewRouter([]awsjson.Service{budgets.ServiceDef(e.svc)}, awsjsontest.Strict(t),
		awsjson.WithLogger(slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ctx := r.Context()
		if m := accessKey.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			if a, ok := identities[m[1]]; ok {
				ctx = auth.WithCaller(ctx, a)
			}
		}
		resp := router.Dispatch(ctx, r.Header.Get("X-Amz-Target"), body)
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.Status)
		w.Write(resp.Body)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		if l := e.logs.String(); l != "" {
			t.Errorf("the router logged problems (internal errors or unmodelled exceptions):\n%s", l)
		}
	})
	e.url = srv.URL
	return e
}

// client returns an SDK client signed with key.
func (e *env) client(key string) *bsdk.Client {
	return bsdk.New(bsdk.Options{
		BaseEndpoint: aws.String(e.url),
		Region:       "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: key}, nil
		}),
		HTTPClient:       sdkhttp.Client(),
		RetryMaxAttempts: 1,
	})
}

// load ingests line items as one billing period.
func (e *env) load(month string, items ...*billing.LineItem) {
	e.t.Helper()
	ctx := context.Background()
	w, err := e.db.NewWriter(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	m, _ := time.Parse("2006-01", month)
	p := billing.BillingPeriod{Source: "cur:" + payer, Month: m}
	for _, li := range items {
		if err := w.Append(p, li); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := w.Commit(ctx, []store.PeriodInfo{{Period: p, Format: "test"}}); err != nil {
		e.t.Fatal(err)
	}
}

// evaluate runs an evaluation as the timer or an ingest does.
func (e *env) evaluate() {
	e.t.Helper()
	if err := e.svc.Evaluate(context.Background()); err != nil {
		e.t.Fatal(err)
	}
}

// queued returns the alert messages in the outbox that are due by the end
// of time, oldest first.
func (e *env) queued() []store.Pending {
	e.t.Helper()
	ps, err := e.db.Outbox().Due(context.Background(), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return ps
}

// line is a line item of usage on day at hour 0.
type line struct {
	day, account, service, recordType string
	lineType                          string // CUR line item type when it differs from recordType
	cost, amortized                   string
	usage                             float64
	unit                              string
	tags                              map[string]string
}

func (l line) item() *billing.LineItem {
	start, err := time.Parse("2006-01-02", l.day)
	if err != nil {
		panic(err)
	}
	cost, _ := billing.ParseAmount(l.cost)
	amortized := cost
	if l.amortized != "" {
		amortized, _ = billing.ParseAmount(l.amortized)
	}
	rt, lit := l.recordType, l.lineType
	if rt == "" {
		rt = "Usage"
	}
	if lit == "" {
		lit = rt
	}
	unit := l.unit
	if unit == "" {
		unit = "Hrs"
	}
	return &billing.LineItem{UsageStart: start, UsageEnd: start.Add(time.Hour), PayerAccountID: payer,
		UsageAccountID: l.account, Service: l.service, LineItemType: lit, RecordType: rt, Currency: "USD",
		UsageUnit: unit, Unblended: cost, Blended: cost, NetUnblended: cost, Amortized: amortized,
		NetAmortized: amortized, UsageQuantity: l.usage, Tags: l.tags}
}

func items(ls ...line) []*billing.LineItem {
	out := make([]*billing.LineItem, len(ls))
	for i, l := range ls {
		out[i] = l.item()
	}
	return out
}

// errorCode returns the AWS error code of err, "" for nil.
func errorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return "not an API error: " + err.Error()
}

func errorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}

func date(s string) time.Time {
	layout := "2006-01-02"
	if strings.Contains(s, "T") {
		layout = time.RFC3339
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		panic(err)
	}
	return t
}
