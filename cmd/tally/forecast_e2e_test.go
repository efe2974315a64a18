package main

import (
	"context"
	"errors"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

func TestForecasts(t *testing.T) {
	t.Parallel()
	inst := workshopServer(t)
	ce := inst.ce("test", "test")
	ctx := context.Background()
	period := func(s, e string) *types.DateInterval {
		return &types.DateInterval{Start: aws.String(s), End: aws.String(e)}
	}
	costForecast := func(in costexplorer.GetCostForecastInput) *costexplorer.GetCostForecastOutput {
		t.Helper()
		out, err := ce.GetCostForecast(ctx, &in)
		if err != nil {
			t.Fatalf("GetCostForecast: %v", err)
		}
		return out
	}
	width := func(r types.ForecastResult) *big.Rat {
		return new(big.Rat).Sub(rat(t, aws.ToString(r.PredictionIntervalUpperBound)), rat(t, aws.ToString(r.PredictionIntervalLowerBound)))
	}

	daily := costForecast(costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"),
		Metric: types.MetricUnblendedCost, Granularity: types.GranularityDaily})
	if len(daily.ForecastResultsByTime) != 17 {
		t.Fatalf("%d daily results, want 17", len(daily.ForecastResultsByTime))
	}
	sum := new(big.Rat)
	for _, r := range daily.ForecastResultsByTime {
		lo, mean, hi := rat(t, aws.ToString(r.PredictionIntervalLowerBound)), rat(t, aws.ToString(r.MeanValue)), rat(t, aws.ToString(r.PredictionIntervalUpperBound))
		if lo.Cmp(mean) > 0 || mean.Cmp(hi) > 0 || lo.Sign() < 0 {
			t.Errorf("%s: interval %s ≤ %s ≤ %s is not ordered or is negative", aws.ToString(r.TimePeriod.Start), lo.FloatString(4), mean.FloatString(4), hi.FloatString(4))
		}
		sum.Add(sum, mean)
	}
	total := rat(t, aws.ToString(daily.Total.Amount))
	if d := new(big.Rat).Abs(new(big.Rat).Sub(total, sum)); d.Cmp(new(big.Rat).Mul(total, big.NewRat(1, 100))) > 0 {
		t.Errorf("Total %s is not the sum of the daily means %s", total.FloatString(4), sum.FloatString(4))
	}
	if aws.ToString(daily.Total.Unit) != "USD" {
		t.Errorf("unit %q", aws.ToString(daily.Total.Unit))
	}
	// December ran at about $8-15 a day with a fee on the first: a
	// believable forecast stays in that range, not at October's $150.
	if m := rat(t, aws.ToString(daily.ForecastResultsByTime[3].MeanValue)); m.Cmp(big.NewRat(50, 1)) > 0 {
		t.Errorf("a January day is forecast at %s, far above December's level", m.FloatString(2))
	}

	monthly := costForecast(costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-04-01"),
		Metric: types.MetricAmortizedCost, Granularity: types.GranularityMonthly})
	if n := len(monthly.ForecastResultsByTime); n != 3 || aws.ToString(monthly.ForecastResultsByTime[0].TimePeriod.End) != "2019-02-01" {
		t.Errorf("monthly results: %d, first ends %s", n, aws.ToString(monthly.ForecastResultsByTime[0].TimePeriod.End))
	}

	narrow := costForecast(costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"),
		Metric: types.MetricUnblendedCost, Granularity: types.GranularityMonthly, PredictionIntervalLevel: aws.Int32(51)})
	wide := costForecast(costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"),
		Metric: types.MetricUnblendedCost, Granularity: types.GranularityMonthly, PredictionIntervalLevel: aws.Int32(99)})
	if width(narrow.ForecastResultsByTime[0]).Cmp(width(wide.ForecastResultsByTime[0])) >= 0 {
		t.Error("a 99% interval is not wider than a 51% one")
	}

	t.Run("usage", func(t *testing.T) {
		_, err := ce.GetUsageForecast(ctx, &costexplorer.GetUsageForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"),
			Metric: types.MetricUsageQuantity, Granularity: types.GranularityDaily})
		var uuu *types.UnresolvableUsageUnitException
		if !errors.As(err, &uuu) {
			t.Errorf("usage forecast over mixed units: %v, want UnresolvableUsageUnitException", err)
		}
		out, err := ce.GetUsageForecast(ctx, &costexplorer.GetUsageForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"),
			Metric: types.MetricUsageQuantity, Granularity: types.GranularityMonthly,
			Filter: &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionUsageType, Values: []string{"EBS:VolumeUsage.gp2"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if u := aws.ToString(out.Total.Unit); u != "GB-Mo" {
			t.Errorf("usage unit %q, want GB-Mo", u)
		}
	})

	for _, tc := range []struct {
		name string
		in   costexplorer.GetCostForecastInput
	}{
		{"start in the past", costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-01", "2019-02-01"), Metric: types.MetricUnblendedCost, Granularity: types.GranularityDaily}},
		{"hourly", costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"), Metric: types.MetricUnblendedCost, Granularity: types.GranularityHourly}},
		{"usage metric", costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"), Metric: types.MetricUsageQuantity, Granularity: types.GranularityDaily}},
		{"level 50", costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"), Metric: types.MetricUnblendedCost, Granularity: types.GranularityDaily, PredictionIntervalLevel: aws.Int32(50)}},
		{"daily beyond 3 months", costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-06-01"), Metric: types.MetricUnblendedCost, Granularity: types.GranularityDaily}},
		{"end before start", costexplorer.GetCostForecastInput{TimePeriod: period("2019-02-01", "2019-01-20"), Metric: types.MetricUnblendedCost, Granularity: types.GranularityDaily}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ce.GetCostForecast(ctx, &tc.in)
			if code := apiCode(err); code != "ValidationException" {
				t.Errorf("got %v, want ValidationException", err)
			}
		})
	}

	t.Run("no data", func(t *testing.T) {
		empty := start(t, fixedNow)
		_, err := empty.ce("test", "test").GetCostForecast(ctx, &costexplorer.GetCostForecastInput{TimePeriod: period("2019-01-15", "2019-02-01"),
			Metric: types.MetricUnblendedCost, Granularity: types.GranularityDaily})
		var du *types.DataUnavailableException
		if !errors.As(err, &du) {
			t.Errorf("forecast without data: %v, want DataUnavailableException", err)
		}
	})

	t.Run("cli", func(t *testing.T) {
		out, stderr, err := inst.cli(t, "ce", "get-cost-forecast", "--time-period", "Start=2019-01-15,End=2019-02-01",
			"--metric", "UNBLENDED_COST", "--granularity", "MONTHLY", "--prediction-interval-level", "95")
		if err != nil {
			t.Fatalf("aws ce get-cost-forecast: %v\n%s", err, stderr)
		}
		if out["Total"].(map[string]any)["Amount"] == "" || len(out["ForecastResultsByTime"].([]any)) != 1 {
			t.Errorf("unexpected output %v", out)
		}
	})
}

// TestBacktestCommand runs `tally backtest` on a small organisation: it
// ingests through the normal path and prints the model's table beside both
// baselines.
func TestBacktestCommand(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates and ingests an organisation")
	}
	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"backtest", "--rows", "60000", "--months", "5"}, &out, &errOut); err != nil {
		t.Fatalf("tally backtest: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"| model |", "| seasonal-naive |", "| trailing-28-mean |", "synthetic organisation",
		"## Commitment recommendations, synthetic organisation", "Months where a recommendation lost money"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// No commitment bought with foresight of the look-back only can save
	// more in the month than the best one chosen with hindsight of it.
	months := 0
	for _, line := range strings.Split(out.String(), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 11 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "20") {
			continue
		}
		months++
		num := func(i int) float64 {
			f, _ := strconv.ParseFloat(strings.TrimSpace(cells[i]), 64)
			return f
		}
		if num(3) > num(4)+0.01 {
			t.Errorf("RI realised %v above hindsight %v: %s", num(3), num(4), line)
		}
		if strings.TrimSpace(cells[6]) != "no rate" && num(7) > num(8)+0.01 {
			t.Errorf("SP realised %v above hindsight %v: %s", num(7), num(8), line)
		}
	}
	if months == 0 {
		t.Errorf("no held-out month in the commitments tables:\n%s", out.String())
	}
}
