package costexplorer_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"

	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/store/duckdb"
)

// TestReservationRecommendationOtherServices recommends RDS reservations
// from constructed usage through the SDK: two db.r6g.large PostgreSQL
// Single-AZ instances every hour and a third 16 hours a day at 0.225/h on
// demand, and a standard Partial Upfront reservation of the same kind that
// the bill shows at 0.14/h effective, half of it recurring. The third
// instance runs 16/24 = 0.667 of the hours, more than the break-even 0.14 /
// 0.225 = 0.622, so 3 is the best count. ElastiCache runs on demand with no
// reservation rate: no recommendation, and the metadata says so.
func TestReservationRecommendationOtherServices(t *testing.T) {
	ctx := context.Background()
	db, err := duckdb.Open(ctx, "", duckdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	month := time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2024, 11, 20, 9, 0, 0, 0, time.UTC)
	amount := func(f float64) billing.Amount {
		a, err := billing.ParseAmount(strconv.FormatFloat(f, 'f', 6, 64))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	rds := func(at time.Time, typ string, n, unblended, amortized float64) *billing.LineItem {
		li := &billing.LineItem{UsageStart: at, UsageEnd: at.Add(time.Hour), PayerAccountID: "111111111111", UsageAccountID: "222222222222",
			Service: "Amazon Relational Database Service", ServiceCode: "AmazonRDS", UsageType: "USE1-InstanceUsage:db.r6g.large",
			LineItemType: typ, RecordType: typ, Region: "us-east-1", InstanceType: "db.r6g.large", DatabaseEngine: "PostgreSQL",
			DeploymentOption: "SingleAZ", PurchaseType: billing.PurchaseOnDemand, Currency: "USD", UsageUnit: "Hrs",
			Unblended: amount(unblended), Amortized: amount(amortized), UsageQuantity: n}
		if typ != "Usage" {
			li.PurchaseType, li.PaymentOption, li.ReservationID = billing.PurchaseStandardRI, "Partial Upfront", "ri-rds-1"
		}
		if typ == "RIFee" {
			li.RecordType = billing.RecordTypeRecurring
		}
		return li
	}
	var lines []*billing.LineItem
	// The reservation's first two days: 48 hours at 0.14/h effective,
	// and its recurring fee of 0.07/h.
	for h := 0; h < 48; h++ {
		lines = append(lines, rds(month.Add(time.Duration(h)*time.Hour), "DiscountedUsage", 1, 0, 0.14))
	}
	lines = append(lines, rds(month, "RIFee", 48, 0.07*48, 0))
	for at := month.AddDate(0, 0, 2); at.Before(billing.DayStart(now)); at = at.Add(time.Hour) {
		lines = append(lines, rds(at, "Usage", 2, 2*0.225, 2*0.225))
		if at.Hour() < 16 {
			lines = append(lines, rds(at, "Usage", 1, 0.225, 0.225))
		}
		cache := &billing.LineItem{UsageStart: at, UsageEnd: at.Add(time.Hour), PayerAccountID: "111111111111", UsageAccountID: "222222222222",
			Service: "Amazon ElastiCache", ServiceCode: "AmazonElastiCache", UsageType: "USE1-NodeUsage:cache.r6g.large", LineItemType: "Usage",
			RecordType: "Usage", Region: "us-east-1", InstanceType: "cache.r6g.large", CacheEngine: "Redis", PurchaseType: billing.PurchaseOnDemand,
			Currency: "USD", UsageUnit: "Hrs", Unblended: amount(0.206), Amortized: amount(0.206), UsageQuantity: 1}
		lines = append(lines, cache)
	}
	loadLines(t, db, billing.BillingPeriod{Source: "cur:111111111111", Month: month}, lines...)
	svc := costexplorer.New(costexplorer.Config{Store: db, Profile: profile.Unlimited, Now: func() time.Time { return now }, TokenKey: []byte("k")})
	r, err := awsjson.NewRouter([]awsjson.Service{costexplorer.ServiceDef(svc)}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(withCaller(awsjsontest.Handler(r)))
	t.Cleanup(srv.Close)
	ce := (&tagEnv{url: srv.URL}).client("test")

	ask := func(service string, pay types.PaymentOption) *cesdk.GetReservationPurchaseRecommendationOutput {
		t.Helper()
		out, err := ce.GetReservationPurchaseRecommendation(ctx, &cesdk.GetReservationPurchaseRecommendationInput{Service: aws.String(service),
			LookbackPeriodInDays: types.LookbackPeriodInDaysSevenDays, TermInYears: types.TermInYearsOneYear, PaymentOption: pay})
		if err != nil {
			t.Fatalf("%s: %v", service, err)
		}
		return out
	}
	out := ask("Amazon Relational Database Service", types.PaymentOptionPartialUpfront)
	if len(out.Recommendations) != 1 || len(out.Recommendations[0].RecommendationDetails) != 1 {
		t.Fatalf("want one RDS recommendation, got %+v (%s)", out.Recommendations, aws.ToString(out.Metadata.AdditionalMetadata))
	}
	d := out.Recommendations[0].RecommendationDetails[0]
	rd := d.InstanceDetails.RDSInstanceDetails
	if rd == nil || d.InstanceDetails.EC2InstanceDetails != nil {
		t.Fatalf("InstanceDetails = %+v, want RDSInstanceDetails only", d.InstanceDetails)
	}
	if got := fmt.Sprint(aws.ToString(rd.InstanceType), " ", aws.ToString(rd.Family), " ", aws.ToString(rd.DatabaseEngine), " ",
		aws.ToString(rd.DeploymentOption), " ", aws.ToString(rd.Region)); got != "db.r6g.large db.r6g PostgreSQL SingleAZ us-east-1" {
		t.Errorf("RDSInstanceDetails = %s", got)
	}
	// Over the 168 hours of the look-back: 2·168 + 16·7 = 448 instance-hours
	// at 0.225 avoided, 3·168 reserved hours at 0.14: 100.80 − 70.56 =
	// 30.24, times 730/168 a month. Upfront: half of 0.14 for 3 instances
	// over 8760 hours; recurring: the other half over 730.
	for name, c := range map[string]struct {
		got  *string
		want float64
	}{
		"RecommendedNumberOfInstancesToPurchase": {d.RecommendedNumberOfInstancesToPurchase, 3},
		"MaximumNumberOfInstancesUsedPerHour":    {d.MaximumNumberOfInstancesUsedPerHour, 3},
		"MinimumNumberOfInstancesUsedPerHour":    {d.MinimumNumberOfInstancesUsedPerHour, 2},
		"EstimatedMonthlySavingsAmount":          {d.EstimatedMonthlySavingsAmount, 30.24 * 730 / 168},
		"UpfrontCost":                            {d.UpfrontCost, 3 * 0.07 * 8760},
		"RecurringStandardMonthlyCost":           {d.RecurringStandardMonthlyCost, 3 * 0.07 * 730},
		"EstimatedMonthlyOnDemandCost":           {d.EstimatedMonthlyOnDemandCost, 448 * 0.225 * 730 / 168},
	} {
		got, err := strconv.ParseFloat(aws.ToString(c.got), 64)
		if err != nil || got-c.want > 0.006 || c.want-got > 0.006 {
			t.Errorf("%s = %s, want %.4f", name, aws.ToString(c.got), c.want)
		}
	}
	if spec := out.Recommendations[0].ServiceSpecification; spec != nil && spec.EC2Specification != nil {
		t.Errorf("RDS recommendation has an EC2Specification")
	}
	// A payment option the bill never showed for RDS: nothing.
	if out := ask("Amazon Relational Database Service", types.PaymentOptionAllUpfront); len(out.Recommendations) != 0 ||
		!strings.Contains(aws.ToString(out.Metadata.AdditionalMetadata), "No recommendation for Amazon Relational Database Service db.r6g.large PostgreSQL SingleAZ in us-east-1: the bill shows no standard All Upfront reservation rate") {
		t.Errorf("All Upfront: %+v %s", out.Recommendations, aws.ToString(out.Metadata.AdditionalMetadata))
	}
	out = ask("Amazon ElastiCache", types.PaymentOptionPartialUpfront)
	if len(out.Recommendations) != 0 || !strings.Contains(aws.ToString(out.Metadata.AdditionalMetadata),
		"No recommendation for Amazon ElastiCache cache.r6g.large Redis in us-east-1: the bill shows no standard Partial Upfront reservation rate") {
		t.Errorf("ElastiCache: %+v %s", out.Recommendations, aws.ToString(out.Metadata.AdditionalMetadata))
	}
	// A service with no usage answers nothing, and one with no reservations
	// at all is refused.
	if out := ask("Amazon Redshift", types.PaymentOptionPartialUpfront); len(out.Recommendations) != 0 {
		t.Errorf("Redshift without usage: %+v", out.Recommendations)
	}
}
