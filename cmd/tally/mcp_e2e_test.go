package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// mcpByService is the request both the AWS API and the MCP tool answer.
const mcpByService = `{"TimePeriod": {"Start": "2018-10-01", "End": "2018-11-01"}, "Granularity": "MONTHLY",
	"Metrics": ["AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost", "NormalizedUsageAmount", "UnblendedCost", "UsageQuantity"], "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}]}`

// TestMCP calls the MCP tools over streamable HTTP (/mcp, bearer key:secret)
// and over stdio (`tally mcp`, run as a child process) and checks their
// answers against the AWS API's for the same account: the payer sees every
// account it pays for, a member only its own.
func TestMCP(t *testing.T) {
	inst, stop := launch(t, t.TempDir(), &serveHooks{now: func() time.Time { return fixedNow }}, "--credentials", credentialsFile(t))
	inst.ingest(t, workshop(t)[0])
	ctx := context.Background()
	var in costexplorer.GetCostAndUsageInput
	if err := json.Unmarshal([]byte(mcpByService), &in); err != nil {
		t.Fatal(err)
	}
	apiAnswer := func(key, secret string) map[string]cell {
		return flatten(t, getAll(t, inst.ce(key, secret), &in), true)
	}
	payer, member := apiAnswer("AKIAPAYER", "payer-secret"), apiAnswer("AKIAMEMBER", "member-secret")
	if len(payer) == len(member) {
		t.Fatalf("the payer and the member see as many services (%d): the scoping check would prove nothing", len(payer))
	}
	_, err := inst.budgets("AKIAMEMBER", "member-secret").CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(memberAccount),
		Budget: &btypes.Budget{BudgetName: aws.String("mcp"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("1"), Unit: aws.String("USD")}},
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{
			Notification: &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 80},
			Subscribers:  []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("ops@example.com")}}}}})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("http", func(t *testing.T) {
		for _, tc := range []struct {
			key, secret string
			want        map[string]cell
			accounts    []string
		}{
			{"AKIAPAYER", "payer-secret", payer, []string{memberAccount, payerAccount}},
			{"AKIAMEMBER", "member-secret", member, []string{memberAccount}},
		} {
			t.Run(tc.key, func(t *testing.T) {
				cs := mcpConnect(t, &sdk.StreamableClientTransport{Endpoint: inst.url + "/mcp", MaxRetries: -1,
					HTTPClient: &http.Client{Transport: bearer(tc.key + ":" + tc.secret)}})
				compare(t, "get_cost_and_usage", tc.want, mcpCostAndUsage(t, cs))
				var dv struct{ DimensionValues []struct{ Value string } }
				mcpCall(t, cs, "get_dimension_values", `{"TimePeriod": {"Start": "2018-10-01", "End": "2018-11-01"}, "Dimension": "LINKED_ACCOUNT"}`, &dv)
				var accounts []string
				for _, v := range dv.DimensionValues {
					accounts = append(accounts, v.Value)
				}
				if diff := cmp.Diff(tc.accounts, accounts); diff != "" {
					t.Errorf("LINKED_ACCOUNT values (-want +got):\n%s", diff)
				}
			})
		}
		// The member's budget and its state, as the API reports them.
		cs := mcpConnect(t, &sdk.StreamableClientTransport{Endpoint: inst.url + "/mcp", MaxRetries: -1,
			HTTPClient: &http.Client{Transport: bearer("AKIAMEMBER:member-secret")}})
		var got struct {
			Budgets []struct {
				BudgetName      string
				CalculatedSpend struct{ ActualSpend struct{ Amount string } }
				Notifications   []struct{ Threshold float64 }
			}
		}
		mcpCall(t, cs, "describe_budgets", `{}`, &got)
		want, err := inst.budgets("AKIAMEMBER", "member-secret").DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String(memberAccount), BudgetName: aws.String("mcp")})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Budgets) != 1 || got.Budgets[0].BudgetName != "mcp" || len(got.Budgets[0].Notifications) != 1 ||
			got.Budgets[0].CalculatedSpend.ActualSpend.Amount != aws.ToString(want.Budget.CalculatedSpend.ActualSpend.Amount) {
			t.Errorf("describe_budgets: %+v, API's actual spend %s", got, aws.ToString(want.Budget.CalculatedSpend.ActualSpend.Amount))
		}
		// Failures are the API's exceptions, from the services' error tables.
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: "get_cost_and_usage", Arguments: json.RawMessage(
			`{"TimePeriod": {"Start": "2018-10-01", "End": "2018-11-01"}, "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"], "NextPageToken": "forged"}`)})
		if err != nil || !res.IsError || !strings.HasPrefix(res.Content[0].(*sdk.TextContent).Text, "InvalidNextTokenException: ") {
			t.Errorf("forged page token: %v %+v", err, res)
		}
		// Another account's budgets are refused as by the API.
		res, err = cs.CallTool(ctx, &sdk.CallToolParams{Name: "describe_budgets", Arguments: map[string]any{"AccountId": payerAccount}})
		if err != nil || !res.IsError || !strings.HasPrefix(res.Content[0].(*sdk.TextContent).Text, "AccessDeniedException: ") {
			t.Errorf("member asking for the payer's budgets: %v %+v", err, res)
		}
	})

	// The store admits one process: `tally mcp` points at the running
	// server's /mcp, and runs once it has stopped.
	var out strings.Builder
	if err := run(ctx, []string{"mcp", "--data", inst.data}, &out, &out); err == nil || !strings.Contains(err.Error(), inst.url+"/mcp") {
		t.Errorf("tally mcp beside a running server: %v, want it to name %s/mcp", err, inst.url)
	}
	stop()
	t.Run("stdio", func(t *testing.T) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMCPStdioChild$")
		cmd.Env = append(os.Environ(), "TALLY_MCP_CHILD=mcp --data "+inst.data+" --account "+memberAccount+" --profile unlimited")
		cmd.Stderr = os.Stderr
		cs := mcpConnect(t, &sdk.CommandTransport{Command: cmd})
		tools, err := cs.ListTools(ctx, nil)
		if err != nil || len(tools.Tools) == 0 {
			t.Fatalf("ListTools: %v %v", tools, err)
		}
		compare(t, "get_cost_and_usage over stdio", member, mcpCostAndUsage(t, cs))
	})
}

// TestMCPStdioChild is `tally mcp` with the arguments in $TALLY_MCP_CHILD,
// for TestMCP to run as a child process; it does nothing otherwise.
func TestMCPStdioChild(t *testing.T) {
	args := os.Getenv("TALLY_MCP_CHILD")
	if args == "" {
		t.Skip("run by TestMCP")
	}
	err := run(context.Background(), strings.Fields(args), os.Stdout, os.Stderr)
	if err != nil {
		os.Stderr.WriteString("tally mcp: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Exit(0)
}

func mcpConnect(t *testing.T, tr sdk.Transport) *sdk.ClientSession {
	t.Helper()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "tally-test", Version: "1"}, nil).Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// mcpCall calls a tool and decodes its structured answer into out.
func mcpCall(t *testing.T, cs *sdk.ClientSession, tool, args string, out any) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: tool, Arguments: json.RawMessage(args)})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if res.IsError {
		t.Fatalf("%s: %s", tool, res.Content[0].(*sdk.TextContent).Text)
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, b)
	}
}

// mcpCostAndUsage asks get_cost_and_usage for mcpByService, every page.
func mcpCostAndUsage(t *testing.T, cs *sdk.ClientSession) map[string]cell {
	t.Helper()
	var results []types.ResultByTime
	args := map[string]any{}
	json.Unmarshal([]byte(mcpByService), &args)
	for {
		b, _ := json.Marshal(args)
		var out costexplorer.GetCostAndUsageOutput
		mcpCall(t, cs, "get_cost_and_usage", string(b), &out)
		results = append(results, out.ResultsByTime...)
		if out.NextPageToken == nil {
			return flatten(t, results, true)
		}
		args["NextPageToken"] = *out.NextPageToken
	}
}

// bearer sends an Authorization bearer token with every request.
type bearer string

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+string(b))
	return http.DefaultTransport.RoundTrip(r)
}
