package main

import (
	"context"
	"fmt"
	"math/big"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"
)

// TestComparisonsWorkshop compares the months of the real Workshop CUR by
// service against the oracle's independent SQL over the raw Parquet, and
// checks that each service's drivers add up to its difference and, by
// record type, to the oracle's change of that record type.
func TestComparisonsWorkshop(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("ingests the Workshop files")
	}
	inst := workshopServer(t)
	o := sharedOracle(t, workshop(t)...)
	ce := inst.ce("test", "test")
	ctx := context.Background()
	bySvc := []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}}
	months := []string{"2018-10-01", "2018-11-01", "2018-12-01", "2019-01-01"}
	for i, metric := range []string{"UnblendedCost", "AmortizedCost"} {
		base, comp := months[i], months[i+1]
		t.Run(metric+" "+base[:7]+" to "+comp[:7], func(t *testing.T) {
			bi := &types.DateInterval{Start: aws.String(base), End: aws.String(comp)}
			ci := &types.DateInterval{Start: aws.String(comp), End: aws.String(months[i+2])}
			sums := o.sums(t, "date_trunc('month', ts)", "service", "")
			want, got := map[string]string{}, map[string]string{}
			diffs := map[string]*big.Rat{}
			for k, c := range sums {
				if c[metric].Sign() != 0 && (k[:10] == base || k[:10] == comp) {
					want[k] = c[metric].FloatString(10)
				}
			}
			in := &costexplorer.GetCostAndUsageComparisonsInput{BaselineTimePeriod: bi, ComparisonTimePeriod: ci,
				MetricForComparison: aws.String(metric), GroupBy: bySvc}
			res, err := ce.GetCostAndUsageComparisons(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range res.CostAndUsageComparisons {
				svc, m := c.CostAndUsageSelector.Dimensions.Values[0], c.Metrics[metric]
				for k, v := range map[string]string{base: aws.ToString(m.BaselineTimePeriodAmount), comp: aws.ToString(m.ComparisonTimePeriodAmount)} {
					if r := rat(t, v); r.Sign() != 0 {
						got[k+"|"+svc] = r.FloatString(10)
					}
				}
				diffs[svc] = rat(t, aws.ToString(m.Difference))
			}
			if len(want) < 4 {
				t.Fatalf("the oracle has %d service-months: the check needs several", len(want))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s by service and month (-oracle +tally):\n%s", metric, diff)
			}

			drivers := map[string]*big.Rat{}
			byType := map[string]*big.Rat{}
			add := func(m map[string]*big.Rat, k string, v *big.Rat) {
				if m[k] == nil {
					m[k] = new(big.Rat)
				}
				m[k].Add(m[k], v)
			}
			dIn := &costexplorer.GetCostComparisonDriversInput{BaselineTimePeriod: bi, ComparisonTimePeriod: ci,
				MetricForComparison: aws.String(metric), GroupBy: bySvc}
			for {
				res, err := ce.GetCostComparisonDrivers(ctx, dIn)
				if err != nil {
					t.Fatal(err)
				}
				for _, e := range res.CostComparisonDrivers {
					svc := e.CostSelector.And[0].Dimensions.Values[0]
					for _, d := range e.CostDrivers {
						v := rat(t, aws.ToString(d.Metrics[metric].Difference))
						add(drivers, svc, v)
						typ := aws.ToString(d.Type)
						if typ == "RATE_CHANGE" {
							typ = "USAGE_CHANGE"
						}
						add(byType, typ, v)
					}
				}
				if res.NextPageToken == nil {
					break
				}
				dIn.NextPageToken = res.NextPageToken
			}
			for svc, d := range diffs {
				if d.Sign() == 0 {
					continue
				}
				if drivers[svc] == nil || drivers[svc].Cmp(d) != 0 {
					t.Errorf("%s: drivers add up to %v, the difference is %s", svc, drivers[svc], d.FloatString(10))
				}
			}
			rows, err := o.db.Query(fmt.Sprintf(`SELECT CASE record_type WHEN 'Usage' THEN 'USAGE_CHANGE' WHEN 'DiscountedUsage' THEN 'RESERVATION_USAGE'
					WHEN 'Recurring' THEN 'RECURRING_RESERVATION_FEE' WHEN 'Tax' THEN 'TAX' WHEN 'Credit' THEN 'CREDIT' WHEN 'Refund' THEN 'REFUND'
					ELSE 'record type ' || record_type END,
				CAST(sum(CASE strftime(date_trunc('month', ts), '%%Y-%%m-%%d') WHEN '%s' THEN "%s" ELSE -"%s" END) AS VARCHAR)
				FROM li WHERE ts >= TIMESTAMP '%s' AND ts < TIMESTAMP '%s' GROUP BY ALL`, comp, metric, metric, base, months[i+2]))
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			wantType, gotType := map[string]string{}, map[string]string{}
			for rows.Next() {
				var k, v string
				if err := rows.Scan(&k, &v); err != nil {
					t.Fatal(err)
				}
				if r := rat(t, v); r.Sign() != 0 {
					wantType[k] = r.FloatString(10)
				}
			}
			for k, v := range byType {
				if v.Sign() != 0 {
					gotType[k] = v.FloatString(10)
				}
			}
			if diff := cmp.Diff(wantType, gotType); diff != "" {
				t.Errorf("change by driver type (-oracle by record type +tally):\n%s", diff)
			}
			t.Logf("%s %s→%s: %d services; change by driver type %v", metric, base[:7], comp[:7], len(diffs), gotType)
		})
	}
}
