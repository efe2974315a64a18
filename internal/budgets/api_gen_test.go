package budgets_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/budgets"
)

// samples are valid values of the string shapes whose pattern "a" does not
// match, for building minimal inputs.
var samples = map[string]string{
	"AccountId":      "123456789012",
	"ActionId":       "00000000-0000-0000-0000-000000000000",
	"BillingViewArn": "arn:aws:billing::123456789012:billingview/primary",
	"NumericValue":   "1",
	"PolicyArn":      "arn:aws:iam::aws:policy/ReadOnly",
	"PolicyId":       "p-12345678",
	"Region":         "us-east-1",
	"RoleArn":        "arn:aws:iam::123456789012:role/budgets",
	"TargetId":       "123456789012",
	"InstanceId":     "i-12345678",
}

func newRouter(t *testing.T, api budgets.API) *awsjson.Router {
	t.Helper()
	r, err := awsjson.NewRouter([]awsjson.Service{budgets.ServiceDef(api)}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEveryOperationIsRegistered(t *testing.T) {
	model := awsjsontest.LoadModel(t, awsjsontest.ModelPath(t, "budgets-2016-10-20.service-2.json"))
	var want []string
	for name := range model.Operations {
		want = append(want, budgets.TargetPrefix+"."+name)
	}
	slices.Sort(want)
	if len(want) != 26 {
		t.Errorf("the model has %d operations, want 26", len(want))
	}
	r := newRouter(t, budgets.Unimplemented{})
	if diff := cmp.Diff(want, r.Targets()); diff != "" {
		t.Fatalf("registered targets (-model +router):\n%s", diff)
	}
	for _, target := range want {
		op := strings.TrimPrefix(target, budgets.TargetPrefix+".")
		body, err := model.MinimalBody(op, samples)
		if err != nil {
			t.Fatal(err)
		}
		resp := r.Dispatch(context.Background(), target, body)
		if resp.Status != 501 || resp.Headers["X-Amzn-ErrorType"] != awsjson.NotImplementedException {
			t.Errorf("%s with %s: %d %s, want 501 NotImplementedException", op, body, resp.Status, resp.Body)
			continue
		}
		if !strings.Contains(string(resp.Body), "Tally does not implement "+op+" yet") {
			t.Errorf("%s: message %s does not name the operation", op, resp.Body)
		}
	}
}

func TestServiceDef(t *testing.T) {
	svc := budgets.ServiceDef(budgets.Unimplemented{})
	got := []string{svc.Name, svc.TargetPrefix, svc.SigningName, svc.ValidationError, svc.InternalError}
	want := []string{"Budgets", "AWSBudgetServiceGateway", "budgets", "InvalidParameterException", "InternalErrorException"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("service (-want +got):\n%s", diff)
	}
}

func TestErrorShapes(t *testing.T) {
	got := make(map[string]awsjson.ErrorShape)
	for _, s := range budgets.ErrorShapes() {
		got[s.Name] = s
	}
	for _, want := range []awsjson.ErrorShape{
		{Name: "AccessDeniedException", Status: 403, Fault: awsjson.FaultClient},
		{Name: "CreationLimitExceededException", Status: 405, Fault: awsjson.FaultClient},
		{Name: "DuplicateRecordException", Status: 409, Fault: awsjson.FaultClient},
		{Name: "InternalErrorException", Status: 500, Fault: awsjson.FaultServer},
		{Name: "ResourceLockedException", Status: 423, Fault: awsjson.FaultClient},
		{Name: "BillingViewHealthStatusException", Status: 400, Fault: awsjson.FaultClient},
	} {
		if diff := cmp.Diff(want, got[want.Name]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.Name, diff)
		}
	}
	if len(got) != 12 {
		t.Errorf("%d error shapes, want 12", len(got))
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want string
	}{
		{"valid", `{"AccountId":"123456789012","Budget":{"BudgetName":"Monthly","TimeUnit":"MONTHLY","BudgetType":"COST",` +
			`"BudgetLimit":{"Amount":"100","Unit":"USD"},"TimePeriod":{"Start":1.7040672E9,"End":3706473600}}}`, ""},
		{"hand-written budget name pattern and missing members",
			`{"Budget":{"BudgetName":"team:a","TimeUnit":"WEEKLY"}}`,
			"4 validation errors detected: Value null at 'accountId' failed to satisfy constraint: Member must not be null; " +
				`Value 'team:a' at 'budget.budgetName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$; ` +
				"Value 'WEEKLY' at 'budget.timeUnit' failed to satisfy constraint: Member must satisfy enum value set: [DAILY, MONTHLY, QUARTERLY, ANNUALLY, CUSTOM]; " +
				"Value null at 'budget.budgetType' failed to satisfy constraint: Member must not be null"},
		{"map of structures",
			`{"AccountId":"123456789012","Budget":{"BudgetName":"b","TimeUnit":"MONTHLY","BudgetType":"COST",` +
				`"PlannedBudgetLimits":{"1706745600":{"Amount":"x1","Unit":"USD"},"1704067200":{"Unit":"USD"}}}}`,
			"2 validation errors detected: Value null at 'budget.plannedBudgetLimits.1704067200.amount' failed to satisfy constraint: Member must not be null; " +
				"Value 'x1' at 'budget.plannedBudgetLimits.1706745600.amount' failed to satisfy constraint: Member must satisfy regular expression pattern: ([0-9]*\\.)?[0-9]+"},
		{"sensitive subscriber address is not echoed",
			`{"AccountId":"123456789012","BudgetName":"b","Notification":{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80},` +
				`"Subscriber":{"SubscriptionType":"EMAIL","Address":""}}`,
			"1 validation error detected: Value at 'subscriber.address' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"threshold range",
			`{"AccountId":"123456789012","BudgetName":"b","Notification":{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":-1},` +
				`"Subscriber":{"SubscriptionType":"EMAIL","Address":"a@example.com"}}`,
			"1 validation error detected: Value '-1' at 'notification.threshold' failed to satisfy constraint: Member must have value greater than or equal to 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRouter(t, budgets.Unimplemented{})
			target := "AWSBudgetServiceGateway.CreateBudget"
			if strings.Contains(tc.body, "Subscriber") {
				target = "AWSBudgetServiceGateway.CreateSubscriber"
			}
			resp := r.Dispatch(context.Background(), target, []byte(tc.body))
			if tc.want == "" {
				if resp.Status != 501 {
					t.Errorf("Dispatch = %d %s, want 501 (valid input reaches the operation)", resp.Status, resp.Body)
				}
				return
			}
			var body struct {
				Type    string `json:"__type"`
				Message string
			}
			if err := json.Unmarshal(resp.Body, &body); err != nil {
				t.Fatal(err)
			}
			if resp.Status != 400 || body.Type != "InvalidParameterException" {
				t.Errorf("Dispatch = %d %s, want 400 InvalidParameterException", resp.Status, body.Type)
			}
			if body.Message != tc.want {
				t.Errorf("message:\n got %s\nwant %s", body.Message, tc.want)
			}
		})
	}
}

func TestEpochTimeMembers(t *testing.T) {
	var in budgets.CreateBudgetRequest
	body := `{"AccountId":"123456789012","Budget":{"BudgetName":"b","TimeUnit":"MONTHLY","BudgetType":"COST",` +
		`"TimePeriod":{"Start":1704067200.5,"End":3.7064736E9}}}`
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	tp := in.Budget.TimePeriod
	if !tp.Start.Time().Equal(time.Unix(1704067200, 5e8)) || !tp.End.Time().Equal(time.Date(2087, 6, 15, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("TimePeriod = %v – %v", tp.Start, tp.End)
	}
	out, err := json.Marshal(budgets.TimePeriod{Start: tp.Start, End: tp.End})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"Start":1704067200.5,"End":3706473600}`, string(out)); diff != "" {
		t.Errorf("marshal (-want +got):\n%s", diff)
	}
}

func TestEmptyOutputs(t *testing.T) {
	out, err := json.Marshal(budgets.CreateBudgetResponse{})
	if err != nil || string(out) != "{}" {
		t.Errorf("CreateBudgetResponse = %s, %v; want {}", out, err)
	}
}
