// Package budgets implements the AWS Budgets API (budgets 2016-10-20) over
// Tally's billing data.
//
// api.gen.go holds the wire types, their validation and the operation
// bindings, generated from the botocore model in shared/aws-models. The
// Service implements every operation. Budget actions keep AWS's status
// machine, history and alerts (actions.go); their AWS calls go through an
// Executor (package actions, with the AWS SDK), or are only described in
// dry run without one (run.go).
//
// # Spend
//
// A budget's spend is computed from the data, never stored from elsewhere:
// CalculatedSpend.ActualSpend is the sum of one metric over the current
// budget period under the budget's filter, exactly what GetCostAndUsage
// returns for the same filter, metric and period.
//
//   - Periods are calendar periods in UTC (day, month, quarter, year; CUSTOM
//     is the whole TimePeriod), clipped to the budget's TimePeriod.
//   - The filter is FilterExpression, or CostFilters: values of a key are
//     ORed and keys ANDed; TagKeyValue and CostCategory values are
//     "Key$Value" with the "user:" prefix of tag keys dropped (see
//     costFilterKeys for the accepted keys).
//   - The metric is Metrics[0] (Hours is summed as UsageQuantity), else
//     UsageQuantity for USAGE budgets, else the cost CostTypes select:
//     AmortizedCost with UseAmortized, BlendedCost with UseBlended,
//     UnblendedCost otherwise.
//   - A CostTypes member set to false excludes RECORD_TYPE values
//     (costTypeExclusions): IncludeTax → Tax; IncludeCredit → Credit;
//     IncludeRefund → Refund; IncludeSupport → Support; IncludeDiscount →
//     the discount types; IncludeUpfront → Upfront and SavingsPlanUpfrontFee;
//     IncludeRecurring → Recurring and SavingsPlanRecurringFee;
//     IncludeOtherSubscription → Other out-of-cycle charges;
//     IncludeSubscription → all of the fee types above but Support.
//   - A budget sees the data its account may see (query.Scope); budgets made
//     by the built-in test identity see everything.
//   - RI and Savings Plans utilization and coverage budgets are stored and
//     described without CalculatedSpend, and their notifications stay OK.
//
// ForecastedSpend comes from a Forecaster: by default Model, Tally's
// forecasting model (the actual spend of the complete days plus the
// model's forecast of the rest of the period), falling back to RunRate, a
// linear projection of the spend so far, where the model has too little
// history.
//
// # Limits and history
//
// A budget keeps the limit of each period (record.Limits): BudgetLimit
// applies from the period it was set in; PlannedBudgetLimits give one limit
// per month or quarter, the last going on applying after the plan; an
// auto-adjusting budget recomputes its limit each period.
// DescribeBudgetPerformanceHistory pairs each past period's limit with its
// spend under the budget's present filter.
//
// # Notifications
//
// Evaluate measures every budget and moves each notification between OK
// and ALARM; the move to ALARM queues one alert per subscriber in the
// outbox of package notify, in the same store transaction as the new
// state, so a crossing is delivered once (see package notify for the
// delivery guarantees). Evaluate runs after every ingest and on a timer,
// and a budget is evaluated whenever it or one of its notifications
// changes.
package budgets

//go:generate go run ../../cmd/apigen -model ../../../shared/aws-models/budgets-2016-10-20.service-2.json -smithy ../../../shared/aws-models/budgets-2016-10-20.smithy.json -paginators ../../../shared/aws-models/budgets-2016-10-20.paginators-1.json -pkg budgets -out api.gen.go
