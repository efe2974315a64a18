package costexplorer_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/costexplorer"
)

// samples are valid values of the string shapes whose pattern "a" does not
// match, for building minimal inputs.
var samples = map[string]string{
	"AccountId":              "123456789012",
	"AnalysisId":             "00000000-0000-0000-0000-000000000000",
	"Arn":                    "arn:aws:ce::123456789012:costcategory/abc",
	"GenericArn":             "arn:aws:ce::123456789012:anomalymonitor/abc",
	"BillingViewArn":         "arn:aws:billing::123456789012:billingview/primary",
	"RecommendationDetailId": "00000000-0000-0000-0000-000000000000",
	"RecommendationId":       "00000000-0000-0000-0000-000000000000",
	"ResourceType":           "a:b",
	"SavingsPlansId":         "00000000-0000-0000-0000-000000000000",
	"SubscriberAddress":      "someone@example.com",
	"YearMonthDay":           "2024-01-01",
	"ZonedDateTime":          "2024-01-01T00:00:00Z",
}

func newRouter(t *testing.T, api costexplorer.API) *awsjson.Router {
	t.Helper()
	r, err := awsjson.NewRouter([]awsjson.Service{costexplorer.ServiceDef(api)}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEveryOperationIsRegistered(t *testing.T) {
	model := awsjsontest.LoadModel(t, awsjsontest.ModelPath(t, "ce-2017-10-25.service-2.json"))
	var want []string
	for name := range model.Operations {
		want = append(want, costexplorer.TargetPrefix+"."+name)
	}
	slices.Sort(want)
	if len(want) != 47 {
		t.Errorf("the model has %d operations, want 47", len(want))
	}
	r := newRouter(t, costexplorer.Unimplemented{})
	if diff := cmp.Diff(want, r.Targets()); diff != "" {
		t.Fatalf("registered targets (-model +router):\n%s", diff)
	}
	for _, target := range want {
		op := strings.TrimPrefix(target, costexplorer.TargetPrefix+".")
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

func TestModeledErrors(t *testing.T) {
	ops := costexplorer.Operations(costexplorer.Unimplemented{})
	i := slices.IndexFunc(ops, func(o awsjson.Operation) bool { return o.Name == "StartCostAllocationTagBackfill" })
	if i < 0 {
		t.Fatal("StartCostAllocationTagBackfill is not bound")
	}
	want := []string{"LimitExceededException", "BackfillLimitExceededException"}
	if diff := cmp.Diff(want, ops[i].Errors); diff != "" {
		t.Errorf("errors of StartCostAllocationTagBackfill (-want +got):\n%s", diff)
	}
}

func TestErrorShapes(t *testing.T) {
	got := make(map[string]awsjson.ErrorShape)
	for _, s := range costexplorer.ErrorShapes() {
		got[s.Name] = s
	}
	for _, want := range []awsjson.ErrorShape{
		{Name: "ResourceNotFoundException", Status: 404, Fault: awsjson.FaultClient, Extra: []string{"ResourceName"}},
		{Name: "ServiceQuotaExceededException", Status: 402, Fault: awsjson.FaultClient},
		{Name: "DataUnavailableException", Status: 400, Fault: awsjson.FaultClient},
		{Name: "UnknownMonitorException", Status: 404, Fault: awsjson.FaultClient},
		{Name: "BillingViewHealthStatusException", Status: 400, Fault: awsjson.FaultClient},
	} {
		if diff := cmp.Diff(want, got[want.Name]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", want.Name, diff)
		}
	}
	if len(got) != 15 {
		t.Errorf("%d error shapes, want 15", len(got))
	}
	e := costexplorer.NewResourceNotFoundException("gone")
	if e.Type != "ResourceNotFoundException" || e.Status != 404 || e.Message != "gone" {
		t.Errorf("NewResourceNotFoundException = %+v", e)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want string
	}{
		{"valid", `{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"]}`, ""},
		{"bad granularity and missing time period",
			`{"Granularity":"FOO","Metrics":["UnblendedCost"]}`,
			"2 validation errors detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null; " +
				"Value 'FOO' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]"},
		{"nested required and pattern",
			`{"TimePeriod":{"Start":"01/01/2024"},"Granularity":"DAILY","Metrics":["UnblendedCost"]}`,
			"2 validation errors detected: Value '01/01/2024' at 'timePeriod.start' failed to satisfy constraint: " +
				`Member must satisfy regular expression pattern: (\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}:\d{2}Z)?; ` +
				"Value null at 'timePeriod.end' failed to satisfy constraint: Member must not be null"},
		{"list item path",
			`{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},"Granularity":"DAILY","Metrics":["UnblendedCost"],` +
				`"GroupBy":[{"Type":"DIMENSION","Key":"SERVICE"},{"Type":"COLOR","Key":"x"}]}`,
			"1 validation error detected: Value 'COLOR' at 'groupBy.2.member.type' failed to satisfy constraint: " +
				"Member must satisfy enum value set: [DIMENSION, TAG, COST_CATEGORY]"},
		{"recursive expression",
			`{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},"Granularity":"DAILY","Metrics":["UnblendedCost"],` +
				`"Filter":{"Not":{"And":[{"Dimensions":{"Key":"NOPE"}}]}}}`,
			"1 validation error detected: Value 'NOPE' at 'filter.not.and.1.member.dimensions.key' failed to satisfy constraint: Member must satisfy enum value set: ["},
		{"length", `{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},"Granularity":"DAILY","Metrics":["UnblendedCost"],` +
			`"NextPageToken":"` + strings.Repeat("t", 8193) + `"}`,
			"1 validation error detected: Value '" + strings.Repeat("t", 8193) + "' at 'nextPageToken' failed to satisfy constraint: " +
				"Member must have length less than or equal to 8192"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in costexplorer.GetCostAndUsageRequest
			if err := json.Unmarshal([]byte(tc.body), &in); err != nil {
				t.Fatal(err)
			}
			got := ""
			if err := in.Validate(); err != nil {
				got = err.Error()
			}
			if tc.want == "" || !strings.HasSuffix(tc.want, "[") {
				if got != tc.want {
					t.Errorf("Validate:\n got %s\nwant %s", got, tc.want)
				}
			} else if !strings.HasPrefix(got, tc.want) {
				t.Errorf("Validate:\n got %s\nwant prefix %s", got, tc.want)
			}
		})
	}
}

func TestValidateRangesAndListSizes(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   awsjson.Validator
		want string
	}{
		{"range", &costexplorer.GetCostForecastRequest{
			TimePeriod:              &costexplorer.DateInterval{Start: ptr("2024-01-01"), End: ptr("2024-02-01")},
			Metric:                  ptr(costexplorer.MetricUnblendedCost),
			Granularity:             ptr(costexplorer.GranularityMonthly),
			PredictionIntervalLevel: ptr(int32(50)),
		}, "1 validation error detected: Value '50' at 'predictionIntervalLevel' failed to satisfy constraint: Member must have value greater than or equal to 51"},
		{"list too long", &costexplorer.UpdateCostAllocationTagsStatusRequest{
			CostAllocationTagsStatus: slices.Repeat([]costexplorer.CostAllocationTagStatusEntry{{TagKey: ptr("k"), Status: ptr(costexplorer.CostAllocationTagStatusActive)}}, 21),
		}, "1 validation error detected: Value '[" + strings.TrimSuffix(strings.Repeat(`{"TagKey":"k","Status":"Active"}, `, 21), ", ") +
			"]' at 'costAllocationTagsStatus' failed to satisfy constraint: Member must have length less than or equal to 20"},
		{"list too short", &costexplorer.UpdateCostAllocationTagsStatusRequest{
			CostAllocationTagsStatus: []costexplorer.CostAllocationTagStatusEntry{},
		}, "1 validation error detected: Value '[]' at 'costAllocationTagsStatus' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"valid ARN", &costexplorer.DescribeCostCategoryDefinitionRequest{CostCategoryArn: ptr("arn:aws:ce::123456789012:costcategory/abc")}, ""},
		{"hand-written pattern", &costexplorer.CreateCostCategoryDefinitionRequest{
			Name:        ptr(" Team"),
			RuleVersion: ptr(costexplorer.CostCategoryRuleVersionCostCategoryExpressionV1),
			Rules:       []costexplorer.CostCategoryRule{{Value: ptr("v")}},
		}, "1 validation error detected: Value ' Team' at 'name' failed to satisfy constraint: " +
			`Member must satisfy regular expression pattern: ^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := tc.in.Validate(); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("Validate:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestDispatchValidationException(t *testing.T) {
	r := newRouter(t, costexplorer.Unimplemented{})
	resp := r.Dispatch(context.Background(), "AWSInsightsIndexService.GetCostAndUsage", []byte(`{"Granularity":"FOO","Metrics":["BlendedCost"]}`))
	want := `{"Message":"2 validation errors detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null; ` +
		`Value 'FOO' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]",` +
		`"__type":"ValidationException"}`
	if resp.Status != 400 || string(resp.Body) != want {
		t.Errorf("Dispatch = %d %s\nwant 400 %s", resp.Status, resp.Body, want)
	}
	resp = r.Dispatch(context.Background(), "AWSInsightsIndexService.GetCostAndUsage", []byte(`{"Granularity":"DAILY","Metrix":[]}`))
	if resp.Status != 400 || resp.Headers["X-Amzn-ErrorType"] != "SerializationException" || !strings.Contains(string(resp.Body), "Metrix") {
		t.Errorf("unknown member: %d %s", resp.Status, resp.Body)
	}
}

func TestOutputMarshalling(t *testing.T) {
	out := costexplorer.GetCostAndUsageResponse{
		ResultsByTime: []costexplorer.ResultByTime{{
			TimePeriod: &costexplorer.DateInterval{Start: ptr("2024-01-01"), End: ptr("2024-02-01")},
			Total:      map[string]costexplorer.MetricValue{"UnblendedCost": {Amount: ptr("1.5"), Unit: ptr("USD")}},
			Groups:     []costexplorer.Group{},
			Estimated:  ptr(false),
		}},
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"ResultsByTime":[{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},` +
		`"Total":{"UnblendedCost":{"Amount":"1.5","Unit":"USD"}},"Groups":[],"Estimated":false}]}`
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("marshal (-want +got):\n%s", diff)
	}
}

func TestEnumValues(t *testing.T) {
	want := []costexplorer.Granularity{"DAILY", "MONTHLY", "HOURLY"}
	if diff := cmp.Diff(want, costexplorer.Granularity("").Values()); diff != "" {
		t.Errorf("Granularity values (-want +got):\n%s", diff)
	}
}

func TestUnimplementedError(t *testing.T) {
	_, err := costexplorer.Unimplemented{}.GetAnomalies(context.Background(), &costexplorer.GetAnomaliesRequest{})
	var ae *awsjson.Error
	if !errors.As(err, &ae) || ae.Type != awsjson.NotImplementedException || ae.Status != 501 {
		t.Errorf("GetAnomalies error = %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// BenchmarkDispatch measures the protocol layer's cost for a typical
// GetCostAndUsage request: routing, strict decoding, validation and the error
// rendering of an unimplemented operation.
func BenchmarkDispatch(b *testing.B) {
	r, err := awsjson.NewRouter([]awsjson.Service{costexplorer.ServiceDef(costexplorer.Unimplemented{})})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},"Granularity":"DAILY",` +
		`"Metrics":["UnblendedCost","UsageQuantity"],"GroupBy":[{"Type":"DIMENSION","Key":"SERVICE"},{"Type":"TAG","Key":"team"}],` +
		`"Filter":{"And":[{"Dimensions":{"Key":"REGION","Values":["us-east-1","eu-west-1"]}},{"Not":{"Tags":{"Key":"env","Values":["dev"]}}}]}}`)
	b.ReportAllocs()
	for b.Loop() {
		if resp := r.Dispatch(context.Background(), "AWSInsightsIndexService.GetCostAndUsage", body); resp.Status != 501 {
			b.Fatalf("status %d: %s", resp.Status, resp.Body)
		}
	}
}
