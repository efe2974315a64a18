package mcp

import (
	"context"
	"fmt"
	"reflect"
	"slices"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
)

// Descriptions of members that several tools share.
const (
	descTimePeriod  = "Start (inclusive) and End (exclusive) dates, YYYY-MM-DD; HOURLY takes YYYY-MM-DDThh:mm:ssZ."
	descFilter      = "Optional filter expression (see $defs.Expression)."
	descNextPage    = "Token from a previous answer's NextPageToken, to get the next page of the same request."
	descSearch      = "Optional text that values must contain."
	descGranularity = "Size of each time bucket."
)

// register adds every tool to s.
func (t *tools) register(s *sdk.Server) {
	ce, bu := t.cfg.CostExplorer, t.cfg.Budgets
	ceDef, buDef := costexplorer.ServiceDef(ce), budgets.ServiceDef(bu)
	addTool(t, s, &ceDef, "GetCostAndUsage", "get_cost_and_usage",
		"Cost and usage over a time period, per DAILY, MONTHLY or HOURLY bucket, optionally filtered and grouped by up to "+
			"two dimensions, tag keys or cost categories (AWS Cost Explorer GetCostAndUsage). Without GroupBy each bucket has Total; "+
			"with GroupBy, Groups keyed by value (tags and categories as Key$Value).",
		[]string{"TimePeriod", "Granularity", "Metrics"}, map[string]string{
			"TimePeriod":    descTimePeriod,
			"Granularity":   descGranularity,
			"Metrics":       "One or more of UnblendedCost, BlendedCost, AmortizedCost, NetUnblendedCost, NetAmortizedCost, UsageQuantity, NormalizedUsageAmount.",
			"GroupBy":       `Up to two groupings, e.g. [{"Type": "DIMENSION", "Key": "SERVICE"}] or [{"Type": "TAG", "Key": "team"}]. DIMENSION keys: AZ, INSTANCE_TYPE, LEGAL_ENTITY_NAME, INVOICING_ENTITY, LINKED_ACCOUNT, OPERATION, PLATFORM, PURCHASE_TYPE, SERVICE, TENANCY, RECORD_TYPE, USAGE_TYPE.`,
			"Filter":        descFilter,
			"NextPageToken": descNextPage,
		}, ce.GetCostAndUsage)
	addTool(t, s, &ceDef, "GetDimensionValues", "get_dimension_values",
		"The values of one dimension (SERVICE, LINKED_ACCOUNT, REGION, USAGE_TYPE, …) that have cost in a time period, "+
			"for filters and group-bys (AWS Cost Explorer GetDimensionValues).",
		[]string{"TimePeriod", "Dimension"}, map[string]string{
			"TimePeriod":    descTimePeriod,
			"Dimension":     "The dimension whose values to list.",
			"SearchString":  descSearch,
			"Filter":        descFilter,
			"NextPageToken": descNextPage,
		}, ce.GetDimensionValues)
	addTool(t, s, &ceDef, "GetTags", "get_tags",
		"Cost allocation tag keys in a time period, or the values of one key when TagKey is given (AWS Cost Explorer GetTags).",
		[]string{"TimePeriod"}, map[string]string{
			"TimePeriod":    descTimePeriod,
			"TagKey":        "A tag key whose values to list; without it, the keys are listed.",
			"SearchString":  descSearch,
			"Filter":        descFilter,
			"NextPageToken": descNextPage,
		}, ce.GetTags)
	addTool(t, s, &ceDef, "GetCostCategories", "get_cost_categories",
		"Cost category names in a time period, or the values of one category when CostCategoryName is given (AWS Cost Explorer GetCostCategories).",
		[]string{"TimePeriod"}, map[string]string{
			"TimePeriod":       descTimePeriod,
			"CostCategoryName": "A cost category whose values to list; without it, the names are listed.",
			"SearchString":     descSearch,
			"Filter":           descFilter,
			"NextPageToken":    descNextPage,
		}, ce.GetCostCategories)
	addTool(t, s, &ceDef, "GetCostForecast", "get_cost_forecast",
		"Forecast of cost from today (or TimePeriod.Start, not in the past) to TimePeriod.End, with a prediction interval "+
			"(AWS Cost Explorer GetCostForecast).",
		[]string{"TimePeriod", "Metric", "Granularity"}, map[string]string{
			"TimePeriod":              descTimePeriod,
			"Metric":                  "The cost metric to forecast.",
			"Granularity":             "DAILY or MONTHLY.",
			"Filter":                  descFilter,
			"PredictionIntervalLevel": "Confidence of the interval in percent, 51 to 99 (default 80).",
		}, ce.GetCostForecast)
	addTool(t, s, &ceDef, "GetUsageForecast", "get_usage_forecast",
		"Forecast of usage (UsageQuantity or NormalizedUsageAmount) to TimePeriod.End; filter on one USAGE_TYPE or "+
			"USAGE_TYPE_GROUP so the units agree (AWS Cost Explorer GetUsageForecast).",
		[]string{"TimePeriod", "Metric", "Granularity"}, map[string]string{
			"TimePeriod":              descTimePeriod,
			"Metric":                  "USAGE_QUANTITY or NORMALIZED_USAGE_AMOUNT.",
			"Granularity":             "DAILY or MONTHLY.",
			"Filter":                  descFilter,
			"PredictionIntervalLevel": "Confidence of the interval in percent, 51 to 99 (default 80).",
		}, ce.GetUsageForecast)
	addTool(t, s, &ceDef, "ListCostAllocationTags", "list_cost_allocation_tags",
		"Cost allocation tag keys with their status (Active or Inactive) and type (AWS Cost Explorer ListCostAllocationTags). "+
			"Only Active keys can be filtered or grouped by.",
		nil, map[string]string{
			"Status":  "Only keys with this status.",
			"TagKeys": "Only these keys.",
		}, ce.ListCostAllocationTags)
	addTool(t, s, &buDef, "DescribeBudgets", "describe_budgets",
		"The budgets of an account with their limit, actual and forecasted spend for the current period, and each "+
			"notification's threshold and state (ALARM once crossed, else OK) (AWS Budgets DescribeBudgets and DescribeNotificationsForBudget).",
		nil, map[string]string{
			"AccountId":  "The 12-digit account whose budgets to list; by default the caller's.",
			"MaxResults": "Budgets per page.",
			"NextToken":  "Token from a previous answer's NextToken.",
		}, func(ctx context.Context, in *budgets.DescribeBudgetsRequest) (*budgetsStatus, error) {
			return describeBudgets(ctx, bu, in)
		})
}

// validator is a generated request type: it checks the model's constraints.
type validator interface{ Validate() error }

// addTool registers a tool whose input is the request type I of the AWS
// operation op of svc and whose answer is call's output. Its failures
// become the exceptions the API would answer, through svc's error table.
func addTool[I any, PI interface {
	*I
	validator
}, O any](t *tools, s *sdk.Server, svc *awsjson.Service, op, name, description string, required []string, describe map[string]string,
	call func(context.Context, PI) (*O, error)) {
	schema, err := inputSchema[I](required, describe)
	if err != nil {
		panic(fmt.Sprintf("mcp: tool %s: %v", name, err)) // a programming error, caught by every test
	}
	i := slices.IndexFunc(svc.Operations, func(o awsjson.Operation) bool { return o.Name == op })
	if i < 0 {
		panic(fmt.Sprintf("mcp: tool %s: %s has no operation %s", name, svc.Name, op))
	}
	fail := func(ctx context.Context, err error) error { return t.toolError(ctx, svc, &svc.Operations[i], err) }
	tool := &sdk.Tool{Name: name, Description: description, InputSchema: schema,
		Annotations: &sdk.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(bool)}}
	sdk.AddTool(s, tool, func(ctx context.Context, req *sdk.CallToolRequest, in I) (*sdk.CallToolResult, any, error) {
		acct, err := t.caller(req)
		if err != nil {
			return nil, nil, err
		}
		pin := PI(&in)
		defaultAccount(pin, acct)
		if err := pin.Validate(); err != nil {
			return nil, nil, fail(ctx, err)
		}
		out, err := call(auth.WithCaller(ctx, acct), pin)
		if err != nil {
			return nil, nil, fail(ctx, err)
		}
		return nil, out, nil
	})
}

// defaultAccount sets a request's AccountId, when it has one and it is
// unset, to the caller's account: agents need not know their account id.
func defaultAccount(in any, acct auth.Account) {
	f := reflect.ValueOf(in).Elem().FieldByName("AccountId")
	if f.IsValid() && f.Type() == reflect.TypeFor[*string]() && (f.IsNil() || f.Elem().String() == "") {
		f.Set(reflect.ValueOf(&acct.AccountID))
	}
}

// budgetsStatus is describe_budgets' answer: each budget with its
// notifications.
type budgetsStatus struct {
	Budgets   []budgetStatus `json:"Budgets"`
	NextToken *string        `json:"NextToken,omitempty"`
}

type budgetStatus struct {
	budgets.Budget
	Notifications []budgets.Notification `json:"Notifications,omitempty"`
}

// describeBudgets lists an account's budgets and the state of their
// notifications.
func describeBudgets(ctx context.Context, api budgets.API, in *budgets.DescribeBudgetsRequest) (*budgetsStatus, error) {
	res, err := api.DescribeBudgets(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &budgetsStatus{Budgets: []budgetStatus{}, NextToken: res.NextToken}
	for _, b := range res.Budgets {
		st := budgetStatus{Budget: b}
		req := &budgets.DescribeNotificationsForBudgetRequest{AccountId: in.AccountId, BudgetName: b.BudgetName}
		for {
			ns, err := api.DescribeNotificationsForBudget(ctx, req)
			if err != nil {
				return nil, err
			}
			st.Notifications = append(st.Notifications, ns.Notifications...)
			if ns.NextToken == nil {
				break
			}
			req.NextToken = ns.NextToken
		}
		out.Budgets = append(out.Budgets, st)
	}
	return out, nil
}
