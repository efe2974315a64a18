package ingest

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"
)

// csvText renders a header and rows (by column name; missing cells empty).
func csvText(t *testing.T, header []string, rows ...map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(header); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		rec := make([]string, len(header))
		for i, h := range header {
			rec[i] = r[h]
		}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	return b.Bytes()
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zipped builds a zip archive of name, content pairs.
func zipped(t *testing.T, entries ...any) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i+1 < len(entries); i += 2 {
		f, err := zw.Create(entries[i].(string))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(entries[i+1].([]byte)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// legacyHeader is a legacy CUR CSV header with tags and a cost category.
var legacyHeader = []string{
	"identity/LineItemId", "bill/InvoiceId", "bill/BillingEntity", "bill/PayerAccountId",
	"bill/BillingPeriodStartDate", "bill/BillingPeriodEndDate", "lineItem/UsageAccountId",
	"lineItem/LineItemType", "lineItem/UsageStartDate", "lineItem/UsageEndDate", "lineItem/ProductCode",
	"lineItem/UsageType", "lineItem/Operation", "lineItem/AvailabilityZone", "lineItem/ResourceId",
	"lineItem/UsageAmount", "lineItem/NormalizationFactor", "lineItem/CurrencyCode", "lineItem/UnblendedCost",
	"lineItem/BlendedCost", "lineItem/LineItemDescription", "product/ProductName", "product/instanceType",
	"product/operatingSystem", "product/regionCode", "pricing/term", "pricing/unit", "pricing/OfferingClass",
	"reservation/ReservationARN", "reservation/EffectiveCost",
	"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "reservation/UnusedRecurringFee",
	"resourceTags/user:Environment", "resourceTags/aws:createdBy", "costCategory/Team",
}

// legacyRow is one on-demand EC2 instance hour.
func legacyRow(over map[string]string) map[string]string {
	r := map[string]string{
		"bill/BillingEntity": "AWS", "bill/PayerAccountId": "011254002932",
		"bill/BillingPeriodStartDate": "2024-01-01T00:00:00Z", "bill/BillingPeriodEndDate": "2024-02-01T00:00:00Z",
		"lineItem/UsageAccountId": "011254002932", "lineItem/LineItemType": "Usage",
		"lineItem/UsageStartDate": "2024-01-05T10:00:00Z", "lineItem/UsageEndDate": "2024-01-05T11:00:00Z",
		"lineItem/ProductCode": "AmazonEC2", "lineItem/UsageType": "USW2-BoxUsage:m5.large",
		"lineItem/Operation": "RunInstances", "lineItem/AvailabilityZone": "us-west-2a",
		"lineItem/ResourceId": "i-0abc", "lineItem/UsageAmount": "1", "lineItem/NormalizationFactor": "4",
		"lineItem/CurrencyCode": "USD", "lineItem/UnblendedCost": "0.096", "lineItem/BlendedCost": "0.096",
		"lineItem/LineItemDescription": "$0.096 per On Demand Linux m5.large Instance Hour",
		"product/ProductName":          "Amazon Elastic Compute Cloud", "product/instanceType": "m5.large",
		"product/operatingSystem": "Linux", "product/regionCode": "us-west-2", "pricing/term": "OnDemand",
		"pricing/unit": "Hrs", "resourceTags/user:Environment": "prod", "resourceTags/aws:createdBy": "arn:aws:iam::1:user/x",
		"costCategory/Team": "core",
	}
	for k, v := range over {
		r[k] = v
	}
	return r
}

func createFile(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.Create(path)
}
