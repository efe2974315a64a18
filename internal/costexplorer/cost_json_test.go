package costexplorer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/profile"
)

// TestWireHandlersMatchTypedOperations: the handlers Service.ServiceDef
// serves GetCostAndUsage and GetCostAndUsageWithResources with write the
// bytes encoding/json writes for the typed operations' responses, page by
// page: account names, tag keys, totals, page tokens.
func TestWireHandlersMatchTypedOperations(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	ctx := auth.WithCaller(context.Background(), auth.Account{AccessKeyID: "test", AccountID: "111111111111", All: true})
	ops := map[string]func(context.Context, []byte) (any, error){}
	for _, op := range env.svc.ServiceDef().Operations {
		ops[op.Name] = op.Handle
	}
	for _, tc := range []struct{ name, op, body string }{
		{"total", "GetCostAndUsage", `{"TimePeriod":{"Start":"2024-10-01","End":"2024-12-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost","UsageQuantity"]}`},
		{"accounts", "GetCostAndUsage", `{"TimePeriod":{"Start":"2024-10-01","End":"2024-12-10"},"Granularity":"DAILY","Metrics":["BlendedCost"],` +
			`"GroupBy":[{"Type":"DIMENSION","Key":"LINKED_ACCOUNT"},{"Type":"TAG","Key":"Team"}]}`},
		{"empty groups", "GetCostAndUsage", `{"TimePeriod":{"Start":"2024-10-01","End":"2024-10-03"},"Granularity":"DAILY","Metrics":["UnblendedCost"],"GroupBy":[]}`},
		{"resources", "GetCostAndUsageWithResources", `{"TimePeriod":{"Start":"2024-12-01","End":"2024-12-10"},"Granularity":"DAILY","Metrics":["UnblendedCost"],` +
			`"Filter":{"Dimensions":{"Key":"SERVICE","Values":["AWS Lambda"]}},"GroupBy":[{"Type":"DIMENSION","Key":"LINKED_ACCOUNT"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ops[tc.op](ctx, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			got, ok := out.(awsjson.Encoded)
			if !ok {
				t.Fatalf("%s answers %T, not JSON written from the page", tc.op, out)
			}
			var typed any
			switch tc.op {
			case "GetCostAndUsage":
				var in costexplorer.GetCostAndUsageRequest
				if err := json.Unmarshal([]byte(tc.body), &in); err != nil {
					t.Fatal(err)
				}
				typed, err = env.svc.GetCostAndUsage(ctx, &in)
			default:
				var in costexplorer.GetCostAndUsageWithResourcesRequest
				if err := json.Unmarshal([]byte(tc.body), &in); err != nil {
					t.Fatal(err)
				}
				typed, err = env.svc.GetCostAndUsageWithResources(ctx, &in)
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(typed)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("wire handler:\n%s\ntyped operation:\n%s", got, want)
			}
			if !bytes.Contains(got, []byte(`"Amount":"`)) {
				t.Errorf("no amount in %s", got)
			}
		})
	}
}
