package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"

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
	inst := start(t, browserNow)
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
	res := b.Run(t, inst.url, e2e.Scenario{Name: "budget-actions", Params: map[string]any{
		"budget": "Tiny", "roles": "Developers", "threshold": "100", "approval": "MANUAL", "email": "finops@example.com"}})
	type row struct {
		ID, Status, DryRun string
		Cells, Buttons     []string
	}
	var got struct {
		Created, Approved, Reversed []row
		Notice                      string
		History                     [][]string
	}
	uiDecode(t, res["budget-actions"], &got)
	if len(got.Created) != 1 {
		t.Fatalf("after creating one action the page lists %d (%s)", len(got.Created), got.Notice)
	}
	c := got.Created[0]
	if c.Status != "PENDING" || !strings.Contains(strings.Join(c.Buttons, " "), "Approve") {
		t.Errorf("a MANUAL action over its threshold should wait for approval: status %s, buttons %q", c.Status, c.Buttons)
	}
	wantCells := []string{"APPLY_IAM_POLICY", "Attach arn:aws:iam::aws:policy/AWSDenyAll to role Developers", "Actual > 100% of the limit", "Manual"}
	for i, w := range wantCells {
		if i >= len(c.Cells) || !strings.HasPrefix(c.Cells[i], w) {
			t.Errorf("cell %d: got %q, want %q", i, c.Cells, w)
		}
	}
	if len(got.Approved) != 1 || got.Approved[0].Status != "EXECUTION_SUCCESS" || !strings.HasPrefix(got.Approved[0].DryRun, "DRY RUN") ||
		!strings.Contains(got.Approved[0].DryRun, "Developers") {
		t.Errorf("after approval: %+v, want EXECUTION_SUCCESS with the dry-run note", got.Approved)
	}
	if len(got.Reversed) != 1 || got.Reversed[0].Status != "REVERSE_SUCCESS" || !strings.Contains(got.Reversed[0].DryRun, "detach") {
		t.Errorf("after reversal: %+v, want REVERSE_SUCCESS with a dry-run detach note", got.Reversed)
	}

	// The API agrees with what the page showed.
	api, err := bc.DescribeBudgetAction(ctx, &budgets.DescribeBudgetActionInput{AccountId: acct, BudgetName: aws.String("Tiny"), ActionId: aws.String(c.ID)})
	if err != nil {
		t.Fatalf("DescribeBudgetAction %s: %v", c.ID, err)
	}
	a := api.Action
	if a.Status != btypes.ActionStatusReverseSuccess || a.ApprovalModel != btypes.ApprovalModelManual || a.ActionType != btypes.ActionTypeIam ||
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
	if len(got.History) != len(hist.ActionHistories) || len(got.History) < 4 {
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
		t.Errorf("the newest event should be the dry-run reversal: %q", last)
	}
}
