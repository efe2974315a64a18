package budgets_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/store"
)

const execRole = "arn:aws:iam::111111111111:role/budgets-role"

// iamAction is a CreateBudgetAction request on budget name that attaches a
// deny policy to role dev when the actual spend exceeds pct percent.
func iamAction(name string, pct float64, approval btypes.ApprovalModel) *bsdk.CreateBudgetActionInput {
	return &bsdk.CreateBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String(name),
		NotificationType: btypes.NotificationTypeActual, ActionType: btypes.ActionTypeIam,
		ActionThreshold: &btypes.ActionThreshold{ActionThresholdType: btypes.ThresholdTypePercentage, ActionThresholdValue: pct},
		Definition: &btypes.Definition{IamActionDefinition: &btypes.IamActionDefinition{
			PolicyArn: aws.String("arn:aws:iam::111111111111:policy/deny-all"), Roles: []string{"dev"}}},
		ExecutionRoleArn: aws.String(execRole), ApprovalModel: approval,
		Subscribers: []btypes.Subscriber{email("ops@example.com")}}
}

// actionHistory returns an action's history as "EVENT STATUS: message".
func actionHistory(t *testing.T, c *bsdk.Client, budget, id string) []string {
	t.Helper()
	out, err := c.DescribeBudgetActionHistories(context.Background(), &bsdk.DescribeBudgetActionHistoriesInput{
		AccountId: aws.String(alice), BudgetName: aws.String(budget), ActionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range out.ActionHistories {
		if h.ActionHistoryDetails.Action.Status != h.Status {
			t.Errorf("history event %s: its action is %s", h.Status, h.ActionHistoryDetails.Action.Status)
		}
		got = append(got, fmt.Sprintf("%s %s: %s", h.EventType, h.Status, aws.ToString(h.ActionHistoryDetails.Message)))
	}
	return got
}

func actionStatus(t *testing.T, c *bsdk.Client, budget, id string) btypes.ActionStatus {
	t.Helper()
	out, err := c.DescribeBudgetAction(context.Background(), &bsdk.DescribeBudgetActionInput{
		AccountId: aws.String(alice), BudgetName: aws.String(budget), ActionId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	return out.Action.Status
}

func execute(c *bsdk.Client, budget, id string, typ btypes.ExecutionType) error {
	_, err := c.ExecuteBudgetAction(context.Background(), &bsdk.ExecuteBudgetActionInput{AccountId: aws.String(alice),
		BudgetName: aws.String(budget), ActionId: aws.String(id), ExecutionType: typ})
	return err
}

// TestAutomaticAction follows an AUTOMATIC action through a period: it
// executes (in dry run) once when the threshold is crossed, not again on
// later evaluations, is reversed on request, and is reset at the start of
// the next period.
func TestAutomaticAction(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("b", "20")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateBudgetAction(ctx, iamAction("b", 80, btypes.ApprovalModelAuto))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ActionId)
	if aws.ToString(out.BudgetName) != "b" || aws.ToString(out.AccountId) != alice || len(id) != 36 {
		t.Errorf("CreateBudgetAction = %+v", out)
	}
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusStandby {
		t.Errorf("new action is %s, want STANDBY", got)
	}

	e.load("2018-12", items(line{day: "2018-12-01", account: alice, service: "AmazonEC2", cost: "17"})...)
	e.evaluate()
	e.evaluate() // a second evaluation of the same crossing does nothing more
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusExecutionSuccess {
		t.Fatalf("after the crossing the action is %s, want EXECUTION_SUCCESS", got)
	}
	hist := actionHistory(t, c, "b", id)
	want := []string{
		"CREATE_ACTION STANDBY: action created",
		"SYSTEM EXECUTION_IN_PROGRESS: the ACTUAL spend 17.00 USD exceeds the action threshold 16.00 USD",
		"SYSTEM EXECUTION_SUCCESS: DRY RUN: Tally has no actions endpoint configured, so it changed nothing in AWS; it would attach IAM policy arn:aws:iam::111111111111:policy/deny-all to roles dev, as role " + execRole,
	}
	if diff := cmp.Diff(want, hist); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	var alerts []store.Pending
	for _, m := range e.queued() {
		if m.Address == "ops@example.com" {
			alerts = append(alerts, m)
		}
	}
	if len(alerts) != 1 || !strings.Contains(alerts[0].Body, "DRY RUN") || !strings.Contains(alerts[0].Subject, "(dry run)") {
		t.Errorf("alerts to the action's subscriber = %+v, want one about the dry run", alerts)
	}

	// Approving an executed action is refused; reversing it is not.
	if got := errorCode(execute(c, "b", id, btypes.ExecutionTypeApproveBudgetAction)); got != "InvalidParameterException" {
		t.Errorf("approve an executed action: %s, want InvalidParameterException", got)
	}
	if err := execute(c, "b", id, btypes.ExecutionTypeReverseBudgetAction); err != nil {
		t.Fatal(err)
	}
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusReverseSuccess {
		t.Errorf("reversed action is %s", got)
	}
	e.evaluate() // still crossed, but the action ran in this period
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusReverseSuccess {
		t.Errorf("after evaluation the reversed action is %s, want REVERSE_SUCCESS", got)
	}
	hist = actionHistory(t, c, "b", id)
	if n := len(hist); n != 5 || !strings.Contains(hist[4], "would detach IAM policy arn:aws:iam::111111111111:policy/deny-all from role dev, as role") {
		t.Errorf("history after reversal: %q", hist)
	}

	// January: the action is reset to STANDBY and, without spend, stays so.
	e.clock.Set(date("2019-01-02T00:00:00Z"))
	e.evaluate()
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusStandby {
		t.Errorf("in the new period the action is %s, want STANDBY", got)
	}
	hist = actionHistory(t, c, "b", id)
	if last := hist[len(hist)-1]; !strings.HasPrefix(last, "SYSTEM STANDBY: reset to STANDBY at the start of the budget period from 2019-01-01") {
		t.Errorf("last event %q, want the period reset", last)
	}
	// The history can be limited to a time period.
	h, err := c.DescribeBudgetActionHistories(ctx, &bsdk.DescribeBudgetActionHistoriesInput{AccountId: aws.String(alice),
		BudgetName: aws.String("b"), ActionId: aws.String(id), TimePeriod: &btypes.TimePeriod{Start: aws.Time(date("2019-01-01"))}})
	if err != nil || len(h.ActionHistories) != 2 || h.ActionHistories[0].Status != btypes.ActionStatusResetInProgress {
		t.Errorf("history from 2019-01-01: %v, %v; want the reset only", h, err)
	}
}

// TestManualAction: a MANUAL action waits for approval, then executes.
func TestManualAction(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	e.load("2018-12", items(line{day: "2018-12-01", account: alice, service: "AmazonEC2", cost: "30"})...)
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("b", "20")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateBudgetAction(ctx, iamAction("b", 100, btypes.ApprovalModelManual))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ActionId)
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusPending {
		t.Fatalf("crossed MANUAL action is %s, want PENDING", got)
	}
	for _, typ := range []btypes.ExecutionType{btypes.ExecutionTypeReverseBudgetAction, btypes.ExecutionTypeRetryBudgetAction} {
		if got := errorCode(execute(c, "b", id, typ)); got != "InvalidParameterException" {
			t.Errorf("%s of a pending action: %s, want InvalidParameterException", typ, got)
		}
	}
	if err := execute(c, "b", id, btypes.ExecutionTypeApproveBudgetAction); err != nil {
		t.Fatal(err)
	}
	hist := actionHistory(t, c, "b", id)
	want := []string{"CREATE_ACTION STANDBY: action created",
		"SYSTEM PENDING: the ACTUAL spend 30.00 USD exceeds the action threshold 20.00 USD; awaiting approval",
		"EXECUTE_ACTION EXECUTION_IN_PROGRESS: approved"}
	if len(hist) != 4 || !cmp.Equal(want, hist[:3]) || !strings.HasPrefix(hist[3], "EXECUTE_ACTION EXECUTION_SUCCESS: DRY RUN") {
		t.Errorf("history = %q", hist)
	}
	// A reset returns it to STANDBY, and the next evaluation triggers it again.
	if err := execute(c, "b", id, btypes.ExecutionTypeResetBudgetAction); err != nil {
		t.Fatal(err)
	}
	e.evaluate()
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusPending {
		t.Errorf("reset action after evaluation is %s, want PENDING", got)
	}
}

// failingStore fails every write: a crash before the evaluation's
// transaction commits.
type failingStore struct{ store.BudgetStore }

func (failingStore) PutBudget(context.Context, string, string, []byte, []store.Message) error {
	return errors.New("crash")
}

func (failingStore) PutBudgetEvents(context.Context, string, string, []byte, []store.Message, []store.ActionEvent) error {
	return errors.New("crash")
}

// TestActionCrashSafety: an execution is stored with the evaluation that
// caused it, so a crash before the commit leaves no trace and the next
// process executes the action exactly once.
func TestActionCrashSafety(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("b", "20")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.CreateBudgetAction(ctx, iamAction("b", 50, btypes.ApprovalModelAuto))
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.ActionId)
	e.load("2018-12", items(line{day: "2018-12-01", account: alice, service: "AmazonEC2", cost: "15"})...)

	fs := failingStore{BudgetStore: e.db}
	crashed := budgets.New(budgets.Config{Store: fs, Costs: e.db, Profile: profile.AWS, Now: e.clock.Now,
		Forecaster: budgets.RunRate{Costs: e.db}})
	if err := crashed.Evaluate(ctx); err == nil {
		t.Fatal("evaluation over a failing store succeeded")
	}
	if got := actionStatus(t, c, "b", id); got != btypes.ActionStatusStandby {
		t.Fatalf("after the crash the action is %s, want STANDBY", got)
	}
	// Restart: two processes' worth of evaluations execute it once.
	restarted := budgets.New(budgets.Config{Store: e.db, Costs: e.db, Profile: profile.AWS, Now: e.clock.Now,
		Forecaster: budgets.RunRate{Costs: e.db}})
	for range 2 {
		if err := restarted.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
		e.evaluate()
	}
	n := 0
	for _, h := range actionHistory(t, c, "b", id) {
		if strings.Contains(h, "EXECUTION_SUCCESS") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d executions, want 1", n)
	}
	m := 0
	for _, p := range e.queued() {
		if p.Address == "ops@example.com" {
			m++
		}
	}
	if m != 1 {
		t.Errorf("%d alerts to the action's subscriber, want 1", m)
	}
}

func TestBudgetActionOps(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	for _, name := range []string{"a", "b"} {
		if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly(name, "100")}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for i := range budgets.MaxActionsPerBudget {
		out, err := c.CreateBudgetAction(ctx, iamAction("a", float64(50+i), btypes.ApprovalModelManual))
		if err != nil {
			t.Fatalf("action %d: %v", i, err)
		}
		ids = append(ids, aws.ToString(out.ActionId))
	}
	if _, err := c.CreateBudgetAction(ctx, iamAction("b", 90, btypes.ApprovalModelAuto)); err != nil {
		t.Fatal(err)
	}
	missing := "00000000-0000-4000-8000-000000000000"
	mismatched := iamAction("b", 90, btypes.ApprovalModelAuto)
	mismatched.ActionType = btypes.ActionTypeScp
	noTargets := iamAction("b", 90, btypes.ApprovalModelAuto)
	noTargets.Definition.IamActionDefinition.Roles = nil
	otherRole := iamAction("b", 90, btypes.ApprovalModelAuto)
	otherRole.ExecutionRoleArn = aws.String("arn:aws:iam::222222222222:role/budgets-role")
	ri := monthly("ri", "100")
	ri.BudgetType, ri.BudgetLimit = btypes.BudgetTypeRIUtilization, nil
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: ri}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"eleventh action", func() error {
			_, err := c.CreateBudgetAction(ctx, iamAction("a", 99, btypes.ApprovalModelAuto))
			return err
		}, "CreationLimitExceededException"},
		{"missing budget", func() error {
			_, err := c.CreateBudgetAction(ctx, iamAction("nope", 99, btypes.ApprovalModelAuto))
			return err
		}, "NotFoundException"},
		{"definition of another type", func() error { _, err := c.CreateBudgetAction(ctx, mismatched); return err }, "InvalidParameterException"},
		{"IAM without targets", func() error { _, err := c.CreateBudgetAction(ctx, noTargets); return err }, "InvalidParameterException"},
		{"role of another account", func() error { _, err := c.CreateBudgetAction(ctx, otherRole); return err }, "InvalidParameterException"},
		{"RI budget", func() error {
			_, err := c.CreateBudgetAction(ctx, iamAction("ri", 99, btypes.ApprovalModelAuto))
			return err
		}, "InvalidParameterException"},
		{"bad action id", func() error {
			_, err := c.DescribeBudgetAction(ctx, &bsdk.DescribeBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"), ActionId: aws.String("x")})
			return err
		}, "InvalidParameterException"},
		{"describe missing", func() error {
			_, err := c.DescribeBudgetAction(ctx, &bsdk.DescribeBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"), ActionId: aws.String(missing)})
			return err
		}, "NotFoundException"},
		{"action of another budget", func() error {
			_, err := c.DescribeBudgetAction(ctx, &bsdk.DescribeBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("b"), ActionId: aws.String(ids[0])})
			return err
		}, "NotFoundException"},
		{"update missing", func() error {
			_, err := c.UpdateBudgetAction(ctx, &bsdk.UpdateBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"), ActionId: aws.String(missing)})
			return err
		}, "NotFoundException"},
		{"delete missing", func() error {
			_, err := c.DeleteBudgetAction(ctx, &bsdk.DeleteBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"), ActionId: aws.String(missing)})
			return err
		}, "NotFoundException"},
		{"execute missing", func() error { return execute(c, "a", missing, btypes.ExecutionTypeApproveBudgetAction) }, "NotFoundException"},
		{"approve standby", func() error { return execute(c, "a", ids[0], btypes.ExecutionTypeApproveBudgetAction) }, "InvalidParameterException"},
		{"reset standby", func() error { return execute(c, "a", ids[0], btypes.ExecutionTypeResetBudgetAction) }, "InvalidParameterException"},
		{"history of missing", func() error {
			_, err := c.DescribeBudgetActionHistories(ctx, &bsdk.DescribeBudgetActionHistoriesInput{AccountId: aws.String(alice), BudgetName: aws.String("a"), ActionId: aws.String(missing)})
			return err
		}, "NotFoundException"},
		// Only the budget's own account sees or runs its actions.
		{"bob describes alice's action", func() error {
			_, err := e.client("bob").DescribeBudgetAction(ctx, &bsdk.DescribeBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"), ActionId: aws.String(ids[0])})
			return err
		}, "AccessDeniedException"},
		{"bob executes alice's action", func() error { return execute(e.client("bob"), "a", ids[0], btypes.ExecutionTypeApproveBudgetAction) }, "AccessDeniedException"},
		{"bob lists alice's actions", func() error {
			_, err := e.client("bob").DescribeBudgetActionsForAccount(ctx, &bsdk.DescribeBudgetActionsForAccountInput{AccountId: aws.String(alice)})
			return err
		}, "AccessDeniedException"},
		{"bob's own account", func() error {
			_, err := e.client("bob").DescribeBudgetAction(ctx, &bsdk.DescribeBudgetActionInput{AccountId: aws.String(bob), BudgetName: aws.String("a"), ActionId: aws.String(ids[0])})
			return err
		}, "NotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := errorCode(tc.call()); got != tc.want {
				t.Errorf("error = %s, want %s", got, tc.want)
			}
		})
	}

	// Listings page: the account's 11 actions, budget a's first.
	var all []string
	var next *string
	for {
		out, err := c.DescribeBudgetActionsForAccount(ctx, &bsdk.DescribeBudgetActionsForAccountInput{AccountId: aws.String(alice), MaxResults: aws.Int32(4), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Actions {
			all = append(all, aws.ToString(a.BudgetName)+":"+aws.ToString(a.ActionId))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if len(all) != 11 || all[0] != "a:"+ids[0] || !strings.HasPrefix(all[10], "b:") {
		t.Errorf("actions of the account = %q", all)
	}
	fb, err := c.DescribeBudgetActionsForBudget(ctx, &bsdk.DescribeBudgetActionsForBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String("b")})
	if err != nil || len(fb.Actions) != 1 {
		t.Errorf("actions of b: %v, %v", fb, err)
	}

	// Update changes what is given and keeps the rest.
	up, err := c.UpdateBudgetAction(ctx, &bsdk.UpdateBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"),
		ActionId: aws.String(ids[0]), ApprovalModel: btypes.ApprovalModelAuto,
		ActionThreshold: &btypes.ActionThreshold{ActionThresholdType: btypes.ThresholdTypeAbsoluteValue, ActionThresholdValue: 70}})
	if err != nil {
		t.Fatal(err)
	}
	if up.OldAction.ApprovalModel != btypes.ApprovalModelManual || up.NewAction.ApprovalModel != btypes.ApprovalModelAuto ||
		up.NewAction.ActionThreshold.ActionThresholdValue != 70 || up.NewAction.ActionThreshold.ActionThresholdType != btypes.ThresholdTypeAbsoluteValue ||
		aws.ToString(up.NewAction.Definition.IamActionDefinition.PolicyArn) != "arn:aws:iam::111111111111:policy/deny-all" {
		t.Errorf("UpdateBudgetAction = %+v / %+v", up.OldAction, up.NewAction)
	}
	if h := actionHistory(t, c, "a", ids[0]); len(h) != 2 || h[1] != "UPDATE_ACTION STANDBY: action updated" {
		t.Errorf("history after update: %q", h)
	}
	del, err := c.DeleteBudgetAction(ctx, &bsdk.DeleteBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"), ActionId: aws.String(ids[0])})
	if err != nil || aws.ToString(del.Action.ActionId) != ids[0] {
		t.Fatalf("DeleteBudgetAction = %v, %v", del, err)
	}
	if _, err := c.DescribeBudgetAction(ctx, &bsdk.DescribeBudgetActionInput{AccountId: aws.String(alice), BudgetName: aws.String("a"), ActionId: aws.String(ids[0])}); errorCode(err) != "NotFoundException" {
		t.Errorf("deleted action: %v", err)
	}
}

// TestBudgetActionCLI creates an action with `aws budgets
// create-budget-action` and reads it back with the CLI.
func TestBudgetActionCLI(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("TALLY_REQUIRE_AWS_CLI") != "" {
			t.Fatal("aws CLI not found and TALLY_REQUIRE_AWS_CLI is set")
		}
		t.Skip("aws CLI not installed")
	}
	e := newEnv(t, december)
	if _, err := e.client("alice").CreateBudget(context.Background(), &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("b", "20")}); err != nil {
		t.Fatal(err)
	}
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
	created := run("create-budget-action", "--account-id", alice, "--budget-name", "b", "--notification-type", "ACTUAL",
		"--action-type", "RUN_SSM_DOCUMENTS", "--action-threshold", "ActionThresholdValue=90,ActionThresholdType=PERCENTAGE",
		"--definition", `{"SsmActionDefinition":{"ActionSubType":"STOP_EC2_INSTANCES","Region":"us-east-1","InstanceIds":["i-0123456789abcdef0"]}}`,
		"--execution-role-arn", execRole, "--approval-model", "MANUAL",
		"--subscribers", "SubscriptionType=EMAIL,Address=ops@example.com")
	id, _ := created["ActionId"].(string)
	got := run("describe-budget-action", "--account-id", alice, "--budget-name", "b", "--action-id", id)
	act, _ := got["Action"].(map[string]any)
	if act["Status"] != "STANDBY" || act["ActionType"] != "RUN_SSM_DOCUMENTS" || act["ApprovalModel"] != "MANUAL" {
		t.Errorf("describe-budget-action = %v", got)
	}
}

// TestHealthStatus: a filter naming an account the budget cannot see makes
// the budget UNHEALTHY with FILTER_INVALID.
func TestHealthStatus(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	health := func(key, name string, filter *btypes.Expression) string {
		t.Helper()
		c := e.client(key)
		b := monthly(name, "10")
		b.FilterExpression = filter
		if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: b}); err != nil {
			t.Fatal(err)
		}
		out, err := c.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(alice), BudgetName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		h := out.Budget.HealthStatus
		return string(h.Status) + " " + string(h.StatusReason)
	}
	accounts := func(ids ...string) *btypes.Expression {
		return &btypes.Expression{Not: &btypes.Expression{Dimensions: &btypes.ExpressionDimensionValues{Key: btypes.DimensionLinkedAccount, Values: ids}}}
	}
	for _, tc := range []struct {
		key, name string
		filter    *btypes.Expression
		want      string
	}{
		{"alice", "plain", nil, "HEALTHY "},
		{"alice", "own", accounts(alice), "HEALTHY "},
		{"alice", "other", accounts(alice, bob), "UNHEALTHY FILTER_INVALID"},
		// The test identity sees every account's costs.
		{"test", "test-other", accounts(bob), "HEALTHY "},
	} {
		if got := health(tc.key, tc.name, tc.filter); got != tc.want {
			t.Errorf("%s: health %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestBudgetActionTags: an action's ARN carries its own tags.
func TestBudgetActionTags(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("b", "20"),
		ResourceTags: []btypes.ResourceTag{{Key: aws.String("budget"), Value: aws.String("yes")}}}); err != nil {
		t.Fatal(err)
	}
	in := iamAction("b", 80, btypes.ApprovalModelAuto)
	in.ResourceTags = []btypes.ResourceTag{{Key: aws.String("team"), Value: aws.String("ops")}}
	out, err := c.CreateBudgetAction(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.String("arn:aws:budgets::" + alice + ":budget/b/action/" + aws.ToString(out.ActionId))
	if _, err := c.TagResource(ctx, &bsdk.TagResourceInput{ResourceARN: arn, ResourceTags: []btypes.ResourceTag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &bsdk.UntagResourceInput{ResourceARN: arn, ResourceTagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	list := func(arn *string) []string {
		t.Helper()
		l, err := c.ListTagsForResource(ctx, &bsdk.ListTagsForResourceInput{ResourceARN: arn})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range l.ResourceTags {
			got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return got
	}
	if got := list(arn); !cmp.Equal(got, []string{"env=dev"}) {
		t.Errorf("action tags = %q", got)
	}
	if got := list(aws.String("arn:aws:budgets::" + alice + ":budget/b")); !cmp.Equal(got, []string{"budget=yes"}) {
		t.Errorf("budget tags = %q", got)
	}
	_, err = c.ListTagsForResource(ctx, &bsdk.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:budgets::" + alice + ":budget/b/action/00000000-0000-4000-8000-000000000000")})
	if errorCode(err) != "NotFoundException" {
		t.Errorf("tags of a missing action: %v", err)
	}
}

// TestWebhookAlerts: the configured webhooks receive every alert, of
// notifications and of actions, once per event.
func TestWebhookAlerts(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("b", "20"),
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: actualOver(50),
			Subscribers: []btypes.Subscriber{email("a@example.com"), email("b@example.com")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateBudgetAction(ctx, iamAction("b", 60, btypes.ApprovalModelManual)); err != nil {
		t.Fatal(err)
	}
	e.load("2018-12", items(line{day: "2018-12-01", account: alice, service: "AmazonEC2", cost: "15"})...)
	hooked := budgets.New(budgets.Config{Store: e.db, Costs: e.db, Profile: profile.AWS, Now: e.clock.Now,
		Forecaster: budgets.RunRate{Costs: e.db}, Webhooks: []string{"https://hooks.example.com/x"}})
	for range 2 {
		if err := hooked.Evaluate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, m := range e.queued() {
		got = append(got, string(m.Kind)+" "+m.Address+": "+m.Subject)
	}
	slices.Sort(got)
	want := []string{
		"EMAIL a@example.com: AWS Budgets: b has exceeded your alert threshold",
		"EMAIL b@example.com: AWS Budgets: b has exceeded your alert threshold",
		"EMAIL ops@example.com: AWS Budgets: the budget action of b awaits your approval",
		"WEBHOOK https://hooks.example.com/x: AWS Budgets: b has exceeded your alert threshold",
		"WEBHOOK https://hooks.example.com/x: AWS Budgets: the budget action of b awaits your approval",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("queued (-want +got):\n%s", diff)
	}
}
