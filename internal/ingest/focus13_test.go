package ingest

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
)

// TestFOCUS13Sample loads the FOCUS 1.3 sample (testdata/README.md) and
// checks its totals against DuckDB over the raw file and by hand, and the
// mapping of the columns 1.3 adds or renames.
func TestFOCUS13Sample(t *testing.T) {
	p := filepath.Join("testdata", "focus13_sample.csv")
	w := newMemWriter(true)
	rep := mustLoad(t, w, p)
	if len(rep.Periods) != 1 {
		t.Fatalf("periods = %+v, want one (the marketplace seller must not split the invoice)", rep.Periods)
	}
	got := rep.Periods[0]
	if got.Period.String() != "focus:AWS:111122223333 2025-11" || got.Format != FormatFOCUSCSV || !got.Final || got.Rows != 10 {
		t.Fatalf("period = %s %s final=%v rows=%d", got.Period, got.Format, got.Final, got.Rows)
	}

	// Totals: by hand (testdata/README.md's rows) and from the raw file.
	var unblended, amortized billing.Amount
	tagCost := map[string]billing.Amount{}
	for _, li := range w.rows {
		unblended += li.Unblended
		amortized += li.Amortized
		if app, ok := li.Tags["k8s/app"]; ok {
			tagCost[app] += li.Unblended
		}
	}
	if unblended != amt(t, "28.20") || amortized != amt(t, "30.20") {
		t.Errorf("unblended %s amortized %s, want 28.20 and 30.20", unblended, amortized)
	}
	db := duck(t)
	raw := "read_csv('" + p + "', all_varchar=true)"
	want := queryMap(t, db, `select 'unblended', sum(BilledCost::decimal(38,10))::varchar from `+raw+`
		union all select 'amortized', sum(EffectiveCost::decimal(38,10))::varchar from `+raw)
	compareSums(t, "totals", want, map[string]billing.Amount{"unblended": unblended, "amortized": amortized}, 1e-9)
	wantTags := queryMap(t, db, `select json_extract_string(AllocatedTags, '$."k8s/app"') k, sum(BilledCost::decimal(38,10))::varchar
		from `+raw+` where k is not null group by 1`)
	compareSums(t, "cost by allocated tag k8s/app", wantTags, tagCost, 1e-9)

	type row struct {
		LineItemType, Service, Purchase, Resource, Legal, BillingEntity, SP, RI string
		Tags                                                                    map[string]string
	}
	var rows []row
	none := func(s, empty string) string {
		if s == empty {
			return ""
		}
		return s
	}
	for _, li := range w.rows {
		rows = append(rows, row{li.LineItemType, li.Service, li.PurchaseType, none(li.ResourceID, "NoResourceId"), li.LegalEntity,
			li.BillingEntity, none(li.SavingsPlanARN, "NoSavingsPlanArn"), none(li.ReservationID, "NoReservationId"), li.Tags})
	}
	const sp = "arn:aws:savingsplans::111122223333:savingsplan/5f0c1a2b-0000-4000-8000-000000000001"
	ec2 := func(lit, purchase, res, sp string, tags map[string]string) row {
		return row{lit, billing.ServiceEC2Compute, purchase, res, "AWS", "AWS", sp, "", tags}
	}
	od := billing.PurchaseOnDemand
	platform := func(extra ...string) map[string]string {
		m := map[string]string{"team": "platform"}
		for i := 0; i < len(extra); i += 2 {
			m[extra[i]] = extra[i+1]
		}
		return m
	}
	wantRows := []row{
		ec2("Usage", od, "i-0aaaaaaaaaaaaaaa1", "", map[string]string{"team": "web"}),
		// Split cost allocation: RESOURCE_ID stays the origin; AllocatedTags join Tags.
		ec2("Usage", od, "i-0bbbbbbbbbbbbbbb2", "", platform("k8s/app", "checkout", "k8s/namespace", "shop")),
		ec2("Usage", od, "i-0bbbbbbbbbbbbbbb2", "", platform("k8s/app", "search", "k8s/namespace", "shop")),
		ec2("Usage", od, "i-0bbbbbbbbbbbbbbb2", "", platform()),
		ec2("SavingsPlanCoveredUsage", billing.PurchaseSavingsPlan, "i-0ccccccccccccccc3", sp, map[string]string{}),
		{"SavingsPlanRecurringFee", "Savings Plans for AWS Compute usage", billing.PurchaseSavingsPlan, sp, "AWS", "AWS", sp, "", map[string]string{}},
		{"SavingsPlanRecurringFee", "Savings Plans for AWS Compute usage", billing.PurchaseSavingsPlan, sp, "AWS", "AWS", sp, "", map[string]string{}},
		{"DiscountedUsage", "Amazon Relational Database Service", billing.PurchaseStandardRI, "arn:aws:rds:us-east-1:444455556666:db:orders",
			"AWS", "AWS", "", "arn:aws:rds:us-east-1:111122223333:ri:orders-ri", map[string]string{}},
		// Marketplace: the seller is the legal entity, billed through AWS Marketplace.
		{"Usage", "Example Firewall", od, "", "Example Software Inc.", "AWS Marketplace", "", "", map[string]string{}},
		{"Tax", billing.ServiceTax, od, "", "AWS", "AWS", "", "", map[string]string{}},
	}
	if diff := cmp.Diff(wantRows, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
