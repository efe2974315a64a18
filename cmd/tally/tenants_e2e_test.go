package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// rawCall sends body to target signed with key/secret, as the SDKs do, and
// returns the status, the error type (if any) and the body.
func rawCall(t *testing.T, inst *instance, key, secret, target, body string) (int, string, string) {
	t.Helper()
	service := "ce"
	if strings.HasPrefix(target, "AWSBudgetServiceGateway.") {
		service = "budgets"
	}
	req, err := http.NewRequest(http.MethodPost, inst.url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", target)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req,
		hex.EncodeToString(sum[:]), service, "eu-west-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), string(b)
}

// tenantsOf returns the usage accounts of each payer in the store, as the
// test key sees them.
func tenantsOf(t *testing.T, inst *instance) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, payer := range payersIn(t, inst) {
		_, _, body := rawCall(t, inst, "test", "test", "AWSInsightsIndexService.GetDimensionValues",
			`{"TimePeriod":{"Start":"2018-10-01","End":"2019-01-01"},"Dimension":"LINKED_ACCOUNT",
			"Filter":{"Dimensions":{"Key":"PAYER_ACCOUNT","Values":["`+payer+`"]}}}`)
		var v struct{ DimensionValues []struct{ Value string } }
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("GetDimensionValues: %s", body)
		}
		for _, d := range v.DimensionValues {
			out[payer] = append(out[payer], d.Value)
		}
	}
	return out
}

func payersIn(t *testing.T, inst *instance) []string {
	t.Helper()
	_, _, body := rawCall(t, inst, "test", "test", "AWSInsightsIndexService.GetDimensionValues",
		`{"TimePeriod":{"Start":"2018-10-01","End":"2019-01-01"},"Dimension":"PAYER_ACCOUNT"}`)
	var v struct{ DimensionValues []struct{ Value string } }
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("GetDimensionValues: %s", body)
	}
	var out []string
	for _, d := range v.DimensionValues {
		out = append(out, d.Value)
	}
	return out
}

var accountIDs = regexp.MustCompile(`\d{12}`)

// TestCrossTenantMatrix calls every implemented operation of both services
// as a payer, its member, another payer's member and an account in no data,
// over a store holding two organisations, and checks that no caller reads
// or changes anything of another: Cost Explorer answers name no account the
// caller may not see, and every Budgets operation on the first payer's
// account is AccessDeniedException for everyone else and leaves its budget
// as it was (issue 11, "Keep it fixed").
func TestCrossTenantMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("ingests the Workshop files and a generated organisation")
	}
	files := workshop(t)
	synthDir := t.TempDir()
	if _, errOut, err := runGen("--out", synthDir, "--accounts", "3", "--rows", "3000", "--seed", "11",
		"--start", "2018-10-01", "--end", "2019-01-01"); err != nil {
		t.Fatalf("generate: %v\n%s", err, errOut)
	}
	data := t.TempDir()
	now := &serveHooks{now: func() time.Time { return fixedNow }}
	first, stop := launch(t, data, now, "--profile", "unlimited")
	first.ingest(t, files...)
	first.ingest(t, synthDir)
	tenants := tenantsOf(t, first)
	stop()

	payerA := payerAccount
	var payerB string
	for p := range tenants {
		if p != payerA {
			payerB = p
		}
	}
	memberA := memberAccount
	var memberB string
	for _, a := range tenants[payerB] {
		if a != payerB {
			memberB = a
		}
	}
	const outsider = "999999999999"
	if len(tenants) != 2 || !slices.Contains(tenants[payerA], memberA) || memberB == "" {
		t.Fatalf("want two organisations with members, got %v", tenants)
	}
	creds := filepath.Join(t.TempDir(), "credentials.csv")
	if err := os.WriteFile(creds, []byte("access_key_id,secret_access_key,account_id\n"+
		"PAYERA,a-secret,"+payerA+"\nMEMBERA,ma-secret,"+memberA+"\nMEMBERB,mb-secret,"+memberB+
		"\nOUTSIDER,o-secret,"+outsider+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	now = &serveHooks{now: func() time.Time { return fixedNow }}
	inst, _ := launch(t, data, now, "--profile", "unlimited", "--credentials", creds)

	// The first payer's budget, with a notification, a subscriber and a tag.
	notification := `{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":80}`
	subscriber := `{"SubscriptionType":"EMAIL","Address":"ops@example.com"}`
	budget := func(name, limit string) string {
		return `{"BudgetName":"` + name + `","BudgetType":"COST","TimeUnit":"MONTHLY","BudgetLimit":{"Amount":"` + limit + `","Unit":"USD"}}`
	}
	arn := "arn:aws:budgets::" + payerA + ":budget/mine"
	if status, _, body := rawCall(t, inst, "PAYERA", "a-secret", "AWSBudgetServiceGateway.CreateBudget",
		`{"AccountId":"`+payerA+`","Budget":`+budget("mine", "100")+`,"NotificationsWithSubscribers":[{"Notification":`+notification+
			`,"Subscribers":[`+subscriber+`]}],"ResourceTags":[{"Key":"team","Value":"a"}]}`); status != http.StatusOK {
		t.Fatalf("CreateBudget: %d %s", status, body)
	}
	describe := func() string {
		_, _, body := rawCall(t, inst, "PAYERA", "a-secret", "AWSBudgetServiceGateway.DescribeBudget",
			`{"AccountId":"`+payerA+`","BudgetName":"mine"}`)
		return body
	}
	// An action on it, and a cost category of the same payer.
	status, _, body := rawCall(t, inst, "PAYERA", "a-secret", "AWSBudgetServiceGateway.CreateBudgetAction",
		`{"AccountId":"`+payerA+`","BudgetName":"mine","NotificationType":"ACTUAL","ActionType":"APPLY_IAM_POLICY",`+
			`"ActionThreshold":{"ActionThresholdValue":100,"ActionThresholdType":"PERCENTAGE"},`+
			`"Definition":{"IamActionDefinition":{"PolicyArn":"arn:aws:iam::`+payerA+`:policy/deny","Groups":["developers"]}},`+
			`"ExecutionRoleArn":"arn:aws:iam::`+payerA+`:role/actions","ApprovalModel":"MANUAL",`+
			`"Subscribers":[`+subscriber+`]}`)
	var action struct{ ActionId string }
	if err := json.Unmarshal([]byte(body), &action); status != http.StatusOK || err != nil || action.ActionId == "" {
		t.Fatalf("CreateBudgetAction: %d %s", status, body)
	}
	status, _, body = rawCall(t, inst, "PAYERA", "a-secret", "AWSInsightsIndexService.CreateCostCategoryDefinition",
		`{"Name":"Owner","RuleVersion":"CostCategoryExpression.v1","DefaultValue":"nobody",`+
			`"Rules":[{"Value":"a","Rule":{"Dimensions":{"Key":"LINKED_ACCOUNT","Values":["`+memberA+`"]}}}],`+
			`"EffectiveStart":"2018-10-01T00:00:00Z","ResourceTags":[{"Key":"team","Value":"a"}]}`)
	var category struct{ CostCategoryArn string }
	if err := json.Unmarshal([]byte(body), &category); status != http.StatusOK || err != nil || category.CostCategoryArn == "" {
		t.Fatalf("CreateCostCategoryDefinition: %d %s", status, body)
	}
	ccArn := category.CostCategoryArn
	describeCategory := func() string {
		_, _, body := rawCall(t, inst, "PAYERA", "a-secret", "AWSInsightsIndexService.DescribeCostCategoryDefinition",
			`{"CostCategoryArn":"`+ccArn+`"}`)
		return body
	}
	before, beforeCategory := describe(), describeCategory()

	a := `"AccountId":"` + payerA + `","BudgetName":"mine"`
	budgetOps := []struct{ op, body string }{
		{"DescribeBudgets", `{"AccountId":"` + payerA + `"}`},
		{"DescribeBudget", `{` + a + `}`},
		{"DescribeBudgetPerformanceHistory", `{` + a + `}`},
		{"DescribeNotificationsForBudget", `{` + a + `}`},
		{"DescribeSubscribersForNotification", `{` + a + `,"Notification":` + notification + `}`},
		{"DescribeBudgetNotificationsForAccount", `{"AccountId":"` + payerA + `"}`},
		{"DescribeBudgetActionsForAccount", `{"AccountId":"` + payerA + `"}`},
		{"DescribeBudgetActionsForBudget", `{` + a + `}`},
		{"ListTagsForResource", `{"ResourceARN":"` + arn + `"}`},
		{"CreateBudget", `{"AccountId":"` + payerA + `","Budget":` + budget("intruder", "1") + `}`},
		{"UpdateBudget", `{"AccountId":"` + payerA + `","NewBudget":` + budget("mine", "1") + `}`},
		{"CreateNotification", `{` + a + `,"Notification":{"NotificationType":"FORECASTED","ComparisonOperator":"GREATER_THAN","Threshold":50},"Subscribers":[` + subscriber + `]}`},
		{"UpdateNotification", `{` + a + `,"OldNotification":` + notification + `,"NewNotification":{"NotificationType":"ACTUAL","ComparisonOperator":"GREATER_THAN","Threshold":99}}`},
		{"CreateSubscriber", `{` + a + `,"Notification":` + notification + `,"Subscriber":{"SubscriptionType":"EMAIL","Address":"evil@example.com"}}`},
		{"UpdateSubscriber", `{` + a + `,"Notification":` + notification + `,"OldSubscriber":` + subscriber + `,"NewSubscriber":{"SubscriptionType":"EMAIL","Address":"evil@example.com"}}`},
		{"DeleteSubscriber", `{` + a + `,"Notification":` + notification + `,"Subscriber":` + subscriber + `}`},
		{"DeleteNotification", `{` + a + `,"Notification":` + notification + `}`},
		{"TagResource", `{"ResourceARN":"` + arn + `","ResourceTags":[{"Key":"team","Value":"evil"}]}`},
		{"DescribeBudgetAction", `{` + a + `,"ActionId":"` + action.ActionId + `"}`},
		{"DescribeBudgetActionHistories", `{` + a + `,"ActionId":"` + action.ActionId + `"}`},
		{"ExecuteBudgetAction", `{` + a + `,"ActionId":"` + action.ActionId + `","ExecutionType":"APPROVE_BUDGET_ACTION"}`},
		{"UpdateBudgetAction", `{` + a + `,"ActionId":"` + action.ActionId + `","ApprovalModel":"AUTOMATIC"}`},
		{"DeleteBudgetAction", `{` + a + `,"ActionId":"` + action.ActionId + `"}`},
		{"CreateBudgetAction", `{` + a + `,"NotificationType":"ACTUAL","ActionType":"APPLY_IAM_POLICY",` +
			`"ActionThreshold":{"ActionThresholdValue":1,"ActionThresholdType":"PERCENTAGE"},` +
			`"Definition":{"IamActionDefinition":{"PolicyArn":"arn:aws:iam::` + payerA + `:policy/evil","Groups":["developers"]}},` +
			`"ExecutionRoleArn":"arn:aws:iam::` + payerA + `:role/actions","ApprovalModel":"AUTOMATIC","Subscribers":[` + subscriber + `]}`},
		{"UntagResource", `{"ResourceARN":"` + arn + `","ResourceTagKeys":["team"]}`},
		{"DeleteBudget", `{` + a + `}`},
	}
	period := `"TimePeriod":{"Start":"2018-10-01","End":"2019-01-01"}`
	ceOps := []struct{ op, body string }{
		{"GetCostAndUsage", `{` + period + `,"Granularity":"MONTHLY","Metrics":["UnblendedCost"],"GroupBy":[{"Type":"DIMENSION","Key":"LINKED_ACCOUNT"}]}`},
		{"GetCostAndUsageWithResources", `{"TimePeriod":{"Start":"2018-12-01","End":"2018-12-15"},"Granularity":"DAILY","Metrics":["UnblendedCost"],` +
			`"Filter":{"Dimensions":{"Key":"SERVICE","Values":["Amazon Elastic Compute Cloud - Compute","Amazon Simple Storage Service"]}},` +
			`"GroupBy":[{"Type":"DIMENSION","Key":"RESOURCE_ID"}]}`},
		{"GetDimensionValues", `{` + period + `,"Dimension":"LINKED_ACCOUNT"}`},
		{"GetDimensionValues", `{` + period + `,"Dimension":"PAYER_ACCOUNT"}`},
		{"GetTags", `{` + period + `}`},
		{"GetCostCategories", `{` + period + `}`},
		{"GetCostForecast", `{"TimePeriod":{"Start":"2019-01-16","End":"2019-02-01"},"Metric":"UNBLENDED_COST","Granularity":"MONTHLY"}`},
		{"GetUsageForecast", `{"TimePeriod":{"Start":"2019-01-16","End":"2019-02-01"},"Metric":"USAGE_QUANTITY","Granularity":"MONTHLY",` +
			`"Filter":{"Dimensions":{"Key":"USAGE_TYPE_GROUP","Values":["EC2: Running Hours"]}}}`},
		{"ListCostAllocationTags", `{}`},
		{"ListCostAllocationTagBackfillHistory", `{}`},
		{"ListCostCategoryDefinitions", `{}`},
	}
	// What only the category's payer may change: the others are refused
	// (their requests name its ARN, so their errors may too).
	categoryWrites := []struct{ op, body string }{
		{"UpdateCostCategoryDefinition", `{"CostCategoryArn":"` + ccArn + `","RuleVersion":"CostCategoryExpression.v1",` +
			`"Rules":[{"Value":"evil","Rule":{"Dimensions":{"Key":"LINKED_ACCOUNT","Values":["` + memberA + `"]}}}]}`},
		{"TagResource", `{"ResourceArn":"` + ccArn + `","ResourceTags":[{"Key":"team","Value":"evil"}]}`},
		{"UntagResource", `{"ResourceArn":"` + ccArn + `","ResourceTagKeys":["team"]}`},
		{"DeleteCostCategoryDefinition", `{"CostCategoryArn":"` + ccArn + `"}`},
	}

	all := map[string]bool{outsider: true}
	for p, accts := range tenants {
		all[p] = true
		for _, acct := range accts {
			all[acct] = true
		}
	}
	for _, c := range []struct {
		key, secret string
		sees        []string // the accounts whose ids its answers may name
	}{
		{"PAYERA", "a-secret", append([]string{payerA}, tenants[payerA]...)},
		{"MEMBERA", "ma-secret", []string{memberA, payerA}},
		{"MEMBERB", "mb-secret", []string{memberB, payerB}},
		{"OUTSIDER", "o-secret", []string{outsider}},
	} {
		t.Run(c.key, func(t *testing.T) {
			for _, op := range ceOps {
				status, errType, body := rawCall(t, inst, c.key, c.secret, "AWSInsightsIndexService."+op.op, op.body)
				if status != http.StatusOK && (c.key == "PAYERA" || status >= 500) {
					t.Errorf("%s: %d %s", op.op, status, body) // the payer's requests are valid
				}
				for _, id := range accountIDs.FindAllString(body, -1) {
					if all[id] && !slices.Contains(c.sees, id) {
						t.Errorf("%s (%d %s) names account %s, which %s may not see", op.op, status, errType, id, c.key)
					}
				}
			}
			// The oracle above sees ids: each caller's accounts are those
			// it may see.
			_, _, body := rawCall(t, inst, c.key, c.secret, "AWSInsightsIndexService.GetDimensionValues", `{`+period+`,"Dimension":"LINKED_ACCOUNT"}`)
			var got []string
			for _, id := range accountIDs.FindAllString(body, -1) {
				if !slices.Contains(got, id) {
					got = append(got, id)
				}
			}
			want := map[string][]string{"PAYERA": tenants[payerA], "MEMBERA": {memberA}, "MEMBERB": {memberB}}[c.key]
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s sees the accounts %v, want %v", c.key, got, want)
			}
			if c.key == "PAYERA" {
				return
			}
			for _, op := range categoryWrites {
				status, errType, body := rawCall(t, inst, c.key, c.secret, "AWSInsightsIndexService."+op.op, op.body)
				if errType != "AccessDeniedException" && errType != "ResourceNotFoundException" {
					t.Errorf("%s on the cost category of %s: %d %s, want AccessDenied or ResourceNotFound: %s", op.op, payerA, status, errType, body)
				}
			}
			for _, op := range budgetOps {
				status, errType, body := rawCall(t, inst, c.key, c.secret, "AWSBudgetServiceGateway."+op.op, op.body)
				if errType != "AccessDeniedException" {
					t.Errorf("%s on the budgets of %s: %d %s, want AccessDeniedException: %s", op.op, payerA, status, errType, body)
				}
			}
		})
	}
	if after := describeCategory(); after != beforeCategory {
		t.Errorf("the first payer's cost category changed:\nbefore %s\nafter  %s", beforeCategory, after)
	}
	if after := describe(); after != before {
		t.Errorf("the first payer's budget changed:\nbefore %s\nafter  %s", before, after)
	}
	status, _, body = rawCall(t, inst, "PAYERA", "a-secret", "AWSBudgetServiceGateway.DescribeBudgets", `{"AccountId":"`+payerA+`"}`)
	if status != http.StatusOK || strings.Contains(body, "intruder") {
		t.Errorf("the first payer's budgets: %d %s", status, body)
	}
	_, _, body = rawCall(t, inst, "PAYERA", "a-secret", "AWSBudgetServiceGateway.ListTagsForResource", `{"ResourceARN":"`+arn+`"}`)
	if !strings.Contains(body, `"a"`) {
		t.Errorf("the first payer's budget tags: %s", body)
	}
	t.Logf("%d Cost Explorer and %d Budgets calls for each of 4 callers over payers %s and %s", len(ceOps)+len(categoryWrites), len(budgetOps), payerA, payerB)
}
