package budgets_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/actions"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/fakeaws"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/sdkhttp"
	"github.com/tallyhq/tally/internal/store"
)

const (
	denyAll  = "arn:aws:iam::111111111111:policy/deny-all"
	scpID    = "p-deny1234"
	instance = "i-0123456789abcdef0"
)

// awsEnv is an env whose actions run through the SDK against a fake AWS.
type awsEnv struct {
	*env
	fake *fakeaws.Server
	exec budgets.Executor
}

func newAWSEnv(t *testing.T, opts ...func(*budgets.Config)) *awsEnv {
	t.Helper()
	fake := fakeaws.New()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	exec := actions.New(actions.Config{Endpoint: srv.URL, AWS: aws.Config{
		Credentials: credentials.NewStaticCredentialsProvider("tally-actions", "secret", ""),
		HTTPClient:  sdkhttp.Client(), RetryMaxAttempts: 1}})
	fake.AddRole("dev")
	fake.AddRole("ops")
	fake.AddGroup("devs")
	fake.AddUser("carol")
	fake.AddPolicy(denyAll)
	fake.AddSCP(scpID)
	fake.AddTarget("ou-abcd-12345678")
	fake.AddInstance(instance)
	e := newEnv(t, december, append([]func(*budgets.Config){func(c *budgets.Config) { c.Executor = exec }}, opts...)...)
	if _, err := e.client("alice").CreateBudget(context.Background(), &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("b", "20")}); err != nil {
		t.Fatal(err)
	}
	return &awsEnv{env: e, fake: fake, exec: exec}
}

// create creates an action on budget b and returns its ID.
func (e *awsEnv) create(in *bsdk.CreateBudgetActionInput) string {
	e.t.Helper()
	out, err := e.client("alice").CreateBudgetAction(context.Background(), in)
	if err != nil {
		e.t.Fatal(err)
	}
	return aws.ToString(out.ActionId)
}

// spend loads 15 USD of December spend and evaluates: 75% of b's limit.
func (e *awsEnv) spend() {
	e.t.Helper()
	e.load("2018-12", items(line{day: "2018-12-01", account: alice, service: "AmazonEC2", cost: "15"})...)
	e.evaluate()
}

// calls returns the fake's calls as "op target".
func (e *awsEnv) calls() []string {
	var out []string
	for _, c := range e.fake.Calls() {
		s := c.Op + " " + c.Target
		if c.Err != "" {
			s += " " + c.Err
		}
		out = append(out, s)
	}
	return out
}

func scpAction(pct float64, approval btypes.ApprovalModel) *bsdk.CreateBudgetActionInput {
	in := iamAction("b", pct, approval)
	in.ActionType = btypes.ActionTypeScp
	in.Definition = &btypes.Definition{ScpActionDefinition: &btypes.ScpActionDefinition{PolicyId: aws.String(scpID),
		TargetIds: []string{"ou-abcd-12345678"}}}
	return in
}

func ssmAction(pct float64) *bsdk.CreateBudgetActionInput {
	in := iamAction("b", pct, btypes.ApprovalModelAuto)
	in.ActionType = btypes.ActionTypeSsm
	in.Definition = &btypes.Definition{SsmActionDefinition: &btypes.SsmActionDefinition{
		ActionSubType: btypes.ActionSubTypeStopEc2, Region: aws.String("eu-west-1"), InstanceIds: []string{instance}}}
	return in
}

// TestActionRunsInAWS: a crossed AUTOMATIC IAM action attaches its policy
// to every role, group and user once, each call in the history with its
// request ID; a reversal detaches exactly that; the next period's reset
// has nothing left to undo.
func TestActionRunsInAWS(t *testing.T) {
	e := newAWSEnv(t)
	c := e.client("alice")
	in := iamAction("b", 50, btypes.ApprovalModelAuto)
	in.Definition.IamActionDefinition.Groups = []string{"devs"}
	in.Definition.IamActionDefinition.Users = []string{"carol"}
	id := e.create(in)
	e.spend()
	e.evaluate() // the same crossing: no second execution
	want := []string{"AttachRolePolicy dev", "AttachGroupPolicy devs", "AttachUserPolicy carol"}
	if diff := cmp.Diff(want, e.calls()); diff != "" {
		t.Fatalf("calls (-want +got):\n%s", diff)
	}
	for _, k := range []string{"role/dev", "group/devs", "user/carol"} {
		if got := e.fake.Attached(k); !cmp.Equal(got, []string{denyAll}) {
			t.Errorf("%s has %q attached", k, got)
		}
	}
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusExecutionSuccess {
		t.Fatalf("status %s, want EXECUTION_SUCCESS", got)
	}
	hist := actionHistory(t, c, "b", id)
	for i, call := range e.fake.Calls() {
		if h := hist[2+i]; !strings.Contains(h, "EXECUTION_IN_PROGRESS: iam:"+call.Op) || !strings.Contains(h, "request ID "+call.RequestID) {
			t.Errorf("history event %d = %q, want call %s with request ID %s", 2+i, h, call.Op, call.RequestID)
		}
		if call.AccessKey != "tally-actions" {
			t.Errorf("call %s signed by %q", call.Op, call.AccessKey)
		}
	}
	if last := hist[len(hist)-1]; !strings.HasPrefix(last, "SYSTEM EXECUTION_SUCCESS: execute succeeded: 3 AWS call(s)") {
		t.Errorf("last event %q", last)
	}
	alerts := 0
	for _, m := range e.queued() {
		if m.Address == "ops@example.com" {
			alerts++
			if !strings.Contains(m.Subject, "was executed") || strings.Contains(m.Subject, "dry run") {
				t.Errorf("alert subject %q", m.Subject)
			}
		}
	}
	if alerts != 1 {
		t.Errorf("%d alerts, want 1", alerts)
	}

	if err := execute(c, "b", id, btypes.ExecutionTypeReverseBudgetAction); err != nil {
		t.Fatal(err)
	}
	want = append(want, "DetachUserPolicy carol", "DetachGroupPolicy devs", "DetachRolePolicy dev")
	if diff := cmp.Diff(want, e.calls()); diff != "" {
		t.Errorf("calls after reversal (-want +got):\n%s", diff)
	}
	if got := e.fake.Attached("role/dev"); len(got) != 0 {
		t.Errorf("role dev keeps %q", got)
	}
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusReverseSuccess {
		t.Errorf("status %s, want REVERSE_SUCCESS", got)
	}
	e.clock.Set(date("2019-01-02T00:00:00Z"))
	e.evaluate()
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusStandby {
		t.Errorf("in January the action is %s, want STANDBY", got)
	}
	if n := len(e.fake.Calls()); n != 6 {
		t.Errorf("%d calls after the reset, want 6: nothing was left to undo", n)
	}
}

// TestActionPeriodReset: at the start of a new period an executed IAM or
// SCP action detaches its policy and returns to STANDBY; an SSM action
// stays, its instances stopped.
func TestActionPeriodReset(t *testing.T) {
	e := newAWSEnv(t)
	c := e.client("alice")
	iamID := e.create(iamAction("b", 50, btypes.ApprovalModelAuto))
	scp := e.create(scpAction(50, btypes.ApprovalModelAuto))
	ssm := e.create(ssmAction(50))
	e.spend()
	if got := e.fake.Attached("ou-abcd-12345678"); !cmp.Equal(got, []string{scpID}) {
		t.Errorf("OU has %q attached", got)
	}
	if got := e.fake.InstanceState(instance); got != "stopped" {
		t.Errorf("instance %s", got)
	}
	ex := e.fake.Executions()
	if len(ex) != 1 || ex[0].Document != "AWS-StopEC2Instance" || ex[0].Region != "eu-west-1" {
		t.Errorf("executions = %+v", ex)
	}
	e.clock.Set(date("2019-01-02T00:00:00Z"))
	e.evaluate()
	for _, tc := range []struct {
		id   string
		want btypes.ActionStatus
	}{{iamID, btypes.ActionStatusStandby}, {scp, btypes.ActionStatusStandby}, {ssm, btypes.ActionStatusExecutionSuccess}} {
		if got := actionStatus(t, c, "b", tc.id); got != tc.want {
			t.Errorf("action %s in January: %s, want %s", tc.id, got, tc.want)
		}
	}
	if got := e.fake.Attached("role/dev"); len(got) != 0 {
		t.Errorf("role dev keeps %q after the reset", got)
	}
	if got := e.fake.Attached("ou-abcd-12345678"); len(got) != 0 {
		t.Errorf("OU keeps %q after the reset", got)
	}
	if got := e.fake.InstanceState(instance); got != "stopped" {
		t.Errorf("instance %s after the reset, want stopped", got)
	}
	// The SSM action is reversed on request: the instance starts again.
	if err := execute(c, "b", ssm, btypes.ExecutionTypeReverseBudgetAction); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.InstanceState(instance); got != "running" {
		t.Errorf("instance %s after the reversal, want running", got)
	}
}

// TestManualActionInAWS: a MANUAL SCP action calls nothing until approved.
func TestManualActionInAWS(t *testing.T) {
	e := newAWSEnv(t)
	c := e.client("alice")
	id := e.create(scpAction(50, btypes.ApprovalModelManual))
	e.spend()
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusPending || len(e.fake.Calls()) != 0 {
		t.Fatalf("status %s with calls %q; want PENDING and none", got, e.calls())
	}
	// Another account can neither see nor approve it.
	if err := execute(e.client("bob"), "b", id, btypes.ExecutionTypeApproveBudgetAction); errorCode(err) != "AccessDeniedException" {
		t.Errorf("bob approves: %v", err)
	}
	if err := execute(c, "b", id, btypes.ExecutionTypeApproveBudgetAction); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"AttachPolicy ou-abcd-12345678"}, e.calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	hist := actionHistory(t, c, "b", id)
	if last := hist[len(hist)-1]; !strings.HasPrefix(last, "EXECUTE_ACTION EXECUTION_SUCCESS") {
		t.Errorf("last event %q", last)
	}
	var subjects []string
	for _, m := range e.queued() {
		subjects = append(subjects, m.Subject)
	}
	slices.Sort(subjects)
	want := []string{"AWS Budgets: the budget action of b awaits your approval", "AWS Budgets: the budget action of b was executed"}
	if diff := cmp.Diff(want, subjects); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}

// TestActionFailure: a call AWS refuses leaves the action in
// EXECUTION_FAILURE with AWS's error and request ID in the history; a
// retry completes it; a reset undoes what the failed run did.
func TestActionFailure(t *testing.T) {
	e := newAWSEnv(t)
	c := e.client("alice")
	in := iamAction("b", 50, btypes.ApprovalModelAuto)
	in.Definition.IamActionDefinition.Roles = []string{"dev", "ops"}
	id := e.create(in)
	e.fake.Fail("AttachRolePolicy", "ops", "AccessDenied")
	e.spend()
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusExecutionFailure {
		t.Fatalf("status %s, want EXECUTION_FAILURE", got)
	}
	calls := e.fake.Calls()
	hist := actionHistory(t, c, "b", id)
	last := hist[len(hist)-1]
	if !strings.Contains(last, "AccessDenied: injected failure of AttachRolePolicy (request ID "+calls[1].RequestID+")") {
		t.Errorf("last event %q, want AWS's error and request ID", last)
	}
	var failed bool
	for _, m := range e.queued() {
		failed = failed || strings.Contains(m.Subject, "failed (EXECUTION_FAILURE)")
	}
	if !failed {
		t.Error("no alert of the failure")
	}
	if err := execute(c, "b", id, btypes.ExecutionTypeReverseBudgetAction); errorCode(err) != "InvalidParameterException" {
		t.Errorf("reverse a failed action: %v", err)
	}
	// A reset detaches what the failed run attached.
	if err := execute(c, "b", id, btypes.ExecutionTypeResetBudgetAction); err != nil {
		t.Fatal(err)
	}
	want := []string{"AttachRolePolicy dev", "AttachRolePolicy ops AccessDenied", "DetachRolePolicy dev"}
	if diff := cmp.Diff(want, e.calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	// Triggered again and retried after a failure, it completes.
	e.evaluate()
	e.fake.Fail("AttachRolePolicy", "ops", "")
	if err := execute(c, "b", id, btypes.ExecutionTypeRetryBudgetAction); err != nil {
		t.Fatal(err)
	}
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusExecutionSuccess {
		t.Errorf("after the retry: %s", got)
	}
	for _, r := range []string{"role/dev", "role/ops"} {
		if got := e.fake.Attached(r); !cmp.Equal(got, []string{denyAll}) {
			t.Errorf("%s has %q", r, got)
		}
	}
}

// TestReverseUndoesWhatWasDone: after the definition changes, a reversal
// still detaches the policy from the role it was attached to.
func TestReverseUndoesWhatWasDone(t *testing.T) {
	e := newAWSEnv(t)
	c := e.client("alice")
	id := e.create(iamAction("b", 50, btypes.ApprovalModelAuto))
	e.spend()
	if _, err := c.UpdateBudgetAction(context.Background(), &bsdk.UpdateBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("b"),
		ActionId: aws.String(id), Definition: &btypes.Definition{IamActionDefinition: &btypes.IamActionDefinition{
			PolicyArn: aws.String(denyAll), Roles: []string{"ops"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := execute(c, "b", id, btypes.ExecutionTypeReverseBudgetAction); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"AttachRolePolicy dev", "DetachRolePolicy dev"}, e.calls()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}

// crashing makes the calls of exec and then never returns: the process
// died after AWS acted and before Tally stored the answer.
type crashing struct {
	exec    budgets.Executor
	crashed chan struct{}
	never   chan struct{}
}

func (c *crashing) Do(ctx context.Context, role string, s budgets.Step, token string) (budgets.Answer, error) {
	a, err := c.exec.Do(ctx, role, s, token)
	close(c.crashed)
	<-c.never
	return a, err
}

// TestActionResumesAfterCrash: a process dies in the middle of an SSM
// execution, after AWS started the automation; the next process resumes
// the run and AWS starts the automation once (its ClientToken).
func TestActionResumesAfterCrash(t *testing.T) {
	e := newAWSEnv(t)
	c := e.client("alice")
	id := e.create(ssmAction(50))
	e.load("2018-12", items(line{day: "2018-12-01", account: alice, service: "AmazonEC2", cost: "15"})...)
	cr := &crashing{exec: e.exec, crashed: make(chan struct{}), never: make(chan struct{})}
	t.Cleanup(func() { close(cr.never) })
	// The dying process's lease of the run has run out by the restart (a
	// process that restarts on a DuckDB file finds no lease at all).
	dying := budgets.New(budgets.Config{Store: e.db, Costs: e.db, Profile: profile.AWS, Now: e.clock.Now,
		Forecaster: budgets.RunRate{Costs: e.db}, Executor: cr, ActionLease: time.Nanosecond})
	go dying.Evaluate(context.Background())
	<-cr.crashed
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusExecutionInProgress {
		t.Fatalf("after the crash the action is %s, want EXECUTION_IN_PROGRESS", got)
	}
	// The restarted process: its first evaluation resumes the run.
	e.evaluate()
	e.evaluate()
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusExecutionSuccess {
		t.Fatalf("after the restart the action is %s", got)
	}
	calls := e.fake.Calls()
	ex := e.fake.Executions()
	if len(calls) != 2 || len(ex) != 1 || calls[0].RequestID == calls[1].RequestID {
		t.Errorf("calls %+v, executions %+v: want the call repeated and one execution", calls, ex)
	}
	n := 0
	for _, h := range actionHistory(t, c, "b", id) {
		if strings.Contains(h, "EXECUTION_SUCCESS") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d executions in the history, want 1", n)
	}
	if i := slices.IndexFunc(e.queued(), func(m store.Pending) bool { return m.Address == "ops@example.com" }); i < 0 {
		t.Error("no alert of the execution")
	}
}

// TestActionCLIInAWS drives a MANUAL SCP action with the aws CLI: it waits,
// the CLI approves it, the SCP is attached, and the CLI reads the call with
// its request ID in the history.
func TestActionCLIInAWS(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("TALLY_REQUIRE_AWS_CLI") != "" {
			t.Fatal("aws CLI not found and TALLY_REQUIRE_AWS_CLI is set")
		}
		t.Skip("aws CLI not installed")
	}
	e := newAWSEnv(t)
	id := e.create(scpAction(50, btypes.ApprovalModelManual))
	e.spend()
	run := func(args ...string) map[string]any {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"budgets", "--endpoint-url", e.url, "--output", "json"}, args...)...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=alice", "AWS_SECRET_ACCESS_KEY=alice", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws budgets %s: %v\n%s", args[0], err, out)
		}
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		return got
	}
	common := []string{"--account-id", alice, "--budget-name", "b", "--action-id", id}
	run(append([]string{"execute-budget-action", "--execution-type", "APPROVE_BUDGET_ACTION"}, common...)...)
	if got := e.fake.Attached("ou-abcd-12345678"); !cmp.Equal(got, []string{scpID}) {
		t.Errorf("OU has %q attached", got)
	}
	hist := run(append([]string{"describe-budget-action-histories"}, common...)...)
	b, _ := json.Marshal(hist)
	if calls := e.fake.Calls(); len(calls) != 1 || !strings.Contains(string(b), "organizations:AttachPolicy p-deny1234 ou-abcd-12345678: ok, request ID "+calls[0].RequestID) {
		t.Errorf("history %s, calls %+v", b, calls)
	}
}
