package awsjson_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
)

// FuzzDispatch sends arbitrary targets and bodies to both real services and
// checks that every answer is a success or a well-formed error envelope, and
// never an internal error: bad input must be reported as the client's fault.
// The seed corpus is in testdata/fuzz/FuzzDispatch.
func FuzzDispatch(f *testing.F) {
	r, err := awsjson.NewRouter([]awsjson.Service{
		costexplorer.ServiceDef(costexplorer.Unimplemented{}),
		budgets.ServiceDef(budgets.Unimplemented{}),
	}, awsjson.WithMaxBodyBytes(64<<10))
	if err != nil {
		f.Fatal(err)
	}
	f.Add("AWSInsightsIndexService.GetCostAndUsage", []byte(`{"TimePeriod":{"Start":"2024-01-01","End":"2024-02-01"},"Granularity":"DAILY","Metrics":["UnblendedCost"]}`))
	f.Add("AWSBudgetServiceGateway.DescribeBudgets", []byte(`{"AccountId":"123456789012","MaxResults":1001}`))
	f.Add("", []byte(``))
	f.Fuzz(func(t *testing.T, target string, body []byte) {
		resp := r.Dispatch(context.Background(), target, body)
		if resp.Headers["Content-Type"] != awsjson.ContentType {
			t.Errorf("Content-Type = %q", resp.Headers["Content-Type"])
		}
		if resp.Status == 200 {
			var out map[string]any
			if err := json.Unmarshal(resp.Body, &out); err != nil {
				t.Errorf("200 with a body that is not a JSON object: %s", resp.Body)
			}
			return
		}
		if resp.Status >= 500 && resp.Status != 501 {
			t.Errorf("status %d for target %q body %q: %s", resp.Status, target, body, resp.Body)
		}
		var env struct {
			Type    *string `json:"__type"`
			Message *string
		}
		if err := json.Unmarshal(resp.Body, &env); err != nil || env.Type == nil || env.Message == nil {
			t.Fatalf("malformed error envelope %s (err %v)", resp.Body, err)
		}
		if resp.Headers["X-Amzn-ErrorType"] != *env.Type {
			t.Errorf("X-Amzn-ErrorType %q differs from __type %q", resp.Headers["X-Amzn-ErrorType"], *env.Type)
		}
	})
}
