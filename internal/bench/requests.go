package bench

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// Window fixes the dates of the request set. Every date derives from the
// moment the data set was generated, so that a cached data set is always
// asked the same questions.
type Window struct {
	// Now is when the data set was generated: its last hour of usage.
	Now time.Time
	// ServerNow is the clock of the server measured (zero: Now); it bounds
	// the EffectiveStart of the cost category the bench defines.
	ServerNow time.Time
}

// Month returns the first day of the month n months after Now's month (n
// is usually negative).
func (w Window) Month(n int) time.Time {
	t := w.Now.UTC()
	return time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
}

// Year is the 13 whole months before Now's month: the history Cost
// Explorer keeps.
func (w Window) Year() (start, end time.Time) { return w.Month(-13), w.Month(0) }

// Day is the last whole day before Now.
func (w Window) Day() (start, end time.Time) {
	t := w.Now.UTC()
	end = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return end.AddDate(0, 0, -1), end
}

// Request is one benchmarked Cost Explorer request and the DuckDB SQL that
// asks the same question of the raw Parquet line items.
type Request struct {
	// Name is a short identifier used in the results.
	Name string
	// Description says what the request asks, in words.
	Description string
	// op is the Cost Explorer operation, as in X-Amz-Target.
	op string
	// call sends the request through the SDK, following every page.
	call func(ctx context.Context, c *costexplorer.Client) (answer, error)
	// sql returns the raw query; files is the read_parquet argument.
	sql func(files string) string
	// setup, when set, prepares a server for the request (the cost
	// category it reads); it runs before the request's first run on each
	// server and may run again on the same data directory.
	setup func(ctx context.Context, c *costexplorer.Client) error
}

// answer is a request's result flattened to rows, so that the Tally and
// DuckDB answers can be compared: bucket start, group keys, metric values.
type answer struct {
	rows  []answerRow
	pages int
}

type answerRow struct {
	bucket time.Time
	keys   []string
	values []float64
}

// Column names of the CUR 2.0 export, and the raw SQL expressions that give
// a line's Cost Explorer dimension values.
const (
	colStart = "line_item_usage_start_date"
	colCost  = "line_item_unblended_cost"
	colUsage = "line_item_usage_amount"
	// serviceSQL mirrors billing.ServiceName: tax lines are "Tax", AmazonEC2
	// splits into instance usage (by usage type, region prefix stripped, or
	// product family) and "EC2 - Other", a product name differs from the service name in one
	// case, and lines without a product name use their product code.
	serviceSQL = `CASE WHEN line_item_line_item_type = 'Tax' THEN 'Tax'
		WHEN line_item_product_code = 'AmazonEC2' THEN
			CASE WHEN regexp_matches(regexp_replace(line_item_usage_type, '^([A-Z]{1,4}[0-9]|EU)-', ''),
				'^(BoxUsage|SpotUsage|DedicatedUsage|HostUsage|HostBoxUsage|ReservedHostUsage|SchedUsage|UnusedBox|UnusedDed|UnusedHost|DedicatedRes|HeavyUsage|MediumUsage|LightUsage|Reservation:)')
				OR (product_product_family IN ('Compute Instance', 'Compute Instance (bare metal)', 'Dedicated Host')
					AND NOT regexp_matches(regexp_replace(line_item_usage_type, '^([A-Z]{1,4}[0-9]|EU)-', ''), '^(EBSOptimized|CPUCredits)'))
			THEN 'Amazon Elastic Compute Cloud - Compute' ELSE 'EC2 - Other' END
		WHEN product['product_name'] = 'Elastic Load Balancing' THEN 'Amazon Elastic Load Balancing'
		ELSE coalesce(nullif(product['product_name'], ''), line_item_product_code) END`
	regionSQL = `coalesce(nullif(product_region_code, ''), product['region'], '')`
	// usageLinesSQL selects the lines whose usage amounts Cost Explorer
	// counts in UsageQuantity.
	usageLinesSQL = `line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')`
)

// Tag keys and values the requests use: the export's tags column keeps the
// key as the user wrote it ("resourceTags/user:Environment"), and Tally
// names the tag after it.
const (
	tagKey       = "Environment"
	tagColumn    = "resourceTags/user:Environment"
	searchString = "BoxUsage"
)

var (
	filterRegions = []string{"us-east-1", "eu-west-1"}
	excludedEnvs  = []string{"dev", "sandbox"}
)

// Requests returns the fixed request set, dated by w.
func Requests(w Window) []Request {
	y0, y1 := w.Year()
	d0, d1 := w.Day()
	serverNow := w.ServerNow
	if serverNow.IsZero() {
		serverNow = w.Now
	}
	between := func(from, to time.Time) string {
		return fmt.Sprintf("%s >= %s AND %s < %s", colStart, tsLit(from), colStart, tsLit(to))
	}
	return []Request{
		{
			Name:        "daily-by-service",
			Description: fmt.Sprintf("GetCostAndUsage, 13 months (%s to %s) DAILY, UnblendedCost, grouped by SERVICE", date(y0), date(y1)),
			op:          "GetCostAndUsage",
			call: costAndUsage(&costexplorer.GetCostAndUsageInput{
				TimePeriod:  interval(y0, y1, false),
				Granularity: types.GranularityDaily,
				Metrics:     []string{"UnblendedCost"},
				GroupBy:     []types.GroupDefinition{dimension("SERVICE")},
			}),
			sql: func(files string) string {
				return `SELECT date_trunc('day', ` + colStart + `) AS b, ` + serviceSQL + ` AS k0, sum(` + colCost + `)
					FROM ` + files + ` WHERE ` + between(y0, y1) + ` GROUP BY ALL ORDER BY b, k0`
			},
		},
		{
			Name: "monthly-by-account-and-tag",
			Description: fmt.Sprintf("GetCostAndUsage, 13 months MONTHLY, UnblendedCost, grouped by LINKED_ACCOUNT and tag %s, "+
				"filter And(REGION in %s, Not(tag %s in %s))", tagKey, strings.Join(filterRegions, "/"), tagKey, strings.Join(excludedEnvs, "/")),
			op: "GetCostAndUsage",
			call: costAndUsage(&costexplorer.GetCostAndUsageInput{
				TimePeriod:  interval(y0, y1, false),
				Granularity: types.GranularityMonthly,
				Metrics:     []string{"UnblendedCost"},
				GroupBy:     []types.GroupDefinition{dimension("LINKED_ACCOUNT"), {Type: types.GroupDefinitionTypeTag, Key: aws.String(tagKey)}},
				Filter: &types.Expression{And: []types.Expression{
					{Dimensions: &types.DimensionValues{Key: types.DimensionRegion, Values: filterRegions}},
					{Not: &types.Expression{Tags: &types.TagValues{Key: aws.String(tagKey), Values: excludedEnvs}}},
				}},
			}),
			sql: func(files string) string {
				tag := `tags['` + tagColumn + `']`
				return `SELECT date_trunc('month', ` + colStart + `) AS b, line_item_usage_account_id AS k0,
					'` + tagKey + `$' || coalesce(` + tag + `, '') AS k1, sum(` + colCost + `)
					FROM ` + files + ` WHERE ` + between(y0, y1) + `
					AND ` + regionSQL + ` IN (` + sqlList(filterRegions) + `)
					AND NOT coalesce(` + tag + ` IN (` + sqlList(excludedEnvs) + `), false)
					GROUP BY ALL ORDER BY b, k0, k1`
			},
		},
		{
			Name:        "hourly-one-day",
			Description: fmt.Sprintf("GetCostAndUsage, one day (%s) HOURLY, UnblendedCost and UsageQuantity, grouped by SERVICE", date(d0)),
			op:          "GetCostAndUsage",
			call: costAndUsage(&costexplorer.GetCostAndUsageInput{
				TimePeriod:  interval(d0, d1, true),
				Granularity: types.GranularityHourly,
				Metrics:     []string{"UnblendedCost", "UsageQuantity"},
				GroupBy:     []types.GroupDefinition{dimension("SERVICE")},
			}),
			sql: func(files string) string {
				return `SELECT date_trunc('hour', ` + colStart + `) AS b, ` + serviceSQL + ` AS k0, sum(` + colCost + `),
					coalesce(sum(` + colUsage + `) FILTER (WHERE ` + usageLinesSQL + `), 0),
					CASE WHEN count(DISTINCT pricing_unit) FILTER (WHERE ` + usageLinesSQL + `) = 1
						THEN min(pricing_unit) FILTER (WHERE ` + usageLinesSQL + `) ELSE 'N/A' END AS unit
					FROM ` + files + ` WHERE ` + between(d0, d1) + ` GROUP BY b, k0 ORDER BY b, k0`
			},
		},
		{
			Name:        "daily-by-usage-type-paged",
			Description: "GetCostAndUsage, 13 months DAILY, UnblendedCost, grouped by USAGE_TYPE: many groups, every page fetched",
			op:          "GetCostAndUsage",
			call: costAndUsage(&costexplorer.GetCostAndUsageInput{
				TimePeriod:  interval(y0, y1, false),
				Granularity: types.GranularityDaily,
				Metrics:     []string{"UnblendedCost"},
				GroupBy:     []types.GroupDefinition{dimension("USAGE_TYPE")},
			}),
			sql: func(files string) string {
				return `SELECT date_trunc('day', ` + colStart + `) AS b, coalesce(nullif(line_item_usage_type, ''), 'NoUsageType') AS k0, sum(` + colCost + `)
					FROM ` + files + ` WHERE ` + between(y0, y1) + ` GROUP BY ALL ORDER BY b, k0`
			},
		},
		{
			Name: "daily-by-category",
			Description: fmt.Sprintf("GetCostAndUsage, 13 months DAILY, UnblendedCost, grouped by COST_CATEGORY %s, a defined category of %d rules "+
				"(from %s)", categoryName, len(categoryRules()), date(categoryStart(w, serverNow))),
			op: "GetCostAndUsage",
			call: costAndUsage(&costexplorer.GetCostAndUsageInput{
				TimePeriod:  interval(y0, y1, false),
				Granularity: types.GranularityDaily,
				Metrics:     []string{"UnblendedCost"},
				GroupBy:     []types.GroupDefinition{{Type: types.GroupDefinitionTypeCostCategory, Key: aws.String(categoryName)}},
			}),
			sql: func(files string) string {
				return `SELECT date_trunc('day', ` + colStart + `) AS b, '` + categoryName + `$' || (` + categorySQL(categoryStart(w, serverNow)) + `) AS k0,
					sum(` + colCost + `) FROM (SELECT ` + categoryColumns + ` FROM ` + files + ` WHERE ` + between(y0, y1) + `) GROUP BY ALL ORDER BY b, k0`
			},
			setup: func(ctx context.Context, c *costexplorer.Client) error {
				return defineCategory(ctx, c, categoryStart(w, serverNow))
			},
		},
		{
			Name:        "dimension-values-search",
			Description: fmt.Sprintf("GetDimensionValues, 13 months, USAGE_TYPE, SearchString %q", searchString),
			op:          "GetDimensionValues",
			call: func(ctx context.Context, c *costexplorer.Client) (answer, error) {
				in := &costexplorer.GetDimensionValuesInput{
					TimePeriod:   interval(y0, y1, false),
					Dimension:    types.DimensionUsageType,
					SearchString: aws.String(searchString),
				}
				var a answer
				for {
					out, err := c.GetDimensionValues(ctx, in)
					if err != nil {
						return a, err
					}
					a.pages++
					for _, v := range out.DimensionValues {
						a.rows = append(a.rows, answerRow{keys: []string{aws.ToString(v.Value)}})
					}
					if aws.ToString(out.NextPageToken) == "" {
						return a, nil
					}
					in.NextPageToken = out.NextPageToken
				}
			},
			sql: func(files string) string {
				return `SELECT NULL::TIMESTAMPTZ AS b, line_item_usage_type AS k0, coalesce(mode(pricing_unit), '') AS unit
					FROM ` + files + ` WHERE ` + between(y0, y1) + ` AND coalesce(line_item_usage_type, '') <> ''
					AND contains(lower(line_item_usage_type), '` + strings.ToLower(searchString) + `')
					GROUP BY k0 ORDER BY k0`
			},
		},
		riUtilizationMonthly(y0, y1, between(y0, y1)),
		spCoverageDailyByService(y0, y1, between(y0, y1)),
	}
}

// costAndUsage returns a call that sends in and follows NextPageToken to
// the last page.
func costAndUsage(in *costexplorer.GetCostAndUsageInput) func(context.Context, *costexplorer.Client) (answer, error) {
	return func(ctx context.Context, c *costexplorer.Client) (answer, error) {
		req := *in
		var a answer
		for {
			out, err := c.GetCostAndUsage(ctx, &req)
			if err != nil {
				return a, err
			}
			a.pages++
			for _, r := range out.ResultsByTime {
				b, err := parseCEDate(aws.ToString(r.TimePeriod.Start))
				if err != nil {
					return a, err
				}
				if len(r.Groups) == 0 && len(req.GroupBy) == 0 {
					a.rows = append(a.rows, answerRow{bucket: b, values: metricValues(req.Metrics, r.Total)})
				}
				for _, g := range r.Groups {
					a.rows = append(a.rows, answerRow{bucket: b, keys: g.Keys, values: metricValues(req.Metrics, g.Metrics)})
				}
			}
			if aws.ToString(out.NextPageToken) == "" {
				return a, nil
			}
			req.NextPageToken = out.NextPageToken
		}
	}
}

func metricValues(names []string, m map[string]types.MetricValue) []float64 {
	out := make([]float64, len(names))
	for i, n := range names {
		fmt.Sscan(aws.ToString(m[n].Amount), &out[i])
	}
	return out
}

func parseCEDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

func interval(start, end time.Time, withTime bool) *types.DateInterval {
	if withTime {
		return &types.DateInterval{Start: aws.String(start.Format(time.RFC3339)), End: aws.String(end.Format(time.RFC3339))}
	}
	return &types.DateInterval{Start: aws.String(date(start)), End: aws.String(date(end))}
}

func dimension(key string) types.GroupDefinition {
	return types.GroupDefinition{Type: types.GroupDefinitionTypeDimension, Key: aws.String(key)}
}

func date(t time.Time) string { return t.Format(time.DateOnly) }

// tsLit renders a time as a DuckDB TIMESTAMPTZ literal; times are ours,
// never user text.
func tsLit(t time.Time) string {
	return "TIMESTAMPTZ '" + t.UTC().Format("2006-01-02 15:04:05") + "+00'"
}

// sqlList renders constant strings of this file as an SQL list.
func sqlList(vs []string) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return strings.Join(parts, ", ")
}

// The raw SQL of the commitment requests, from the formulas of package
// commitments over the CUR 2.0 columns.
const (
	// riFiguresSQL lists the figures riUtilizationMonthly compares.
	riFiguresSQL = `sum(ri_hours) AS ph, sum(ri_unused) AS uh, 100 * (sum(ri_hours) - sum(ri_unused)) / sum(ri_hours) AS pct,
		sum(od) AS od, sum(up) + sum(rec) AS fee, sum(od) - sum(up) - sum(rec) AS net, sum(unused_cost) AS unused_cost`
	// spEligibleSQL is on-demand usage a Savings Plan could cover
	// (billing.Eligible).
	spEligibleSQL = `line_item_line_item_type = 'Usage' AND line_item_usage_type NOT LIKE '%SpotUsage%' AND (
		(line_item_product_code = 'AmazonEC2' AND regexp_matches(line_item_usage_type, 'BoxUsage|DedicatedUsage|HostUsage'))
		OR (line_item_product_code IN ('AmazonECS', 'AmazonEKS') AND line_item_usage_type LIKE '%Fargate%')
		OR (line_item_product_code = 'AWSLambda' AND regexp_matches(line_item_usage_type, 'Lambda-GB-Second|Lambda-Provisioned'))
		OR (line_item_product_code = 'AmazonSageMaker' AND line_item_usage_type LIKE '%ml.%'))`
)

// riUtilizationMonthly is GetReservationUtilization over 13 months,
// MONTHLY: per month the purchased and unused hours, the utilization, the
// on-demand cost of the hours used, the amortised fee, the net savings and
// the cost of unused hours. Whole months: every RIFee line counts whole.
// Cost Explorer's default SERVICE filter (EC2 instances) applies.
func riUtilizationMonthly(y0, y1 time.Time, between string) Request {
	return Request{
		Name:        "ri-utilization-monthly",
		Description: fmt.Sprintf("GetReservationUtilization, 13 months (%s to %s) MONTHLY, total per month", date(y0), date(y1)),
		op:          "GetReservationUtilization",
		call: func(ctx context.Context, c *costexplorer.Client) (answer, error) {
			in := &costexplorer.GetReservationUtilizationInput{TimePeriod: interval(y0, y1, false), Granularity: types.GranularityMonthly}
			var a answer
			for {
				out, err := c.GetReservationUtilization(ctx, in)
				if err != nil {
					return a, err
				}
				a.pages++
				for _, u := range out.UtilizationsByTime {
					b, err := parseCEDate(aws.ToString(u.TimePeriod.Start))
					if err != nil {
						return a, err
					}
					t := u.Total
					v := floats(t.PurchasedHours, t.UnusedHours, t.UtilizationPercentage, t.OnDemandCostOfRIHoursUsed,
						t.TotalAmortizedFee, t.NetRISavings, t.RICostForUnusedHours)
					if v[0] != 0 || v[3] != 0 {
						a.rows = append(a.rows, answerRow{bucket: b, values: v})
					}
				}
				if aws.ToString(out.NextPageToken) == "" {
					return a, nil
				}
				in.NextPageToken = out.NextPageToken
			}
		},
		sql: func(files string) string {
			return `SELECT date_trunc('month', ` + colStart + `) AS b,
				sum(CASE WHEN line_item_line_item_type = 'RIFee' THEN line_item_usage_amount END) AS ri_hours,
				sum(CASE WHEN line_item_line_item_type = 'RIFee' THEN reservation_unused_quantity END) AS ri_unused,
				coalesce(sum(CASE WHEN line_item_line_item_type = 'DiscountedUsage' THEN pricing_public_on_demand_cost END), 0) AS od,
				coalesce(sum(CASE WHEN line_item_line_item_type = 'RIFee' THEN reservation_amortized_upfront_fee_for_billing_period END), 0) AS up,
				coalesce(sum(CASE WHEN line_item_line_item_type = 'RIFee' THEN ` + colCost + ` END), 0) AS rec,
				coalesce(sum(CASE WHEN line_item_line_item_type = 'RIFee' THEN reservation_unused_amortized_upfront_fee_for_billing_period
					+ reservation_unused_recurring_fee END), 0) AS unused_cost
				FROM ` + files + ` WHERE ` + between + ` AND coalesce(reservation_reservation_a_r_n, '') <> ''
				AND ` + serviceSQL + ` = 'Amazon Elastic Compute Cloud - Compute' GROUP BY 1`
		},
	}.withFigures()
}

// withFigures wraps a request's per-bucket sums into the figures it
// compares.
func (r Request) withFigures() Request {
	inner := r.sql
	r.sql = func(files string) string {
		return `SELECT b, ` + riFiguresSQL + ` FROM (` + inner(files) + `) GROUP BY b ORDER BY b`
	}
	return r
}

// spCoverageDailyByService is GetSavingsPlansCoverage over 13 months,
// DAILY, grouped by SERVICE, every page: covered spend and on-demand spend
// at public on-demand rates, and the coverage percentage.
func spCoverageDailyByService(y0, y1 time.Time, between string) Request {
	return Request{
		Name:        "sp-coverage-daily-by-service",
		Description: fmt.Sprintf("GetSavingsPlansCoverage, 13 months (%s to %s) DAILY, grouped by SERVICE, pages of 1000", date(y0), date(y1)),
		op:          "GetSavingsPlansCoverage",
		call: func(ctx context.Context, c *costexplorer.Client) (answer, error) {
			in := &costexplorer.GetSavingsPlansCoverageInput{TimePeriod: interval(y0, y1, false), Granularity: types.GranularityDaily,
				GroupBy: []types.GroupDefinition{dimension("SERVICE")}, MaxResults: aws.Int32(1000)}
			var a answer
			for {
				out, err := c.GetSavingsPlansCoverage(ctx, in)
				if err != nil {
					return a, err
				}
				a.pages++
				for _, x := range out.SavingsPlansCoverages {
					b, err := parseCEDate(aws.ToString(x.TimePeriod.Start))
					if err != nil {
						return a, err
					}
					d := x.Coverage
					a.rows = append(a.rows, answerRow{bucket: b, keys: []string{x.Attributes["SERVICE"]},
						values: floats(d.SpendCoveredBySavingsPlans, d.OnDemandCost, d.CoveragePercentage)})
				}
				if aws.ToString(out.NextToken) == "" {
					return a, nil
				}
				in.NextToken = out.NextToken
			}
		},
		sql: func(files string) string {
			covered := `coalesce(sum(pricing_public_on_demand_cost) FILTER (WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage'), 0)`
			onDemand := `coalesce(sum(pricing_public_on_demand_cost) FILTER (WHERE ` + spEligibleSQL + `), 0)`
			return `SELECT date_trunc('day', ` + colStart + `) AS b, ` + serviceSQL + ` AS k0, ` + covered + `, ` + onDemand + `,
				100 * ` + covered + ` / (` + covered + ` + ` + onDemand + `)
				FROM ` + files + ` WHERE ` + between + ` AND (line_item_line_item_type = 'SavingsPlanCoveredUsage' OR (` + spEligibleSQL + `))
				GROUP BY ALL HAVING ` + covered + ` + ` + onDemand + ` <> 0 ORDER BY b, k0`
		},
	}
}

// floats parses Cost Explorer's decimal strings.
func floats(vs ...*string) []float64 {
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i], _ = strconv.ParseFloat(aws.ToString(v), 64)
	}
	return out
}
