package budgets_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/store/postgres"
	"github.com/tallyhq/tally/internal/testenv"
)

// Several Tally nodes on one PostgreSQL: each action run is carried out by
// one node (store.ActionRuns), whichever evaluates or changes the budget.

// pgNodes is an awsEnv whose API node keeps its budgets in PostgreSQL, and
// opens further nodes (bare Services) on the same database; the cost data
// is the env's DuckDB, shared.
type pgNodes struct {
	*awsEnv
	dsn string
}

func newPGNodes(t *testing.T) *pgNodes {
	t.Helper()
	ctx := context.Background()
	dsn := testenv.Postgres(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE nodes"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	dsn = strings.Replace(dsn, "/postgres?", "/nodes?", 1)
	n := &pgNodes{dsn: dsn}
	api := n.open(t, "api")
	n.awsEnv = newAWSEnv(t, func(c *budgets.Config) { c.Store, c.Node = api, "api" })
	return n
}

// open opens the store of one more node.
func (n *pgNodes) open(t *testing.T, name string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), n.dsn, postgres.Options{Node: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// node returns another node's Service, making its calls through exec.
func (n *pgNodes) node(t *testing.T, name string, exec budgets.Executor, lease time.Duration) *budgets.Service {
	return budgets.New(budgets.Config{Store: n.open(t, name), Costs: n.db, Profile: profile.AWS, Now: n.clock.Now,
		Forecaster: budgets.RunRate{Costs: n.db}, Executor: exec, Node: name, ActionLease: lease})
}

// count returns how many calls of op the fake answered.
func (n *pgNodes) count(op string) int {
	k := 0
	for _, c := range n.fake.Calls() {
		if c.Op == op {
			k++
		}
	}
	return k
}

// counting counts the calls a node makes.
type counting struct {
	exec budgets.Executor
	n    atomic.Int64
}

func (c *counting) Do(ctx context.Context, role string, s budgets.Step, token string) (budgets.Answer, error) {
	c.n.Add(1)
	return c.exec.Do(ctx, role, s, token)
}

// TestActionRunOnceAcrossNodes: two nodes evaluate a crossed budget over
// and over while a third reverses and resets its action through the API;
// every execution attaches the policy with one AWS call and every reversal
// detaches it with one, whichever node began the run.
func TestActionRunOnceAcrossNodes(t *testing.T) {
	e := newPGNodes(t)
	c := e.client("alice")
	id := e.create(iamAction("b", 50, btypes.ApprovalModelAuto))
	e.load("2018-12", items(line{day: "2018-12-01", account: alice, service: "AmazonEC2", cost: "15"})...)
	var byNode [2]*counting
	var nodes [2]*budgets.Service
	for i := range nodes {
		byNode[i] = &counting{exec: e.exec}
		nodes[i] = e.node(t, fmt.Sprintf("n%d", i), byNode[i], time.Minute)
	}
	// together runs the API call (if any) while both nodes evaluate three
	// times each, all at once.
	together := func(api func() error) {
		t.Helper()
		var wg sync.WaitGroup
		for _, n := range nodes {
			wg.Go(func() {
				for range 3 {
					if err := n.Evaluate(context.Background()); err != nil {
						t.Error(err)
					}
				}
			})
		}
		if api != nil {
			wg.Go(func() {
				if err := api(); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	const rounds = 8
	together(nil) // the first crossing
	for round := 1; round <= rounds; round++ {
		if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusExecutionSuccess {
			t.Fatalf("round %d: the action is %s after the nodes evaluated, want EXECUTION_SUCCESS", round, got)
		}
		if got := e.count("AttachRolePolicy"); got != round {
			t.Fatalf("round %d: %d AttachRolePolicy calls, want %d (one per execution)", round, got, round)
		}
		before := byNode[0].n.Load() + byNode[1].n.Load()
		together(func() error { return execute(c, "b", id, btypes.ExecutionTypeReverseBudgetAction) })
		if n := byNode[0].n.Load() + byNode[1].n.Load(); n != before {
			t.Errorf("round %d: the evaluating nodes made %d call(s) of the reversal the API node began", round, n-before)
		}
		if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusReverseSuccess {
			t.Fatalf("round %d: the action is %s after the reversal, want REVERSE_SUCCESS", round, got)
		}
		if got := e.count("DetachRolePolicy"); got != round {
			t.Fatalf("round %d: %d DetachRolePolicy calls, want %d (one per reversal)", round, got, round)
		}
		// The reset returns it to STANDBY, and the budget, still crossed,
		// executes it again: a new run.
		together(func() error { return execute(c, "b", id, btypes.ExecutionTypeResetBudgetAction) })
		together(nil)
	}
	if got := e.fake.Attached("role/dev"); !cmp.Equal(got, []string{denyAll}) {
		t.Errorf("role dev has %q attached", got)
	}
	succeeded := 0
	for _, h := range actionHistory(t, c, "b", id) {
		if strings.Contains(h, "EXECUTION_SUCCESS") {
			succeeded++
		}
	}
	if succeeded != rounds+1 {
		t.Errorf("%d EXECUTION_SUCCESS events in the history, want %d", succeeded, rounds+1)
	}
	t.Logf("calls made by node 0: %d, node 1: %d, the API node: %d (of %d)", byNode[0].n.Load(), byNode[1].n.Load(),
		int64(len(e.fake.Calls()))-byNode[0].n.Load()-byNode[1].n.Load(), len(e.fake.Calls()))
}

// dead makes its first call and never returns: the node died while AWS was
// answering, before it stored the answer.
type dead struct {
	exec    budgets.Executor
	calling chan struct{}
}

func (d *dead) Do(ctx context.Context, role string, s budgets.Step, token string) (budgets.Answer, error) {
	close(d.calling)
	d.exec.Do(ctx, role, s, token)
	select {}
}

// TestActionRunTakeOver: a node dies in the middle of an AttachRolePolicy
// call (held by the fake AWS); while its lease lasts another node leaves
// the run alone, and once it has run out the other node resumes it: the
// policy ends attached, with two calls (the interrupted one and the
// resumed one) and one EXECUTION_SUCCESS.
func TestActionRunTakeOver(t *testing.T) {
	e := newPGNodes(t)
	c := e.client("alice")
	id := e.create(iamAction("b", 50, btypes.ApprovalModelAuto))
	e.load("2018-12", items(line{day: "2018-12-01", account: alice, service: "AmazonEC2", cost: "15"})...)
	const lease = 2 * time.Second
	release := e.fake.Hold("AttachRolePolicy")
	t.Cleanup(release)
	d := &dead{exec: e.exec, calling: make(chan struct{})}
	dying := e.node(t, "dying", d, lease)
	start := time.Now()
	go dying.Evaluate(context.Background())
	<-d.calling
	other := &counting{exec: e.exec}
	b := e.node(t, "b", other, lease)
	if err := b.Evaluate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < lease {
		if n := other.n.Load(); n != 0 {
			t.Fatalf("node b made %d call(s) while the dying node held the run", n)
		}
		if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusExecutionInProgress {
			t.Fatalf("the action is %s while the dying node holds it, want EXECUTION_IN_PROGRESS", got)
		}
	}
	release() // AWS answers the dead node, which never stores it
	deadline := time.Now().Add(30 * time.Second)
	for actionStatus(t, c, "b", id) != btypes.ActionStatusExecutionSuccess {
		if time.Now().After(deadline) {
			t.Fatal("no node took the run over")
		}
		time.Sleep(lease / 10) // the lease runs out on PostgreSQL's clock
		if err := b.Evaluate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < lease {
		t.Errorf("taken over after %v, before the lease of %v ran out", took, lease)
	}
	if n := other.n.Load(); n != 1 {
		t.Errorf("node b made %d calls, want 1", n)
	}
	if got := e.count("AttachRolePolicy"); got != 2 {
		t.Errorf("%d AttachRolePolicy calls, want 2 (the interrupted one and the resumed one)", got)
	}
	if got := e.fake.Attached("role/dev"); !cmp.Equal(got, []string{denyAll}) {
		t.Errorf("role dev has %q attached", got)
	}
	h := actionHistory(t, c, "b", id)
	if n := len(slices.DeleteFunc(slices.Clone(h), func(s string) bool { return !strings.Contains(s, "EXECUTION_SUCCESS") })); n != 1 {
		t.Errorf("%d EXECUTION_SUCCESS events, want 1:\n%s", n, strings.Join(h, "\n"))
	}
}
