package mcp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
)

// fakeCE answers GetCostAndUsage with the caller it saw, so tests can check
// what reaches the service.
type fakeCE struct{ costexplorer.Unimplemented }

func (fakeCE) GetCostAndUsage(ctx context.Context, in *costexplorer.GetCostAndUsageRequest) (*costexplorer.GetCostAndUsageResponse, error) {
	a, _ := auth.Caller(ctx)
	return &costexplorer.GetCostAndUsageResponse{NextPageToken: &a.AccountID, GroupDefinitions: in.GroupBy}, nil
}

func testConfig() Config {
	return Config{CostExplorer: fakeCE{}, Budgets: budgets.Unimplemented{}, Version: "test"}
}

func connect(t *testing.T, tr sdk.Transport) *sdk.ClientSession {
	t.Helper()
	c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

func inMemory(t *testing.T, fixed *auth.Account) *sdk.ClientSession {
	t.Helper()
	st, ct := sdk.NewInMemoryTransports()
	ss, err := NewServer(testConfig(), fixed).Connect(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	return connect(t, ct)
}

// call runs a tool and returns its text, or its error text with isError.
func call(t *testing.T, cs *sdk.ClientSession, tool string, args string) (text string, isError bool) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &sdk.CallToolParams{Name: tool, Arguments: json.RawMessage(args)})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	return res.Content[0].(*sdk.TextContent).Text, res.IsError
}

func TestListTools(t *testing.T) {
	cs := inMemory(t, &auth.Account{AccountID: "111111111111"})
	res, err := cs.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		if tool.Description == "" || tool.InputSchema == nil {
			t.Errorf("%s: no description or schema", tool.Name)
		}
	}
	want := []string{"describe_budgets", "get_cost_and_usage", "get_cost_categories", "get_cost_forecast",
		"get_dimension_values", "get_tags", "get_usage_forecast", "list_cost_allocation_tags"}
	slices.Sort(names)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("tools (-want +got):\n%s", diff)
	}
	// The schema lists enums and the recursive filter.
	var schema string
	for _, tool := range res.Tools {
		if tool.Name == "get_cost_and_usage" {
			b, _ := json.Marshal(tool.InputSchema)
			schema = string(b)
		}
	}
	for _, want := range []string{`"MONTHLY"`, `"$defs":{"Expression"`, `"$ref":"#/$defs/Expression"`, `"required":["TimePeriod","Granularity","Metrics"]`, `"LINKED_ACCOUNT"`} {
		if !strings.Contains(schema, want) {
			t.Errorf("get_cost_and_usage schema lacks %s:\n%s", want, schema)
		}
	}
}

func TestCallTool(t *testing.T) {
	cs := inMemory(t, &auth.Account{AccountID: "111111111111"})
	for _, tc := range []struct {
		name, tool, args string
		isError          bool
		want             string
	}{
		{"acts for the fixed account", "get_cost_and_usage",
			`{"TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"}, "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"],
			  "GroupBy": [{"Type": "DIMENSION", "Key": "SERVICE"}],
			  "Filter": {"And": [{"Dimensions": {"Key": "SERVICE", "Values": ["x"]}}, {"Not": {"Tags": {"Key": "team", "Values": ["a"]}}}]}}`,
			false, `"NextPageToken":"111111111111"`},
		{"schema: unknown member", "get_cost_and_usage",
			`{"TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"}, "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"], "Bogus": 1}`,
			true, "Bogus"},
		{"schema: bad enum", "get_cost_and_usage",
			`{"TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"}, "Granularity": "WEEKLY", "Metrics": ["UnblendedCost"]}`,
			true, "WEEKLY"},
		{"schema: bad filter operand", "get_cost_and_usage",
			`{"TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"}, "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"], "Filter": {"Or": [{"Nope": {}}]}}`,
			true, "Nope"},
		{"model validation", "get_dimension_values",
			`{"TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"}, "Dimension": "SERVICE", "SearchString": "` + strings.Repeat("x", 1025) + `"}`,
			true, "ValidationException"},
		{"service error", "get_tags", `{"TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"}}`, true, "NotImplementedException"},
		{"budgets error names the budgets exception", "describe_budgets", `{}`, true, "NotImplementedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, isError := call(t, cs, tc.tool, tc.args)
			if isError != tc.isError || !strings.Contains(text, tc.want) {
				t.Errorf("isError %v, text %s; want isError %v and %q", isError, text, tc.isError, tc.want)
			}
		})
	}
}

// TestHandlerAuth checks /mcp's bearer tokens: a key's secret, never
// another's, and the account of the key in the tools.
func TestHandlerAuth(t *testing.T) {
	keys, err := auth.Parse(strings.NewReader("access_key_id,secret_access_key,account_id\nAKIAMEMBER,member-secret,011254002932\n"))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(Handler(testConfig(), keys))
	t.Cleanup(ts.Close)
	for _, tc := range []struct {
		name, header string
		ok           bool
	}{
		{"key and secret", "Bearer AKIAMEMBER:member-secret", true},
		{"wrong secret", "Bearer AKIAMEMBER:other", false},
		{"unknown key", "Bearer AKIAOTHER:member-secret", false},
		{"no secret", "Bearer AKIAMEMBER", false},
		{"none", "", false},
		{"test key without test keys", "Bearer test:test", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sdk.NewClient(&sdk.Implementation{Name: "test", Version: "1"}, nil)
			tr := &sdk.StreamableClientTransport{Endpoint: ts.URL, MaxRetries: -1,
				HTTPClient: &http.Client{Transport: headerTransport{"Authorization", tc.header}}}
			cs, err := c.Connect(context.Background(), tr, nil)
			if !tc.ok {
				if err == nil {
					cs.Close()
					t.Fatal("connected")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			text, isError := call(t, cs, "get_cost_and_usage",
				`{"TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"}, "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"]}`)
			if isError || !strings.Contains(text, `"NextPageToken":"011254002932"`) {
				t.Errorf("isError %v, text %s", isError, text)
			}
		})
	}
}

// headerTransport sets one header on every request.
type headerTransport struct{ name, value string }

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if h.value != "" {
		r.Header.Set(h.name, h.value)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestHandlerTestKeys checks that with the built-in test keys (loopback
// only) a client without Authorization acts as the test key.
func TestHandlerTestKeys(t *testing.T) {
	ts := httptest.NewServer(Handler(testConfig(), auth.TestKeys()))
	t.Cleanup(ts.Close)
	cs := connect(t, &sdk.StreamableClientTransport{Endpoint: ts.URL, MaxRetries: -1})
	text, isError := call(t, cs, "get_cost_and_usage",
		`{"TimePeriod": {"Start": "2024-01-01", "End": "2024-02-01"}, "Granularity": "MONTHLY", "Metrics": ["UnblendedCost"]}`)
	if isError || !strings.Contains(text, `"NextPageToken":"`+auth.TestAccountID+`"`) {
		t.Errorf("isError %v, text %s", isError, text)
	}
}

// TestHandlerClose checks that a graceful shutdown does not wait for a
// client's open event stream.
func TestHandlerClose(t *testing.T) {
	h := Handler(testConfig(), auth.TestKeys())
	ts := httptest.NewUnstartedServer(h)
	ts.Config.RegisterOnShutdown(h.Close)
	ts.Start()
	t.Cleanup(ts.Close)
	cs := connect(t, &sdk.StreamableClientTransport{Endpoint: ts.URL, MaxRetries: -1})
	if _, err := cs.ListTools(context.Background(), nil); err != nil { // the stream is open by now
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := ts.Config.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown with a client connected: %v", err)
	}
}
