package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tallyhq/tally/internal/testenv"
)

// The HTTP fuzzer's knobs: go test ./cmd/tally -run TestHTTPFuzz -args
// -fuzz.n=100000 -fuzz.time=10m -fuzz.seed=42, or the TALLY_FUZZ_N,
// TALLY_FUZZ_TIME and TALLY_FUZZ_SEED environment variables. CI runs the
// defaults: 3,000 requests or 30 s, whichever comes first.
var (
	fuzzN    = flag.Int("fuzz.n", envInt("TALLY_FUZZ_N", 3000), "requests TestHTTPFuzz sends")
	fuzzTime = flag.Duration("fuzz.time", envDuration("TALLY_FUZZ_TIME", 30*time.Second), "longest time TestHTTPFuzz sends requests")
	fuzzSeed = flag.Uint64("fuzz.seed", uint64(envInt("TALLY_FUZZ_SEED", 0)), "seed of TestHTTPFuzz (0: from the clock)")
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// fuzzRSSBound is the most resident memory the test process (server and
// fuzzer in one) may reach while fuzzed.
const fuzzRSSBound = 1 << 30

// TestHTTPFuzz sends signed requests, built from the botocore models of
// both services and then mutated (wrong types, out-of-range numbers,
// unknown and missing members, huge strings, deep nesting, random bytes),
// to every operation of a server holding the Workshop months, first with
// the test key, then as a payer, its member and an outsider. No answer may
// be a 5xx other than 501 NotImplementedException, every error must name
// an exception the operation's model lists or a protocol one, the server
// must keep answering, and the process's RSS stays under fuzzRSSBound
// (issue 11, "Keep it fixed"). A failure prints the seed and the request
// number to replay it.
func TestHTTPFuzz(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the Workshop files and sends thousands of requests")
	}
	seed := *fuzzSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (replay: -args -fuzz.seed=%d or TALLY_FUZZ_SEED=%d)", seed, seed, seed)
	models := loadFuzzModels(t)

	files := workshop(t)
	data := t.TempDir()
	now := &serveHooks{now: func() time.Time { return fixedNow }}
	first, stop := launch(t, data, now)
	first.ingest(t, files...)

	// Budgets fuzz0 to fuzz4 of each caller, for the budget operations to
	// reach past NotFoundException.
	budgetsOf := func(inst *instance, c fuzzCaller) {
		for i := range 5 {
			status, _, body := rawCall(t, inst, c.key, c.secret, "AWSBudgetServiceGateway.CreateBudget",
				`{"AccountId":"`+c.account+`","Budget":{"BudgetName":"fuzz`+strconv.Itoa(i)+`","BudgetType":"COST","TimeUnit":"MONTHLY",`+
					`"BudgetLimit":{"Amount":"100","Unit":"USD"}},"NotificationsWithSubscribers":[{"Notification":`+
					`{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80},`+
					`"Subscribers":[{"SubscriptionType":"EMAIL","Address":"ops@example.com"}]}]}`)
			if status != http.StatusOK && !strings.Contains(body, "DuplicateRecordException") {
				t.Fatalf("CreateBudget as %s: %d %s", c.account, status, body)
			}
		}
	}
	testKey := fuzzCaller{"test", "test", payerAccount}
	budgetsOf(first, testKey)

	stats := &fuzzStats{seed: seed, statuses: map[int]int{}, types: map[string]int{}}
	stopRSS := stats.watchRSS()
	defer stopRSS()
	deadline := time.Now().Add(*fuzzTime)
	half := *fuzzN / 2
	stats.run(t, first, models, []fuzzCaller{testKey}, 0, half, deadline.Add(-*fuzzTime/2))
	stop()

	creds := filepath.Join(t.TempDir(), "credentials.csv")
	if err := os.WriteFile(creds, []byte("access_key_id,secret_access_key,account_id\n"+
		"AKIAPAYER,payer-secret,"+payerAccount+"\nAKIAMEMBER,member-secret,"+memberAccount+
		"\nAKIAOTHER,other-secret,999999999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now = &serveHooks{now: func() time.Time { return fixedNow }}
	second, _ := launch(t, data, now, "--credentials", creds)
	callers := []fuzzCaller{
		{"AKIAPAYER", "payer-secret", payerAccount},
		{"AKIAMEMBER", "member-secret", memberAccount},
		{"AKIAOTHER", "other-secret", "999999999999"},
	}
	for _, c := range callers {
		budgetsOf(second, c)
	}
	stats.run(t, second, models, callers, half, *fuzzN, deadline)
	stopRSS()

	// The server still answers as it should.
	status, _, body := rawCall(t, second, "AKIAPAYER", "payer-secret", "AWSInsightsIndexService.GetCostAndUsage",
		`{"TimePeriod":{"Start":"2018-10-01","End":"2019-01-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"]}`)
	if status != http.StatusOK {
		t.Errorf("after fuzzing, GetCostAndUsage: %d %s", status, body)
	}
	if resp, err := http.Get(second.url + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("after fuzzing, /healthz: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	t.Logf("%d requests over %d operations in %v, statuses %v, 5xx %d, peak RSS %d MiB (bound %d MiB)",
		stats.sent.Load(), len(models.ops), stats.elapsed.Round(time.Millisecond), stats.statuses, stats.fiveXX,
		stats.peakRSS.Load()>>20, fuzzRSSBound>>20)
	t.Logf("error types: %v", stats.types)
	if p := os.Getenv("TALLY_FUZZ_HEAP"); p != "" {
		runtime.GC()
		f, _ := os.Create(p)
		pprof.WriteHeapProfile(f)
		f.Close()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("at the end: RSS %d MiB, Go runtime holds %d MiB (heap in use %d MiB), %d goroutines",
		vmRSS()>>20, ms.Sys>>20, ms.HeapInuse>>20, runtime.NumGoroutine())
	if msg, ok := stats.overMsg.Load().(string); ok {
		t.Error(msg)
	}
	if peak := stats.peakRSS.Load(); peak > fuzzRSSBound {
		t.Errorf("peak RSS %d MiB, more than the bound of %d MiB (seed %d)", peak>>20, fuzzRSSBound>>20, seed)
	}
	if stats.sent.Load() < int64(min(*fuzzN, 100)) {
		t.Errorf("only %d requests sent", stats.sent.Load())
	}
}

// fuzzCaller is a key and the account it signs as.
type fuzzCaller struct{ key, secret, account string }

type fuzzStats struct {
	seed     uint64
	sent     atomic.Int64
	peakRSS  atomic.Int64
	elapsed  time.Duration
	mu       sync.Mutex
	statuses map[int]int
	types    map[string]int
	fiveXX   int
	failures int
	// inFlight holds the requests being answered, shown when RSS goes over
	// the bound; over stops the workers then.
	inFlight sync.Map
	over     atomic.Bool
	overMsg  atomic.Value
}

// watchRSS samples the process's VmRSS until the returned function is
// called.
func (s *fuzzStats) watchRSS() func() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			if rss := vmRSS(); rss > s.peakRSS.Load() {
				s.peakRSS.Store(rss)
				if rss > fuzzRSSBound && !s.over.Swap(true) {
					var msg []string
					s.inFlight.Range(func(_, v any) bool { msg = append(msg, v.(func() string)()); return true })
					s.overMsg.Store(fmt.Sprintf("RSS %d MiB with these requests in flight:\n%s", rss>>20, strings.Join(msg, "\n")))
				}
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}

// vmRSS returns the resident memory of this process, in bytes (0 where
// /proc is missing).
func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// run sends requests from..to-1 (or until deadline) to inst with four
// workers; request i is built from seed and i alone, so it can be replayed.
func (s *fuzzStats) run(t *testing.T, inst *instance, m *fuzzModels, callers []fuzzCaller, from, to int, deadline time.Time) {
	t.Helper()
	client := &http.Client{Timeout: time.Minute}
	next := atomic.Int64{}
	next.Store(int64(from))
	begin := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= to || time.Now().After(deadline) {
					return
				}
				s.one(t, client, inst, m, callers, i)
				s.mu.Lock()
				stop := s.failures >= 20 || s.over.Load()
				s.mu.Unlock()
				if stop {
					return
				}
			}
		})
	}
	wg.Wait()
	s.elapsed += time.Since(begin)
}

// one builds, signs and sends request i, and checks the answer.
func (s *fuzzStats) one(t *testing.T, client *http.Client, inst *instance, m *fuzzModels, callers []fuzzCaller, i int) {
	r := rand.New(rand.NewPCG(s.seed, uint64(i)))
	caller := callers[r.IntN(len(callers))]
	op := m.ops[r.IntN(len(m.ops))]
	g := &fuzzGen{r: r, m: op.model, account: caller.account}
	body, what := g.request(op)
	target := op.model.prefix + "." + op.name
	if r.IntN(50) == 0 {
		target, what = op.model.prefix+".No"+op.name, what+", unknown target"
	}
	req, err := http.NewRequest(http.MethodPost, inst.url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: caller.key, SecretAccessKey: caller.secret},
		req, hex.EncodeToString(sum[:]), op.model.signing, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	replay := func() string {
		shown := body
		if len(shown) > 600 {
			shown = append(shown[:600:600], "..."...)
		}
		return fmt.Sprintf("request %d of seed %d as %s: %s (%s) %q", i, s.seed, caller.account, target, what, shown)
	}
	s.sent.Add(1)
	s.inFlight.Store(i, replay)
	defer s.inFlight.Delete(i)
	began := time.Now()
	resp, err := client.Do(req)
	defer func() {
		switch d := time.Since(began); {
		case d > 30*time.Second: // a hang, not a slow machine
			s.fail(t, "%s: took %v (RSS now %d MiB)", replay(), d.Round(time.Millisecond), vmRSS()>>20)
		case d > 2*time.Second:
			t.Logf("slow: %s: took %v (RSS now %d MiB)", replay(), d.Round(time.Millisecond), vmRSS()>>20)
		}
	}()
	if err != nil {
		s.fail(t, "%s: %v", replay(), err)
		return
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		s.fail(t, "%s: reading the answer: %v", replay(), err)
		return
	}
	errType := ""
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Type string `json:"__type"`
		}
		if err := json.Unmarshal(b, &e); err != nil || e.Type == "" {
			s.fail(t, "%s: %d without __type: %q", replay(), resp.StatusCode, b)
			return
		}
		errType = e.Type[strings.LastIndexByte(e.Type, '#')+1:]
	}
	s.mu.Lock()
	s.statuses[resp.StatusCode]++
	if errType != "" {
		s.types[errType]++
	}
	if resp.StatusCode >= 500 {
		s.fiveXX++
	}
	s.mu.Unlock()
	switch {
	case resp.StatusCode == http.StatusNotImplemented && errType == "NotImplementedException":
	case resp.StatusCode >= 500:
		s.fail(t, "%s: %d %s", replay(), resp.StatusCode, b)
	case errType != "" && !op.allows(errType):
		s.fail(t, "%s: %d %s, an exception %s does not list", replay(), resp.StatusCode, b, op.name)
	}
}

func (s *fuzzStats) fail(t *testing.T, format string, args ...any) {
	s.mu.Lock()
	s.failures++
	s.mu.Unlock()
	t.Errorf(format, args...)
}

// commonErrors are the exceptions any operation may answer: the JSON
// protocol's and SigV4's.
var commonErrors = []string{"UnknownOperationException", "SerializationException", "ValidationException",
	"NotImplementedException", "IncompleteSignatureException", "InvalidSignatureException",
	"MissingAuthenticationTokenException", "UnrecognizedClientException", "RequestEntityTooLargeException"}

// fuzzModels are the operations of both services' botocore models.
type fuzzModels struct{ ops []*fuzzOp }

type fuzzModel struct {
	prefix, signing string
	shapes          map[string]*fuzzShape
	// unmodelled are exceptions the service answers outside the model.
	unmodelled []string
}

type fuzzOp struct {
	model  *fuzzModel
	name   string
	input  string
	errors []string
}

func (op *fuzzOp) allows(errType string) bool {
	return slices.Contains(op.errors, errType) || slices.Contains(commonErrors, errType) ||
		slices.Contains(op.model.unmodelled, errType)
}

type fuzzShape struct {
	Type     string
	Members  map[string]struct{ Shape string }
	Required []string
	Member   struct{ Shape string }
	Key      struct{ Shape string }
	Value    struct{ Shape string }
	Enum     []string
	Min, Max *float64
	Pattern  string
}

func loadFuzzModels(t *testing.T) *fuzzModels {
	t.Helper()
	dir := os.Getenv("TALLY_AWS_MODELS")
	if dir == "" {
		dir = filepath.Join(testenv.ModuleRoot(), "..", "shared", "aws-models")
	}
	if _, err := os.Stat(dir); err != nil {
		testenv.Missing(t, "TALLY_REQUIRE_SAMPLES", "AWS models not found (set TALLY_AWS_MODELS): "+err.Error())
	}
	out := &fuzzModels{}
	for _, f := range []struct {
		file, signing string
		unmodelled    []string
	}{
		{"budgets-2016-10-20.service-2.json", "budgets", nil},
		// Cost Explorer answers AccessDeniedException to a member that
		// manages cost allocation tags, as AWS does.
		{"ce-2017-10-25.service-2.json", "ce", []string{"AccessDeniedException"}},
	} {
		b, err := os.ReadFile(filepath.Join(dir, f.file))
		if err != nil {
			t.Fatal(err)
		}
		var raw struct {
			Metadata   struct{ TargetPrefix string }
			Operations map[string]struct {
				Name   string
				Input  struct{ Shape string }
				Errors []struct{ Shape string }
			}
			Shapes map[string]*fuzzShape
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatalf("%s: %v", f.file, err)
		}
		m := &fuzzModel{prefix: raw.Metadata.TargetPrefix, signing: f.signing, shapes: raw.Shapes, unmodelled: f.unmodelled}
		for name, o := range raw.Operations {
			op := &fuzzOp{model: m, name: name, input: o.Input.Shape}
			for _, e := range o.Errors {
				op.errors = append(op.errors, e.Shape)
			}
			out.ops = append(out.ops, op)
		}
	}
	sort.Slice(out.ops, func(i, j int) bool {
		return out.ops[i].model.prefix+out.ops[i].name < out.ops[j].model.prefix+out.ops[j].name
	})
	return out
}

// fuzzGen builds one request from the model: a valid one, then perhaps
// mutated.
type fuzzGen struct {
	r       *rand.Rand
	m       *fuzzModel
	account string
}

// request returns the body of a request to op and a word on how it was
// made.
func (g *fuzzGen) request(op *fuzzOp) ([]byte, string) {
	var v any = map[string]any{}
	if op.input != "" {
		v = g.value(op.input, "", 0)
	}
	switch n := g.r.IntN(10); {
	case n < 3: // valid as the model says
		b, _ := json.Marshal(v)
		return b, "valid"
	case n < 4: // bytes, not JSON
		return g.rawBytes()
	default:
		var done []string
		for range 1 + g.r.IntN(3) {
			var what string
			v, what = g.mutate(v)
			done = append(done, what)
		}
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return b, strings.Join(done, ", ")
	}
}

func (g *fuzzGen) rawBytes() ([]byte, string) {
	switch g.r.IntN(5) {
	case 0:
		b := make([]byte, g.r.IntN(2000))
		for i := range b {
			b[i] = byte(g.r.Uint32())
		}
		return b, "random bytes"
	case 1:
		return nil, "empty body"
	case 2:
		return []byte(`{"a":`), "truncated JSON"
	case 3:
		return []byte("{\"AccountId\":\"\xff\xfe\"}"), "invalid UTF-8"
	default:
		return []byte(`[` + strings.Repeat(`{"x":[`, 2000)), "unclosed nesting"
	}
}

// samples are values real requests hold, to reach beyond validation.
var fuzzSamples = []string{"2018-10-01", "2018-11-01", "2018-12-01", "2019-01-01", "2019-01-16", "2019-02-01",
	"UnblendedCost", "BlendedCost", "AmortizedCost", "UsageQuantity", "NetUnblendedCost",
	"SERVICE", "LINKED_ACCOUNT", "PAYER_ACCOUNT", "REGION", "USAGE_TYPE", "RESOURCE_ID",
	"Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service", "us-east-1",
	"aws:createdBy", "user:Name", "fuzz", "100", "USD", payerAccount, memberAccount,
	"ops@example.com", "arn:aws:budgets::" + payerAccount + ":budget/fuzz", "arn:aws:sns:us-east-1:" + payerAccount + ":t"}

// value returns a valid value of shape; member is the member's name.
func (g *fuzzGen) value(shape, member string, depth int) any {
	s := g.m.shapes[shape]
	if s == nil {
		return nil
	}
	switch s.Type {
	case "structure":
		out := map[string]any{}
		if depth > 6 {
			return out
		}
		if shape == "Expression" && g.r.IntN(4) != 0 { // as a valid filter is: one operator
			names := []string{"Dimensions", "Tags", "CostCategories", "Not", "And", "Or"}
			name := names[g.r.IntN(min(len(names), 3+max(0, 4-depth)))]
			out[name] = g.value(s.Members[name].Shape, name, depth+1)
			return out
		}
		for _, name := range slices.Sorted(memberNames(s)) {
			ms := s.Members[name]
			optional := 3
			if strings.HasPrefix(name, "Next") { // a random token is only an error
				optional = 10
			}
			if slices.Contains(s.Required, name) || g.r.IntN(optional) == 0 {
				out[name] = g.value(ms.Shape, name, depth+1)
			}
		}
		return out
	case "list":
		n := 1 + g.r.IntN(2)
		if s.Min != nil {
			n = max(n, int(*s.Min))
		}
		if depth > 6 {
			n = 0
		}
		out := []any{}
		for range n {
			out = append(out, g.value(s.Member.Shape, member, depth+1))
		}
		return out
	case "map":
		out := map[string]any{}
		for range g.r.IntN(3) {
			if k, ok := g.value(s.Key.Shape, "", depth+1).(string); ok && depth <= 6 {
				out[k] = g.value(s.Value.Shape, member, depth+1)
			}
		}
		return out
	case "string":
		return g.str(s, shape, member)
	case "integer", "long":
		lo, hi := 0.0, 100.0
		if s.Min != nil {
			lo = *s.Min
		}
		if s.Max != nil {
			hi = min(*s.Max, lo+1000)
		}
		return int64(lo) + g.r.Int64N(int64(hi-lo)+1)
	case "double":
		return math.Round(g.r.Float64()*10000) / 100
	case "boolean":
		return g.r.IntN(2) == 0
	case "timestamp":
		return float64(time.Date(2018, 10, 1, 0, 0, 0, 0, time.UTC).Unix() + g.r.Int64N(200*86400))
	}
	return nil
}

func (g *fuzzGen) str(s *fuzzShape, shape, member string) string {
	if len(s.Enum) > 0 {
		return s.Enum[g.r.IntN(len(s.Enum))]
	}
	var v string
	switch {
	case strings.HasSuffix(member, "AccountId") || shape == "AccountId":
		v = g.account
	case member == "Start" || member == "StartDate":
		v = fuzzSamples[g.r.IntN(3)]
	case member == "End" || member == "EndDate":
		v = fuzzSamples[3+g.r.IntN(3)]
	case shape == "YearMonthDay":
		v = fuzzSamples[g.r.IntN(6)]
	case member == "Address":
		v = []string{"ops@example.com", "arn:aws:sns:us-east-1:" + g.account + ":alerts"}[g.r.IntN(2)]
	case member == "ActionId":
		v = "3f9a7c2e-1b4d-4e8f-9a6b-2c5d7e8f9a0b"
	case strings.EqualFold(member, "ResourceARN") && g.m.signing == "budgets":
		v = "arn:aws:budgets::" + g.account + ":budget/fuzz" + strconv.Itoa(g.r.IntN(5))
	case shape == "MetricName" || member == "Metric":
		v = fuzzSamples[6+g.r.IntN(5)]
	case shape == "GroupDefinitionKey" || member == "Key":
		v = fuzzSamples[11+g.r.IntN(10)]
	case shape == "NumericValue":
		v = strconv.Itoa(1 + g.r.IntN(1000))
	case shape == "UnitValue":
		v = "USD"
	case member == "BudgetName":
		v = "fuzz" + strconv.Itoa(g.r.IntN(5))
	case g.r.IntN(3) == 0:
		v = randomText(g.r, 1+g.r.IntN(20))
	default:
		v = fuzzSamples[g.r.IntN(len(fuzzSamples))]
	}
	if s.Min != nil && len(v) < int(*s.Min) {
		v += strings.Repeat("a", int(*s.Min)-len(v))
	}
	if s.Max != nil && len(v) > int(*s.Max) {
		v = v[:int(*s.Max)]
	}
	return v
}

func randomText(r *rand.Rand, n int) string {
	const alphabet = "abcXYZ019 -_:/.*'\"\\%<>\x00\t\n€😀"
	rs := []rune(alphabet)
	var b strings.Builder
	for range n {
		b.WriteRune(rs[r.IntN(len(rs))])
	}
	return b.String()
}

// slot is a place in a JSON value: a member of an object or an element of
// an array.
type slot struct {
	obj map[string]any
	arr []any
	key string
	i   int
	v   any
}

func (s slot) set(v any) {
	if s.obj != nil {
		s.obj[s.key] = v
	} else {
		s.arr[s.i] = v
	}
}

func slots(v any, out []slot) []slot {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(mapKeys(v)) {
			out = append(out, slot{obj: v, key: k, v: v[k]})
			out = slots(v[k], out)
		}
	case []any:
		for i, e := range v {
			out = append(out, slot{arr: v, i: i, v: e})
			out = slots(e, out)
		}
	}
	return out
}

func memberNames(s *fuzzShape) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range s.Members {
			if !yield(k) {
				return
			}
		}
	}
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// mutate changes v in one way and says how.
func (g *fuzzGen) mutate(v any) (any, string) {
	all := slots(v, nil)
	var objects []map[string]any
	if o, ok := v.(map[string]any); ok {
		objects = append(objects, o)
	}
	for _, s := range all {
		if o, ok := s.v.(map[string]any); ok {
			objects = append(objects, o)
		}
	}
	pick := func() (slot, bool) {
		if len(all) == 0 {
			return slot{}, false
		}
		return all[g.r.IntN(len(all))], true
	}
	switch g.r.IntN(9) {
	case 0: // a wrong type
		if s, ok := pick(); ok {
			wrong := []any{"x", 1.5, -7, true, nil, []any{1}, map[string]any{"a": "b"}, ""}
			s.set(wrong[g.r.IntN(len(wrong))])
			return v, "wrong type at " + s.key
		}
	case 1: // a number out of range
		if s, ok := pick(); ok {
			nums := []any{-1, 0, 1e308, -1e308, json.Number("123456789012345678901234567890"), json.Number("1e400"), 2147483648, 1.0000001}
			s.set(nums[g.r.IntN(len(nums))])
			return v, "out of range at " + s.key
		}
	case 2: // an unknown member
		if len(objects) > 0 {
			objects[g.r.IntN(len(objects))]["Fuzz"+strconv.Itoa(g.r.IntN(100))] = "unknown"
			return v, "unknown member"
		}
	case 3: // a missing member
		if len(objects) > 0 {
			o := objects[g.r.IntN(len(objects))]
			for _, k := range slices.Sorted(mapKeys(o)) {
				delete(o, k)
				return v, "missing " + k
			}
		}
	case 4: // a huge string
		if s, ok := pick(); ok {
			n := 1 << (10 + g.r.IntN(10)) // 1 KiB to 512 KiB
			s.set(strings.Repeat(string(rune('a'+g.r.IntN(26))), n))
			return v, "huge string at " + s.key
		}
	case 5: // deep nesting
		if s, ok := pick(); ok {
			var deep any = "x"
			for range 1 + g.r.IntN(200) {
				if g.r.IntN(2) == 0 {
					deep = []any{deep}
				} else {
					deep = map[string]any{"Not": deep}
				}
			}
			s.set(deep)
			return v, "deep nesting at " + s.key
		}
	case 6: // a long list
		if s, ok := pick(); ok {
			// Copies of a scalar, or of a short string: a shared object
			// mutated later would multiply the body.
			e := s.v
			switch v := e.(type) {
			case map[string]any, []any:
				e = "x"
			case string:
				e = v[:min(len(v), 64)]
			}
			l := make([]any, 1+g.r.IntN(3000))
			for i := range l {
				l[i] = e
			}
			s.set(l)
			return v, "long list at " + s.key
		}
	case 7: // random text
		if s, ok := pick(); ok {
			s.set(randomText(g.r, g.r.IntN(100)))
			return v, "random text at " + s.key
		}
	case 8: // not an object at the top
		tops := []any{nil, "x", 1, []any{}, true}
		return tops[g.r.IntN(len(tops))], "top-level non-object"
	}
	return v, "unchanged"
}
