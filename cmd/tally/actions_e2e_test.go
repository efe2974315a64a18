package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/fakeaws"
)

// TestKill9DuringBudgetAction kills `tally serve --actions-endpoint` while
// AWS (the fake) has attached an action's policy but not yet answered.
// The restarted server resumes the execution: the policy is attached once,
// the history has one execution, and later evaluations call nothing more.
func TestKill9DuringBudgetAction(t *testing.T) {
	bin := tallyBinary(t)
	dir := t.TempDir()
	data, export := filepath.Join(dir, "data"), filepath.Join(dir, "export")
	generateExport(t, bin, export, 1, 200)
	const policy = "arn:aws:iam::aws:policy/AWSDenyAll"
	fake := fakeaws.New()
	fake.AddRole("dev")
	fake.AddPolicy(policy)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	t.Setenv("TALLY_ACTIONS_SECRET_ACCESS_KEY", "secret")
	flags := []string{"--actions-endpoint", srv.URL, "--actions-access-key-id", "tally-actions", "--budgets-interval", "200ms"}
	p := startTally(t, bin, data, flags...)
	if err := p.ingest(export); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	payers, err := p.ce().GetDimensionValues(ctx, &cesdk.GetDimensionValuesInput{Dimension: cetypes.DimensionPayerAccount,
		TimePeriod: &cetypes.DateInterval{Start: aws.String(time.Now().UTC().AddDate(0, -2, 0).Format(time.DateOnly)),
			End: aws.String(time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly))}})
	if err != nil || len(payers.DimensionValues) == 0 {
		t.Fatalf("payer accounts = %+v, %v", payers, err)
	}
	account := payers.DimensionValues[0].Value
	c := p.budgetsClient()
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: account,
		Budget: &btypes.Budget{BudgetName: aws.String("tiny"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("0.01"), Unit: aws.String("USD")}}}); err != nil {
		t.Fatal(err)
	}
	release := fake.Hold("AttachRolePolicy")
	defer release()
	created := make(chan error, 1)
	go func() {
		_, err := c.CreateBudgetAction(ctx, &bsdk.CreateBudgetActionInput{AccountId: account, BudgetName: aws.String("tiny"),
			NotificationType: btypes.NotificationTypeActual, ActionType: btypes.ActionTypeIam,
			ActionThreshold:  &btypes.ActionThreshold{ActionThresholdType: btypes.ThresholdTypePercentage, ActionThresholdValue: 1},
			Definition:       &btypes.Definition{IamActionDefinition: &btypes.IamActionDefinition{PolicyArn: aws.String(policy), Roles: []string{"dev"}}},
			ExecutionRoleArn: aws.String("arn:aws:iam::" + aws.ToString(account) + ":role/budgets"), ApprovalModel: btypes.ApprovalModelAuto,
			Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("ops@example.com")}}})
		created <- err
	}()
	waitCalls := func(n int) {
		deadline := time.Now().Add(20 * time.Second)
		for len(fake.Calls()) < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d calls to AWS, want %d; tally said:\n%s", len(fake.Calls()), n, p.stderr.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitCalls(1) // attached, answer held
	p.kill()
	<-created // the connection broke
	release()

	p = startTally(t, bin, data, flags...)
	c = p.budgetsClient()
	acts, err := c.DescribeBudgetActionsForBudget(ctx, &bsdk.DescribeBudgetActionsForBudgetInput{AccountId: account, BudgetName: aws.String("tiny")})
	if err != nil || len(acts.Actions) != 1 {
		t.Fatalf("actions after the restart: %+v, %v", acts, err)
	}
	id := acts.Actions[0].ActionId
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := c.DescribeBudgetAction(ctx, &bsdk.DescribeBudgetActionInput{AccountId: account, BudgetName: aws.String("tiny"), ActionId: id})
		if err != nil {
			t.Fatal(err)
		}
		if out.Action.Status == btypes.ActionStatusExecutionSuccess {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the action is %s after the restart; tally said:\n%s", out.Action.Status, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second) // several evaluations
	var ops []string
	for _, call := range fake.Calls() {
		ops = append(ops, call.Op+" "+call.Target+" "+call.AccessKey)
	}
	want := []string{"AttachRolePolicy dev tally-actions", "AttachRolePolicy dev tally-actions"}
	if diff := cmp.Diff(want, ops); diff != "" {
		t.Errorf("calls (-want +got), the interrupted one and its resumption:\n%s", diff)
	}
	if got := fake.Attached("role/dev"); !cmp.Equal(got, []string{policy}) {
		t.Errorf("role dev has %q", got)
	}
	hist, err := c.DescribeBudgetActionHistories(ctx, &bsdk.DescribeBudgetActionHistoriesInput{AccountId: account, BudgetName: aws.String("tiny"), ActionId: id})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, h := range hist.ActionHistories {
		if h.Status == btypes.ActionStatusExecutionSuccess {
			n++
		}
		if h.Status == btypes.ActionStatusExecutionInProgress && strings.Contains(aws.ToString(h.ActionHistoryDetails.Message), "AttachRolePolicy") &&
			!strings.Contains(aws.ToString(h.ActionHistoryDetails.Message), "request ID "+fake.Calls()[1].RequestID) {
			t.Errorf("recorded call %q, want the resumed call's request ID", aws.ToString(h.ActionHistoryDetails.Message))
		}
	}
	if n != 1 {
		t.Errorf("%d executions in the history, want 1", n)
	}
}
