package budgets

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestPeriodAt(t *testing.T) {
	for _, tc := range []struct {
		unit       TimeUnit
		start, end string
		t          string
		want       [2]string
	}{
		{TimeUnitDaily, "2018-01-01T00:00:00Z", "2087-06-15T00:00:00Z", "2018-12-10T12:00:00Z", [2]string{"2018-12-10T00:00:00Z", "2018-12-11T00:00:00Z"}},
		{TimeUnitMonthly, "2018-01-01T00:00:00Z", "2087-06-15T00:00:00Z", "2018-12-10T12:00:00Z", [2]string{"2018-12-01T00:00:00Z", "2019-01-01T00:00:00Z"}},
		{TimeUnitQuarterly, "2018-01-01T00:00:00Z", "2087-06-15T00:00:00Z", "2018-12-10T12:00:00Z", [2]string{"2018-10-01T00:00:00Z", "2019-01-01T00:00:00Z"}},
		{TimeUnitQuarterly, "2018-01-01T00:00:00Z", "2087-06-15T00:00:00Z", "2018-03-31T23:59:59Z", [2]string{"2018-01-01T00:00:00Z", "2018-04-01T00:00:00Z"}},
		{TimeUnitAnnually, "2018-01-01T00:00:00Z", "2087-06-15T00:00:00Z", "2018-12-10T12:00:00Z", [2]string{"2018-01-01T00:00:00Z", "2019-01-01T00:00:00Z"}},
		{TimeUnitCustom, "2018-11-20T00:00:00Z", "2019-02-01T00:00:00Z", "2018-12-10T12:00:00Z", [2]string{"2018-11-20T00:00:00Z", "2019-02-01T00:00:00Z"}},
		// Clipped to the budget's time period, and its first period before
		// it starts.
		{TimeUnitMonthly, "2018-12-15T00:00:00Z", "2018-12-20T00:00:00Z", "2018-12-10T12:00:00Z", [2]string{"2018-12-15T00:00:00Z", "2018-12-20T00:00:00Z"}},
		{TimeUnitMonthly, "2019-02-15T00:00:00Z", "2087-06-15T00:00:00Z", "2018-12-10T12:00:00Z", [2]string{"2019-02-15T00:00:00Z", "2019-03-01T00:00:00Z"}},
	} {
		r := &record{TimeUnit: tc.unit, Start: at(tc.start), End: at(tc.end)}
		p := r.periodAt(at(tc.t))
		got := [2]string{p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339)}
		if got != tc.want {
			t.Errorf("%s %s..%s at %s: %v, want %v", tc.unit, tc.start, tc.end, tc.t, got, tc.want)
		}
	}
}

func TestPeriods(t *testing.T) {
	r := &record{TimeUnit: TimeUnitMonthly, Start: at("2018-09-15T00:00:00Z"), End: at("2018-12-20T00:00:00Z")}
	var got []string
	for _, p := range r.periods(at("2018-01-01T00:00:00Z"), at("2019-06-01T00:00:00Z")) {
		got = append(got, p.Start.Format("01-02")+".."+p.End.Format("01-02"))
	}
	if diff := cmp.Diff([]string{"09-15..10-01", "10-01..11-01", "11-01..12-01", "12-01..12-20"}, got); diff != "" {
		t.Errorf("periods (-want +got):\n%s", diff)
	}
}

func TestCostFiltersExpr(t *testing.T) {
	x, err := costFiltersExpr(map[string][]string{
		"TagKeyValue": {"user:Env$prod", "user:Team$a", "user:Env$dev", "aws:createdBy$x"},
		"Service":     {"S3", "Lambda"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := query.And{
		&query.Match{Kind: query.KindDimension, Key: "SERVICE", Values: []string{"S3", "Lambda"}},
		query.Or{
			&query.Match{Kind: query.KindTag, Key: "Env", Values: []string{"prod", "dev"}},
			&query.Match{Kind: query.KindTag, Key: "Team", Values: []string{"a"}},
			&query.Match{Kind: query.KindTag, Key: "aws:createdBy", Values: []string{"x"}},
		},
	}
	if diff := cmp.Diff(query.Expr(want), x); diff != "" {
		t.Errorf("expression (-want +got):\n%s", diff)
	}
}

func TestCostTypesExclusions(t *testing.T) {
	f := false
	r := &record{Type: BudgetTypeCost, CostTypes: withDefaults(&CostTypes{IncludeTax: &f, IncludeDiscount: &f})}
	x, err := r.filter()
	if err != nil {
		t.Fatal(err)
	}
	want := query.Not{X: &query.Match{Kind: query.KindDimension, Key: "RECORD_TYPE", Values: []string{
		"BundledDiscount", "Discount", "Distributor Discount", "Enterprise Discount Program Discount",
		"Private Rate Card Discount", "RiVolumeDiscount", "Solution Provider Program Discount", "Tax"}}}
	if diff := cmp.Diff(query.Expr(want), x); diff != "" {
		t.Errorf("filter (-want +got):\n%s", diff)
	}
	// USAGE budgets ignore CostTypes.
	r.Type = BudgetTypeUsage
	if x, _ := r.filter(); x != nil {
		t.Errorf("USAGE budget filter = %v, want none", x)
	}
}

// fixedRows answers every aggregate with the same rows.
type fixedRows []query.Row

func (f fixedRows) Aggregate(context.Context, *query.Aggregate) ([]query.Row, error) { return f, nil }

func TestRunRate(t *testing.T) {
	dec := billing.Period{Start: at("2018-12-01T00:00:00Z"), End: at("2019-01-01T00:00:00Z")}
	actual := big.NewInt(31e10) // 31 USD
	day := func(d string) query.Row { return query.Row{Bucket: at(d)} }
	for _, tc := range []struct {
		name string
		rows fixedRows
		now  string
		want string // "" for no forecast
	}{
		{"before the period", nil, "2018-11-30T00:00:00Z", ""},
		{"a third through", fixedRows{day("2018-12-01T00:00:00Z")}, "2018-12-11T08:00:00Z", "93"},
		{"data ahead of the clock", fixedRows{day("2018-12-30T00:00:00Z")}, "2018-12-11T08:00:00Z", "32.0333333333"},
		{"data to the end", fixedRows{day("2018-12-31T00:00:00Z")}, "2018-12-11T08:00:00Z", "31"},
		{"after the period", nil, "2019-01-05T00:00:00Z", "31"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			total, ok, err := RunRate{Costs: tc.rows}.Forecast(context.Background(), ForecastInput{
				Query: query.Aggregate{Period: dec}, Now: at(tc.now), Actual: actual})
			got := ""
			if ok {
				got = formatScaled(total)
			}
			if err != nil || got != tc.want {
				t.Errorf("forecast = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestSetLimits(t *testing.T) {
	r := &record{}
	c := func(from, amount string) limitChange { return limitChange{From: at(from), Amount: amount, Unit: "USD"} }
	r.setLimits(at("2018-12-01T00:00:00Z"), []limitChange{c("2018-11-01T00:00:00Z", "1"), c("2018-12-01T00:00:00Z", "2"), c("2019-01-01T00:00:00Z", "3")})
	r.setLimits(at("2019-01-01T00:00:00Z"), []limitChange{c("2018-12-01T00:00:00Z", "x"), c("2019-01-01T00:00:00Z", "9")})
	want := []limitChange{c("2018-11-01T00:00:00Z", "1"), c("2018-12-01T00:00:00Z", "2"), c("2019-01-01T00:00:00Z", "9")}
	if diff := cmp.Diff(want, r.Limits); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	for s, wantAmount := range map[string]string{"2018-01-01T00:00:00Z": "1", "2018-12-01T00:00:00Z": "2", "2030-01-01T00:00:00Z": "9"} {
		if l, _ := r.limitFor(at(s)); l.Amount != wantAmount {
			t.Errorf("limitFor(%s) = %s, want %s", s, l.Amount, wantAmount)
		}
	}
}

// dailyRows is a store that has amount (in USD) on each day of
// [first, last] and answers daily questions from it.
type dailyRows struct {
	first, last time.Time
	amount      int64
	calls       int
}

func (d *dailyRows) Aggregate(_ context.Context, q *query.Aggregate) ([]query.Row, error) {
	d.calls++
	var out []query.Row
	for t := d.first; !t.After(d.last); t = t.AddDate(0, 0, 1) {
		if q.Period.Contains(t) {
			out = append(out, query.Row{Bucket: t, Values: []query.Value{{Amount: big.NewInt(d.amount * 1e10), Unit: "USD"}}})
		}
	}
	return out, nil
}

// fixedForecast always forecasts 7 USD.
type fixedForecast struct{}

func (fixedForecast) Forecast(context.Context, ForecastInput) (*big.Int, bool, error) {
	return big.NewInt(7e10), true, nil
}

func TestModelForecaster(t *testing.T) {
	dec := billing.Period{Start: at("2018-12-01T00:00:00Z"), End: at("2019-01-01T00:00:00Z")}
	for _, tc := range []struct {
		name        string
		first, last string
		now         string
		lo, hi      float64 // bounds of the forecast in USD
	}{
		// 10 USD a day for months: the month is worth 310.
		{"steady", "2018-08-01T00:00:00Z", "2018-12-09T00:00:00Z", "2018-12-10T12:00:00Z", 305, 315},
		// The data stops on the 5th: the 6th to the 9th are forecast too.
		{"lagging", "2018-08-01T00:00:00Z", "2018-12-05T00:00:00Z", "2018-12-10T12:00:00Z", 305, 315},
		// A week of history is too little for the model: the fallback.
		{"short", "2018-12-03T00:00:00Z", "2018-12-09T00:00:00Z", "2018-12-10T12:00:00Z", 7, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			costs := &dailyRows{first: at(tc.first), last: at(tc.last), amount: 10}
			var actual int64
			for d := dec.Start; d.Before(at(tc.now)) && !d.After(costs.last); d = d.AddDate(0, 0, 1) {
				if !d.Before(costs.first) {
					actual += 10
				}
			}
			total, ok, err := Model{Costs: costs, Fallback: fixedForecast{}}.Forecast(context.Background(), ForecastInput{
				Query: query.Aggregate{Period: dec, Granularity: query.Monthly}, Now: at(tc.now), Actual: big.NewInt(actual * 1e10)})
			if err != nil || !ok {
				t.Fatalf("Forecast = %v, %v, %v", total, ok, err)
			}
			f, _ := ratOfScaled(total).Float64()
			if f < tc.lo || f > tc.hi {
				t.Errorf("forecast %.4f, want between %g and %g", f, tc.lo, tc.hi)
			}
		})
	}
	// Data loaded ahead of the clock is known: with December complete, the
	// forecast is the actual spend.
	ahead := &dailyRows{first: at("2018-08-01T00:00:00Z"), last: at("2018-12-31T00:00:00Z"), amount: 10}
	total, ok, err := Model{Costs: ahead}.Forecast(context.Background(), ForecastInput{Query: query.Aggregate{Period: dec},
		Now: at("2018-12-10T12:00:00Z"), Actual: big.NewInt(310e10)})
	if err != nil || !ok || formatScaled(total) != "310" {
		t.Errorf("data ahead of the clock: %v %v %v, want 310", total, ok, err)
	}
	// After the period the forecast is the actual spend, without a query.
	costs := &dailyRows{first: at("2018-08-01T00:00:00Z"), last: at("2018-12-31T00:00:00Z"), amount: 10}
	total, ok, _ = Model{Costs: costs}.Forecast(context.Background(), ForecastInput{Query: query.Aggregate{Period: dec},
		Now: at("2019-01-03T00:00:00Z"), Actual: big.NewInt(310e10)})
	if !ok || formatScaled(total) != "310" || costs.calls != 0 {
		t.Errorf("after the period: %v %v, %d queries", total, ok, costs.calls)
	}
}
