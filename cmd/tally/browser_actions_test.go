package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

	"github.com/tallyhq/tally/internal/fakeaws"
	"github.com/tallyhq/tally/internal/web/e2e"
)

// TestBrowserBudgetActions creates a MANUAL budget action on a budget that
// is over its limit through the Budgets page, approves it, reverses it and
// reads its history there, and checks each step against the API.
func TestBrowserBudgetActions(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	hook := &webhookReceiver{}
	receiver := httptest.NewServer(hook)
	defer receiver.Close()
	inst := start(t, browserNow, "--webhook", receiver.URL)
	inst.ingest(t, uiSynthExport(t, browserNow))
	ctx := context.Background()
	bc := inst.budgets("test", "test")
	acct := aws.String(inst.app.TestAccount("")())
	// The month to date is far more than a dollar: an action at 100% of the
	// limit triggers as soon as it exists.
	if _, err := bc.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: &btypes.Budget{
		BudgetName: aws.String("Tiny"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{Amount: aws.String("1"), Unit: aws.String("USD")}}}); err != nil {
		t.Fatalf("CreateBudget: %v", err)
	}
	// Another action, far from its threshold, that the page deletes.
	other, err := bc.CreateBudgetAction(ctx, &budgets.CreateBudgetActionInput{AccountId: acct, BudgetName: aws.String("Tiny"),
		NotificationType: btypes.NotificationTypeActual, ActionType: btypes.ActionTypeScp,
		ActionThreshold:  &btypes.ActionThreshold{ActionThresholdType: btypes.ThresholdTypeAbsoluteValue, ActionThresholdValue: 1e9},
		Definition:       &btypes.Definition{ScpActionDefinition: &btypes.ScpActionDefinition{PolicyId: aws.String("p-deny1234"), TargetIds: []string{"ou-abcd-12345678"}}},
		ExecutionRoleArn: aws.String("arn:aws:iam::" + aws.ToString(acct) + ":role/BudgetsAction"), ApprovalModel: btypes.ApprovalModelAuto,
		Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("finops@example.com")}}})
	if err != nil {
		t.Fatal(err)
	}
	otherID := aws.ToString(other.ActionId)
	res := b.Run(t, inst.url, e2e.Scenario{Name: "budget-actions", Params: map[string]any{
		"budget": "Tiny", "roles": "Developers", "threshold": "100", "approval": "MANUAL", "email": "finops@example.com",
		"newThreshold": "1000000000", "newApproval": "AUTOMATIC", "reset": true, "deleteId": otherID}})
	type row struct {
		ID, Status, DryRun string
		Cells, Buttons     []string
	}
	var got struct {
		Created, Approved, Reversed, Edited, Reset, Deleted []row
		Notice, TestAlert                                   string
		History                                             [][]string
	}
	uiDecode(t, res["budget-actions"], &got)
	if len(got.Created) != 2 {
		t.Fatalf("after creating one action the page lists %d (%s)", len(got.Created), got.Notice)
	}
	c := got.Created[1]
	if c.Status != "PENDING" || !strings.Contains(strings.Join(c.Buttons, " "), "Approve") {
		t.Errorf("a MANUAL action over its threshold should wait for approval: status %s, buttons %q", c.Status, c.Buttons)
	}
	wantCells := []string{"APPLY_IAM_POLICY", "Attach arn:aws:iam::aws:policy/AWSDenyAll to role Developers", "Actual > 100% of the limit", "Manual"}
	for i, w := range wantCells {
		if i >= len(c.Cells) || !strings.HasPrefix(c.Cells[i], w) {
			t.Errorf("cell %d: got %q, want %q", i, c.Cells, w)
		}
	}
	if len(got.Approved) != 2 || got.Approved[1].Status != "EXECUTION_SUCCESS" || !strings.HasPrefix(got.Approved[1].DryRun, "DRY RUN") ||
		!strings.Contains(got.Approved[1].DryRun, "Developers") {
		t.Errorf("after approval: %+v, want EXECUTION_SUCCESS with the dry-run note", got.Approved)
	}
	if len(got.Reversed) != 2 || got.Reversed[1].Status != "REVERSE_SUCCESS" || !strings.Contains(got.Reversed[1].DryRun, "detach") {
		t.Errorf("after reversal: %+v, want REVERSE_SUCCESS with a dry-run detach note", got.Reversed)
	}

	// The test alert went to the webhook and was tried for the email
	// subscriber (no SMTP server here).
	if !strings.Contains(got.TestAlert, "WEBHOOK "+receiver.URL+": sent") || !strings.Contains(got.TestAlert, "EMAIL finops@example.com: failed") {
		t.Errorf("test alert notice %q", got.TestAlert)
	}
	var tests []string
	for _, p := range hook.bodies() {
		if strings.Contains(p, `"subject":"Tally: test alert"`) {
			tests = append(tests, p)
		}
	}
	if len(tests) != 1 || !strings.Contains(tests[0], "sent by the Tally web UI") {
		t.Errorf("webhook received test alerts %q, want one", tests)
	}
	if len(got.Edited) != 2 || !strings.HasPrefix(got.Edited[1].Cells[2], "Actual > 1000000000% of the limit") || got.Edited[1].Cells[3] != "Automatic" {
		t.Errorf("after the edit: %+v", got.Edited)
	}
	if len(got.Reset) != 2 || got.Reset[1].Status != "STANDBY" {
		t.Errorf("after the reset: %+v", got.Reset)
	}
	if len(got.Deleted) != 1 || got.Deleted[0].ID != c.ID {
		t.Errorf("after deleting %s the page lists %+v", otherID, got.Deleted)
	}
	if _, err := bc.DescribeBudgetAction(ctx, &budgets.DescribeBudgetActionInput{AccountId: acct, BudgetName: aws.String("Tiny"), ActionId: aws.String(otherID)}); err == nil {
		t.Errorf("the deleted action %s is still there", otherID)
	}

	// The API agrees with what the page showed.
	api, err := bc.DescribeBudgetAction(ctx, &budgets.DescribeBudgetActionInput{AccountId: acct, BudgetName: aws.String("Tiny"), ActionId: aws.String(c.ID)})
	if err != nil {
		t.Fatalf("DescribeBudgetAction %s: %v", c.ID, err)
	}
	a := api.Action
	if a.Status != btypes.ActionStatusStandby || a.ApprovalModel != btypes.ApprovalModelAuto || a.ActionThreshold.ActionThresholdValue != 1e9 ||
		a.ActionType != btypes.ActionTypeIam ||
		aws.ToString(a.Definition.IamActionDefinition.PolicyArn) != "arn:aws:iam::aws:policy/AWSDenyAll" ||
		strings.Join(a.Definition.IamActionDefinition.Roles, ",") != "Developers" || len(a.Subscribers) != 1 ||
		aws.ToString(a.Subscribers[0].Address) != "finops@example.com" {
		t.Errorf("the API has %+v", a)
	}
	hist, err := bc.DescribeBudgetActionHistories(ctx, &budgets.DescribeBudgetActionHistoriesInput{AccountId: acct, BudgetName: aws.String("Tiny"),
		ActionId: aws.String(c.ID)})
	if err != nil {
		t.Fatal(err)
	}
	// The page read the history before the edit and the reset (three more events).
	if len(got.History)+3 != len(hist.ActionHistories) || len(got.History) < 4 {
		t.Fatalf("the page shows %d history events, the API %d: %q", len(got.History), len(hist.ActionHistories), got.History)
	}
	var statuses []string
	for _, r := range got.History {
		if len(r) != 4 {
			t.Fatalf("history row %q", r)
		}
		statuses = append(statuses, r[2])
	}
	for _, w := range []string{"STANDBY", "PENDING", "EXECUTION_SUCCESS", "REVERSE_SUCCESS"} {
		if !strings.Contains(strings.Join(statuses, " "), w) {
			t.Errorf("history statuses %q lack %s", statuses, w)
		}
	}
	if last := got.History[len(got.History)-1]; last[2] != "REVERSE_SUCCESS" || !strings.HasPrefix(last[3], "DRY RUN") {
		t.Errorf("the newest event shown (before the edit) should be the dry-run reversal: %q", last)
	}
}

// webhookReceiver records the bodies of the webhook posts it receives.
type webhookReceiver struct {
	mu    sync.Mutex
	posts []string
}

func (h *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	h.posts = append(h.posts, string(b))
	h.mu.Unlock()
}

func (h *webhookReceiver) bodies() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.posts...)
}

// TestBrowserBudgetActionsInAWS runs the same page steps against a server
// whose actions call a local IAM (internal/fakeaws): approving attaches the
// policy for real, reversing detaches it, no dry-run note is shown, and the
// history on the page lists each call with AWS's request ID.
func TestBrowserBudgetActionsInAWS(t *testing.T) {
	// Not parallel: the secret of the actions key is an environment variable.
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	fake := fakeaws.New()
	fake.AddRole("Developers")
	fake.AddPolicy("arn:aws:iam::aws:policy/AWSDenyAll")
	aws_ := httptest.NewServer(fake)
	defer aws_.Close()
	t.Setenv("TALLY_ACTIONS_SECRET_ACCESS_KEY", "secret")
	inst := start(t, browserNow, "--actions-endpoint", aws_.URL, "--actions-access-key-id", "tally-actions")
	inst.ingest(t, uiSynthExport(t, browserNow))
	ctx := context.Background()
	bc := inst.budgets("test", "test")
	acct := aws.String(inst.app.TestAccount("")())
	if _, err := bc.CreateBudget(ctx, &budgets.CreateBudgetInput{AccountId: acct, Budget: &btypes.Budget{
		BudgetName: aws.String("Tiny"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
		BudgetLimit: &btypes.Spend{Amount: aws.String("1"), Unit: aws.String("USD")}}}); err != nil {
		t.Fatalf("CreateBudget: %v", err)
	}
	res := b.Run(t, inst.url, e2e.Scenario{Name: "budget-actions", Params: map[string]any{
		"budget": "Tiny", "roles": "Developers", "threshold": "100", "approval": "MANUAL", "email": "finops@example.com"}})
	type row struct {
		ID, Status, DryRun string
	}
	var got struct {
		Approved, Reversed []row
		History            [][]string
	}
	uiDecode(t, res["budget-actions"], &got)
	if len(got.Approved) != 1 || got.Approved[0].Status != "EXECUTION_SUCCESS" || got.Approved[0].DryRun != "" {
		t.Errorf("after approval: %+v, want EXECUTION_SUCCESS without a dry-run note", got.Approved)
	}
	if len(got.Reversed) != 1 || got.Reversed[0].Status != "REVERSE_SUCCESS" {
		t.Errorf("after reversal: %+v", got.Reversed)
	}
	calls := fake.Calls()
	if len(calls) != 2 || calls[0].Op != "AttachRolePolicy" || calls[1].Op != "DetachRolePolicy" || len(fake.Attached("role/Developers")) != 0 {
		t.Fatalf("AWS saw %+v", calls)
	}
	var shown []string
	for _, r := range got.History {
		shown = append(shown, r[3])
	}
	page := strings.Join(shown, "\n")
	for _, c := range calls {
		if !strings.Contains(page, "iam:"+c.Op) || !strings.Contains(page, "request ID "+c.RequestID) {
			t.Errorf("the page's history lacks %s with request ID %s:\n%s", c.Op, c.RequestID, page)
		}
	}
}
