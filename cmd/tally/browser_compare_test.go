package main

import (
	"context"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/web/e2e"
)

// TestBrowserCompare uses the Compare page as a person would: two months
// picked with the month inputs, grouped by account, then the account with
// the largest change picked for its drivers; the page must show the API's
// figures, in its order, and drivers that add up to the difference.
func TestBrowserCompare(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	now := browserNow
	inst := start(t, now)
	inst.ingest(t, uiSynthExport(t, now))
	ce := inst.ce("test", "test")
	ctx := context.Background()
	comparison := uiMonthStart(now).AddDate(0, -1, 0)
	baseline := comparison.AddDate(0, -1, 0)
	month := func(m string) *cetypes.DateInterval {
		return &cetypes.DateInterval{Start: aws.String(m + "-01"), End: aws.String(map[string]string{
			baseline.Format("2006-01"): comparison.Format("2006-01-02"), comparison.Format("2006-01"): uiMonthStart(now).Format("2006-01-02")}[m])}
	}
	bm, cm := baseline.Format("2006-01"), comparison.Format("2006-01")
	byAccount := []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("LINKED_ACCOUNT")}}
	api, err := ce.GetCostAndUsageComparisons(ctx, &costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: month(bm),
		ComparisonTimePeriod: month(cm), MetricForComparison: aws.String("UnblendedCost"), GroupBy: byAccount})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Key     string
		Amounts []string
	}
	var want []row
	for _, c := range api.CostAndUsageComparisons {
		m := c.Metrics["UnblendedCost"]
		want = append(want, row{c.CostAndUsageSelector.Dimensions.Values[0], []string{uiRat(t, aws.ToString(m.BaselineTimePeriodAmount)).FloatString(10),
			uiRat(t, aws.ToString(m.ComparisonTimePeriodAmount)).FloatString(10), uiRat(t, aws.ToString(m.Difference)).FloatString(10)}})
	}
	if len(want) < 2 {
		t.Fatalf("%d accounts: the check needs several", len(want))
	}
	res := b.Run(t, inst.url, e2e.Scenario{Name: "compare", Params: map[string]any{"baseline": bm, "comparison": cm, "group": "LINKED_ACCOUNT"}})
	var got struct {
		Rows        []row
		Total       string
		Selected    string
		DriversSum  string
		DriversText string
		Types       map[string]string
		URL         string
		Error       string
	}
	uiDecode(t, res["compare"], &got)
	if got.Error != "" {
		t.Fatalf("scenario failed: %s", got.Error)
	}
	for i := range got.Rows {
		for j, a := range got.Rows[i].Amounts {
			got.Rows[i].Amounts[j] = uiRat(t, a).FloatString(10)
		}
	}
	if diff := cmp.Diff(want, got.Rows); diff != "" {
		t.Errorf("comparison table (-API +page):\n%s", diff)
	}
	if total := uiRat(t, aws.ToString(api.TotalCostAndUsage["UnblendedCost"].Difference)); uiRat(t, got.Total).Cmp(total) != 0 {
		t.Errorf("total difference: page %s, API %s", got.Total, total.FloatString(10))
	}
	top := want[0]
	if got.Selected != top.Key {
		t.Errorf("picked %q, want the first row %q", got.Selected, top.Key)
	}
	if uiRat(t, got.DriversSum).FloatString(10) != top.Amounts[2] {
		t.Errorf("drivers of %s add up to %s on the page (%q), its difference is %s", top.Key, got.DriversSum, got.DriversText, top.Amounts[2])
	}
	// The page's sums by driver type against the API's drivers.
	byType := map[string]*big.Rat{}
	in := &costexplorer.GetCostComparisonDriversInput{BaselineTimePeriod: month(bm), ComparisonTimePeriod: month(cm),
		MetricForComparison: aws.String("UnblendedCost"), GroupBy: byAccount,
		Filter: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: []string{top.Key}}}}
	for {
		out, err := ce.GetCostComparisonDrivers(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range out.CostComparisonDrivers {
			for _, d := range e.CostDrivers {
				k := aws.ToString(d.Type)
				if byType[k] == nil {
					byType[k] = new(big.Rat)
				}
				byType[k].Add(byType[k], uiRat(t, aws.ToString(d.Metrics["UnblendedCost"].Difference)))
			}
		}
		if out.NextPageToken == nil {
			break
		}
		in.NextPageToken = out.NextPageToken
	}
	wantTypes := map[string]string{}
	for k, v := range byType {
		wantTypes[k] = v.FloatString(10)
	}
	for k, v := range got.Types {
		got.Types[k] = uiRat(t, v).FloatString(10)
	}
	if diff := cmp.Diff(wantTypes, got.Types); diff != "" {
		t.Errorf("drivers by type (-API +page):\n%s", diff)
	}
	t.Logf("compare page: %d accounts, %s picked, drivers %v; screenshot in %s", len(got.Rows), got.Selected, got.Types, e2e.ArtifactsDir(t.Name()))
}
