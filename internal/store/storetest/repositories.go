package storetest

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// Repositories are one open store of a backend: its CostStore (through
// which ingest discovers tag keys) and its metadata repositories. They may
// all be the same value.
type Repositories struct {
	Costs      store.CostStore
	Budgets    store.BudgetStore
	Tags       store.TagStore
	Backfills  store.BackfillStore
	Outbox     store.Outbox
	Categories store.CostCategoryStore
	Anomalies  store.AnomalyStore
	Detected   store.DetectedStore
}

// OpenRepositories opens the backend's store kept in dir, an empty directory
// the first time. The suite closes it (Costs.Close) and opens dir again to
// check that what a method changed was persisted before it returned.
type OpenRepositories func(t *testing.T, dir string) Repositories

// RunRepositories checks the metadata repositories of a backend against
// their contracts in package store: budgets, tag statuses by month,
// backfill requests and the alert outbox.
func RunRepositories(t *testing.T, open OpenRepositories) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, r *reopener)
	}{
		{"Budgets", testBudgets},
		{"BudgetActionEvents", testBudgetActionEvents},
		{"ActionRunLeases", testActionRunLeases},
		{"Outbox", testOutbox},
		{"TagStatusByMonth", testTagStatusByMonth},
		{"TagKeysByPayer", testTagKeysByPayer},
		{"BackfillAttempts", testBackfillAttempts},
		{"CostCategoryVersions", testCostCategoryVersions},
		{"AnomalyObjects", testAnomalyObjects},
		{"DetectedAnomalies", testDetected},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				switch e := recover().(type) {
				case nil:
				case failure:
					t.Fatalf("%s: %v", e.at, e.err)
				default:
					panic(e)
				}
			}()
			r := &reopener{t: t, dir: t.TempDir(), open: open}
			r.Repositories = open(t, r.dir)
			t.Cleanup(func() { r.Costs.Close() })
			tc.run(t, r)
		})
	}
}

// reopener holds the open store of one case and can close and reopen it.
type reopener struct {
	Repositories
	t    *testing.T
	dir  string
	open OpenRepositories
}

func (r *reopener) reopen() {
	r.t.Helper()
	if err := r.Costs.Close(); err != nil {
		r.t.Fatalf("close: %v", err)
	}
	r.Repositories = r.open(r.t, r.dir)
}

// failure is an error a case cannot go on after; must panics with it and
// RunRepositories turns it into t.Fatal.
type failure struct {
	at  string
	err error
}

// must returns v, or stops the case when err is not nil. It lets a case
// use a method's result inline.
func must[T any](v T, err error) T {
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		panic(failure{fmt.Sprintf("%s:%d", filepath.Base(file), line), err})
	}
	return v
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func diff(t *testing.T, what string, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s (-want +got):\n%s", what, d)
	}
}

func month(s string) time.Time {
	m, err := time.Parse("2006-01", s)
	if err != nil {
		panic(err)
	}
	return m
}

func testBudgets(t *testing.T, r *reopener) {
	ctx := context.Background()
	docs := func(account string) []string {
		t.Helper()
		var out []string
		for _, d := range must(r.Budgets.BudgetDocs(ctx, account)) {
			out = append(out, string(d))
		}
		return out
	}
	for _, b := range []struct{ account, name, doc string }{
		{"222222222222", "b", `{"n":"b2"}`}, {"111111111111", "z", `{"n":"z1"}`}, {"111111111111", "a", `{"n":"a1"}`},
		{"111111111111", "a", `{"n":"a1 v2"}`},
	} {
		noErr(t, r.Budgets.PutBudget(ctx, b.account, b.name, []byte(b.doc), nil))
	}
	diff(t, "all budgets", []string{`{"n":"a1 v2"}`, `{"n":"z1"}`, `{"n":"b2"}`}, docs(""))
	diff(t, "one account's budgets", []string{`{"n":"a1 v2"}`, `{"n":"z1"}`}, docs("111111111111"))
	if d, err := r.Budgets.BudgetDoc(ctx, "222222222222", "b"); err != nil || string(d) != `{"n":"b2"}` {
		t.Errorf("BudgetDoc = %s, %v", d, err)
	}
	if d, err := r.Budgets.BudgetDoc(ctx, "222222222222", "a"); err != nil || d != nil {
		t.Errorf("BudgetDoc of a missing budget = %q, %v; want nil", d, err)
	}
	if ok, err := r.Budgets.DeleteBudget(ctx, "111111111111", "z"); !ok || err != nil {
		t.Errorf("DeleteBudget = %v, %v; want true", ok, err)
	}
	if ok, err := r.Budgets.DeleteBudget(ctx, "111111111111", "z"); ok || err != nil {
		t.Errorf("second DeleteBudget = %v, %v; want false", ok, err)
	}
	r.reopen()
	diff(t, "budgets after reopening", []string{`{"n":"a1 v2"}`, `{"n":"b2"}`}, docs(""))
}

func testBudgetActionEvents(t *testing.T, r *reopener) {
	ctx := context.Background()
	const acct = "111111111111"
	t0 := time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC)
	ev := func(action string, seq int, doc string) store.ActionEvent {
		return store.ActionEvent{Action: action, Seq: seq, At: t0.Add(time.Duration(seq) * time.Second), Doc: []byte(doc)}
	}
	history := func(budget, action string) []store.ActionEvent {
		t.Helper()
		return must(r.Budgets.ActionEvents(ctx, acct, budget, action))
	}
	noErr(t, r.Budgets.PutBudgetEvents(ctx, acct, "a", []byte(`{"v":1}`), []store.Message{message("e1", t0)},
		[]store.ActionEvent{ev("x", 2, `"x2"`), ev("x", 1, `"x1"`), ev("y", 1, `"y1"`)}))
	// Stored again after a crash: the events already stored stay as they were.
	noErr(t, r.Budgets.PutBudgetEvents(ctx, acct, "a", []byte(`{"v":2}`), nil,
		[]store.ActionEvent{ev("x", 2, `"x2 again"`), ev("x", 3, `"x3"`)}))
	noErr(t, r.Budgets.PutBudgetEvents(ctx, acct, "b", []byte(`{}`), nil, []store.ActionEvent{ev("x", 1, `"bx1"`)}))
	r.reopen()
	diff(t, "history of a/x", []store.ActionEvent{ev("x", 1, `"x1"`), ev("x", 2, `"x2"`), ev("x", 3, `"x3"`)}, history("a", "x"))
	diff(t, "history of b/x", []store.ActionEvent{ev("x", 1, `"bx1"`)}, history("b", "x"))
	if d := must(r.Budgets.BudgetDoc(ctx, acct, "a")); string(d) != `{"v":2}` {
		t.Errorf("budget a = %s", d)
	}
	if ps := must(r.Outbox.Due(ctx, t0, 10)); len(ps) != 1 || ps[0].ID != "e1" {
		t.Errorf("messages stored with the events = %+v, want e1", ps)
	}
	if ok, err := r.Budgets.DeleteBudget(ctx, acct, "a"); !ok || err != nil {
		t.Errorf("DeleteBudget = %v, %v", ok, err)
	}
	if h := history("a", "x"); len(h) != 0 {
		t.Errorf("history of a deleted budget's action = %+v, want none", h)
	}
	diff(t, "history of b/x after deleting a", []store.ActionEvent{ev("x", 1, `"bx1"`)}, history("b", "x"))
}

func testActionRunLeases(t *testing.T, r *reopener) {
	ctx := context.Background()
	runs, ok := r.Budgets.(store.ActionRuns)
	if !ok {
		t.Fatalf("%T does not implement store.ActionRuns", r.Budgets)
	}
	run := func(n int) store.ActionRun {
		return store.ActionRun{Account: "111111111111", Budget: "b", Action: "x", Run: n}
	}
	claim := func(what string, want bool, n int, owner string, ttl time.Duration) {
		t.Helper()
		if got := must(runs.ClaimActionRun(ctx, run(n), owner, ttl)); got != want {
			t.Errorf("%s: claim of run %d by %s = %v, want %v", what, n, owner, got, want)
		}
	}
	claim("free", true, 5, "A", time.Minute)
	claim("held by A", false, 5, "B", time.Minute)
	claim("renewal", true, 5, "A", time.Minute)
	claim("an earlier run while A holds 5", false, 4, "B", time.Minute)
	other := store.ActionRun{Account: "111111111111", Budget: "b", Action: "y", Run: 5}
	if !must(runs.ClaimActionRun(ctx, other, "B", time.Minute)) {
		t.Error("another action's run is not free")
	}
	noErr(t, runs.ReleaseActionRun(ctx, run(5), "B")) // not B's: stays A's
	claim("after a release by a non-holder", false, 5, "B", time.Minute)
	noErr(t, runs.ReleaseActionRun(ctx, run(5), "A"))
	claim("released", true, 5, "B", 50*time.Millisecond)
	claim("the next run, begun after 5 ended", true, 6, "A", 50*time.Millisecond)
	claim("6 held by A", false, 6, "B", time.Minute)
	time.Sleep(100 * time.Millisecond) // the lease runs out (store's clock)
	claim("expired", true, 6, "B", time.Minute)
	claim("taken over", false, 6, "A", time.Minute)
}

func message(id string, created time.Time) store.Message {
	return store.Message{ID: id, Kind: store.Email, Address: id + "@example.com", Subject: "s " + id,
		Body: "body\n", Ref: "111111111111/a", Created: created}
}

func testOutbox(t *testing.T, r *reopener) {
	ctx := context.Background()
	due := func(at time.Time, limit int) []string {
		t.Helper()
		var out []string
		for _, p := range must(r.Outbox.Due(ctx, at, limit)) {
			out = append(out, p.ID)
		}
		return out
	}
	t0 := time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC)
	// A budget state and its messages are written together; a message
	// enqueued twice stays one.
	noErr(t, r.Budgets.PutBudget(ctx, "111111111111", "a", []byte(`{}`),
		[]store.Message{message("m2", t0.Add(time.Second)), message("m1", t0)}))
	noErr(t, r.Outbox.Enqueue(ctx, message("m1", t0.Add(time.Minute)), message("m3", t0.Add(time.Hour))))
	diff(t, "due messages", []string{"m1", "m2"}, due(t0.Add(time.Minute), 10))
	diff(t, "due messages, limit 1", []string{"m1"}, due(t0.Add(time.Minute), 1))
	diff(t, "pending message", []store.Pending{{Message: message("m1", t0)}}, must(r.Outbox.Due(ctx, t0, 10)))

	steps := []store.Attempt{
		{ID: "m1", Number: 1, At: t0, Outcome: store.Retry, Error: "451 later", Next: t0.Add(time.Minute)},
		{ID: "m2", Number: 1, At: t0, Outcome: store.Sent},
		// m2 is no longer pending: a replayed attempt changes nothing.
		{ID: "m2", Number: 2, At: t0, Outcome: store.Sent},
		{ID: "m3", Number: 1, At: t0.Add(2 * time.Hour), Outcome: store.Failed, Error: "550 no"},
	}
	for _, a := range steps {
		noErr(t, r.Outbox.Record(ctx, a))
	}
	if got := due(t0.Add(59*time.Second), 10); len(got) != 0 {
		t.Errorf("due before the retry time: %v", got)
	}
	r.reopen()
	diff(t, "due after reopening", []string{"m1"}, due(t0.Add(time.Minute), 10))
	if ps := must(r.Outbox.Due(ctx, t0.Add(time.Minute), 10)); len(ps) != 1 || ps[0].Attempts != 1 {
		t.Errorf("pending after one attempt = %+v, want m1 with 1 attempt", ps)
	}
	wantLog := []store.LogEntry{
		{Attempt: steps[0], Kind: store.Email, Address: "m1@example.com", Ref: "111111111111/a", Subject: "s m1"},
		{Attempt: steps[1], Kind: store.Email, Address: "m2@example.com", Ref: "111111111111/a", Subject: "s m2"},
		{Attempt: steps[3], Kind: store.Email, Address: "m3@example.com", Ref: "111111111111/a", Subject: "s m3"},
	}
	diff(t, "delivery log", wantLog, must(r.Outbox.Log(ctx)))
}

// loadLines stores one billing period of source made of item lines in the
// notation of the case files.
func loadLines(t *testing.T, st store.CostStore, source, yyyymm string, lines ...string) {
	t.Helper()
	noErr(t, load(context.Background(), st, []string{"load", source, yyyymm}, lines))
}

// loadTagMonths stores October to December 2024 of payer 111111111111, one
// Team-tagged line a month plus an aws:createdBy line in December.
func loadTagMonths(t *testing.T, st store.CostStore) {
	for _, m := range []string{"2024-10", "2024-11", "2024-12"} {
		lines := []string{m + "-02T00 account=222222222222 service=AWS_Lambda unblended=1 tag.Team=a"}
		if m == "2024-12" {
			lines = append(lines, m+"-02T00 account=222222222222 service=Amazon_S3 unblended=2 tag.aws:createdBy=root")
		}
		loadLines(t, st, "cur:111111111111", m, lines...)
	}
}

// activeKeys returns, for each month of October to December 2024, the tag
// keys the CostStore counts on that month's lines.
func activeKeys(t *testing.T, st store.CostStore) []string {
	t.Helper()
	var out []string
	for _, m := range []string{"2024-10", "2024-11", "2024-12"} {
		p := billing.Period{Start: month(m), End: month(m).AddDate(0, 1, 0)}
		out = append(out, fmt.Sprint(m, must(st.Tags(context.Background(), &query.Tags{Period: p}))))
	}
	return out
}

// payer is the payer of loadTagMonths, whose tag settings the cases change.
const payer = "111111111111"

func testTagStatusByMonth(t *testing.T, r *reopener) {
	ctx := context.Background()
	loadTagMonths(t, r.Costs)
	want := []store.TagKey{
		{Key: "Team", Active: true, LastUsed: month("2024-12")},
		{Key: "aws:createdBy", AWSGenerated: true, Active: true, LastUsed: month("2024-12")},
	}
	diff(t, "TagKeys after ingest", want, must(r.Tags.TagKeys(ctx, payer, "")))
	diff(t, "keys by month after ingest", []string{"2024-10[Team]", "2024-11[Team]", "2024-12[Team aws:createdBy]"}, activeKeys(t, r.Costs))
	v0 := must(r.Backfills.TagStatusVersion(ctx, payer))

	// Deactivating in November leaves October active; unknown keys are
	// named and the known ones still change.
	nov := time.Date(2024, 11, 20, 8, 0, 0, 0, time.UTC)
	unknown := must(r.Tags.SetTagStatus(ctx, payer, []store.TagChange{{Key: "Nope", Active: true}, {Key: "Team"}, {Key: "Zed"}}, nov))
	diff(t, "unknown keys", []string{"Nope", "Zed"}, unknown)
	diff(t, "keys by month after deactivation", []string{"2024-10[Team]", "2024-11[]", "2024-12[aws:createdBy]"}, activeKeys(t, r.Costs))
	v1 := must(r.Backfills.TagStatusVersion(ctx, payer))
	if v1 <= v0 {
		t.Errorf("TagStatusVersion after a change = %d, want more than %d", v1, v0)
	}
	// Setting the status a key has changes nothing, not even its date.
	must(r.Tags.SetTagStatus(ctx, payer, []store.TagChange{{Key: "Team"}}, nov.Add(time.Hour)))
	if v := must(r.Backfills.TagStatusVersion(ctx, payer)); v != v1 {
		t.Errorf("TagStatusVersion after a no-op change = %d, want %d", v, v1)
	}
	want[0].Active, want[0].LastUpdated = false, nov
	diff(t, "TagKeys after deactivation", want, must(r.Tags.TagKeys(ctx, payer, "")))

	// A backfill requested in November re-applies the statuses of that
	// moment to October; a change after the request does not reach it.
	req := must(r.Backfills.CreateBackfill(ctx, payer, time.Date(2024, 10, 5, 0, 0, 0, 0, time.UTC), nov.Add(2*time.Hour)))
	wantReq := store.Backfill{ID: req.ID, Payer: payer, From: month("2024-10"), RequestedAt: nov.Add(2 * time.Hour),
		LastUpdatedAt: nov.Add(2 * time.Hour), Status: store.BackfillProcessing, Version: v1}
	diff(t, "created backfill", wantReq, req)
	must(r.Tags.SetTagStatus(ctx, payer, []store.TagChange{{Key: "Team", Active: true}}, nov.Add(3*time.Hour)))
	if n, err := r.Backfills.BeginBackfill(ctx, req.ID); err != nil || n != 1 {
		t.Errorf("BeginBackfill = %d, %v; want 1", n, err)
	}
	done := nov.Add(4 * time.Hour)
	noErr(t, r.Backfills.ApplyBackfill(ctx, req.ID, done))
	diff(t, "keys by month after the backfill", []string{"2024-10[]", "2024-11[Team]", "2024-12[Team aws:createdBy]"}, activeKeys(t, r.Costs))
	if err := r.Backfills.ApplyBackfill(ctx, req.ID, done); err == nil {
		t.Error("applying a finished backfill again succeeded")
	}

	r.reopen()
	diff(t, "keys by month after reopening", []string{"2024-10[]", "2024-11[Team]", "2024-12[Team aws:createdBy]"}, activeKeys(t, r.Costs))
	want[0].Active, want[0].LastUpdated = true, nov.Add(3*time.Hour)
	diff(t, "TagKeys after reopening", want, must(r.Tags.TagKeys(ctx, payer, "")))
	wantReq.CompletedAt, wantReq.LastUpdatedAt, wantReq.Status, wantReq.Attempts = done, done, store.BackfillSucceeded, 1
	diff(t, "Backfills after reopening", []store.Backfill{wantReq}, must(r.Backfills.Backfills(ctx)))
}

func testTagKeysByPayer(t *testing.T, r *reopener) {
	ctx := context.Background()
	loadTagMonths(t, r.Costs)
	loadLines(t, r.Costs, "cur:333333333333", "2024-10",
		"2024-10-02T00 payer=333333333333 account=333333333333 service=AWS_Lambda unblended=1 tag.Project=x")
	for _, tc := range []struct {
		payer string
		want  []string
	}{
		{"", []string{"Project", "Team", "aws:createdBy"}},
		{"111111111111", []string{"Team", "aws:createdBy"}},
		{"333333333333", []string{"Project"}},
		{"222222222222", nil},
	} {
		var got []string
		for _, k := range must(r.Tags.TagKeys(ctx, tc.payer, "")) {
			got = append(got, k.Key)
		}
		diff(t, fmt.Sprintf("TagKeys(%q)", tc.payer), tc.want, got)
	}
	// A member reads the keys on its own lines of its payer's.
	var member []string
	for _, k := range must(r.Tags.TagKeys(ctx, "111111111111", "222222222222")) {
		member = append(member, k.Key)
	}
	diff(t, "TagKeys of a member", []string{"Team", "aws:createdBy"}, member)
	for account, want := range map[string][2]string{"111111111111": {"111111111111", "payer"},
		"222222222222": {"111111111111", "member"}, "333333333333": {"333333333333", "payer"}, "444444444444": {"", "member"}} {
		p, isPayer, err := r.Tags.TagPayer(ctx, account)
		noErr(t, err)
		if got := [2]string{p, map[bool]string{true: "payer", false: "member"}[isPayer]}; got != want {
			t.Errorf("TagPayer(%s) = %v, want %v", account, got, want)
		}
	}
	if got := must(r.Tags.FirstPayer(ctx)); got != "111111111111" {
		t.Errorf("FirstPayer = %q, want 111111111111", got)
	}
}

func testBackfillAttempts(t *testing.T, r *reopener) {
	ctx := context.Background()
	at := time.Date(2024, 11, 20, 8, 0, 0, 0, time.UTC)
	first := must(r.Backfills.CreateBackfill(ctx, payer, month("2024-10"), at))
	for want := 1; want <= 2; want++ {
		if n, err := r.Backfills.BeginBackfill(ctx, first.ID); err != nil || n != want {
			t.Errorf("BeginBackfill = %d, %v; want %d", n, err, want)
		}
	}
	noErr(t, r.Backfills.FailBackfill(ctx, first.ID, "disk on fire", at.Add(time.Minute)))
	if _, err := r.Backfills.BeginBackfill(ctx, first.ID); err == nil {
		t.Error("BeginBackfill of a failed request succeeded")
	}
	if err := r.Backfills.ApplyBackfill(ctx, first.ID, at.Add(time.Hour)); err == nil {
		t.Error("ApplyBackfill of a failed request succeeded")
	}
	second := must(r.Backfills.CreateBackfill(ctx, payer, month("2024-09"), at.Add(25*time.Hour)))
	if second.ID == first.ID {
		t.Errorf("two requests share the id %d", first.ID)
	}
	r.reopen()
	want := []store.Backfill{
		{ID: second.ID, Payer: payer, From: month("2024-09"), RequestedAt: at.Add(25 * time.Hour), LastUpdatedAt: at.Add(25 * time.Hour),
			Status: store.BackfillProcessing, Version: first.Version},
		{ID: first.ID, Payer: payer, From: month("2024-10"), RequestedAt: at, CompletedAt: at.Add(time.Minute),
			LastUpdatedAt: at.Add(time.Minute), Status: store.BackfillFailed, Reason: "disk on fire", Attempts: 2,
			Version: first.Version},
	}
	diff(t, "Backfills, newest first", want, must(r.Backfills.Backfills(ctx)))
	if n, err := r.Backfills.BeginBackfill(ctx, second.ID); err != nil || n != 1 {
		t.Errorf("BeginBackfill of the second request after reopening = %d, %v; want 1", n, err)
	}
}
