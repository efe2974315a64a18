package main

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

var workshopFiles = []string{"Oct2018-WorkshopCUR-00001.snappy.parquet", "Nov2018-WorkshopCUR-00001.snappy.parquet", "Dec2018-WorkshopCUR-00001.snappy.parquet"}

func workshop(t *testing.T) []string {
	var out []string
	for _, f := range workshopFiles {
		out = append(out, sample(t, f))
	}
	return out
}

// flatten turns a GetCostAndUsage answer into "bucket|key" -> metric ->
// amount, and checks the units on the way.
func flatten(t *testing.T, out []types.ResultByTime, grouped bool) map[string]cell {
	t.Helper()
	got := map[string]cell{}
	add := func(key string, ms map[string]types.MetricValue) {
		c := cell{}
		for m, v := range ms {
			c[m] = rat(t, aws.ToString(v.Amount))
			unit := aws.ToString(v.Unit)
			switch m {
			case "UsageQuantity", "NormalizedUsageAmount":
				if unit == "" {
					t.Errorf("%s %s: empty unit", key, m)
				}
			default:
				if unit != "USD" {
					t.Errorf("%s %s: unit %q, want USD", key, m, unit)
				}
			}
		}
		if prev, ok := got[key]; ok {
			for m, v := range c {
				c[m] = new(big.Rat).Add(v, prev[m])
			}
		}
		got[key] = c
	}
	for _, r := range out {
		b := aws.ToString(r.TimePeriod.Start)
		if !grouped {
			add(b+"|", r.Total)
			continue
		}
		if len(r.Total) != 0 {
			t.Errorf("%s: grouped result has a Total", b)
		}
		for _, g := range r.Groups {
			add(b+"|"+g.Keys[0], g.Metrics)
		}
	}
	return got
}

// compare checks Tally's cells against the oracle's: the same keys (ignoring
// all-zero oracle cells Tally may omit) and the same amounts to 1e-9.
func compare(t *testing.T, what string, want, got map[string]cell) {
	t.Helper()
	compareMetrics(t, what, want, got, allMetrics)
}

// compareMetrics is compare for the given metrics only.
func compareMetrics(t *testing.T, what string, want, got map[string]cell, metrics []string) {
	t.Helper()
	tol := big.NewRat(1, 1_000_000_000)
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: Tally has no %q (oracle %v)", what, k, w["UnblendedCost"].FloatString(6))
			continue
		}
		for _, m := range metrics {
			wv := w[m]
			gv, ok := g[m]
			if !ok {
				t.Errorf("%s %s: metric %s missing", what, k, m)
				continue
			}
			if new(big.Rat).Abs(new(big.Rat).Sub(wv, gv)).Cmp(tol) > 0 {
				t.Errorf("%s %s %s: Tally %s, oracle %s", what, k, m, gv.FloatString(10), wv.FloatString(10))
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: Tally has %q, the oracle does not", what, k)
		}
	}
}

func allMetricsOf(*testing.T) []string { return append([]string(nil), allMetrics...) }

func getAll(t *testing.T, c *costexplorer.Client, in *costexplorer.GetCostAndUsageInput) []types.ResultByTime {
	t.Helper()
	var out []types.ResultByTime
	for page := 0; ; page++ {
		res, err := c.GetCostAndUsage(context.Background(), in)
		if err != nil {
			t.Fatalf("GetCostAndUsage: %v", err)
		}
		out = append(out, res.ResultsByTime...)
		if res.NextPageToken == nil {
			return out
		}
		if page > 1000 {
			t.Fatal("too many pages")
		}
		next := *in
		next.NextPageToken = res.NextPageToken
		in = &next
	}
}

// TestCostAndUsageMatchesRawFiles checks every metric, grouped by each
// dimension and by a tag, against SQL over the raw Workshop CUR files.
func TestCostAndUsageMatchesRawFiles(t *testing.T) {
	t.Parallel()
	files := workshop(t)
	inst := workshopServer(t)
	o := sharedOracle(t, files...)
	ce := inst.ce("test", "test")
	period := &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2019-01-01")}

	t.Run("daily totals", func(t *testing.T) {
		got := flatten(t, getAll(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period,
			Granularity: types.GranularityDaily, Metrics: allMetricsOf(t)}), false)
		want := o.sums(t, "ts", "", "")
		compare(t, "DAILY", want, got)
		if len(got) != 92 {
			t.Errorf("got %d daily buckets, want 92", len(got))
		}
	})
	for _, tc := range []struct{ dim, col string }{
		{"SERVICE", "service"}, {"LINKED_ACCOUNT", "linked_account"}, {"USAGE_TYPE", "usage_type"},
		{"OPERATION", "operation"}, {"AZ", "az"}, {"INSTANCE_TYPE", "instance_type"},
		{"RECORD_TYPE", "record_type"}, {"REGION", "region"}, {"PURCHASE_TYPE", "purchase_type"},
	} {
		t.Run("monthly by "+tc.dim, func(t *testing.T) {
			res := getAll(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityMonthly,
				Metrics: allMetricsOf(t), GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String(tc.dim)}}})
			compare(t, tc.dim, o.sums(t, "date_trunc('month', ts)", tc.col, ""), flatten(t, res, true))
		})
	}
	t.Run("monthly by tag", func(t *testing.T) {
		res := getAll(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityMonthly,
			Metrics: allMetricsOf(t), GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeTag, Key: aws.String("environment")}}})
		compare(t, "TAG environment", o.sums(t, "date_trunc('month', ts)", "'environment$' || tag_environment", ""), flatten(t, res, true))
	})
	t.Run("filtered", func(t *testing.T) {
		filter := &types.Expression{And: []types.Expression{
			{Dimensions: &types.DimensionValues{Key: types.DimensionRegion, Values: []string{"us-east-1", "eu-west-2"}}},
			{Not: &types.Expression{Tags: &types.TagValues{Key: aws.String("environment"), Values: []string{"Production"}}}},
		}}
		res := getAll(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily,
			Metrics: allMetricsOf(t), Filter: filter})
		compare(t, "filtered", o.sums(t, "ts", "", "region IN ('us-east-1', 'eu-west-2') AND tag_environment <> 'Production'"), flatten(t, res, false))
	})
	t.Run("usage units", func(t *testing.T) {
		res := getAll(t, ce, &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityMonthly,
			Metrics: []string{"UsageQuantity"}, GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("USAGE_TYPE")}}})
		// An empty pricing/unit is unknown rather than a unit of its own.
		rows, err := o.db.Query(`SELECT strftime(date_trunc('month', ts), '%Y-%m-%d'), usage_type,
			CASE count(DISTINCT nullif(usage_unit, '')) WHEN 1 THEN max(usage_unit) ELSE 'N/A' END
			FROM li WHERE counted GROUP BY ALL`)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for rows.Next() {
			var m, ut, u string
			rows.Scan(&m, &ut, &u)
			want[m+"|"+ut] = u
		}
		rows.Close()
		for _, r := range res {
			for _, g := range r.Groups {
				k := aws.ToString(r.TimePeriod.Start) + "|" + g.Keys[0]
				w, ok := want[k]
				if !ok {
					w = "N/A" // no usage lines
				}
				if got := aws.ToString(g.Metrics["UsageQuantity"].Unit); got != w {
					t.Errorf("unit of %s = %q, want %q", k, got, w)
				}
			}
		}
	})
	t.Run("dimension values", func(t *testing.T) {
		res, err := ce.GetDimensionValues(context.Background(), &costexplorer.GetDimensionValuesInput{TimePeriod: period, Dimension: types.DimensionService})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range res.DimensionValues {
			got = append(got, aws.ToString(v.Value))
		}
		if diff := cmp.Diff(o.strings(t, "service", "TRUE"), got); diff != "" {
			t.Errorf("SERVICE values (-oracle +tally):\n%s", diff)
		}
		res, err = ce.GetDimensionValues(context.Background(), &costexplorer.GetDimensionValuesInput{TimePeriod: period,
			Dimension: types.DimensionUsageType, SearchString: aws.String("boxusage")})
		if err != nil {
			t.Fatal(err)
		}
		got = nil
		for _, v := range res.DimensionValues {
			got = append(got, aws.ToString(v.Value))
			want := o.strings(t, "mode(usage_unit)", fmt.Sprintf("usage_type = '%s' AND usage_unit <> '' GROUP BY usage_type", aws.ToString(v.Value)))
			if len(want) == 1 && v.Attributes["unit"] != want[0] {
				t.Errorf("usage type %s: unit attribute %q, want %q", aws.ToString(v.Value), v.Attributes["unit"], want[0])
			}
		}
		if diff := cmp.Diff(o.strings(t, "usage_type", "lower(usage_type) LIKE '%boxusage%'"), got); diff != "" {
			t.Errorf("USAGE_TYPE search (-oracle +tally):\n%s", diff)
		}
	})
	t.Run("tags", func(t *testing.T) {
		res, err := ce.GetTags(context.Background(), &costexplorer.GetTagsInput{TimePeriod: period, TagKey: aws.String("environment")})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(o.strings(t, "tag_environment", "TRUE"), res.Tags); diff != "" {
			t.Errorf("environment values (-oracle +tally):\n%s", diff)
		}
	})
}

// TestCLIMatchesSDK runs the real aws CLI and checks it reads the same bill
// as the SDK.
func TestCLIMatchesSDK(t *testing.T) {
	t.Parallel()
	inst := workshopServer(t)
	out, stderr, err := inst.cli(t, "ce", "get-cost-and-usage", "--time-period", "Start=2018-10-01,End=2018-11-01",
		"--granularity", "MONTHLY", "--metrics", "UnblendedCost", "AmortizedCost", "--group-by", "Type=DIMENSION,Key=SERVICE")
	if err != nil {
		t.Fatalf("aws ce get-cost-and-usage: %v\n%s", err, stderr)
	}
	res := getAll(t, inst.ce("test", "test"), &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")},
		Granularity: types.GranularityMonthly, Metrics: []string{"UnblendedCost", "AmortizedCost"},
		GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}}})
	sdk := map[string]string{}
	for _, g := range res[0].Groups {
		sdk[g.Keys[0]] = aws.ToString(g.Metrics["UnblendedCost"].Amount)
	}
	cli := map[string]string{}
	for _, r := range out["ResultsByTime"].([]any) {
		for _, g := range r.(map[string]any)["Groups"].([]any) {
			gm := g.(map[string]any)
			cli[gm["Keys"].([]any)[0].(string)] = gm["Metrics"].(map[string]any)["UnblendedCost"].(map[string]any)["Amount"].(string)
		}
	}
	if len(sdk) < 10 {
		t.Fatalf("only %d services", len(sdk))
	}
	if diff := cmp.Diff(sdk, cli); diff != "" {
		t.Errorf("CLI and SDK differ (-sdk +cli):\n%s", diff)
	}
	if _, stderr, err := inst.cli(t, "ce", "get-cost-and-usage", "--time-period", "Start=2018-10-01,End=2018-11-01",
		"--granularity", "WEEKLY", "--metrics", "UnblendedCost"); err == nil || !strings.Contains(stderr, "ValidationException") {
		t.Errorf("WEEKLY granularity: err %v, stderr %q; want a ValidationException", err, stderr)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestPaginationAndTokens pages through a result that needs many pages and
// checks the token rules.
func TestPaginationAndTokens(t *testing.T) {
	t.Parallel()
	files := workshop(t)
	inst := startWith(t, fixedNow, &serveHooks{pageSize: 100})
	inst.ingest(t, files[0])
	ce := inst.ce("test", "test")
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")},
		Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
		GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("USAGE_TYPE")}}}
	first, err := ce.GetCostAndUsage(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if first.NextPageToken == nil {
		t.Fatal("no NextPageToken with 100 groups a page")
	}
	all := flatten(t, getAll(t, ce, in), true)
	o := sharedOracle(t, files[0])
	compareMetrics(t, "paged", o.sums(t, "ts", "usage_type", ""), all, []string{"UnblendedCost"})

	changed := *in
	changed.Metrics = []string{"BlendedCost"}
	changed.NextPageToken = first.NextPageToken
	_, err = ce.GetCostAndUsage(context.Background(), &changed)
	var rc *types.RequestChangedException
	if !errors.As(err, &rc) {
		t.Errorf("token with changed metrics: %v, want RequestChangedException", err)
	}
	bad := *in
	bad.NextPageToken = aws.String(*first.NextPageToken + "x")
	_, err = ce.GetCostAndUsage(context.Background(), &bad)
	var it *types.InvalidNextTokenException
	if !errors.As(err, &it) {
		t.Errorf("forged token: %v, want InvalidNextTokenException", err)
	}
}

// TestValidationErrors checks the rules of GetCostAndUsage through the SDK.
func TestValidationErrors(t *testing.T) {
	t.Parallel()
	inst := workshopServer(t)
	ce := inst.ce("test", "test")
	period := &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")}
	dim := func(k types.Dimension, v ...string) types.Expression {
		return types.Expression{Dimensions: &types.DimensionValues{Key: k, Values: v}}
	}
	for _, tc := range []struct {
		name string
		in   costexplorer.GetCostAndUsageInput
	}{
		{"end before start", costexplorer.GetCostAndUsageInput{TimePeriod: &types.DateInterval{Start: aws.String("2018-11-01"), End: aws.String("2018-10-01")}, Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}}},
		{"bad date", costexplorer.GetCostAndUsageInput{TimePeriod: &types.DateInterval{Start: aws.String("2018-13-01"), End: aws.String("2018-14-01")}, Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}}},
		{"unknown granularity", costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: "WEEKLY", Metrics: []string{"UnblendedCost"}}},
		{"unknown metric", costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: []string{"Cost"}}},
		{"three groups", costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			GroupBy: []types.GroupDefinition{{Type: "DIMENSION", Key: aws.String("SERVICE")}, {Type: "DIMENSION", Key: aws.String("REGION")}, {Type: "TAG", Key: aws.String("a")}}}},
		{"bad group dimension", costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			GroupBy: []types.GroupDefinition{{Type: "DIMENSION", Key: aws.String("NOPE")}}}},
		{"two roots", costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			Filter: &types.Expression{Dimensions: dim("SERVICE", "x").Dimensions, Not: &types.Expression{}}}},
		{"and of one", costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			Filter: &types.Expression{And: []types.Expression{dim("SERVICE", "x")}}}},
		{"dimension match option", costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			Filter: &types.Expression{Dimensions: &types.DimensionValues{Key: "SERVICE", Values: []string{"x"}, MatchOptions: []types.MatchOption{types.MatchOptionContains}}}}},
		{"service code in filter", costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"},
			Filter: &types.Expression{Dimensions: dim("SERVICE_CODE", "AmazonEC2").Dimensions}}},
		{"too old for the aws profile", costexplorer.GetCostAndUsageInput{TimePeriod: &types.DateInterval{Start: aws.String("2016-01-01"), End: aws.String("2016-02-01")}, Granularity: types.GranularityMonthly, Metrics: []string{"UnblendedCost"}}},
		{"end past next month", costexplorer.GetCostAndUsageInput{TimePeriod: &types.DateInterval{Start: aws.String("2019-01-01"), End: aws.String("2019-03-01")}, Granularity: types.GranularityMonthly, Metrics: []string{"UnblendedCost"}}},
		{"hourly too old", costexplorer.GetCostAndUsageInput{TimePeriod: &types.DateInterval{Start: aws.String("2018-10-01T00:00:00Z"), End: aws.String("2018-10-02T00:00:00Z")}, Granularity: types.GranularityHourly, Metrics: []string{"UnblendedCost"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ce.GetCostAndUsage(context.Background(), &tc.in)
			if code := apiCode(err); code != "ValidationException" {
				t.Errorf("got %v (code %q), want ValidationException", err, code)
			}
		})
	}
	_, err := ce.GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{TimePeriod: period,
		Granularity: types.GranularityDaily, Metrics: []string{"UnblendedCost"}, BillingViewArn: aws.String("arn:aws:billing::123456789012:billingview/custom-1")})
	var rnf *types.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Errorf("billing view: %v, want ResourceNotFoundException", err)
	}
	// Without a monitor nothing is detected.
	an, err := ce.GetAnomalies(context.Background(), &costexplorer.GetAnomaliesInput{DateInterval: &types.AnomalyDateInterval{StartDate: aws.String("2018-10-01")}})
	if err != nil || len(an.Anomalies) != 0 {
		t.Errorf("GetAnomalies without a monitor: %v, %v; want none", an, err)
	}
}

// TestReingestAndConcurrentQueries replaces a month while queries run: each
// answer is the old month or the new one, never a mix, and the same month
// ingested twice does not double.
func TestReingestAndConcurrentQueries(t *testing.T) {
	t.Parallel()
	files := workshop(t)
	inst := start(t, fixedNow)
	inst.ingest(t, files[0])
	ce := inst.ce("test", "test")
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")},
		Granularity: types.GranularityMonthly, Metrics: []string{"UnblendedCost"}}
	total := func() string {
		res, err := ce.GetCostAndUsage(context.Background(), in)
		if err != nil {
			t.Error(err)
			return ""
		}
		return aws.ToString(res.ResultsByTime[0].Total["UnblendedCost"].Amount)
	}
	full := total()
	inst.ingest(t, files[0])
	if again := total(); again != full {
		t.Fatalf("after re-ingest the total is %s, was %s", again, full)
	}
	// A smaller delivery of the same month: one account's lines only.
	o := sharedOracle(t, files[0])
	part := filepath.Join(t.TempDir(), "oct-part.parquet")
	if _, err := o.db.Exec(fmt.Sprintf(`COPY (SELECT * FROM read_parquet('%s') WHERE line_item_usage_account_id = '836060457634') TO '%s' (FORMAT parquet)`, files[0], part)); err != nil {
		t.Fatal(err)
	}
	partial := o.sums(t, "date_trunc('month', ts)", "", "linked_account = '836060457634'")["2018-10-01|"]["UnblendedCost"]
	done := make(chan struct{})
	seen := map[string]int{}
	go func() {
		defer close(done)
		for _, f := range []string{part, files[0], part} {
			inst.ingest(t, f)
		}
	}()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		seen[total()]++
	}
	last := total()
	for v := range seen {
		if v != full && rat(t, v).Cmp(partial) != 0 {
			t.Errorf("a query saw %s, neither the full month %s nor the partial %s", v, full, partial.FloatString(10))
		}
	}
	if rat(t, last).Cmp(partial) != 0 {
		t.Errorf("after the last ingest the total is %s, want %s", last, partial.FloatString(10))
	}
	t.Logf("answers seen during re-ingest: %v", seen)
}

// startWith starts a server on a fresh data directory with hooks.
func startWith(t *testing.T, now time.Time, hooks *serveHooks) *instance {
	return startHooks(t, t.TempDir(), now, hooks)
}
