package main

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/synth"
)

// The tests of this file check the names users copy from the AWS console
// (issue 12): the no-value groups, USAGE_TYPE_GROUP, the EC2 split and
// account names, each against DuckDB SQL over the raw files, written apart
// from Tally's ingest.

// rawDB is a DuckDB over raw billing files.
type rawDB struct{ db *sql.DB }

func newRawDB(t *testing.T, views ...string) *rawDB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, v := range views {
		if _, err := db.Exec(v); err != nil {
			t.Fatalf("%v\n%s", err, v)
		}
	}
	return &rawDB{db}
}

// pairs runs a query of two string columns into a map.
func (r *rawDB) pairs(t *testing.T, q string) map[string]string {
	t.Helper()
	rows, err := r.db.Query(q)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			t.Fatal(err)
		}
		out[k] = v
	}
	return out
}

// totals sums UnblendedCost of a GetCostAndUsage answer per group key (""
// without GroupBy), as decimal strings with 6 digits.
func totals(t *testing.T, res []types.ResultByTime) map[string]string {
	t.Helper()
	sums := map[string]*big.Rat{}
	add := func(k string, m map[string]types.MetricValue) {
		if sums[k] == nil {
			sums[k] = new(big.Rat)
		}
		sums[k].Add(sums[k], rat(t, aws.ToString(m["UnblendedCost"].Amount)))
	}
	for _, r := range res {
		if len(r.Groups) == 0 && len(r.Total) > 0 {
			add("", r.Total)
		}
		for _, g := range r.Groups {
			add(strings.Join(g.Keys, "|"), g.Metrics)
		}
	}
	out := map[string]string{}
	for k, v := range sums {
		out[k] = v.FloatString(6)
	}
	return out
}

func monthly(period *types.DateInterval, filter *types.Expression, groupBy ...string) *costexplorer.GetCostAndUsageInput {
	in := &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityMonthly,
		Metrics: []string{"UnblendedCost"}, Filter: filter}
	for _, g := range groupBy {
		in.GroupBy = append(in.GroupBy, types.GroupDefinition{Type: types.GroupDefinitionTypeDimension, Key: aws.String(g)})
	}
	return in
}

func dimIs(d types.Dimension, v ...string) *types.Expression {
	return &types.Expression{Dimensions: &types.DimensionValues{Key: d, Values: v}}
}

func dimensionValues(t *testing.T, ce *costexplorer.Client, period *types.DateInterval, d types.Dimension) map[string]string {
	t.Helper()
	out := map[string]string{}
	in := &costexplorer.GetDimensionValuesInput{TimePeriod: period, Dimension: d}
	for {
		res, err := ce.GetDimensionValues(context.Background(), in)
		if err != nil {
			t.Fatalf("GetDimensionValues %s: %v", d, err)
		}
		for _, v := range res.DimensionValues {
			out[aws.ToString(v.Value)] = v.Attributes["description"]
		}
		if res.NextPageToken == nil {
			return out
		}
		in.NextPageToken = res.NextPageToken
	}
}

func keysOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestNoValueSpellings checks, over the Workshop CUR, that lines without an
// AZ or instance type are grouped, listed and filtered under AWS's
// spellings (NoAZ, NoInstanceType); every Workshop line has a region, so
// NoRegion is checked over groupsCUR by TestUsageTypeGroupsAndEC2Split.
func TestNoValueSpellings(t *testing.T) {
	files := workshop(t)
	inst := start(t, fixedNow)
	inst.ingest(t, files...)
	ce := inst.ce("test", "test")
	quoted := make([]string, len(files))
	for i, f := range files {
		quoted[i] = "'" + f + "'"
	}
	raw := newRawDB(t, `CREATE VIEW cur AS SELECT * FROM read_parquet([`+strings.Join(quoted, ", ")+`], union_by_name = true)`)
	period := &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2019-01-01")}
	for _, tc := range []struct {
		dim     types.Dimension
		col, no string
	}{
		{types.DimensionAz, "line_item_availability_zone", "NoAZ"},
		{types.DimensionInstanceType, "product_instance_type", "NoInstanceType"},
	} {
		t.Run(string(tc.dim), func(t *testing.T) {
			key := fmt.Sprintf("CASE WHEN %s = '' THEN '%s' ELSE %s END", tc.col, tc.no, tc.col)
			want := raw.pairs(t, `SELECT `+key+`, CAST(CAST(sum(CAST(line_item_unblended_cost AS DECIMAL(38,10))) AS DECIMAL(38,6)) AS VARCHAR) FROM cur GROUP BY 1`)
			if _, ok := want[tc.no]; !ok {
				t.Fatalf("the raw files have no line without %s", tc.col)
			}
			got := totals(t, getAll(t, ce, monthly(period, nil, string(tc.dim))))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("group keys (-raw +tally):\n%s", diff)
			}
			filtered := totals(t, getAll(t, ce, monthly(period, dimIs(tc.dim, tc.no))))
			if filtered[""] != want[tc.no] {
				t.Errorf("filter %s = %s: %s, raw %s", tc.dim, tc.no, filtered[""], want[tc.no])
			}
			if diff := cmp.Diff(keysOf(want), keysOf(dimensionValues(t, ce, period, tc.dim))); diff != "" {
				t.Errorf("GetDimensionValues (-raw +tally):\n%s", diff)
			}
		})
	}
}

// TestNormalizedUsageUnit checks that NormalizedUsageAmount carries the unit
// "N/A", as in Cost Explorer's answers, while UsageQuantity of instance
// hours carries the CUR's pricing unit.
func TestNormalizedUsageUnit(t *testing.T) {
	files := workshop(t)
	inst := start(t, fixedNow)
	inst.ingest(t, files[0])
	ce := inst.ce("test", "test")
	quoted := "'" + files[0] + "'"
	raw := newRawDB(t, `CREATE VIEW cur AS SELECT * FROM read_parquet(`+quoted+`)`)
	// An empty pricing/unit is unknown, not a unit; the lines Cost Explorer
	// counts in UsageQuantity decide.
	units := raw.pairs(t, `SELECT line_item_usage_type, max(nullif(pricing_unit, '')) FROM cur WHERE line_item_usage_type LIKE '%BoxUsage:t2.micro'
		AND line_item_line_item_type IN ('Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage')
		AND line_item_usage_start_date < TIMESTAMP '2018-11-01'
		GROUP BY 1 HAVING count(DISTINCT nullif(pricing_unit, '')) = 1`)
	if len(units) == 0 {
		t.Fatal("no t2.micro usage in the raw file")
	}
	for ut, unit := range units {
		in := monthly(&types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")}, dimIs(types.DimensionUsageType, ut))
		in.Metrics = []string{"UsageQuantity", "NormalizedUsageAmount"}
		for _, r := range getAll(t, ce, in) {
			if got := aws.ToString(r.Total["UsageQuantity"].Unit); got != unit {
				t.Errorf("%s UsageQuantity unit %q, raw %q", ut, got, unit)
			}
			if got := aws.ToString(r.Total["NormalizedUsageAmount"].Unit); got != "N/A" {
				t.Errorf("%s NormalizedUsageAmount unit %q, want N/A", ut, got)
			}
		}
	}
}

// groupsCUR is a legacy CUR written for the USAGE_TYPE_GROUP and EC2 split
// tests: usage types of nine services, EC2 lines of several product
// families, RDS deployment options and a tax line.
var groupsCUR = [][]string{
	{"lineItem/ProductCode", "product/ProductName", "product/productFamily", "lineItem/UsageType", "lineItem/LineItemType",
		"lineItem/UnblendedCost", "product/deploymentOption", "product/tenancy", "product/regionCode"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance", "USE1-BoxUsage:m5.large", "Usage", "1.000001", "", "Shared", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "", "USE1-SpotUsage:c5.large", "Usage", "2.000002", "", "", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance", "USE1-BatchHours:x9.large", "Usage", "3.000003", "", "Dedicated", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance (bare metal)", "USE1-MetalUsage:i3.metal", "Usage", "3.5", "", "Shared", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance", "USE1-EBSOptimized:c5.large", "Usage", "0.25", "", "NA", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Storage", "USE1-EBS:VolumeUsage.gp2", "Usage", "4.000004", "", "NA", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Storage", "USE1-EBS:VolumeUsage.piops", "Usage", "5.5", "", "NA", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Storage Snapshot", "USE1-EBS:SnapshotUsage", "Usage", "0.75", "", "NA", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "NAT Gateway", "USE1-NatGateway-Hours", "Usage", "1.08", "", "NA", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "IP Address", "USE1-ElasticIP:IdleAddress", "Usage", "0.12", "", "NA", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Data Transfer", "USE1-USW2-AWS-Out-Bytes", "Usage", "0.02", "", "", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "CPU Credits", "USE1-CPUCredits:t3", "Usage", "0.05", "", "NA", "us-east-1"},
	{"AmazonCloudWatch", "AmazonCloudWatch", "Alarm", "USE1-CW:AlarmMonitorUsage", "Usage", "0.1", "", "", "us-east-1"},
	{"AmazonCloudWatch", "AmazonCloudWatch", "Metric", "USE1-CW:MetricMonitorUsage", "Usage", "0.3", "", "", "us-east-1"},
	{"AWSELB", "Elastic Load Balancing", "Load Balancer", "USE1-LoadBalancerUsage", "Usage", "0.025", "", "", "us-east-1"},
	{"AmazonDynamoDB", "Amazon DynamoDB", "Provisioned IOPS", "USE1-ReadCapacityUnit-Hrs", "Usage", "0.13", "", "", "us-east-1"},
	{"AmazonDynamoDB", "Amazon DynamoDB", "Database Storage", "USE1-TimedStorage-ByteHrs", "Usage", "0.25", "", "", "us-east-1"},
	{"AmazonElastiCache", "Amazon ElastiCache", "Cache Instance", "USE1-NodeUsage:cache.t3.micro", "Usage", "0.017", "", "", "us-east-1"},
	{"AmazonRDS", "Amazon Relational Database Service", "Database Instance", "USE1-InstanceUsage:db.t3.micro", "Usage", "0.018", "Single-AZ", "", "us-east-1"},
	{"AmazonRDS", "Amazon Relational Database Service", "Database Instance", "USE1-Multi-AZUsage:db.m5.large", "Usage", "0.342", "Multi-AZ", "", "us-east-1"},
	{"AmazonRDS", "Amazon Relational Database Service", "Database Storage", "USE1-RDS:GP2-Storage", "Usage", "0.115", "Single-AZ", "", "us-east-1"},
	{"AmazonRedshift", "Amazon Redshift", "Compute Instance", "USE1-Node:dc2.large", "Usage", "0.25", "", "", "us-east-1"},
	{"AmazonS3", "Amazon Simple Storage Service", "Storage", "USE1-TimedStorage-ByteHrs", "Usage", "0.023", "", "", "us-east-1"},
	{"AmazonS3", "Amazon Simple Storage Service", "API Request", "USE1-Requests-Tier1", "Usage", "0.005", "", "", "us-east-1"},
	{"AmazonES", "Amazon OpenSearch Service", "Amazon OpenSearch Service Instance", "USE1-ESInstance:m5.large.elasticsearch", "Usage", "0.142", "", "", "us-east-1"},
	{"AWSGlue", "AWS Glue", "AWS Glue", "USE1-ETL-DPU-Hour", "Usage", "0.44", "", "", "us-east-1"},
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "", "", "Tax", "0.9", "", "", ""},
}

// writeGroupsCUR writes groupsCUR as a legacy CUR CSV of January 2024.
func writeGroupsCUR(t *testing.T) string {
	t.Helper()
	header := append([]string{"bill/PayerAccountId", "bill/BillingPeriodStartDate", "bill/InvoiceId", "lineItem/UsageAccountId",
		"lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/CurrencyCode"}, groupsCUR[0]...)
	p := filepath.Join(t.TempDir(), "groups.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write(header)
	for i, r := range groupsCUR[1:] {
		start := time.Date(2024, 1, 1+i%20, 3, 0, 0, 0, time.UTC)
		w.Write(append([]string{"111122223333", "2024-01-01T00:00:00Z", "INV-1", "111122223333",
			start.Format(time.RFC3339), start.Add(time.Hour).Format(time.RFC3339), "USD"}, r...))
	}
	w.Flush()
	if err := f.Close(); err != nil || w.Error() != nil {
		t.Fatal(err, w.Error())
	}
	return p
}

// rawGroupsView reads the raw CSV; ut is the usage type without its region
// prefix. The CASE expressions restate, in SQL, the groups of the AWS
// Billing user guide's "Usage type group" list and the EC2 split of
// internal/billing, independently of the Go tables.
const rawGroupsView = `CREATE VIEW g AS SELECT *,
	regexp_replace("lineItem/UsageType", '^([A-Z]{2,4}[0-9]|EU)-', '') AS ut,
	"lineItem/ProductCode" AS code,
	coalesce("product/deploymentOption", '') AS dep, coalesce("product/tenancy", '') AS ten,
	coalesce("product/regionCode", '') AS region,
	CAST("lineItem/UnblendedCost" AS DECIMAL(38,10)) AS cost
	FROM read_csv('%s', all_varchar = true, header = true)`

const rawGroupExpr = `CASE
	WHEN code = 'AmazonEC2' AND regexp_matches(ut, '^(BoxUsage|SpotUsage|DedicatedUsage|HostBoxUsage|HostUsage|ReservedHostUsage|SchedUsage|UnusedBox)') THEN 'EC2: Running Hours'
	WHEN code = 'AmazonEC2' AND ut = 'EBS:VolumeUsage.gp2' THEN 'EC2: EBS - SSD(gp2)'
	WHEN code = 'AmazonEC2' AND ut = 'EBS:VolumeUsage.piops' THEN 'EC2: EBS - SSD(io1)'
	WHEN code = 'AmazonEC2' AND ut LIKE 'EBS:SnapshotUsage%' THEN 'EC2: EBS - Snapshots'
	WHEN code = 'AmazonEC2' AND ut LIKE 'EBSOptimized%' THEN 'EC2: EBS - Optimized'
	WHEN code = 'AmazonEC2' AND ut = 'NatGateway-Hours' THEN 'EC2: NAT Gateway - Running Hours'
	WHEN code = 'AmazonEC2' AND ut = 'ElasticIP:IdleAddress' THEN 'EC2: Elastic IP - Idle Address'
	WHEN code = 'AmazonEC2' AND ut LIKE '%AWS-Out-Bytes' THEN 'EC2: Data Transfer - Region to Region (Out)'
	WHEN code = 'AmazonCloudWatch' AND ut LIKE 'CW:AlarmMonitorUsage%' THEN 'EC2: CloudWatch - Alarms'
	WHEN code = 'AmazonCloudWatch' AND ut LIKE 'CW:MetricMonitorUsage%' THEN 'EC2: CloudWatch - Metrics'
	WHEN code = 'AWSELB' AND ut LIKE 'LoadBalancerUsage%' THEN 'EC2: ELB - Running Hours'
	WHEN code = 'AmazonDynamoDB' AND ut = 'ReadCapacityUnit-Hrs' THEN 'DDB: Provisioned Throughput Capacity - Read'
	WHEN code = 'AmazonDynamoDB' AND ut = 'TimedStorage-ByteHrs' THEN 'DDB: Indexed Data Storage'
	WHEN code = 'AmazonElastiCache' AND ut LIKE 'NodeUsage%' THEN 'ElastiCache: Running Hours'
	WHEN code = 'AmazonRDS' AND regexp_matches(ut, '^(AlwaysOnUsage|BoxUsage|DedicatedUsage|HighUsage|InstanceUsage|MirrorUsage|Multi-AZUsage|SpotUsage)') THEN 'RDS: Running Hours'
	WHEN code = 'AmazonRDS' AND ut LIKE '%Storage' THEN 'RDS: Storage'
	WHEN code = 'AmazonRedshift' AND ut LIKE 'Node:%' THEN 'Redshift: Running Hours'
	WHEN code = 'AmazonS3' AND ut = 'TimedStorage-ByteHrs' THEN 'S3: Storage - Standard'
	WHEN code = 'AmazonS3' AND ut IN ('Requests-Tier1', 'Requests-Tier2') THEN 'S3: API Requests - Standard'
	WHEN code = 'AmazonES' AND ut LIKE 'ESInstance%' THEN 'Elasticsearch: Running Hours'
	ELSE 'NoUsageTypeGroup' END`

const rawServiceExpr = `CASE
	WHEN "lineItem/LineItemType" = 'Tax' THEN 'Tax'
	WHEN code = 'AmazonEC2' AND (regexp_matches(ut, '^(BoxUsage|SpotUsage|DedicatedUsage|HostUsage|HostBoxUsage|ReservedHostUsage|SchedUsage|UnusedBox|UnusedDed|UnusedHost|DedicatedRes|HeavyUsage|MediumUsage|LightUsage|Reservation:)')
		OR ("product/productFamily" IN ('Compute Instance', 'Compute Instance (bare metal)', 'Dedicated Host')
			AND NOT regexp_matches(ut, '^(EBSOptimized|CPUCredits)'))) THEN 'Amazon Elastic Compute Cloud - Compute'
	WHEN code = 'AmazonEC2' THEN 'EC2 - Other'
	WHEN code = 'AWSELB' THEN 'Amazon Elastic Load Balancing'
	ELSE "product/ProductName" END`

// TestUsageTypeGroupsAndEC2Split checks USAGE_TYPE_GROUP over 20 groups of 9
// services (group keys, one filter per group, GetDimensionValues), the EC2
// split by product family and usage type, and the API spellings of
// DEPLOYMENT_OPTION and TENANCY.
func TestUsageTypeGroupsAndEC2Split(t *testing.T) {
	p := writeGroupsCUR(t)
	inst := start(t, time.Date(2024, 2, 20, 0, 0, 0, 0, time.UTC))
	inst.ingest(t, p)
	ce := inst.ce("test", "test")
	raw := newRawDB(t, fmt.Sprintf(rawGroupsView, p))
	period := &types.DateInterval{Start: aws.String("2024-01-01"), End: aws.String("2024-02-01")}
	sum := `CAST(CAST(sum(cost) AS DECIMAL(38,6)) AS VARCHAR)`

	t.Run("groups", func(t *testing.T) {
		want := raw.pairs(t, `SELECT `+rawGroupExpr+`, `+sum+` FROM g GROUP BY 1`)
		services := raw.pairs(t, `SELECT code, count(*) FROM g WHERE `+rawGroupExpr+` <> 'NoUsageTypeGroup' GROUP BY 1`)
		if len(want) < 16 || len(services) < 8 {
			t.Fatalf("the fixture covers %d groups of %d services, want at least 15 of 8", len(want)-1, len(services))
		}
		got := totals(t, getAll(t, ce, monthly(period, nil, "USAGE_TYPE_GROUP")))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("USAGE_TYPE_GROUP keys (-raw +tally):\n%s", diff)
		}
		for group, cost := range want {
			f := totals(t, getAll(t, ce, monthly(period, dimIs(types.DimensionUsageTypeGroup, group))))
			if f[""] != cost {
				t.Errorf("filter USAGE_TYPE_GROUP = %q: %s, raw %s", group, f[""], cost)
			}
		}
		if diff := cmp.Diff(keysOf(want), keysOf(dimensionValues(t, ce, period, types.DimensionUsageTypeGroup))); diff != "" {
			t.Errorf("GetDimensionValues USAGE_TYPE_GROUP (-raw +tally):\n%s", diff)
		}
	})
	t.Run("EC2 split", func(t *testing.T) {
		want := raw.pairs(t, `SELECT `+rawServiceExpr+`, `+sum+` FROM g GROUP BY 1`)
		got := totals(t, getAll(t, ce, monthly(period, nil, "SERVICE")))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SERVICE (-raw +tally):\n%s", diff)
		}
		if want["Amazon Elastic Compute Cloud - Compute"] != "9.500006" {
			t.Errorf("raw Compute = %s: the fixture's instance lines changed", want["Amazon Elastic Compute Cloud - Compute"])
		}
	})
	t.Run("API spellings", func(t *testing.T) {
		want := raw.pairs(t, `SELECT CASE dep WHEN '' THEN 'NoDeploymentOption' ELSE replace(dep, '-AZ', 'AZ') END, `+sum+` FROM g GROUP BY 1`)
		if diff := cmp.Diff(want, totals(t, getAll(t, ce, monthly(period, nil, "DEPLOYMENT_OPTION")))); diff != "" {
			t.Errorf("DEPLOYMENT_OPTION (-raw +tally):\n%s", diff)
		}
		if _, ok := want["MultiAZ"]; !ok {
			t.Fatalf("no MultiAZ in %v", want)
		}
		want = raw.pairs(t, `SELECT CASE WHEN ten IN ('', 'NA') THEN 'NoTenancy' ELSE ten END, `+sum+` FROM g GROUP BY 1`)
		if diff := cmp.Diff(want, totals(t, getAll(t, ce, monthly(period, nil, "TENANCY")))); diff != "" {
			t.Errorf("TENANCY (-raw +tally):\n%s", diff)
		}
	})
	t.Run("contexts of SCOPE and PAYMENT_OPTION", func(t *testing.T) {
		// The API reference lists SCOPE under RESERVATIONS and
		// PAYMENT_OPTION under SAVINGS_PLANS, not under COST_AND_USAGE.
		for _, tc := range []struct {
			dim  types.Dimension
			ctx  types.Context
			code string
		}{
			{types.DimensionScope, types.ContextCostAndUsage, "ValidationException"},
			{types.DimensionPaymentOption, types.ContextCostAndUsage, "ValidationException"},
			{types.DimensionScope, types.ContextReservations, ""},
			{types.DimensionPaymentOption, types.ContextSavingsPlans, ""},
		} {
			res, err := ce.GetDimensionValues(context.Background(), &costexplorer.GetDimensionValuesInput{TimePeriod: period,
				Dimension: tc.dim, Context: tc.ctx})
			if apiCode(err) != tc.code {
				t.Errorf("%s in %s: %v, want %q", tc.dim, tc.ctx, err, tc.code)
			}
			// The fixture has no reservation or Savings Plan: lines with
			// NoReservationId / NoSavingsPlanArn are outside those contexts.
			if err == nil && len(res.DimensionValues) != 0 {
				t.Errorf("%s in %s lists %v, want none", tc.dim, tc.ctx, res.DimensionValues)
			}
		}
	})
	t.Run("primary billing view", func(t *testing.T) {
		// Budgets accepts an account's primary view; so does Cost Explorer.
		in := monthly(period, nil)
		in.BillingViewArn = aws.String("arn:aws:billing::111122223333:billingview/primary")
		if got := totals(t, getAll(t, ce, in)); got[""] != raw.pairs(t, `SELECT '', `+sum+` FROM g`)[""] {
			t.Errorf("with the primary view: %v", got)
		}
		if _, err := ce.GetDimensionValues(context.Background(), &costexplorer.GetDimensionValuesInput{TimePeriod: period,
			Dimension: types.DimensionService, BillingViewArn: in.BillingViewArn}); err != nil {
			t.Errorf("GetDimensionValues with the primary view: %v", err)
		}
		in.BillingViewArn = aws.String("arn:aws:billing::111122223333:billingview/custom-1")
		if _, err := ce.GetCostAndUsage(context.Background(), in); apiCode(err) != "ResourceNotFoundException" {
			t.Errorf("custom view: %v, want ResourceNotFoundException", err)
		}
	})
	t.Run("NoRegion", func(t *testing.T) {
		want := raw.pairs(t, `SELECT CASE region WHEN '' THEN 'NoRegion' ELSE region END, `+sum+` FROM g GROUP BY 1`)
		if diff := cmp.Diff(want, totals(t, getAll(t, ce, monthly(period, nil, "REGION")))); diff != "" {
			t.Errorf("REGION (-raw +tally):\n%s", diff)
		}
		f := totals(t, getAll(t, ce, monthly(period, dimIs(types.DimensionRegion, "NoRegion"))))
		if f[""] != want["NoRegion"] || want["NoRegion"] == "" {
			t.Errorf("filter REGION = NoRegion: %s, raw %s", f[""], want["NoRegion"])
		}
		f = totals(t, getAll(t, ce, monthly(period, &types.Expression{Not: dimIs(types.DimensionRegion, "NoRegion")})))
		if f[""] != want["us-east-1"] {
			t.Errorf("filter not REGION = NoRegion: %s, raw %s", f[""], want["us-east-1"])
		}
	})
}

// TestAccountNames checks LINKED_ACCOUNT's description in GetDimensionValues
// and GetCostAndUsage's DimensionValueAttributes for each format: CUR 2.0
// (line_item_usage_account_name), FOCUS (SubAccountName) and legacy CUR with
// an accounts file, in the JSON of `aws organizations list-accounts` and as
// CSV.
func TestAccountNames(t *testing.T) {
	check := func(t *testing.T, ce *costexplorer.Client, period *types.DateInterval, want map[string]string) {
		t.Helper()
		if len(want) == 0 {
			t.Fatal("the raw data has no accounts")
		}
		if diff := cmp.Diff(want, dimensionValues(t, ce, period, types.DimensionLinkedAccount)); diff != "" {
			t.Errorf("GetDimensionValues descriptions (-raw +tally):\n%s", diff)
		}
		got := map[string]string{}
		in := monthly(period, nil, "LINKED_ACCOUNT")
		for {
			res, err := ce.GetCostAndUsage(context.Background(), in)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range res.DimensionValueAttributes {
				got[aws.ToString(a.Value)] = a.Attributes["description"]
			}
			if res.NextPageToken == nil {
				break
			}
			in.NextPageToken = res.NextPageToken
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("DimensionValueAttributes (-raw +tally):\n%s", diff)
		}
	}

	t.Run("CUR 2.0", func(t *testing.T) {
		now := time.Date(2026, 3, 18, 9, 0, 0, 0, time.UTC)
		out := t.TempDir()
		if _, err := synth.Generate(context.Background(), synth.Config{Out: out, Format: synth.FormatCUR2, Seed: 3, Rows: 4000, Months: 1, Now: now}); err != nil {
			t.Fatal(err)
		}
		inst := start(t, now)
		inst.ingest(t, out)
		raw := newRawDB(t, `CREATE VIEW c AS SELECT * FROM read_parquet('`+filepath.Join(out, "**", "*.parquet")+`')`)
		want := raw.pairs(t, `SELECT line_item_usage_account_id, coalesce(max(nullif(line_item_usage_account_name, '')), line_item_usage_account_id)
			FROM c WHERE line_item_usage_start_date >= TIMESTAMP '2026-02-01' GROUP BY 1`)
		check(t, inst.ce("test", "test"), &types.DateInterval{Start: aws.String("2026-02-01"), End: aws.String("2026-03-18")}, want)
	})
	t.Run("FOCUS", func(t *testing.T) {
		f := sample(t, "focus_sample.csv")
		inst := start(t, time.Date(2024, 10, 15, 0, 0, 0, 0, time.UTC), "--profile", "unlimited")
		inst.ingest(t, f)
		raw := newRawDB(t, `CREATE VIEW f AS SELECT * FROM read_csv('`+f+`', nullstr = 'NULL', all_varchar = true)`)
		want := raw.pairs(t, `SELECT coalesce(SubAccountId, BillingAccountId), coalesce(max(SubAccountName), coalesce(SubAccountId, BillingAccountId)) FROM f GROUP BY 1`)
		check(t, inst.ce("test", "test"), &types.DateInterval{Start: aws.String("2024-09-01"), End: aws.String("2024-10-01")}, want)
	})
	// legacy ingests the legacy CUR sample with an accounts file that write
	// makes; accounts is the SQL that reads it into a view names(i, n).
	legacy := func(t *testing.T, accounts string, write func(ids []string) string) {
		f := sample(t, "sample-anonymous-aws-export-dataset.csv")
		raw := newRawDB(t, `CREATE VIEW l AS SELECT * FROM read_csv('`+f+`', all_varchar = true, header = true)`)
		ids := keysOf(raw.pairs(t, `SELECT DISTINCT "lineItem/UsageAccountId", '' FROM l`))
		if len(ids) == 0 {
			t.Fatal("the sample has no accounts")
		}
		names := write(append(ids, "999999999999")) // an account without data is harmless
		inst := start(t, time.Date(2024, 10, 15, 0, 0, 0, 0, time.UTC), "--profile", "unlimited", "--accounts", names)
		inst.ingest(t, f)
		if _, err := raw.db.Exec(fmt.Sprintf(accounts, names)); err != nil {
			t.Fatal(err)
		}
		want := raw.pairs(t, `SELECT u, coalesce(n, u) FROM (SELECT DISTINCT "lineItem/UsageAccountId" AS u FROM l)
			LEFT JOIN names ON i = u`)
		period := raw.pairs(t, `SELECT strftime(min(CAST("lineItem/UsageStartDate" AS TIMESTAMP)), '%Y-%m-01'),
			strftime(max(CAST("lineItem/UsageStartDate" AS TIMESTAMP)) + INTERVAL 1 DAY, '%Y-%m-%d') FROM l`)
		for s, e := range period {
			check(t, inst.ce("test", "test"), &types.DateInterval{Start: aws.String(s), End: aws.String(e)}, want)
		}
	}
	t.Run("legacy CUR with list-accounts JSON", func(t *testing.T) {
		legacy(t, `CREATE VIEW names AS SELECT a.Id AS i, a.Name AS n FROM (SELECT unnest(Accounts) AS a FROM read_json_auto('%s'))`, func(ids []string) string {
			var b strings.Builder
			b.WriteString(`{"Accounts": [`)
			for i, id := range ids {
				if i > 0 {
					b.WriteString(",")
				}
				fmt.Fprintf(&b, `{"Id": %q, "Arn": "arn:aws:organizations::1:account/o-x/%s", "Email": "a%d@example.com", "Name": "Team %d", "Status": "ACTIVE"}`, id, id, i, i)
			}
			b.WriteString(`]}`)
			p := filepath.Join(t.TempDir(), "accounts.json")
			if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		})
	})
	t.Run("legacy CUR with accounts CSV", func(t *testing.T) {
		legacy(t, `CREATE VIEW names AS SELECT account_id AS i, account_name AS n FROM read_csv('%s', all_varchar = true, header = true)`, func(ids []string) string {
			var b strings.Builder
			b.WriteString("account_id,account_name\n")
			for i, id := range ids {
				fmt.Fprintf(&b, "%s,Unit %d\n", id, i)
			}
			p := filepath.Join(t.TempDir(), "accounts.csv")
			if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			return p
		})
	})
}

// TestIngestAccountsFlag checks `tally ingest --accounts`: without a server
// it names the accounts of a legacy CUR; with a server running on the data
// directory it refuses, since the server ingests with its own names.
func TestIngestAccountsFlag(t *testing.T) {
	f := sample(t, "sample-anonymous-aws-export-dataset.csv")
	raw := newRawDB(t, `CREATE VIEW l AS SELECT * FROM read_csv('`+f+`', all_varchar = true, header = true)`)
	ids := keysOf(raw.pairs(t, `SELECT DISTINCT "lineItem/UsageAccountId", '' FROM l`))
	names := filepath.Join(t.TempDir(), "accounts.csv")
	var b strings.Builder
	for _, id := range ids {
		fmt.Fprintf(&b, "%s,Account %s\n", id, id) // no header: id,name rows
	}
	if err := os.WriteFile(names, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	var out, errOut syncBuffer
	if err := run(context.Background(), []string{"ingest", "--data", data, "--accounts", names, f}, &out, &errOut); err != nil {
		t.Fatalf("ingest --accounts: %v\n%s", err, errOut.String())
	}
	inst := startOn(t, data, time.Date(2024, 10, 15, 0, 0, 0, 0, time.UTC), "--profile", "unlimited")
	period := raw.pairs(t, `SELECT strftime(min(CAST("lineItem/UsageStartDate" AS TIMESTAMP)), '%Y-%m-01'),
		strftime(max(CAST("lineItem/UsageStartDate" AS TIMESTAMP)) + INTERVAL 1 DAY, '%Y-%m-%d') FROM l`)
	want := map[string]string{}
	for _, id := range ids {
		want[id] = "Account " + id
	}
	for s, e := range period {
		if diff := cmp.Diff(want, dimensionValues(t, inst.ce("test", "test"), &types.DateInterval{Start: aws.String(s), End: aws.String(e)},
			types.DimensionLinkedAccount)); diff != "" {
			t.Errorf("descriptions (-want +got):\n%s", diff)
		}
	}
	err := run(context.Background(), []string{"ingest", "--data", data, "--accounts", names, f}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "tally serve --accounts") {
		t.Errorf("ingest --accounts beside a running server: %v, want a refusal naming serve --accounts", err)
	}
}
