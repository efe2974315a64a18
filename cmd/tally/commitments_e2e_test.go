package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	"github.com/tallyhq/tally/internal/synth"
)

// The commitment oracle reads raw billing files into one canonical DuckDB
// table cl, column by column from each format's own names, then computes
// the utilization and coverage figures with SQL written from AWS's
// definitions (see package commitments' doc for the formulas and their
// sources) — never from Tally's store or code.
//
// cl columns: ts (usage start), typ (CUR line item type), ri and sp (the
// commitment ARN or NULL), sub, ri_start, ri_end, code, usage_type, region,
// instance_type, usage, norm, unblended, od (public on-demand cost),
// ri_hours/ri_units (purchased, on the fee line), ri_unused/ri_unused_units,
// ri_fee (recurring), ri_up (amortized upfront for the period),
// ri_unused_cost, sp_total, sp_used, sp_rec, sp_up.

func commitOracle(t *testing.T, from string, cols map[string]string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	order := []string{"ts", "typ", "ri", "sp", "sub", "ri_start", "ri_end", "code", "usage_type", "region", "instance_type",
		"usage", "norm", "unblended", "od", "ri_hours", "ri_units", "ri_unused", "ri_unused_units", "ri_fee", "ri_up",
		"ri_unused_cost", "sp_total", "sp_used", "sp_rec", "sp_up"}
	var sel []string
	for _, c := range order {
		e, ok := cols[c]
		if !ok {
			t.Fatalf("oracle: no expression for %s", c)
		}
		sel = append(sel, e+" AS "+c)
	}
	if _, err := db.Exec("CREATE TABLE raw AS SELECT * FROM " + from); err != nil {
		t.Fatal(err)
	}
	// Columns vary by export (the Workshop CUR has no savingsPlan/*): a
	// column the file lacks reads as empty.
	for range 40 {
		_, err := db.Exec("CREATE TABLE cl AS SELECT " + strings.Join(sel, ", ") + " FROM raw")
		if err == nil {
			return db
		}
		_, rest, ok := strings.Cut(err.Error(), `Referenced column "`)
		name, _, _ := strings.Cut(rest, `"`)
		if !ok || name == "" {
			t.Fatal(err)
		}
		if _, err := db.Exec(`ALTER TABLE raw ADD COLUMN "` + name + `" VARCHAR`); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("oracle: too many missing columns")
	return nil
}

// Numeric helpers for the format mappings.
func dec(x string) string { return "CAST(NULLIF(CAST(" + x + " AS VARCHAR), '') AS DECIMAL(38,10))" }
func dbl(x string) string { return "CAST(NULLIF(CAST(" + x + " AS VARCHAR), '') AS DOUBLE)" }
func txt(x string) string { return "NULLIF(CAST(" + x + " AS VARCHAR), '')" }

// curCols maps CUR (legacy names, col("lineItem/UsageAmount")) or CUR 2.0
// (snake names) columns.
func curCols(col func(legacy string) string) map[string]string {
	typ := col("lineItem/LineItemType")
	fee := func(x string) string { return "CASE WHEN " + typ + " = 'RIFee' THEN " + x + " END" }
	return map[string]string{
		"ts":  "CAST(" + col("lineItem/UsageStartDate") + " AS TIMESTAMP)",
		"typ": typ, "ri": txt(col("reservation/ReservationARN")), "sp": txt(col("savingsPlan/SavingsPlanARN")),
		"sub": txt(col("reservation/SubscriptionId")), "ri_start": txt(col("reservation/StartTime")),
		"ri_end": txt(col("reservation/EndTime")), "code": col("lineItem/ProductCode"), "usage_type": col("lineItem/UsageType"),
		"region": txt(col("product/regionCode")), "instance_type": txt(col("product/instanceType")),
		"usage": dbl(col("lineItem/UsageAmount")), "norm": dbl(col("lineItem/NormalizedUsageAmount")),
		"unblended": dec(col("lineItem/UnblendedCost")), "od": dec(col("pricing/publicOnDemandCost")),
		"ri_hours": fee(dbl(col("lineItem/UsageAmount"))), "ri_units": fee(dbl(col("lineItem/NormalizedUsageAmount"))),
		"ri_unused": dbl(col("reservation/UnusedQuantity")), "ri_unused_units": dbl(col("reservation/UnusedNormalizedUnitQuantity")),
		"ri_fee": fee(dec(col("lineItem/UnblendedCost"))), "ri_up": dec(col("reservation/AmortizedUpfrontFeeForBillingPeriod")),
		"ri_unused_cost": "coalesce(" + dec(col("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod")) + ", 0) + coalesce(" +
			dec(col("reservation/UnusedRecurringFee")) + ", 0)",
		"sp_total": dec(col("savingsPlan/TotalCommitmentToDate")), "sp_used": dec(col("savingsPlan/UsedCommitment")),
		"sp_rec": dec(col("savingsPlan/RecurringCommitmentForBillingPeriod")),
		"sp_up":  dec(col("savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod")),
	}
}

// snake is the CUR 2.0 / Athena name of a legacy column.
func snake(legacy string) string {
	cat, name, _ := strings.Cut(legacy, "/")
	var b strings.Builder
	for i, r := range name {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r + 'a' - 'A')
			continue
		}
		b.WriteRune(r)
	}
	prefix := map[string]string{"lineItem": "line_item", "savingsPlan": "savings_plan"}[cat]
	if prefix == "" {
		prefix = cat
	}
	return prefix + "_" + b.String()
}

// focusCols maps FOCUS columns: purchased and unused reservation hours and
// the plans' commitments come from CommitmentDiscountQuantity of the
// recurring Purchase rows and of the Unused rows.
func focusCols() map[string]string {
	kind := "CASE WHEN CommitmentDiscountType LIKE '%Savings%' THEN 'sp' WHEN CommitmentDiscountType LIKE '%Reserv%' THEN 'ri' END"
	unused := "CommitmentDiscountStatus = 'Unused'"
	recurring := "ChargeCategory = 'Purchase' AND ChargeFrequency = 'Recurring'"
	typ := `CASE ChargeCategory
		WHEN 'Usage' THEN CASE CommitmentDiscountStatus
			WHEN 'Used' THEN CASE WHEN ` + kind + ` = 'sp' THEN 'SavingsPlanCoveredUsage' ELSE 'DiscountedUsage' END
			WHEN 'Unused' THEN CASE WHEN ` + kind + ` = 'sp' THEN 'SavingsPlanRecurringFee' ELSE 'RIFee' END
			ELSE 'Usage' END
		WHEN 'Purchase' THEN CASE
			WHEN ` + kind + ` = 'sp' THEN CASE ChargeFrequency WHEN 'Recurring' THEN 'SavingsPlanRecurringFee' ELSE 'SavingsPlanUpfrontFee' END
			WHEN ` + kind + ` = 'ri' AND ChargeFrequency = 'Recurring' THEN 'RIFee'
			ELSE 'Fee' END
		ELSE ChargeCategory END`
	cdq := dbl("CommitmentDiscountQuantity")
	cdqDec := dec("CommitmentDiscountQuantity")
	ri := func(cond, x string) string {
		return "CASE WHEN " + kind + " = 'ri' AND " + cond + " THEN " + x + " END"
	}
	sp := func(cond, x string) string {
		return "CASE WHEN " + kind + " = 'sp' AND " + cond + " THEN " + x + " END"
	}
	return map[string]string{
		"ts": "CAST(ChargePeriodStart AS TIMESTAMP)", "typ": typ,
		"ri":  "CASE WHEN " + kind + " = 'ri' THEN CommitmentDiscountId END",
		"sp":  "CASE WHEN " + kind + " = 'sp' THEN CommitmentDiscountId END",
		"sub": "NULL", "ri_start": "NULL", "ri_end": "NULL", "code": "x_ServiceCode", "usage_type": "coalesce(" + txt("x_UsageType") + ", SkuMeter)",
		"region": txt("RegionId"), "instance_type": "NULL",
		"usage": "coalesce(" + dbl("ConsumedQuantity") + ", " + dbl("PricingQuantity") + ")", "norm": "NULL",
		"unblended": dec("BilledCost"),
		"od":        "CASE WHEN ChargeCategory = 'Usage' AND coalesce(CommitmentDiscountStatus, '') <> 'Unused' THEN " + dec("ListCost") + " END",
		"ri_hours":  ri(recurring, cdq), "ri_units": "NULL", "ri_unused": ri(unused, cdq), "ri_unused_units": "NULL",
		"ri_fee": ri(recurring, dec("BilledCost")), "ri_up": "NULL", "ri_unused_cost": ri(unused, dec("EffectiveCost")),
		"sp_total": sp(recurring, cdqDec), "sp_used": "coalesce(" + sp(recurring, cdqDec) + ", -" + sp(unused, cdqDec) + ")",
		"sp_rec": sp(recurring, dec("BilledCost")), "sp_up": "NULL",
	}
}

// figures runs a query whose first column is a key and the others named
// figures; it returns key -> figure -> value.
func figures(t *testing.T, db *sql.DB, q string) map[string]map[string]*big.Rat {
	t.Helper()
	rows, err := db.Query("SELECT COLUMNS(*)::VARCHAR FROM (" + q + ")")
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, q)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	out := map[string]map[string]*big.Rat{}
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			t.Fatal(err)
		}
		m := map[string]*big.Rat{}
		for i, c := range cols[1:] {
			r := new(big.Rat)
			if vals[i+1].Valid {
				if _, ok := r.SetString(vals[i+1].String); !ok {
					t.Fatalf("oracle %s: not a number %q", c, vals[i+1].String)
				}
			}
			m[c] = r
		}
		out[vals[0].String] = m
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// Eligibility of on-demand usage, as the package doc of commitments states
// it (services of the GetReservationCoverage documentation; Savings Plans
// user guide).
const (
	riEligibleSQL = `typ = 'Usage' AND usage_type NOT LIKE '%SpotUsage%' AND (
		(code = 'AmazonEC2' AND regexp_matches(usage_type, 'BoxUsage|DedicatedUsage|HostUsage'))
		OR (code = 'AmazonRDS' AND regexp_matches(usage_type, 'InstanceUsage|Multi-AZUsage|MirrorUsage'))
		OR (code IN ('AmazonElastiCache', 'AmazonMemoryDB') AND usage_type LIKE '%NodeUsage%')
		OR (code = 'AmazonRedshift' AND usage_type LIKE '%Node:%')
		OR (code IN ('AmazonES', 'AmazonOpenSearchService') AND usage_type LIKE '%ESInstance%'))`
	spEligibleSQL = `typ = 'Usage' AND usage_type NOT LIKE '%SpotUsage%' AND (
		(code = 'AmazonEC2' AND regexp_matches(usage_type, 'BoxUsage|DedicatedUsage|HostUsage'))
		OR (code IN ('AmazonECS', 'AmazonEKS') AND usage_type LIKE '%Fargate%')
		OR (code = 'AWSLambda' AND regexp_matches(usage_type, 'Lambda-GB-Second|Lambda-Provisioned'))
		OR (code = 'AmazonSageMaker' AND usage_type LIKE '%ml.%'))`
)

// riMonthlySQL is RI utilization per month (whole months: every fee line
// counts whole), grouped by key, from per-reservation figures.
func riMonthlySQL(key, from, to string) string {
	return `WITH per AS (SELECT date_trunc('month', ts) AS m, ri, any_value(sub) FILTER (WHERE sub IS NOT NULL) AS sub,
		sum(CASE WHEN typ = 'RIFee' THEN ri_hours END) AS ph, sum(CASE WHEN typ = 'RIFee' THEN ri_units END) AS pu,
		sum(CASE WHEN typ = 'RIFee' THEN ri_unused END) AS uh, sum(CASE WHEN typ = 'RIFee' THEN ri_unused_units END) AS uu,
		sum(CASE WHEN typ = 'DiscountedUsage' THEN od END) AS od, sum(CASE WHEN typ = 'RIFee' THEN ri_up END) AS up,
		sum(CASE WHEN typ = 'RIFee' THEN ri_fee END) AS rec, sum(CASE WHEN typ = 'RIFee' THEN ri_unused_cost END) AS cu
		FROM cl WHERE ri IS NOT NULL AND code = 'AmazonEC2' AND ts >= '` + from + `' AND ts < '` + to + `' GROUP BY 1, 2),
	f AS (SELECT *, coalesce(ph, 0) - coalesce(uh, 0) AS ah, CASE WHEN coalesce(ph, 0) - coalesce(uh, 0) > 0
		THEN coalesce(od, 0) / (ph - coalesce(uh, 0)) * coalesce(uh, 0) - coalesce(cu, 0) ELSE 0 END AS unreal FROM per)
	SELECT ` + key + ` AS k, sum(ph) AS "PurchasedHours", sum(uh) AS "UnusedHours", sum(ah) AS "TotalActualHours",
		100 * sum(ah) / nullif(sum(ph), 0) AS "UtilizationPercentage",
		sum(pu) AS "PurchasedUnits", sum(uu) AS "UnusedUnits", 100 * (sum(pu) - sum(uu)) / nullif(sum(pu), 0) AS "UtilizationPercentageInUnits",
		sum(od) AS "OnDemandCostOfRIHoursUsed", sum(up) AS "AmortizedUpfrontFee", sum(rec) AS "AmortizedRecurringFee",
		coalesce(sum(up), 0) + coalesce(sum(rec), 0) AS "TotalAmortizedFee", sum(cu) AS "RICostForUnusedHours",
		coalesce(sum(od), 0) - coalesce(sum(up), 0) - coalesce(sum(rec), 0) AS "NetRISavings",
		coalesce(sum(od), 0) - coalesce(sum(up), 0) - coalesce(sum(rec), 0) + coalesce(sum(cu), 0) AS "RealizedSavings",
		sum(unreal) AS "UnrealizedSavings",
		coalesce(sum(od), 0) - coalesce(sum(up), 0) - coalesce(sum(rec), 0) + coalesce(sum(cu), 0) + sum(unreal) AS "TotalPotentialRISavings"
	FROM f GROUP BY 1`
}

// riAggregateMap flattens a ReservationAggregates.
func riAggregateMap(t *testing.T, a *types.ReservationAggregates) map[string]*big.Rat {
	t.Helper()
	m := map[string]*string{"PurchasedHours": a.PurchasedHours, "UnusedHours": a.UnusedHours, "TotalActualHours": a.TotalActualHours,
		"UtilizationPercentage": a.UtilizationPercentage, "PurchasedUnits": a.PurchasedUnits, "UnusedUnits": a.UnusedUnits,
		"UtilizationPercentageInUnits": a.UtilizationPercentageInUnits, "OnDemandCostOfRIHoursUsed": a.OnDemandCostOfRIHoursUsed,
		"AmortizedUpfrontFee": a.AmortizedUpfrontFee, "AmortizedRecurringFee": a.AmortizedRecurringFee,
		"TotalAmortizedFee": a.TotalAmortizedFee, "RICostForUnusedHours": a.RICostForUnusedHours, "NetRISavings": a.NetRISavings,
		"RealizedSavings": a.RealizedSavings, "UnrealizedSavings": a.UnrealizedSavings, "TotalPotentialRISavings": a.TotalPotentialRISavings}
	out := map[string]*big.Rat{}
	for k, v := range m {
		if v == nil {
			t.Errorf("%s missing", k)
			continue
		}
		out[k] = rat(t, *v)
	}
	return out
}

// near compares figures: the oracle sums DOUBLE quantities, Tally exact
// decimals, so they agree to a relative 1e-9 (or 1e-6 absolute).
func near(a, b *big.Rat) bool {
	d := new(big.Rat).Sub(a, b)
	d.Abs(d)
	if d.Cmp(big.NewRat(1, 1_000_000)) <= 0 {
		return true
	}
	scale := new(big.Rat).Abs(a)
	return d.Cmp(scale.Mul(scale, big.NewRat(1, 1_000_000_000))) <= 0
}

func compareFigures(t *testing.T, what string, want, got map[string]map[string]*big.Rat, names ...string) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the oracle found nothing: the check would be empty", what)
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s %s: missing from Tally's answer (oracle %v)", what, k, w)
			continue
		}
		for _, n := range names {
			wv, gv := w[n], g[n]
			if wv == nil || gv == nil {
				t.Errorf("%s %s %s: oracle %v, Tally %v", what, k, n, wv, gv)
				continue
			}
			if !near(wv, gv) {
				t.Errorf("%s %s %s: Tally %s, oracle %s", what, k, n, gv.FloatString(10), wv.FloatString(10))
			}
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s %s: Tally answers a key the oracle does not have", what, k)
		}
	}
}

var riNames = []string{"PurchasedHours", "UnusedHours", "TotalActualHours", "UtilizationPercentage", "PurchasedUnits",
	"UnusedUnits", "UtilizationPercentageInUnits", "OnDemandCostOfRIHoursUsed", "AmortizedUpfrontFee", "AmortizedRecurringFee",
	"TotalAmortizedFee", "RICostForUnusedHours", "NetRISavings", "RealizedSavings", "UnrealizedSavings", "TotalPotentialRISavings"}

// checkRIUtilization compares MONTHLY GetReservationUtilization, in total
// and by SUBSCRIPTION_ID, with the oracle.
func checkRIUtilization(t *testing.T, ce *costexplorer.Client, db *sql.DB, start, end string, bySub bool, names []string) {
	t.Helper()
	ctx := context.Background()
	period := &types.DateInterval{Start: aws.String(start), End: aws.String(end)}
	out, err := ce.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{TimePeriod: period,
		Granularity: types.GranularityMonthly})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]*big.Rat{}
	for _, u := range out.UtilizationsByTime {
		if f := riAggregateMap(t, u.Total); f["PurchasedHours"].Sign() != 0 || f["OnDemandCostOfRIHoursUsed"].Sign() != 0 {
			got[aws.ToString(u.TimePeriod.Start)] = f
		}
	}
	compareFigures(t, "RI utilization MONTHLY", figures(t, db, riMonthlySQL("strftime(m, '%Y-%m-%d')", start, end)), got, names...)
	total := map[string]map[string]*big.Rat{"": riAggregateMap(t, out.Total)}
	compareFigures(t, "RI utilization total", figures(t, db, riMonthlySQL("''", start, end)), total, names...)
	if !bySub {
		return
	}
	grouped, err := ce.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{TimePeriod: period,
		Granularity: types.GranularityMonthly,
		GroupBy:     []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SUBSCRIPTION_ID")}}})
	if err != nil {
		t.Fatal(err)
	}
	got = map[string]map[string]*big.Rat{}
	for _, u := range grouped.UtilizationsByTime {
		for _, g := range u.Groups {
			if g.Attributes["subscriptionId"] != aws.ToString(g.Value) || g.Attributes["reservationARN"] == "" {
				t.Errorf("group %s: attributes %v", aws.ToString(g.Value), g.Attributes)
			}
			got[aws.ToString(u.TimePeriod.Start)+" "+aws.ToString(g.Value)] = riAggregateMap(t, g.Utilization)
		}
	}
	compareFigures(t, "RI utilization by SUBSCRIPTION_ID", figures(t, db, riMonthlySQL("strftime(m, '%Y-%m-%d') || ' ' || sub", start, end)), got, names...)
}

// checkRICoverage compares MONTHLY GetReservationCoverage, in total and
// grouped, with the oracle.
func checkRICoverage(t *testing.T, ce *costexplorer.Client, db *sql.DB, start, end, groupDim, groupCol string) {
	t.Helper()
	in := &costexplorer.GetReservationCoverageInput{TimePeriod: &types.DateInterval{Start: aws.String(start), End: aws.String(end)},
		Granularity: types.GranularityMonthly}
	key := "strftime(date_trunc('month', ts), '%Y-%m-%d')"
	if groupDim != "" {
		in.GroupBy = []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String(groupDim)}}
		key += " || ' ' || " + groupCol
	}
	out, err := ce.GetReservationCoverage(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]*big.Rat{}
	add := func(k string, c *types.Coverage) {
		h, u := c.CoverageHours, c.CoverageNormalizedUnits
		f := map[string]*big.Rat{"ReservedHours": rat(t, *h.ReservedHours), "OnDemandHours": rat(t, *h.OnDemandHours),
			"TotalRunningHours": rat(t, *h.TotalRunningHours), "CoverageHoursPercentage": rat(t, *h.CoverageHoursPercentage),
			"ReservedNormalizedUnits": rat(t, *u.ReservedNormalizedUnits), "OnDemandNormalizedUnits": rat(t, *u.OnDemandNormalizedUnits),
			"OnDemandCost": rat(t, *c.CoverageCost.OnDemandCost)}
		if f["TotalRunningHours"].Sign() != 0 {
			got[k] = f
		}
	}
	for _, c := range out.CoveragesByTime {
		if groupDim == "" {
			add(aws.ToString(c.TimePeriod.Start), c.Total)
		}
		for _, g := range c.Groups {
			add(aws.ToString(c.TimePeriod.Start)+" "+g.Attributes[groupDim], g.Coverage)
		}
	}
	want := figures(t, db, `SELECT `+key+` AS k, sum(CASE WHEN typ = 'DiscountedUsage' THEN usage END) AS "ReservedHours",
		sum(CASE WHEN `+riEligibleSQL+` THEN usage END) AS "OnDemandHours", sum(usage) AS "TotalRunningHours",
		100 * sum(CASE WHEN typ = 'DiscountedUsage' THEN usage END) / sum(usage) AS "CoverageHoursPercentage",
		sum(CASE WHEN typ = 'DiscountedUsage' THEN norm END) AS "ReservedNormalizedUnits",
		sum(CASE WHEN `+riEligibleSQL+` THEN norm END) AS "OnDemandNormalizedUnits",
		sum(CASE WHEN `+riEligibleSQL+` THEN unblended END) AS "OnDemandCost"
		FROM cl WHERE (typ = 'DiscountedUsage' OR (`+riEligibleSQL+`)) AND ts >= '`+start+`' AND ts < '`+end+`' GROUP BY 1`)
	compareFigures(t, "RI coverage "+groupDim, want, got, "ReservedHours", "OnDemandHours", "TotalRunningHours",
		"CoverageHoursPercentage", "ReservedNormalizedUnits", "OnDemandNormalizedUnits", "OnDemandCost")
}

// checkSavingsPlans compares MONTHLY GetSavingsPlansUtilization,
// GetSavingsPlansUtilizationDetails (paged) and GetSavingsPlansCoverage by
// REGION (paged) with the oracle.
func checkSavingsPlans(t *testing.T, ce *costexplorer.Client, db *sql.DB, start, end string, attributes bool) {
	t.Helper()
	ctx := context.Background()
	period := &types.DateInterval{Start: aws.String(start), End: aws.String(end)}
	util, err := ce.GetSavingsPlansUtilization(ctx, &costexplorer.GetSavingsPlansUtilizationInput{TimePeriod: period,
		Granularity: types.GranularityMonthly})
	if err != nil {
		t.Fatal(err)
	}
	spFig := func(u *types.SavingsPlansUtilization, s *types.SavingsPlansSavings, a *types.SavingsPlansAmortizedCommitment) map[string]*big.Rat {
		return map[string]*big.Rat{"TotalCommitment": rat(t, *u.TotalCommitment), "UsedCommitment": rat(t, *u.UsedCommitment),
			"UnusedCommitment": rat(t, *u.UnusedCommitment), "UtilizationPercentage": rat(t, *u.UtilizationPercentage),
			"OnDemandCostEquivalent": rat(t, *s.OnDemandCostEquivalent), "NetSavings": rat(t, *s.NetSavings),
			"AmortizedRecurringCommitment": rat(t, *a.AmortizedRecurringCommitment),
			"AmortizedUpfrontCommitment":   rat(t, *a.AmortizedUpfrontCommitment), "TotalAmortizedCommitment": rat(t, *a.TotalAmortizedCommitment)}
	}
	got := map[string]map[string]*big.Rat{}
	for _, u := range util.SavingsPlansUtilizationsByTime {
		if f := spFig(u.Utilization, u.Savings, u.AmortizedCommitment); f["TotalCommitment"].Sign() != 0 {
			got[aws.ToString(u.TimePeriod.Start)] = f
		}
	}
	spSQL := func(key string) string {
		return `SELECT ` + key + ` AS k, sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_total END) AS "TotalCommitment",
			sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_used END) AS "UsedCommitment",
			sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_total END) - sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_used END) AS "UnusedCommitment",
			100 * sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_used END) / sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_total END) AS "UtilizationPercentage",
			coalesce(sum(CASE WHEN typ = 'SavingsPlanCoveredUsage' THEN od END), 0) AS "OnDemandCostEquivalent",
			coalesce(sum(CASE WHEN typ = 'SavingsPlanCoveredUsage' THEN od END), 0) - sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_total END) AS "NetSavings",
			coalesce(sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_rec END), 0) AS "AmortizedRecurringCommitment",
			coalesce(sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_up END), 0) AS "AmortizedUpfrontCommitment",
			coalesce(sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_rec END), 0) + coalesce(sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_up END), 0) AS "TotalAmortizedCommitment"
			FROM cl WHERE sp IS NOT NULL AND ts >= '` + start + `' AND ts < '` + end + `' GROUP BY 1 HAVING sum(CASE WHEN typ = 'SavingsPlanRecurringFee' THEN sp_total END) <> 0`
	}
	names := []string{"TotalCommitment", "UsedCommitment", "UnusedCommitment", "UtilizationPercentage", "OnDemandCostEquivalent",
		"NetSavings", "AmortizedRecurringCommitment", "AmortizedUpfrontCommitment", "TotalAmortizedCommitment"}
	compareFigures(t, "SP utilization MONTHLY", figures(t, db, spSQL("strftime(date_trunc('month', ts), '%Y-%m-%d')")), got, names...)

	// Details, one plan per page.
	got = map[string]map[string]*big.Rat{}
	in := &costexplorer.GetSavingsPlansUtilizationDetailsInput{TimePeriod: period, MaxResults: aws.Int32(1)}
	for pages := 0; ; pages++ {
		d, err := ce.GetSavingsPlansUtilizationDetails(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range d.SavingsPlansUtilizationDetails {
			if attributes && (p.Attributes["SavingsPlansType"] == "" || p.Attributes["StartDateTime"] == "") {
				t.Errorf("plan %s: attributes %v", aws.ToString(p.SavingsPlanArn), p.Attributes)
			}
			got[aws.ToString(p.SavingsPlanArn)] = spFig(p.Utilization, p.Savings, p.AmortizedCommitment)
		}
		if d.NextToken == nil {
			if pages < 1 {
				t.Errorf("details came in %d pages of one plan; want one page per plan", pages+1)
			}
			break
		}
		in.NextToken = d.NextToken
	}
	compareFigures(t, "SP utilization details", figures(t, db, spSQL("sp")), got, names...)

	// Coverage by REGION, paged.
	got = map[string]map[string]*big.Rat{}
	cin := &costexplorer.GetSavingsPlansCoverageInput{TimePeriod: period, Granularity: types.GranularityMonthly,
		GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("REGION")}}, MaxResults: aws.Int32(3)}
	for {
		c, err := ce.GetSavingsPlansCoverage(ctx, cin)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range c.SavingsPlansCoverages {
			d := x.Coverage
			got[aws.ToString(x.TimePeriod.Start)+" "+x.Attributes["REGION"]] = map[string]*big.Rat{
				"SpendCoveredBySavingsPlans": rat(t, *d.SpendCoveredBySavingsPlans), "OnDemandCost": rat(t, *d.OnDemandCost),
				"TotalCost": rat(t, *d.TotalCost), "CoveragePercentage": rat(t, *d.CoveragePercentage)}
		}
		if c.NextToken == nil {
			break
		}
		cin.NextToken = c.NextToken
	}
	want := figures(t, db, `SELECT strftime(date_trunc('month', ts), '%Y-%m-%d') || ' ' || coalesce(region, 'NoRegion') AS k,
		coalesce(sum(CASE WHEN typ = 'SavingsPlanCoveredUsage' THEN od END), 0) AS "SpendCoveredBySavingsPlans",
		coalesce(sum(CASE WHEN `+spEligibleSQL+` THEN od END), 0) AS "OnDemandCost",
		coalesce(sum(od), 0) AS "TotalCost",
		100 * coalesce(sum(CASE WHEN typ = 'SavingsPlanCoveredUsage' THEN od END), 0) / sum(od) AS "CoveragePercentage"
		FROM cl WHERE (typ = 'SavingsPlanCoveredUsage' OR (`+spEligibleSQL+`)) AND ts >= '`+start+`' AND ts < '`+end+`'
		GROUP BY 1 HAVING sum(od) <> 0`)
	compareFigures(t, "SP coverage by REGION", want, got, "SpendCoveredBySavingsPlans", "OnDemandCost", "TotalCost", "CoveragePercentage")
}

// commitNow is the clock of the synthetic commitment tests: every
// commitment of the synthetic organisation is active in the months
// generated before it.
var commitNow = time.Date(2024, 7, 10, 12, 0, 0, 0, time.UTC)

// TestCommitmentsMatchRawFiles generates a small synthetic organisation in
// each format, ingests it, and checks every RI and Savings Plans
// utilization and coverage figure against the oracle over the raw files.
func TestCommitmentsMatchRawFiles(t *testing.T) {
	t.Parallel()
	from, to := "2024-02-01", "2024-07-01"
	for _, tc := range []struct {
		format synth.Format
		from   func(dir string) string
		cols   map[string]string
		units  bool
	}{
		{synth.FormatCUR2, func(dir string) string {
			return fmt.Sprintf("read_parquet('%s', union_by_name=true)", filepath.Join(dir, synth.DefaultExportName, "data", "*", "*.parquet"))
		}, curCols(snake), true},
		{synth.FormatCUR, func(dir string) string {
			return fmt.Sprintf("read_csv('%s', header=true, all_varchar=true, union_by_name=true)", filepath.Join(dir, synth.DefaultExportName, "*", "*", "*.csv.gz"))
		}, curCols(func(c string) string { return `"` + c + `"` }), true},
		{synth.FormatFOCUS, func(dir string) string {
			return fmt.Sprintf("read_csv('%s', header=true, all_varchar=true, union_by_name=true)", filepath.Join(dir, synth.DefaultExportName, "data", "*", "*.csv.gz"))
		}, focusCols(), false},
	} {
		t.Run(string(tc.format), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if _, err := synth.Generate(context.Background(), synth.Config{Out: dir, Format: tc.format, Now: commitNow, Seed: 5,
				Accounts: 3, Start: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), Rows: 20000}); err != nil {
				t.Fatal(err)
			}
			inst := start(t, commitNow)
			var out, errOut syncBuffer
			if err := run(context.Background(), []string{"ingest", "--data", inst.data, dir}, &out, &errOut); err != nil {
				t.Fatalf("ingest: %v\n%s", err, errOut.String())
			}
			db := commitOracle(t, tc.from(dir), tc.cols)
			ce := inst.ce("test", "test")
			names := riNames
			if !tc.units {
				// FOCUS has neither normalized units nor the amortised
				// upfront fee (see package commitments).
				names = []string{"PurchasedHours", "UnusedHours", "TotalActualHours", "UtilizationPercentage",
					"OnDemandCostOfRIHoursUsed", "AmortizedRecurringFee", "RICostForUnusedHours"}
			}
			checkRIUtilization(t, ce, db, from, to, tc.units, names)
			checkRICoverage(t, ce, db, from, to, "", "")
			if tc.format == synth.FormatCUR2 {
				checkRICoverage(t, ce, db, from, to, "INSTANCE_TYPE", "coalesce(instance_type, 'NoInstanceType')")
			}
			checkSavingsPlans(t, ce, db, from, to, tc.units)
		})
	}
}

// TestReservationsMatchWorkshopCUR checks RI utilization (MONTHLY, by
// subscription, and DAILY, where the month's fee lines are spread over the
// hours each reservation was active) and coverage on the real Workshop CUR,
// whose reservations start and end mid-month.
func TestReservationsMatchWorkshopCUR(t *testing.T) {
	t.Parallel()
	files := workshop(t)
	inst := workshopServer(t)
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = "'" + f + "'"
	}
	db := commitOracle(t, "read_parquet(["+strings.Join(quoted, ", ")+"], union_by_name=true)", curCols(snake))
	ce := inst.ce("test", "test")
	checkRIUtilization(t, ce, db, "2018-10-01", "2019-01-01", true, riNames)
	checkRICoverage(t, ce, db, "2018-10-01", "2019-01-01", "", "")
	checkRICoverage(t, ce, db, "2018-10-01", "2019-01-01", "INSTANCE_TYPE", "coalesce(instance_type, 'NoInstanceType')")

	// DAILY over a period that starts and ends mid-month.
	out, err := ce.GetReservationUtilization(context.Background(), &costexplorer.GetReservationUtilizationInput{
		TimePeriod: &types.DateInterval{Start: aws.String("2018-10-05"), End: aws.String("2018-11-20")}, Granularity: types.GranularityDaily})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]*big.Rat{}
	for _, u := range out.UtilizationsByTime {
		got[aws.ToString(u.TimePeriod.Start)] = riAggregateMap(t, u.Total)
	}
	want := figures(t, db, `WITH fee AS (SELECT ri, date_trunc('month', ts) AS m,
			max(CAST(replace(replace(ri_start, 'T', ' '), 'Z', '') AS TIMESTAMP)) AS s,
			max(CAST(replace(replace(ri_end, 'T', ' '), 'Z', '') AS TIMESTAMP)) AS e,
			sum(ri_hours) AS ph, sum(ri_unused) AS uh, sum(ri_fee) AS rec, sum(ri_up) AS up
			FROM cl WHERE typ = 'RIFee' AND code = 'AmazonEC2' GROUP BY 1, 2),
		span AS (SELECT *, CASE WHEN s > m AND s < m + INTERVAL 1 MONTH THEN s ELSE m END AS a,
			CASE WHEN e < m + INTERVAL 1 MONTH AND e > m THEN e ELSE m + INTERVAL 1 MONTH END AS b FROM fee),
		days AS (SELECT span.*, unnest(generate_series(m, m + INTERVAL 1 MONTH - INTERVAL 1 DAY, INTERVAL 1 DAY)) AS d FROM span),
		share AS (SELECT *, greatest(epoch(least(d + INTERVAL 1 DAY, b)) - epoch(greatest(d, a)), 0) / (epoch(b) - epoch(a)) AS w FROM days),
		od AS (SELECT date_trunc('day', ts) AS d, sum(od) AS od FROM cl WHERE typ = 'DiscountedUsage' AND code = 'AmazonEC2' GROUP BY 1)
		SELECT strftime(share.d, '%Y-%m-%d') AS k, sum(w * ph) AS "PurchasedHours", sum(w * uh) AS "UnusedHours",
			sum(w * rec) AS "AmortizedRecurringFee", sum(w * up) AS "AmortizedUpfrontFee", any_value(od.od) AS "OnDemandCostOfRIHoursUsed",
			100 * (sum(w * ph) - sum(w * uh)) / sum(w * ph) AS "UtilizationPercentage"
		FROM share LEFT JOIN od ON od.d = share.d
		WHERE share.d >= DATE '2018-10-05' AND share.d < DATE '2018-11-20' GROUP BY 1`)
	compareFigures(t, "RI utilization DAILY", want, got, "PurchasedHours", "UnusedHours", "AmortizedRecurringFee",
		"AmortizedUpfrontFee", "OnDemandCostOfRIHoursUsed", "UtilizationPercentage")

	// The same DAILY answer in pages of 7 buckets.
	in := &costexplorer.GetReservationUtilizationInput{TimePeriod: &types.DateInterval{Start: aws.String("2018-10-05"),
		End: aws.String("2018-11-20")}, Granularity: types.GranularityDaily, MaxResults: aws.Int32(7)}
	var paged []types.UtilizationByTime
	for pages := 1; ; pages++ {
		page, err := ce.GetReservationUtilization(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page.UtilizationsByTime...)
		if page.NextPageToken == nil {
			if pages != 7 {
				t.Errorf("%d pages of 7 days for 46 days, want 7", pages)
			}
			break
		}
		in.NextPageToken = page.NextPageToken
	}
	if len(paged) != len(out.UtilizationsByTime) {
		t.Errorf("paged walk has %d days, one page %d", len(paged), len(out.UtilizationsByTime))
	}
	for i := range min(len(paged), len(out.UtilizationsByTime)) {
		if aws.ToString(paged[i].Total.PurchasedHours) != aws.ToString(out.UtilizationsByTime[i].Total.PurchasedHours) {
			t.Errorf("day %d differs between the paged walk and one page", i)
		}
	}

	// One round trip through the aws CLI.
	cli, stderr, err := inst.cli(t, "ce", "get-reservation-utilization", "--time-period", "Start=2018-10-01,End=2018-11-01",
		"--granularity", "MONTHLY")
	if err != nil {
		t.Fatalf("aws ce get-reservation-utilization: %v\n%s", err, stderr)
	}
	sdk, err := ce.GetReservationUtilization(context.Background(), &costexplorer.GetReservationUtilizationInput{
		TimePeriod: &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")}, Granularity: types.GranularityMonthly})
	if err != nil {
		t.Fatal(err)
	}
	total := cli["Total"].(map[string]any)
	for k, v := range map[string]*string{"UtilizationPercentage": sdk.Total.UtilizationPercentage, "NetRISavings": sdk.Total.NetRISavings,
		"PurchasedHours": sdk.Total.PurchasedHours} {
		if total[k] != aws.ToString(v) {
			t.Errorf("CLI Total %s = %v, SDK %s", k, total[k], aws.ToString(v))
		}
	}
	if _, stderr, err := inst.cli(t, "ce", "get-reservation-utilization", "--time-period", "Start=2018-10-01,End=2018-11-01",
		"--granularity", "HOURLY"); err == nil || !strings.Contains(stderr, "ValidationException") {
		t.Errorf("HOURLY: err %v, stderr %q; want a ValidationException", err, stderr)
	}
}

// TestCommitmentValidation checks that bad commitment requests get AWS's
// exceptions, through the SDK.
func TestCommitmentValidation(t *testing.T) {
	t.Parallel()
	ce := workshopServer(t).ce("test", "test")
	ctx := context.Background()
	period := &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")}
	dim := func(k string) []types.GroupDefinition {
		return []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String(k)}}
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"RI utilization grouped by account", func() error {
			_, err := ce.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{TimePeriod: period, GroupBy: dim("LINKED_ACCOUNT")})
			return err
		}, "ValidationException"},
		{"RI utilization HOURLY", func() error {
			_, err := ce.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{TimePeriod: period, Granularity: types.GranularityHourly})
			return err
		}, "ValidationException"},
		{"RI utilization unknown sort key", func() error {
			_, err := ce.GetReservationUtilization(ctx, &costexplorer.GetReservationUtilizationInput{TimePeriod: period,
				SortBy: &types.SortDefinition{Key: aws.String("Cost")}})
			return err
		}, "ValidationException"},
		{"RI coverage metric", func() error {
			_, err := ce.GetReservationCoverage(ctx, &costexplorer.GetReservationCoverageInput{TimePeriod: period, Metrics: []string{"Dollars"}})
			return err
		}, "ValidationException"},
		{"RI coverage grouped by usage type", func() error {
			_, err := ce.GetReservationCoverage(ctx, &costexplorer.GetReservationCoverageInput{TimePeriod: period, GroupBy: dim("USAGE_TYPE")})
			return err
		}, "ValidationException"},
		{"SP utilization filter on SERVICE", func() error {
			_, err := ce.GetSavingsPlansUtilization(ctx, &costexplorer.GetSavingsPlansUtilizationInput{TimePeriod: period,
				Filter: &types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionService, Values: []string{"x"}}}})
			return err
		}, "ValidationException"},
		{"SP coverage grouped by usage type", func() error {
			_, err := ce.GetSavingsPlansCoverage(ctx, &costexplorer.GetSavingsPlansCoverageInput{TimePeriod: period, GroupBy: dim("USAGE_TYPE")})
			return err
		}, "ValidationException"},
		{"SP coverage metric", func() error {
			_, err := ce.GetSavingsPlansCoverage(ctx, &costexplorer.GetSavingsPlansCoverageInput{TimePeriod: period, Metrics: []string{"Hour"}})
			return err
		}, "ValidationException"},
		{"SP details forged token", func() error {
			_, err := ce.GetSavingsPlansUtilizationDetails(ctx, &costexplorer.GetSavingsPlansUtilizationDetailsInput{TimePeriod: period,
				NextToken: aws.String("forged")})
			return err
		}, "InvalidNextTokenException"},
		{"start after end", func() error {
			_, err := ce.GetSavingsPlansUtilization(ctx, &costexplorer.GetSavingsPlansUtilizationInput{
				TimePeriod: &types.DateInterval{Start: aws.String("2018-11-01"), End: aws.String("2018-10-01")}})
			return err
		}, "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := apiCode(tc.call()); got != tc.want {
				t.Errorf("error %s, want %s", got, tc.want)
			}
		})
	}
}
