package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"

	"github.com/tallyhq/tally/internal/synth"
)

// TestPurchaseRecommendations asks for Reserved Instance and Savings Plans
// recommendations through the SDK over a synthetic organisation and checks
// them against SQL over the raw CUR 2.0 Parquet, written from AWS's
// definitions (internal/recommend's doc) and not from Tally's code: the rates
// are read from the raw columns and the best count and commitment are found
// by brute force in SQL.
func TestPurchaseRecommendations(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("generates and ingests an organisation")
	}
	gen := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	out := t.TempDir()
	if _, err := synth.Generate(context.Background(), synth.Config{Out: out, Format: synth.FormatCUR2, Seed: 1, Rows: 120_000, Months: 6, Now: gen}); err != nil {
		t.Fatal(err)
	}
	// The clock is set by each part to the month it asks in, chosen from
	// the data below.
	clock := &testClock{t: gen}
	inst, _ := launch(t, t.TempDir(), &serveHooks{now: clock.Now}, "--profile", "unlimited")
	inst.ingest(t, out)
	ce := inst.ce("test", "test")
	ctx := context.Background()
	raw, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(fmt.Sprintf(`CREATE VIEW li AS SELECT * FROM read_parquet('%s')`, filepath.Join(out, "**", "*.parquet"))); err != nil {
		t.Fatal(err)
	}
	// rep fills the SQL's placeholders with the months and commitments
	// chosen below.
	var rep *strings.Replacer
	one := func(q string, args ...any) float64 {
		t.Helper()
		var f sql.NullFloat64
		if err := raw.QueryRow(rep.Replace(q), args...).Scan(&f); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
		return f.Float64
	}
	// The Reserved Instance case: the first month at whose start some
	// instance type had run on demand in the week before and a standard
	// reservation of it had shown its rate; and the Savings Plans case: the
	// first month at whose start a Compute Savings Plan had covered usage and
	// instances had run on demand in the week before. The organisation must
	// offer both, or these operations go unchecked.
	var riMonth, spMonth time.Time
	var it, po, spPO, riPayments string
	var noRI, noSP error
	if err := raw.QueryRow(`WITH months AS (SELECT DISTINCT date_trunc('month', line_item_usage_start_date) AS m FROM li),
		od AS (SELECT product_instance_type AS it, line_item_usage_start_date AS ts, line_item_usage_amount AS u FROM li
			WHERE line_item_line_item_type = 'Usage' AND line_item_usage_type LIKE '%BoxUsage:%'),
		rates AS (SELECT product_instance_type AS it, pricing_purchase_option AS po, min(line_item_usage_start_date) AS first FROM li
			WHERE line_item_line_item_type = 'DiscountedUsage' AND lower(pricing_offering_class) = 'standard' GROUP BY 1, 2)
		SELECT m, od.it, rates.po FROM months, od, rates WHERE od.it = rates.it AND rates.first < m
			AND od.ts >= m - INTERVAL 7 DAY AND od.ts < m GROUP BY ALL ORDER BY m, sum(u) DESC, rates.po LIMIT 1`).Scan(&riMonth, &it, &po); err != nil {
		noRI = fmt.Errorf("the synthetic organisation offers no case for a Reserved Instance recommendation: %v", err)
	}
	raw.QueryRow(`SELECT string_agg(DISTINCT pricing_purchase_option, ',') FROM li WHERE line_item_line_item_type = 'DiscountedUsage'
		AND product_instance_type = ? AND line_item_usage_start_date < ?`, it, riMonth).Scan(&riPayments)
	if err := raw.QueryRow(`WITH months AS (SELECT DISTINCT date_trunc('month', line_item_usage_start_date) AS m FROM li),
		cov AS (SELECT savings_plan_payment_option AS po, min(line_item_usage_start_date) AS first FROM li
			WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage' AND savings_plan_offering_type = 'ComputeSavingsPlans' GROUP BY 1),
		od AS (SELECT line_item_usage_start_date AS ts FROM li WHERE line_item_line_item_type = 'Usage' AND line_item_usage_type LIKE '%BoxUsage:%')
		SELECT m, cov.po FROM months, cov, od WHERE cov.first < m AND od.ts >= m - INTERVAL 7 DAY AND od.ts < m
		GROUP BY ALL ORDER BY m, cov.po LIMIT 1`).Scan(&spMonth, &spPO); err != nil {
		noSP = fmt.Errorf("the synthetic organisation offers no case for a Savings Plans recommendation (no usage covered by a Compute Savings Plan before a month with on-demand instances): %v", err)
	}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }
	rep = strings.NewReplacer("{ri_start}", ts(riMonth.AddDate(0, 0, -30)), "{ri_end}", ts(riMonth), "{ri_recent}", ts(riMonth.AddDate(0, 0, -7)),
		"{it}", it, "{po}", po,
		"{sp_start}", ts(spMonth.AddDate(0, 0, -30)), "{sp_end}", ts(spMonth), "{sp_recent}", ts(spMonth.AddDate(0, 0, -7)), "{sp_po}", spPO,
		"{an_start}", ts(spMonth.AddDate(0, 0, -28)))
	payments := map[string]types.PaymentOption{"No Upfront": types.PaymentOptionNoUpfront, "Partial Upfront": types.PaymentOptionPartialUpfront,
		"All Upfront": types.PaymentOptionAllUpfront}
	riPay, spPay := payments[po], payments[spPO]
	t.Logf("Reserved Instances asked on %s for %s (%s); Savings Plans asked on %s (%s)", riMonth.Format("2006-01-02"), it, po,
		spMonth.Format("2006-01-02"), spPO)
	// Hourly on-demand instance-hours of the instance type in the look-back
	// (every hour, zero when none ran).
	const hourly = `WITH hours AS (SELECT range AS h FROM range(TIMESTAMP '{ri_start}', TIMESTAMP '{ri_end}', INTERVAL 1 HOUR)),
		od AS (SELECT line_item_usage_start_date AS h, sum(line_item_usage_amount) AS u, sum(line_item_unblended_cost) AS c FROM li
			WHERE line_item_line_item_type = 'Usage' AND line_item_usage_type LIKE '%BoxUsage:{it}'
			AND line_item_usage_start_date >= TIMESTAMP '{ri_start}' AND line_item_usage_start_date < TIMESTAMP '{ri_end}' GROUP BY 1),
		series AS (SELECT hours.h, coalesce(u, 0) AS u, coalesce(c, 0) AS c FROM hours LEFT JOIN od USING (h))`
	// The last week of that on demand usage, with w its hour of the week, and
	// proj: four weeks ahead of the look-back, each hour j the week's hour
	// j % 168 plus, from each expiry on, what the commitments expiring within
	// the four weeks covered of the instance type in that hour of the week,
	// less what the unused commitment of the Savings Plans that stay could
	// take at the on-demand rate (the first ?).
	const projected = `WITH hours AS (SELECT range AS h FROM range(TIMESTAMP '{ri_recent}', TIMESTAMP '{ri_end}', INTERVAL 1 HOUR)),
		od AS (SELECT line_item_usage_start_date AS h, sum(line_item_usage_amount) AS u FROM li
			WHERE line_item_line_item_type = 'Usage' AND line_item_usage_type LIKE '%BoxUsage:{it}'
			AND line_item_usage_start_date >= TIMESTAMP '{ri_recent}' AND line_item_usage_start_date < TIMESTAMP '{ri_end}' GROUP BY 1),
		week AS (SELECT hours.h, datediff('hour', TIMESTAMP '{ri_recent}', hours.h) AS w, coalesce(u, 0) AS u FROM hours LEFT JOIN od USING (h)),
		lines AS (SELECT *, coalesce(nullif(reservation_reservation_a_r_n, ''), nullif(savings_plan_savings_plan_a_r_n, '')) AS arn,
			CAST(replace(replace(CAST(coalesce(nullif(CAST(reservation_end_time AS VARCHAR), ''), nullif(CAST(savings_plan_end_time AS VARCHAR), ''))
				AS VARCHAR), 'T', ' '), 'Z', '') AS TIMESTAMP) AS ends FROM li),
		expiring AS (SELECT arn, max(ends) AS e FROM lines WHERE arn IS NOT NULL GROUP BY 1
			HAVING max(ends) >= TIMESTAMP '{ri_end}' AND max(ends) < TIMESTAMP '{ri_end}' + INTERVAL 28 DAY),
		inweek AS (SELECT * FROM lines WHERE line_item_usage_start_date >= TIMESTAMP '{ri_recent}' AND line_item_usage_start_date < TIMESTAMP '{ri_end}'),
		back AS (SELECT datediff('hour', TIMESTAMP '{ri_end}', e) AS f, datediff('hour', TIMESTAMP '{ri_recent}', line_item_usage_start_date) AS w,
			sum(line_item_usage_amount) AS r FROM inweek JOIN expiring USING (arn)
			WHERE line_item_line_item_type IN ('DiscountedUsage', 'SavingsPlanCoveredUsage') AND line_item_usage_type LIKE '%BoxUsage:{it}' GROUP BY 1, 2),
		staying AS (SELECT * FROM inweek WHERE savings_plan_savings_plan_a_r_n <> '' AND arn NOT IN (SELECT arn FROM expiring)),
		rate AS (SELECT sum(savings_plan_savings_plan_effective_cost) / sum(line_item_unblended_cost) AS k FROM staying
			WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage'),
		unused AS (SELECT date_trunc('day', line_item_usage_start_date) AS d,
			sum(savings_plan_total_commitment_to_date - savings_plan_used_commitment) AS x FROM staying
			WHERE line_item_line_item_type = 'SavingsPlanRecurringFee' GROUP BY 1),
		slack AS (SELECT week.w, CASE WHEN (SELECT k FROM rate) > 0 AND (SELECT k FROM rate) < 1
			THEN greatest(0, coalesce(x, 0)) / 24 / (SELECT k FROM rate) ELSE 0 END AS s
			FROM week LEFT JOIN unused ON unused.d = date_trunc('day', week.h)),
		proj AS (SELECT j, week.u + CASE WHEN (SELECT count(*) FROM back) = 0 THEN 0 ELSE
			greatest(0, coalesce((SELECT sum(r) FROM back WHERE back.w = j % 168 AND j >= back.f), 0) - slack.s / ?) END AS u
			FROM range(0, 672) AS js(j) JOIN week ON week.w = j % 168 JOIN slack ON slack.w = week.w)`

	t.Run("reserved instances", func(t *testing.T) {
		if noRI != nil {
			t.Fatal(noRI)
		}
		clock.Set(riMonth.Add(9 * time.Hour))
		p := one(hourly + ` SELECT sum(c) / sum(u) FROM series`)
		e := one(`SELECT sum(reservation_effective_cost) / sum(line_item_usage_amount) FROM li
			WHERE line_item_line_item_type = 'DiscountedUsage' AND product_instance_type = '{it}' AND pricing_purchase_option = '{po}'
			AND lower(pricing_offering_class) = 'standard' AND line_item_usage_start_date < TIMESTAMP '{ri_end}'`)
		if p == 0 || e == 0 {
			t.Fatalf("the organisation has no %s on demand (%v) or reserved (%v) in the look-back", it, p, e)
		}
		// The count is chosen on the look-back's last week, projected four
		// weeks ahead with the usage commitments expiring in them covered in
		// that week (less the unused commitment of the Savings Plans that
		// stay), raised to a level first reached in the week and held since
		// for 12 hours or more; its savings are estimated over the whole
		// look-back (internal/recommend: Recency, New steady usage, Expiring
		// commitments).
		wantN := one(projected+` SELECT greatest(
			(SELECT n FROM (SELECT n, ? * sum(least(u, n)) - ? * n * count(*) AS s FROM proj, range(0, 10) AS r(n)
				GROUP BY n ORDER BY s DESC, n LIMIT 1)),
			(SELECT coalesce(max(m), 0) FROM range(1, 10) AS r(m), LATERAL (SELECT max(h) AS lb FROM week WHERE u < m)
				WHERE lb IS NOT NULL AND datediff('hour', lb, TIMESTAMP '{ri_end}') - 1 >= 12
				AND (SELECT max(u) FROM week WHERE h <= lb) < m))`, p, p, e, p)
		wantSavings := one(hourly+` SELECT ? * sum(least(u, ?)) - ? * ? * count(*) FROM series`, p, wantN, e, wantN)
		t.Logf("SQL: %v instance-hours covered in the last week by commitments expiring within four weeks, %.4f of Savings Plans slack",
			one(projected+` SELECT coalesce(sum(r), 0) FROM back`, p), one(projected+` SELECT sum(s) FROM slack`, p))
		t.Logf("SQL: %s on demand %.4f/h, reserved %.4f/h, %v instances saving %.4f", it, p, e, wantN, wantSavings)
		res, err := ce.GetReservationPurchaseRecommendation(ctx, &costexplorer.GetReservationPurchaseRecommendationInput{
			Service: aws.String("Amazon Elastic Compute Cloud - Compute"), LookbackPeriodInDays: types.LookbackPeriodInDaysThirtyDays,
			TermInYears: types.TermInYearsOneYear, PaymentOption: riPay})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("metadata: %s", aws.ToString(res.Metadata.AdditionalMetadata))
		if wantN == 0 {
			if len(res.Recommendations) != 0 {
				t.Fatalf("no count saves in SQL, Tally recommends %+v", res.Recommendations)
			}
			return
		}
		if len(res.Recommendations) != 1 {
			t.Fatalf("recommendations = %d, want 1 (SQL: %v instances saving %v)", len(res.Recommendations), wantN, wantSavings)
		}
		var found bool
		for _, d := range res.Recommendations[0].RecommendationDetails {
			if aws.ToString(d.InstanceDetails.EC2InstanceDetails.InstanceType) != it {
				continue
			}
			found = true
			if got := num(t, d.RecommendedNumberOfInstancesToPurchase); got != wantN {
				t.Errorf("instances = %v, SQL %v", got, wantN)
			}
			if got, want := num(t, d.EstimatedMonthlySavingsAmount), wantSavings*730/(30*24); abs(got-want) > 0.01 {
				t.Errorf("EstimatedMonthlySavingsAmount = %v, SQL %.4f", got, want)
			}
			if got, want := num(t, d.MaximumNumberOfInstancesUsedPerHour), one(hourly+` SELECT max(u) FROM series`); got != want {
				t.Errorf("maximum = %v, SQL %v", got, want)
			}
		}
		if !found {
			t.Errorf("no %s recommendation in %+v", it, res.Recommendations[0].RecommendationDetails)
		}
		// Per account: the instance type's detail names the account that ran it.
		linked, err := ce.GetReservationPurchaseRecommendation(ctx, &costexplorer.GetReservationPurchaseRecommendationInput{
			Service: aws.String("Amazon Elastic Compute Cloud - Compute"), LookbackPeriodInDays: types.LookbackPeriodInDaysThirtyDays,
			PaymentOption: riPay, AccountScope: types.AccountScopeLinked})
		if err != nil {
			t.Fatal(err)
		}
		var account string
		raw.QueryRow(rep.Replace(`SELECT string_agg(DISTINCT line_item_usage_account_id, ',') FROM li WHERE line_item_line_item_type = 'Usage'
			AND line_item_usage_type LIKE '%BoxUsage:{it}' AND line_item_usage_start_date >= TIMESTAMP '{ri_recent}'
			AND line_item_usage_start_date < TIMESTAMP '{ri_end}'`)).Scan(&account)
		var accounts []string
		for _, r := range linked.Recommendations {
			for _, d := range r.RecommendationDetails {
				if aws.ToString(d.InstanceDetails.EC2InstanceDetails.InstanceType) == it {
					accounts = append(accounts, aws.ToString(d.AccountId))
				}
			}
		}
		if strings.Join(accounts, ",") != account {
			if wantN > 0 {
				t.Errorf("LINKED %s details for accounts %v, SQL %q", it, accounts, account)
			}
		}
		// A payment option no reservation of the type in the bill used has no rate.
		for name, option := range payments {
			if strings.Contains(riPayments, name) {
				continue
			}
			none, err := ce.GetReservationPurchaseRecommendation(ctx, &costexplorer.GetReservationPurchaseRecommendationInput{
				Service: aws.String("Amazon Elastic Compute Cloud - Compute"), LookbackPeriodInDays: types.LookbackPeriodInDaysThirtyDays,
				PaymentOption: option})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range none.Recommendations {
				for _, d := range r.RecommendationDetails {
					if aws.ToString(d.InstanceDetails.EC2InstanceDetails.InstanceType) == it {
						t.Errorf("%s, never seen for %s in the bill, recommends %+v", option, it, d)
					}
				}
			}
		}
	})

	t.Run("savings plans", func(t *testing.T) {
		if noSP != nil {
			t.Fatal(noSP)
		}
		clock.Set(spMonth.Add(9 * time.Hour))
		d := one(`SELECT 1 - sum(savings_plan_savings_plan_effective_cost) / sum(line_item_unblended_cost) FROM li
			WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage' AND savings_plan_offering_type = 'ComputeSavingsPlans'
			AND savings_plan_payment_option = '{sp_po}' AND line_item_usage_start_date < TIMESTAMP '{sp_end}'`)
		// All on-demand EC2 instance spend per hour, the best level by brute
		// force over the observed hourly spends.
		const spend = `WITH hours AS (SELECT range AS h FROM range(TIMESTAMP '{sp_start}', TIMESTAMP '{sp_end}', INTERVAL 1 HOUR)),
			od AS (SELECT line_item_usage_start_date AS h, sum(line_item_unblended_cost) AS c FROM li
				WHERE line_item_line_item_type = 'Usage' AND line_item_product_code = 'AmazonEC2' AND line_item_usage_type LIKE '%BoxUsage%'
				AND line_item_usage_start_date >= TIMESTAMP '{sp_start}' AND line_item_usage_start_date < TIMESTAMP '{sp_end}' GROUP BY 1),
			series AS (SELECT hours.h, coalesce(c, 0) AS c FROM hours LEFT JOIN od USING (h))`
		// The level is chosen on the last week, the savings over the month.
		level := one(spend+` SELECT k FROM (SELECT k.c AS k, sum(least(series.c, k.c)) - (1 - ?) * k.c * count(*) AS s
			FROM series, (SELECT DISTINCT c FROM series) AS k WHERE series.h >= TIMESTAMP '{sp_recent}' GROUP BY k.c) ORDER BY s DESC LIMIT 1`, d)
		best := one(spend+` SELECT sum(least(c, ?)) - (1 - ?) * ? * count(*) FROM series`, level, d, level)
		t.Logf("SQL: discount %.4f, level %.4f/h on demand, savings %.4f", d, level, best)
		res, err := ce.GetSavingsPlansPurchaseRecommendation(ctx, &costexplorer.GetSavingsPlansPurchaseRecommendationInput{
			SavingsPlansType: types.SupportedSavingsPlansTypeComputeSp, TermInYears: types.TermInYearsOneYear,
			PaymentOption: spPay, LookbackPeriodInDays: types.LookbackPeriodInDaysThirtyDays})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("metadata: %s", aws.ToString(res.Metadata.AdditionalMetadata))
		details := res.SavingsPlansPurchaseRecommendation.SavingsPlansPurchaseRecommendationDetails
		if best <= 0 {
			if len(details) != 0 {
				t.Fatalf("no commitment saves in SQL, Tally recommends %+v", details)
			}
			return
		}
		if len(details) != 1 {
			t.Fatalf("details = %d, want 1 (SQL best savings %v)", len(details), best)
		}
		got := num(t, details[0].EstimatedSavingsAmount)
		// Tally rounds the commitment down to a thousandth: at most 0.001
		// per hour of the look-back from the unrounded level.
		if abs(got-best) > 0.001*720+0.01 {
			t.Errorf("EstimatedSavingsAmount = %v, SQL at the best level of the last week %.4f", got, best)
		}
		c := num(t, details[0].HourlyCommitmentToPurchase)
		if want := one(spend+` SELECT sum(least(c, ? / (1 - ?))) - ? * count(*) FROM series`, c, d, c); abs(got-want) > 0.01 {
			t.Errorf("EstimatedSavingsAmount = %v, SQL at commitment %v: %.4f", got, c, want)
		}
		more, err := ce.GetSavingsPlanPurchaseRecommendationDetails(ctx, &costexplorer.GetSavingsPlanPurchaseRecommendationDetailsInput{
			RecommendationDetailId: details[0].RecommendationDetailId})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(more.RecommendationDetailData.MetricsOverLookbackPeriod); n != 30*24 {
			t.Errorf("hourly metrics = %d, want %d", n, 30*24)
		}
		// An EC2 Instance Savings Plan paid in a way no such plan in the
		// bill was: no rate, no recommendation.
		var seen string
		raw.QueryRow(rep.Replace(`SELECT coalesce(string_agg(DISTINCT savings_plan_payment_option, ','), '') FROM li
			WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage' AND savings_plan_offering_type = 'EC2InstanceSavingsPlans'
			AND line_item_usage_start_date < TIMESTAMP '{sp_end}'`)).Scan(&seen)
		for name, option := range payments {
			if strings.Contains(seen, name) {
				continue
			}
			none, err := ce.GetSavingsPlansPurchaseRecommendation(ctx, &costexplorer.GetSavingsPlansPurchaseRecommendationInput{
				SavingsPlansType: types.SupportedSavingsPlansTypeEc2InstanceSp, TermInYears: types.TermInYearsOneYear,
				PaymentOption: option, LookbackPeriodInDays: types.LookbackPeriodInDaysThirtyDays})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(none.SavingsPlansPurchaseRecommendation.SavingsPlansPurchaseRecommendationDetails); n != 0 {
				t.Errorf("EC2 Instance Savings Plans paid %s, never in the bill: %d details", option, n)
			}
		}
	})

	t.Run("commitment purchase analysis", func(t *testing.T) {
		if noSP != nil {
			t.Fatal(noSP)
		}
		clock.Set(spMonth.Add(9 * time.Hour))
		d := one(`SELECT 1 - sum(savings_plan_savings_plan_effective_cost) / sum(line_item_unblended_cost) FROM li
			WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage' AND savings_plan_offering_type = 'ComputeSavingsPlans'
			AND savings_plan_payment_option = '{sp_po}' AND line_item_usage_start_date < TIMESTAMP '{sp_end}'`)
		// Every plan's id (the end of its ARN), to exclude them all.
		var ids []string
		rows, err := raw.Query(rep.Replace(`SELECT DISTINCT regexp_extract(savings_plan_savings_plan_a_r_n, '[^/]+$') FROM li
			WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage' AND line_item_usage_start_date < TIMESTAMP '{sp_end}'`))
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id string
			rows.Scan(&id)
			ids = append(ids, id)
		}
		rows.Close()
		// The four weeks before the month, hour by hour: on-demand spend of EC2 instances, and the
		// on-demand cost of what the plan covered.
		const feb = `WITH hours AS (SELECT range AS h FROM range(TIMESTAMP '{an_start}', TIMESTAMP '{sp_end}', INTERVAL 1 HOUR)),
			x AS (SELECT line_item_usage_start_date AS h,
				sum(line_item_unblended_cost) FILTER (WHERE line_item_line_item_type = 'Usage') AS od,
				sum(line_item_unblended_cost) FILTER (WHERE line_item_line_item_type = 'SavingsPlanCoveredUsage') AS cov
				FROM li WHERE line_item_product_code = 'AmazonEC2' AND line_item_usage_type LIKE '%BoxUsage%' GROUP BY 1),
			series AS (SELECT hours.h, coalesce(od, 0) AS od, coalesce(cov, 0) AS cov FROM hours LEFT JOIN x USING (h))`
		start := func(t *testing.T, c types.SavingsPlansPurchaseAnalysisConfiguration) *types.SavingsPlansPurchaseAnalysisDetails {
			t.Helper()
			c.LookBackTimePeriod = &types.DateInterval{Start: aws.String(spMonth.AddDate(0, 0, -28).Format("2006-01-02")), End: aws.String(spMonth.Format("2006-01-02"))}
			st, err := ce.StartCommitmentPurchaseAnalysis(ctx, &costexplorer.StartCommitmentPurchaseAnalysisInput{
				CommitmentPurchaseAnalysisConfiguration: &types.CommitmentPurchaseAnalysisConfiguration{SavingsPlansPurchaseAnalysisConfiguration: &c}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := ce.GetCommitmentPurchaseAnalysis(ctx, &costexplorer.GetCommitmentPurchaseAnalysisInput{AnalysisId: st.AnalysisId})
			if err != nil {
				t.Fatal(err)
			}
			if got.AnalysisStatus != types.AnalysisStatusSucceeded {
				t.Fatalf("status %s %s: %s", got.AnalysisStatus, got.ErrorCode, aws.ToString(got.AnalysisDetails.SavingsPlansPurchaseAnalysisDetails.AdditionalMetadata))
			}
			return got.AnalysisDetails.SavingsPlansPurchaseAnalysisDetails
		}
		t.Run("custom commitment", func(t *testing.T) {
			got := start(t, types.SavingsPlansPurchaseAnalysisConfiguration{AnalysisType: types.AnalysisTypeCustomCommitment,
				SavingsPlansToAdd: []types.SavingsPlans{{SavingsPlansType: types.SupportedSavingsPlansTypeComputeSp, PaymentOption: spPay,
					TermInYears: types.TermInYearsOneYear, SavingsPlansCommitment: aws.Float64(0.5)}}})
			want := one(feb+` SELECT sum(least(od, 0.5 / (1 - ?))) - 0.5 * count(*) FROM series`, d)
			if g := num(t, got.EstimatedSavingsAmount); abs(g-want) > 0.01 {
				t.Errorf("EstimatedSavingsAmount = %v, SQL %.4f", g, want)
			}
			if g, want := num(t, got.CurrentAverageCoverage), one(feb+` SELECT 100 * sum(cov) / sum(od + cov) FROM series`); abs(g-want) > 0.01 {
				t.Errorf("CurrentAverageCoverage = %v, SQL %.4f", g, want)
			}
		})
		t.Run("target coverage", func(t *testing.T) {
			// The pinned SDK predates TARGET_AVERAGE_COVERAGE: the request
			// goes signed by hand, the answer is read through the SDK.
			status, typ, body := rawCall(t, inst, "test", "test", "AWSInsightsIndexService.StartCommitmentPurchaseAnalysis",
				`{"CommitmentPurchaseAnalysisConfiguration":{"SavingsPlansPurchaseAnalysisConfiguration":{"AnalysisType":"TARGET_AVERAGE_COVERAGE",
				"SavingsPlansTargetCoverage":90,"SavingsPlansToAdd":[{"SavingsPlansType":"COMPUTE_SP","PaymentOption":"`+string(spPay)+`","TermInYears":"ONE_YEAR"}],"LookBackTimePeriod":{"Start":"`+spMonth.AddDate(0, 0, -28).Format("2006-01-02")+`","End":"`+spMonth.Format("2006-01-02")+`"}}}}`)
			var st struct{ AnalysisId string }
			if err := json.Unmarshal([]byte(body), &st); status != 200 || err != nil {
				t.Fatalf("StartCommitmentPurchaseAnalysis: %d %s %s", status, typ, body)
			}
			res, err := ce.GetCommitmentPurchaseAnalysis(ctx, &costexplorer.GetCommitmentPurchaseAnalysisInput{AnalysisId: aws.String(st.AnalysisId)})
			if err != nil || res.AnalysisStatus != types.AnalysisStatusSucceeded {
				t.Fatalf("GetCommitmentPurchaseAnalysis: %v %+v", err, res)
			}
			got := res.AnalysisDetails.SavingsPlansPurchaseAnalysisDetails
			c := num(t, got.HourlyCommitmentToPurchase)
			coverage := func(c float64) float64 {
				return one(feb+` SELECT 100 * (sum(cov) + sum(least(od, ? / (1 - ?)))) / sum(od + cov) FROM series`, c, d)
			}
			if cv := coverage(c); cv < 90-1e-6 {
				t.Errorf("commitment %v reaches %.4f%% in SQL, want at least 90", c, cv)
			}
			if cv := coverage(c - 0.001); cv >= 90 {
				t.Errorf("commitment %v is not the smallest: %v already reaches %.4f%%", c, c-0.001, cv)
			}
			if g := num(t, got.EstimatedAverageCoverage); abs(g-coverage(c)) > 0.01 {
				t.Errorf("EstimatedAverageCoverage = %v, SQL %.4f", g, coverage(c))
			}
		})
		t.Run("exclude the existing plans", func(t *testing.T) {
			got := start(t, types.SavingsPlansPurchaseAnalysisConfiguration{AnalysisType: types.AnalysisTypeMaxSavings, SavingsPlansToExclude: ids,
				SavingsPlansToAdd: []types.SavingsPlans{{SavingsPlansType: types.SupportedSavingsPlansTypeComputeSp, PaymentOption: spPay,
					TermInYears: types.TermInYearsOneYear}}})
			if g := num(t, got.CurrentAverageCoverage); g != 0 {
				t.Errorf("CurrentAverageCoverage without the plans = %v, want 0", g)
			}
			if g, want := num(t, got.CurrentOnDemandSpend), one(feb+` SELECT sum(od + cov) FROM series`); abs(g-want) > 0.01 {
				t.Errorf("CurrentOnDemandSpend = %v, SQL %.4f", g, want)
			}
		})
		list, err := ce.ListCommitmentPurchaseAnalyses(ctx, &costexplorer.ListCommitmentPurchaseAnalysesInput{})
		if err != nil || len(list.AnalysisSummaryList) != 3 {
			t.Errorf("ListCommitmentPurchaseAnalyses = %v, %v; want the 3 analyses", list, err)
		}
		_, err = ce.GetCommitmentPurchaseAnalysis(ctx, &costexplorer.GetCommitmentPurchaseAnalysisInput{AnalysisId: aws.String("00000000-0000-0000-0000-000000000000")})
		var notFound *types.AnalysisNotFoundException
		if !errors.As(err, &notFound) {
			t.Errorf("unknown analysis: %v, want AnalysisNotFoundException", err)
		}
	})

	t.Run("generations, paged", func(t *testing.T) {
		var ids []string
		for range 3 {
			g, err := ce.StartSavingsPlansPurchaseRecommendationGeneration(ctx, &costexplorer.StartSavingsPlansPurchaseRecommendationGenerationInput{})
			if err != nil {
				t.Fatal(err)
			}
			clock.Set(clock.Now().Add(time.Minute))
			ids = append(ids, aws.ToString(g.RecommendationId))
		}
		var got []string
		in := &costexplorer.ListSavingsPlansPurchaseRecommendationGenerationInput{PageSize: 1}
		for pages := 0; pages < 5; pages++ {
			res, err := ce.ListSavingsPlansPurchaseRecommendationGeneration(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range res.GenerationSummaryList {
				if g.GenerationStatus != types.GenerationStatusSucceeded {
					t.Errorf("generation %s is %s", aws.ToString(g.RecommendationId), g.GenerationStatus)
				}
				got = append(got, aws.ToString(g.RecommendationId))
			}
			if res.NextPageToken == nil {
				break
			}
			in.NextPageToken = res.NextPageToken
		}
		if want := []string{ids[2], ids[1], ids[0]}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("generations by page = %v, want newest first %v", got, want)
		}
	})

	t.Run("aws cli", func(t *testing.T) {
		if noSP != nil {
			t.Fatal(noSP)
		}
		out, stderr, err := inst.cli(t, "ce", "get-savings-plans-purchase-recommendation", "--savings-plans-type", "COMPUTE_SP",
			"--term-in-years", "ONE_YEAR", "--payment-option", string(spPay), "--lookback-period-in-days", "THIRTY_DAYS")
		if err != nil {
			t.Fatalf("aws ce get-savings-plans-purchase-recommendation: %v\n%s", err, stderr)
		}
		sdk, err := ce.GetSavingsPlansPurchaseRecommendation(ctx, &costexplorer.GetSavingsPlansPurchaseRecommendationInput{
			SavingsPlansType: types.SupportedSavingsPlansTypeComputeSp, TermInYears: types.TermInYearsOneYear,
			PaymentOption: spPay, LookbackPeriodInDays: types.LookbackPeriodInDaysThirtyDays})
		if err != nil {
			t.Fatal(err)
		}
		if sdk.SavingsPlansPurchaseRecommendation.SavingsPlansPurchaseRecommendationSummary == nil {
			t.Fatalf("no Savings Plans recommendation to compare: %s", aws.ToString(sdk.Metadata.AdditionalMetadata))
		}
		rec, _ := out["SavingsPlansPurchaseRecommendation"].(map[string]any)
		sum, _ := rec["SavingsPlansPurchaseRecommendationSummary"].(map[string]any)
		if got, want := fmt.Sprint(sum["HourlyCommitmentToPurchase"]),
			aws.ToString(sdk.SavingsPlansPurchaseRecommendation.SavingsPlansPurchaseRecommendationSummary.HourlyCommitmentToPurchase); got != want {
			t.Errorf("CLI hourly commitment %q, SDK %q", got, want)
		}
		_, stderr, err = inst.cli(t, "ce", "get-rightsizing-recommendation", "--service", "AmazonEC2")
		if err == nil || !strings.Contains(stderr, "NotImplementedException") {
			t.Errorf("CLI rightsizing: %v %s", err, stderr)
		}
	})

	// Services other than EC2 go through the same model. The synthetic
	// organisation runs RDS and ElastiCache on demand but reserves neither,
	// so the bill shows no rate to price a reservation with: no
	// recommendation, and the metadata names each instance left out.
	t.Run("other services without a reservation rate", func(t *testing.T) {
		end := gen.AddDate(0, -1, 0).Truncate(24 * time.Hour)
		clock.Set(end.Add(9 * time.Hour))
		for _, c := range []struct{ service, usage, attrs string }{
			// Cost Explorer spells DEPLOYMENT_OPTION values without the
			// hyphen of the CUR's (Single-AZ is SingleAZ).
			{"Amazon Relational Database Service", "InstanceUsage:", "product['database_engine'] || ' ' || replace(product['deployment_option'], '-AZ', 'AZ')"},
			{"Amazon ElastiCache", "NodeUsage:", "product['cache_engine']"},
		} {
			// What ran on demand in the look-back, as AWS's names of it, and
			// how many reservation lines the service has before the end.
			var want []string
			rows, err := raw.Query(fmt.Sprintf(`SELECT DISTINCT product_instance_type || ' ' || %s || ' in ' || product_region_code FROM li
				WHERE product['product_name'] = ? AND line_item_line_item_type = 'Usage' AND line_item_usage_type LIKE ?
				AND line_item_usage_start_date >= ? AND line_item_usage_start_date < ? ORDER BY 1`, c.attrs),
				c.service, "%"+c.usage+"%", end.AddDate(0, 0, -7), end)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				want = append(want, s)
			}
			rows.Close()
			var reserved int
			if err := raw.QueryRow(`SELECT count(*) FROM li WHERE product['product_name'] = ? AND line_item_line_item_type IN ('DiscountedUsage', 'RIFee')
				AND line_item_usage_start_date < ?`, c.service, end).Scan(&reserved); err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || reserved != 0 {
				t.Fatalf("%s: the organisation must run it on demand (%v) and never reserve it (%d reservation lines)", c.service, want, reserved)
			}
			res, err := ce.GetReservationPurchaseRecommendation(ctx, &costexplorer.GetReservationPurchaseRecommendationInput{
				Service: aws.String(c.service), LookbackPeriodInDays: types.LookbackPeriodInDaysSevenDays,
				TermInYears: types.TermInYearsOneYear, PaymentOption: types.PaymentOptionPartialUpfront})
			if err != nil {
				t.Fatalf("%s: %v", c.service, err)
			}
			meta := aws.ToString(res.Metadata.AdditionalMetadata)
			t.Logf("%s: %s", c.service, meta)
			if len(res.Recommendations) != 0 {
				t.Errorf("%s: %d recommendations without a reservation rate in the bill", c.service, len(res.Recommendations))
			}
			wantMeta := "No recommendation for " + c.service + " " + strings.Join(want, ", ") + ": the bill shows no standard Partial Upfront reservation rate for it."
			if !strings.Contains(meta, wantMeta) {
				t.Errorf("%s: metadata %q\nwant it to contain %q", c.service, meta, wantMeta)
			}
			// The aws CLI gets the same answer.
			out, stderr, err := inst.cli(t, "ce", "get-reservation-purchase-recommendation", "--service", c.service,
				"--lookback-period-in-days", "SEVEN_DAYS", "--term-in-years", "ONE_YEAR", "--payment-option", "PARTIAL_UPFRONT")
			m, _ := out["Metadata"].(map[string]any)
			cliMeta, _ := m["AdditionalMetadata"].(string)
			if err != nil || !strings.Contains(cliMeta, wantMeta) || out["Recommendations"] != nil {
				t.Errorf("aws ce get-reservation-purchase-recommendation --service %q: %v %s\n%s", c.service, err, stderr, out)
			}
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := ce.GetSavingsPlanPurchaseRecommendationDetails(ctx, &costexplorer.GetSavingsPlanPurchaseRecommendationDetailsInput{
			RecommendationDetailId: aws.String("00000000-0000-0000-0000-000000000000")})
		var unavailable *types.DataUnavailableException
		if !errors.As(err, &unavailable) {
			t.Errorf("unknown detail: %v, want DataUnavailableException", err)
		}
		_, err = ce.GetReservationPurchaseRecommendation(ctx, &costexplorer.GetReservationPurchaseRecommendationInput{Service: aws.String("Amazon DynamoDB")})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
			t.Errorf("DynamoDB: %v, want ValidationException", err)
		}
		_, err = ce.GetReservationPurchaseRecommendation(ctx, &costexplorer.GetReservationPurchaseRecommendationInput{
			Service: aws.String("Amazon Relational Database Service"), ServiceSpecification: &types.ServiceSpecification{
				EC2Specification: &types.EC2Specification{OfferingClass: types.OfferingClassConvertible}}})
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
			t.Errorf("RDS convertible: %v, want ValidationException", err)
		}
		_, err = ce.GetRightsizingRecommendation(ctx, &costexplorer.GetRightsizingRecommendationInput{Service: aws.String("AmazonEC2")})
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NotImplementedException" {
			t.Errorf("rightsizing: %v, want NotImplementedException", err)
		} else {
			t.Logf("rightsizing: %s", apiErr.ErrorMessage())
		}
		_, err = ce.GetReservationPurchaseRecommendation(ctx, &costexplorer.GetReservationPurchaseRecommendationInput{
			Service: aws.String("Amazon Elastic Compute Cloud - Compute"), NextPageToken: aws.String("forged")})
		var badToken *types.InvalidNextTokenException
		if !errors.As(err, &badToken) {
			t.Errorf("forged token: %v, want InvalidNextTokenException", err)
		}
	})
}

func num(t *testing.T, s *string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(aws.ToString(s), 64)
	if err != nil {
		t.Fatalf("not a number: %q", aws.ToString(s))
	}
	return f
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
