package ingest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/parquet-go/parquet-go"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

func amt(t *testing.T, s string) billing.Amount {
	t.Helper()
	a, err := billing.ParseAmount(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// wantLegacyEC2 is the line item of legacyRow(nil).
func wantLegacyEC2(t *testing.T) billing.LineItem {
	c := amt(t, "0.096")
	li := billing.LineItem{
		UsageStart: utc("2024-01-05T10:00:00Z"), UsageEnd: utc("2024-01-05T11:00:00Z"),
		PayerAccountID: "011254002932", UsageAccountID: "011254002932",
		LineItemType: "Usage", RecordType: "Usage",
		ServiceCode: "AmazonEC2", Service: "Amazon Elastic Compute Cloud - Compute",
		UsageType: "USW2-BoxUsage:m5.large", UsageTypeGroup: "EC2: Running Hours", Operation: "RunInstances",
		AZ: "us-west-2a", Region: "us-west-2", InstanceType: "m5.large", InstanceTypeFamily: "m5",
		OperatingSystem: "Linux", Platform: "Linux/UNIX", PurchaseType: "On Demand Instances",
		BillingEntity: "AWS", ResourceID: "i-0abc", Currency: "USD", UsageUnit: "Hrs",
		Unblended: c, Blended: c, NetUnblended: c, Amortized: c, NetAmortized: c,
		UsageQuantity: 1, NormalizedUsage: 4,
		Tags:           map[string]string{"Environment": "prod", "aws:createdBy": "arn:aws:iam::1:user/x"},
		CostCategories: map[string]string{"Team": "core"},
	}
	billing.SpellAsCostExplorer(&li) // the columns the row leaves empty
	return li
}

func TestLegacyCSVCompressions(t *testing.T) {
	text := csvText(t, legacyHeader, legacyRow(nil))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"report-1.csv", text},
		{"report-1.csv.gz", gzipped(t, text)},
		{"report-1.csv.zip", zipped(t, "report-1.csv", text)},
		{"no-extension", gzipped(t, text)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(t.TempDir(), tc.name), tc.data)
			w := newMemWriter(true)
			rep := mustLoad(t, w, p)
			if len(w.rows) != 1 {
				t.Fatalf("got %d rows, want 1", len(w.rows))
			}
			if diff := cmp.Diff(wantLegacyEC2(t), w.rows[0]); diff != "" {
				t.Errorf("line item (-want +got):\n%s", diff)
			}
			want := []store.PeriodInfo{{Period: billing.BillingPeriod{Source: "cur:011254002932", Month: utc("2024-01-01T00:00:00Z")},
				Format: FormatCURCSV, Files: []string{p}, Rows: 1}}
			if diff := cmp.Diff(want, w.committed); diff != "" {
				t.Errorf("committed periods (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, rep.Periods); diff != "" {
				t.Errorf("report periods (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLegacyAmortization(t *testing.T) {
	rows := []map[string]string{
		legacyRow(map[string]string{"lineItem/LineItemType": "DiscountedUsage", "lineItem/UnblendedCost": "0",
			"reservation/ReservationARN": "arn:aws:ec2:us-west-2:1:reserved-instances/ri-1", "reservation/EffectiveCost": "0.06",
			"pricing/OfferingClass": "convertible", "bill/InvoiceId": "INV-7"}),
		legacyRow(map[string]string{"lineItem/LineItemType": "RIFee", "lineItem/UsageType": "HeavyUsage:m5.large",
			"lineItem/UnblendedCost": "40", "reservation/ReservationARN": "arn:aws:ec2:us-west-2:1:reserved-instances/ri-1",
			"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod": "1.5", "reservation/UnusedRecurringFee": "2.25"}),
		legacyRow(map[string]string{"lineItem/LineItemType": "Fee", "lineItem/UsageType": "", "lineItem/UnblendedCost": "500",
			"reservation/ReservationARN": "arn:aws:ec2:us-west-2:1:reserved-instances/ri-1"}),
		legacyRow(map[string]string{"lineItem/LineItemType": "Tax", "lineItem/UsageType": "", "lineItem/UnblendedCost": "1.23"}),
		legacyRow(map[string]string{"lineItem/UsageType": "USW2-EBS:VolumeUsage.gp3", "resourceTags/user:Environment": "",
			"lineItem/LineItemDescription": "$0.08 per GB-month of General Purpose (gp3)"}),
	}
	p := writeFile(t, filepath.Join(t.TempDir(), "cur.csv"), csvText(t, legacyHeader, rows...))
	w := newMemWriter(true)
	mustLoad(t, w, p)
	type view struct {
		LineItemType, RecordType, Service, PurchaseType, ReservationID, UsageTypeGroup string
		Unblended, Amortized                                                           string
		Tags                                                                           map[string]string
	}
	var got []view
	for _, li := range w.rows {
		got = append(got, view{li.LineItemType, li.RecordType, li.Service, li.PurchaseType, li.ReservationID,
			li.UsageTypeGroup, li.Unblended.String(), li.Amortized.String(), li.Tags})
	}
	tags := map[string]string{"Environment": "prod", "aws:createdBy": "arn:aws:iam::1:user/x"}
	want := []view{
		{"DiscountedUsage", "DiscountedUsage", billing.ServiceEC2Compute, "Convertible Reserved Instances", "ri-1", "EC2: Running Hours", "0", "0.06", tags},
		{"RIFee", "Recurring", billing.ServiceEC2Compute, "Standard Reserved Instances", "ri-1", "NoUsageTypeGroup", "40", "3.75", tags},
		{"Fee", "Upfront", billing.ServiceEC2Other, "Standard Reserved Instances", "ri-1", "NoUsageTypeGroup", "500", "0", tags},
		{"Tax", "Tax", "Tax", "On Demand Instances", "NoReservationId", "NoUsageTypeGroup", "1.23", "1.23", tags},
		{"Usage", "Usage", billing.ServiceEC2Other, "On Demand Instances", "NoReservationId", "EC2: EBS - SSD(gp3)", "0.096", "0.096",
			map[string]string{"aws:createdBy": "arn:aws:iam::1:user/x"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if len(w.committed) != 1 || !w.committed[0].Final || w.committed[0].InvoiceID != "INV-7" {
		t.Errorf("committed = %+v, want one final period with invoice INV-7", w.committed)
	}
}

// cur2Header is a CUR 2.0 CSV header with its map columns.
var cur2Header = []string{
	"bill_payer_account_id", "bill_payer_account_name", "bill_billing_period_start_date", "bill_invoice_id",
	"line_item_usage_account_id", "line_item_usage_account_name", "line_item_line_item_type",
	"line_item_usage_start_date", "line_item_usage_end_date", "line_item_product_code", "line_item_usage_type",
	"line_item_usage_amount", "line_item_unblended_cost", "line_item_net_unblended_cost", "line_item_currency_code",
	"product", "product_instance_type", "product_region_code", "resource_tags", "cost_category",
}

func TestCUR2CSV(t *testing.T) {
	row := map[string]string{
		"bill_payer_account_id": "111122223333", "bill_payer_account_name": "Payer",
		"bill_billing_period_start_date": "2024-03-01 00:00:00.000", "line_item_usage_account_id": "444455556666",
		"line_item_usage_account_name": "Dev", "line_item_line_item_type": "Usage",
		"line_item_usage_start_date": "2024-03-02T00:00:00.000Z", "line_item_usage_end_date": "2024-03-02T01:00:00.000Z",
		"line_item_product_code": "AmazonS3", "line_item_usage_type": "USE2-TimedStorage-ByteHrs",
		"line_item_usage_amount": "1.5E-3", "line_item_unblended_cost": "0.25", "line_item_net_unblended_cost": "0.2",
		"line_item_currency_code": "USD", "product_region_code": "us-east-2",
		"product":       `{"product_name":"Amazon Simple Storage Service","region":"us-east-2","tenancy":"Shared"}`,
		"resource_tags": `{"user_cost_center":"42","aws_created_by":"arn:x","aws_cloudformation_stack_name":"stk","user_empty":""}`,
		"cost_category": `{"Team":"storage"}`,
	}
	p := writeFile(t, filepath.Join(t.TempDir(), "export-00001.csv.gz"), gzipped(t, csvText(t, cur2Header, row)))
	w := newMemWriter(true)
	mustLoad(t, w, p)
	if len(w.committed) != 1 || w.committed[0].Format != FormatCUR2CSV {
		t.Fatalf("committed = %+v", w.committed)
	}
	li := w.rows[0]
	got := []any{li.Service, li.UsageAccountName, li.PayerAccountName, li.Region, li.Tenancy, li.UsageTypeGroup,
		li.Unblended.String(), li.NetUnblended.String(), li.NetAmortized.String(), li.UsageQuantity, li.Tags, li.CostCategories}
	want := []any{"Amazon Simple Storage Service", "Dev", "Payer", "us-east-2", "Shared", "S3: Storage - Standard",
		"0.25", "0.2", "0.2", 0.0015,
		map[string]string{"cost_center": "42", "aws:createdBy": "arn:x", "aws:cloudformation:stack-name": "stk"},
		map[string]string{"Team": "storage"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCUR2TagsMapWins(t *testing.T) {
	header := append(append([]string(nil), cur2Header...), "tags")
	row := map[string]string{
		"bill_payer_account_id": "111122223333", "bill_billing_period_start_date": "2024-03-01T00:00:00Z",
		"line_item_usage_account_id": "111122223333", "line_item_line_item_type": "Usage",
		"line_item_usage_start_date": "2024-03-02T00:00:00Z", "line_item_usage_end_date": "2024-03-02T01:00:00Z",
		"line_item_product_code": "AWSLambda", "line_item_unblended_cost": "1",
		"resource_tags": `{"user_cost_center":"42"}`,
		"tags":          `{"resourceTags/user:CostCenter":"42","resourceTags/aws:createdBy":"arn:x","costCategory/Team":"fn","accountTag/Owner":"ops"}`,
	}
	p := writeFile(t, filepath.Join(t.TempDir(), "x.csv"), csvText(t, header, row))
	w := newMemWriter(true)
	mustLoad(t, w, p)
	li := w.rows[0]
	if diff := cmp.Diff(map[string]string{"CostCenter": "42", "aws:createdBy": "arn:x"}, li.Tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"Team": "fn"}, li.CostCategories); diff != "" {
		t.Errorf("cost categories (-want +got):\n%s", diff)
	}
	if li.Service != "AWS Lambda" {
		t.Errorf("Service = %q, want the name of the product code", li.Service)
	}
}

// cur2ParquetRow is a CUR 2.0 Parquet row with map columns, optional values
// and timestamps of three precisions.
type cur2ParquetRow struct {
	PayerID       string             `parquet:"bill_payer_account_id,dict"`
	PayerName     string             `parquet:"bill_payer_account_name,dict"`
	PeriodStart   time.Time          `parquet:"bill_billing_period_start_date,timestamp(millisecond)"`
	InvoiceID     *string            `parquet:"bill_invoice_id,optional"`
	AccountID     string             `parquet:"line_item_usage_account_id,dict"`
	AccountName   *string            `parquet:"line_item_usage_account_name,optional"`
	LineItemType  string             `parquet:"line_item_line_item_type,dict"`
	Start         time.Time          `parquet:"line_item_usage_start_date,timestamp(microsecond)"`
	End           *time.Time         `parquet:"line_item_usage_end_date,optional,timestamp(nanosecond)"`
	ProductCode   string             `parquet:"line_item_product_code,dict"`
	UsageType     string             `parquet:"line_item_usage_type,dict"`
	Operation     string             `parquet:"line_item_operation,dict"`
	UsageAmount   *float64           `parquet:"line_item_usage_amount,optional"`
	Unblended     float64            `parquet:"line_item_unblended_cost"`
	NetUnblended  *float64           `parquet:"line_item_net_unblended_cost,optional"`
	Description   string             `parquet:"line_item_line_item_description"`
	InstanceType  string             `parquet:"product_instance_type,dict"`
	Product       map[string]string  `parquet:"product"`
	ResourceTags  map[string]string  `parquet:"resource_tags"`
	CostCategory  map[string]string  `parquet:"cost_category"`
	Discount      map[string]float64 `parquet:"discount"`
	SPARN         string             `parquet:"savings_plan_savings_plan_a_r_n"`
	SPEffective   float64            `parquet:"savings_plan_savings_plan_effective_cost"`
	SPNetEffectiv *float64           `parquet:"savings_plan_net_savings_plan_effective_cost,optional"`
}

func writeParquet[T any](t *testing.T, path string, rows []T, opts ...parquet.WriterOption) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[T](f, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func ptr[T any](v T) *T { return &v }

func TestCUR2Parquet(t *testing.T) {
	start := utc("2024-04-03T05:00:00Z")
	rows := []cur2ParquetRow{
		{PayerID: "111122223333", PayerName: "Payer", PeriodStart: utc("2024-04-01T00:00:00Z"), AccountID: "444455556666",
			AccountName: ptr("Prod"), LineItemType: "SavingsPlanCoveredUsage", Start: start, End: ptr(start.Add(time.Hour)),
			ProductCode: "AmazonEC2", UsageType: "BoxUsage:c5.large", Operation: "RunInstances:0002", UsageAmount: ptr(1.0),
			Unblended: 0.085, NetUnblended: ptr(0.08), InstanceType: "c5.large", SPARN: "arn:aws:savingsplans::1:savingsplan/sp-1",
			SPEffective: 0.05, SPNetEffectiv: ptr(0.045),
			Product:      map[string]string{"product_name": "Amazon Elastic Compute Cloud", "region": "eu-west-1", "operating_system": "Windows", "tenancy": "Shared"},
			ResourceTags: map[string]string{"user_environment": "prod", "aws_autoscaling_group_name": "asg-1", "user_blank": ""},
			CostCategory: map[string]string{"Team": "web"}, Discount: map[string]float64{"bundled_discount": 0}},
		{PayerID: "111122223333", PeriodStart: utc("2024-04-01T00:00:00Z"), AccountID: "444455556666", LineItemType: "Usage",
			Start: start, ProductCode: "AWSLambda", UsageType: "EU-Lambda-GB-Second", Unblended: 0.5,
			InvoiceID: ptr("INV-9"), Product: map[string]string{}},
	}
	// Small pages make the map columns cross page boundaries.
	p := writeParquet(t, filepath.Join(t.TempDir(), "cur2.snappy.parquet"), rows, parquet.PageBufferSize(64))
	w := newMemWriter(true)
	mustLoad(t, w, p)
	if len(w.committed) != 1 || w.committed[0].Format != FormatCUR2Parquet || !w.committed[0].Final || w.committed[0].Rows != 2 {
		t.Fatalf("committed = %+v", w.committed)
	}
	a, b := w.rows[0], w.rows[1]
	got := []any{a.Service, a.RecordType, a.PurchaseType, a.Platform, a.Region, a.OperatingSystem, a.UsageAccountName,
		a.UsageStart, a.UsageEnd, a.Unblended.String(), a.NetUnblended.String(), a.Amortized.String(), a.NetAmortized.String(),
		a.SavingsPlanARN, a.Tags, a.CostCategories,
		b.Service, b.UsageEnd.IsZero(), b.Unblended.String(), len(b.Tags), b.UsageQuantity}
	want := []any{billing.ServiceEC2Compute, "SavingsPlanCoveredUsage", "Savings Plans", "Windows", "eu-west-1", "Windows", "Prod",
		start, start.Add(time.Hour), "0.085", "0.08", "0.05", "0.045",
		"arn:aws:savingsplans::1:savingsplan/sp-1", map[string]string{"environment": "prod", "aws:autoscaling:groupName": "asg-1"},
		map[string]string{"Team": "web"},
		"AWS Lambda", true, "0.5", 0, 0.0}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// focusParquetRow is a FOCUS 1.2 row with decimal costs and text timestamps.
type focusParquetRow struct {
	BilledCost           int64   `parquet:"BilledCost,decimal(6:18)"`
	EffectiveCost        []byte  `parquet:"EffectiveCost,decimal(6:9)"`
	ListCost             float64 `parquet:"ListCost"`
	BillingAccountID     string  `parquet:"BillingAccountId"`
	BillingAccountName   string  `parquet:"BillingAccountName"`
	BillingCurrency      string  `parquet:"BillingCurrency"`
	BillingPeriodStart   string  `parquet:"BillingPeriodStart"`
	ChargeCategory       string  `parquet:"ChargeCategory"`
	ChargeFrequency      string  `parquet:"ChargeFrequency"`
	ChargePeriodStart    string  `parquet:"ChargePeriodStart"`
	ChargePeriodEnd      string  `parquet:"ChargePeriodEnd"`
	CommitmentDiscountID *string `parquet:"CommitmentDiscountId,optional"`
	CommitmentDiscountTy *string `parquet:"CommitmentDiscountType,optional"`
	CommitmentStatus     *string `parquet:"CommitmentDiscountStatus,optional"`
	ConsumedQuantity     *string `parquet:"ConsumedQuantity,optional"`
	PricingQuantity      float64 `parquet:"PricingQuantity"`
	ProviderName         string  `parquet:"ProviderName"`
	ServiceName          string  `parquet:"ServiceName"`
	SubAccountID         string  `parquet:"SubAccountId"`
	SubAccountName       string  `parquet:"SubAccountName"`
	InvoiceID            *string `parquet:"InvoiceId,optional"`
	Tags                 *string `parquet:"Tags,optional"`
	ServiceCode          string  `parquet:"x_ServiceCode"`
	UsageType            string  `parquet:"x_UsageType"`
}

func TestFOCUSParquet(t *testing.T) {
	rows := []focusParquetRow{{
		BilledCost: 1_234_567, EffectiveCost: []byte{0xff, 0xff, 0xff, 0xfe}, // -2 (two's complement) at scale 6
		BillingAccountID: "999988887777", BillingAccountName: "Org", BillingCurrency: "USD",
		BillingPeriodStart: "2024-09-01T00:00:00Z", ChargeCategory: "Usage", ChargeFrequency: "Usage-Based",
		ChargePeriodStart: "2024-09-18T22:00:00.5Z", ChargePeriodEnd: "2024-09-18 23:00:00",
		CommitmentDiscountID: ptr("arn:aws:ec2:us-east-1:1:reserved-instances/ri-9"), CommitmentDiscountTy: ptr("Reserved Instance"),
		CommitmentStatus: ptr("Used"), PricingQuantity: 3, ProviderName: "AWS", ServiceName: "Amazon Elastic Compute Cloud",
		SubAccountID: "123", SubAccountName: "team", InvoiceID: ptr("INV-1"),
		Tags: ptr(`{"env":"prod","flag":true,"n":3}`), ServiceCode: "AmazonEC2", UsageType: "BoxUsage:m5.large",
	}}
	p := writeParquet(t, filepath.Join(t.TempDir(), "focus.parquet"), rows)
	w := newMemWriter(true)
	mustLoad(t, w, p)
	if len(w.committed) != 1 || w.committed[0].Format != FormatFOCUSParquet || !w.committed[0].Final ||
		w.committed[0].Period.Source != "focus:AWS:999988887777" {
		t.Fatalf("committed = %+v", w.committed)
	}
	li := w.rows[0]
	got := []any{li.Unblended.String(), li.Amortized.String(), li.LineItemType, li.RecordType, li.PurchaseType, li.ReservationID,
		li.Service, li.UsageQuantity, li.UsageStart, li.UsageEnd, li.Tags, li.UsageAccountID, li.UsageAccountName}
	want := []any{"1.234567", "-0.000002", "DiscountedUsage", "DiscountedUsage", "Standard Reserved Instances", "ri-9",
		billing.ServiceEC2Compute, 3.0, utc("2024-09-18T22:00:00.5Z"), utc("2024-09-18T23:00:00Z"),
		map[string]string{"env": "prod", "flag": "true", "n": "3"}, "123", "team"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFOCUSCSVNullsAndProviders(t *testing.T) {
	header := []string{"BilledCost", "EffectiveCost", "BillingAccountId", "BillingCurrency", "BillingPeriodStart", "ChargeCategory",
		"ChargePeriodStart", "ChargePeriodEnd", "ConsumedQuantity", "PricingQuantity", "ProviderName", "ServiceName", "SubAccountId",
		"RegionId", "Tags", "ChargeDescription"}
	rows := []map[string]string{
		{"BilledCost": "0.5", "EffectiveCost": "0.4", "BillingAccountId": "acct", "BillingCurrency": "USD",
			"BillingPeriodStart": "2024-09-01 00:00:00", "ChargeCategory": "Usage", "ChargePeriodStart": "2024-09-02 00:00:00",
			"ChargePeriodEnd": "2024-09-02 01:00:00", "ConsumedQuantity": "NULL", "PricingQuantity": "2", "ProviderName": "Microsoft",
			"ServiceName": "Virtual Machines", "SubAccountId": "/subscriptions/x", "RegionId": "NULL", "Tags": "NULL"},
		{"BilledCost": "1", "EffectiveCost": "1", "BillingAccountId": "a1", "BillingCurrency": "USD",
			"BillingPeriodStart": "2024-09-01 00:00:00", "ChargeCategory": "Tax", "ChargePeriodStart": "2024-09-01 00:00:00",
			"ChargePeriodEnd": "2024-10-01 00:00:00", "ProviderName": "AWS", "ServiceName": "Amazon Elastic Compute Cloud",
			"SubAccountId": "NULL", "Tags": `{" org":"x"}`},
		{"BilledCost": "2", "EffectiveCost": "2", "BillingAccountId": "a1", "BillingCurrency": "USD",
			"BillingPeriodStart": "2024-09-01 00:00:00", "ChargeCategory": "Usage", "ChargePeriodStart": "2024-09-01 00:00:00",
			"ChargePeriodEnd": "2024-09-01 01:00:00", "ProviderName": "AWS", "ServiceName": "Amazon Elastic Compute Cloud",
			"SubAccountId": "a2", "ChargeDescription": "$0.0116 per On Demand Linux t2.micro Instance Hour"},
	}
	p := writeFile(t, filepath.Join(t.TempDir(), "focus.csv"), csvText(t, header, rows...))
	w := newMemWriter(true)
	mustLoad(t, w, p)
	var got [][]any
	for _, li := range w.rows {
		got = append(got, []any{li.Service, li.RecordType, li.UsageAccountID, li.Region, li.UsageQuantity, len(li.Tags)})
	}
	want := [][]any{
		{"Virtual Machines", "Usage", "/subscriptions/x", "NoRegion", 2.0, 0},
		{"Tax", "Tax", "a1", "NoRegion", 0.0, 1},
		{billing.ServiceEC2Compute, "Usage", "a2", "NoRegion", 0.0, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(w.committed) != 2 || w.committed[0].Final {
		t.Errorf("committed = %+v, want two estimated periods", w.committed)
	}
}

func TestSchemaDrift(t *testing.T) {
	dir := t.TempDir()
	// January has tags and a cost category; February drops them, drops
	// BlendedCost and adds a new tag key.
	writeFile(t, filepath.Join(dir, "jan.csv"), csvText(t, legacyHeader, legacyRow(nil)))
	var feb []string
	for _, h := range legacyHeader {
		switch h {
		case "resourceTags/user:Environment", "costCategory/Team", "lineItem/BlendedCost", "product/instanceType":
			continue
		}
		feb = append(feb, h)
	}
	feb = append(feb, "resourceTags/user:Owner")
	writeFile(t, filepath.Join(dir, "feb.csv"), csvText(t, feb, legacyRow(map[string]string{
		"bill/BillingPeriodStartDate": "2024-02-01T00:00:00Z", "lineItem/UsageStartDate": "2024-02-01T00:00:00Z",
		"resourceTags/user:Owner": "ana"})))
	w := newMemWriter(true)
	mustLoad(t, w, dir)
	if diff := cmp.Diff([]string{"cur:011254002932 2024-01", "cur:011254002932 2024-02"}, w.months()); diff != "" {
		t.Fatalf("months (-want +got):\n%s", diff)
	}
	febRow, janRow := w.rows[0], w.rows[1] // files load in path order
	if diff := cmp.Diff(map[string]string{"Owner": "ana", "aws:createdBy": "arn:aws:iam::1:user/x"}, febRow.Tags); diff != "" {
		t.Errorf("feb tags (-want +got):\n%s", diff)
	}
	if febRow.Blended != febRow.Unblended || febRow.InstanceType != "NoInstanceType" || len(febRow.CostCategories) != 0 {
		t.Errorf("feb row = %+v, want blended = unblended and empty dropped columns", febRow)
	}
	if janRow.CostCategories["Team"] != "core" {
		t.Errorf("jan cost categories = %v", janRow.CostCategories)
	}
}

// TestFOCUSCostCategoriesInTags checks AWS's FOCUS 1.2 form of cost
// categories: Tags keys under costCategory/.
func TestFOCUSCostCategoriesInTags(t *testing.T) {
	header := []string{"BilledCost", "EffectiveCost", "BillingAccountId", "BillingCurrency", "BillingPeriodStart", "ChargeCategory",
		"ChargePeriodStart", "ChargePeriodEnd", "ProviderName", "ServiceName", "SubAccountId", "Tags"}
	p := writeFile(t, filepath.Join(t.TempDir(), "focus.csv"), csvText(t, header, map[string]string{
		"BilledCost": "1", "EffectiveCost": "1", "BillingAccountId": "a1", "BillingCurrency": "USD",
		"BillingPeriodStart": "2024-09-01T00:00:00Z", "ChargeCategory": "Usage", "ChargePeriodStart": "2024-09-01T00:00:00Z",
		"ChargePeriodEnd": "2024-09-01T01:00:00Z", "ProviderName": "AWS", "ServiceName": "AWS Lambda", "SubAccountId": "a1",
		"Tags": `{"Team":"a","costCategory/BusinessUnit":"Retail"}`}))
	w := newMemWriter(true)
	mustLoad(t, w, p)
	li := w.rows[0]
	if diff := cmp.Diff([]any{map[string]string{"Team": "a"}, map[string]string{"BusinessUnit": "Retail"}},
		[]any{li.Tags, li.CostCategories}); diff != "" {
		t.Errorf("tags and cost categories (-want +got):\n%s", diff)
	}
}
