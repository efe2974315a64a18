package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/server"
	"github.com/tallyhq/tally/internal/web"
	"github.com/tallyhq/tally/internal/web/e2e"
)

// usageCE answers the utilisation and coverage operations with AWS-shaped
// figures that differ by month, so the Commitments page's reading of those
// shapes is checked whether or not the real operations are built; the
// recommendations stay unimplemented here.
type usageCE struct {
	costexplorer.Unimplemented
}

var usageNow = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// months lists the month starts of a request's period.
func months(period *costexplorer.DateInterval) []costexplorer.DateInterval {
	start, _ := time.Parse("2006-01-02", *period.Start)
	end, _ := time.Parse("2006-01-02", *period.End)
	var out []costexplorer.DateInterval
	for m := start; m.Before(end); m = m.AddDate(0, 1, 0) {
		next := m.AddDate(0, 1, 0)
		if next.After(end) {
			next = end
		}
		out = append(out, costexplorer.DateInterval{Start: p(m.Format("2006-01-02")), End: p(next.Format("2006-01-02"))})
	}
	return out
}

func share(i int) *string { return p(fmt.Sprintf("%d", 50+i*4)) }

func (usageCE) GetReservationUtilization(_ context.Context, in *costexplorer.GetReservationUtilizationRequest) (*costexplorer.GetReservationUtilizationResponse, error) {
	out := &costexplorer.GetReservationUtilizationResponse{}
	if len(in.GroupBy) > 0 {
		out.UtilizationsByTime = []costexplorer.UtilizationByTime{{TimePeriod: in.TimePeriod, Groups: []costexplorer.ReservationUtilizationGroup{
			{Key: p("SUBSCRIPTION_ID"), Value: p("1234567890"), Attributes: map[string]string{"instanceType": "m5.large", "region": "us-east-1",
				"numberOfInstances": "2", "endDateTime": "2026-03-21T00:00:00.000Z"},
				Utilization: &costexplorer.ReservationAggregates{UtilizationPercentage: p("75"), UnusedHours: p("360"), NetRISavings: p("12.5")}},
			{Key: p("SUBSCRIPTION_ID"), Value: p("2345678901"), Attributes: map[string]string{"instanceType": "c5.large", "region": "us-east-1",
				"numberOfInstances": "1", "endDateTime": "2027-01-01T00:00:00.000Z"},
				Utilization: &costexplorer.ReservationAggregates{UtilizationPercentage: p("100"), UnusedHours: p("0"), NetRISavings: p("20")}},
		}}}
		return out, nil
	}
	for i, m := range months(in.TimePeriod) {
		out.UtilizationsByTime = append(out.UtilizationsByTime, costexplorer.UtilizationByTime{TimePeriod: &m,
			Total: &costexplorer.ReservationAggregates{UtilizationPercentage: share(i)}})
	}
	return out, nil
}

func (usageCE) GetReservationCoverage(_ context.Context, in *costexplorer.GetReservationCoverageRequest) (*costexplorer.GetReservationCoverageResponse, error) {
	out := &costexplorer.GetReservationCoverageResponse{}
	for i, m := range months(in.TimePeriod) {
		out.CoveragesByTime = append(out.CoveragesByTime, costexplorer.CoverageByTime{TimePeriod: &m,
			Total: &costexplorer.Coverage{CoverageHours: &costexplorer.CoverageHours{CoverageHoursPercentage: p(fmt.Sprint(20 + i))}}})
	}
	return out, nil
}

func (usageCE) GetSavingsPlansUtilization(_ context.Context, in *costexplorer.GetSavingsPlansUtilizationRequest) (*costexplorer.GetSavingsPlansUtilizationResponse, error) {
	out := &costexplorer.GetSavingsPlansUtilizationResponse{}
	for _, m := range months(in.TimePeriod) {
		out.SavingsPlansUtilizationsByTime = append(out.SavingsPlansUtilizationsByTime, costexplorer.SavingsPlansUtilizationByTime{TimePeriod: &m,
			Utilization: &costexplorer.SavingsPlansUtilization{UtilizationPercentage: p("99")}})
	}
	return out, nil
}

func (usageCE) GetSavingsPlansCoverage(_ context.Context, in *costexplorer.GetSavingsPlansCoverageRequest) (*costexplorer.GetSavingsPlansCoverageResponse, error) {
	out := &costexplorer.GetSavingsPlansCoverageResponse{}
	for _, m := range months(in.TimePeriod) {
		out.SavingsPlansCoverages = append(out.SavingsPlansCoverages, costexplorer.SavingsPlansCoverage{TimePeriod: &m,
			Coverage: &costexplorer.SavingsPlansCoverageData{CoveragePercentage: p("40")}})
	}
	return out, nil
}

func (usageCE) GetSavingsPlansUtilizationDetails(_ context.Context, in *costexplorer.GetSavingsPlansUtilizationDetailsRequest) (*costexplorer.GetSavingsPlansUtilizationDetailsResponse, error) {
	return &costexplorer.GetSavingsPlansUtilizationDetailsResponse{TimePeriod: in.TimePeriod, SavingsPlansUtilizationDetails: []costexplorer.SavingsPlansUtilizationDetail{{
		SavingsPlanArn: p("arn:aws:savingsplans::111111111111:savingsplan/abcdef01-2345-6789-abcd-ef0123456789"),
		Attributes:     map[string]string{"SavingsPlansType": "ComputeSavingsPlans", "EndDateTime": "2026-04-15T00:00:00.000Z"},
		Utilization:    &costexplorer.SavingsPlansUtilization{TotalCommitment: p("720"), UtilizationPercentage: p("98.5")},
		Savings:        &costexplorer.SavingsPlansSavings{NetSavings: p("210.25")},
	}}}, nil
}

// TestCommitmentsPageUsage checks the page's utilisation, coverage, per
// commitment and expiring sections against usageCE's answers.
func TestCommitmentsPageUsage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	b := e2e.Require(t)
	router, err := awsjson.NewRouter([]awsjson.Service{costexplorer.ServiceDef(usageCE{}), budgets.ServiceDef(budgets.Unimplemented{})}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	keys := auth.TestKeys()
	srv := server.New(server.Config{Keys: keys, API: router,
		Web: web.Handler(web.Config{Keys: keys, Now: func() time.Time { return usageNow }, Profile: "aws", Version: "test"})})
	srv.SetReady()
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	res := b.Run(t, hs.URL, e2e.Scenario{Name: "commitmentsUsage"})
	var got struct {
		Series   []string
		Points   int
		RIRows   [][]string
		SPRows   [][]string
		Expiring [][]string
		Notices  []string
	}
	if err := json.Unmarshal(res["commitmentsUsage"], &got); err != nil {
		t.Fatal(err)
	}
	if want := "RI utilisation,RI coverage,SP utilisation,SP coverage"; strings.Join(got.Series, ",") != want {
		t.Errorf("chart series %v, want %s", got.Series, want)
	}
	if got.Points != 4*11 {
		t.Errorf("chart points = %d, want 4 series of 11 months (April to February; March has no whole day yet)", got.Points)
	}
	if len(got.RIRows) != 2 || got.RIRows[0][0] != "1234567890" || got.RIRows[0][3] != "75.0%" || got.RIRows[0][6] != "2026-03-21" {
		t.Errorf("RI rows %v", got.RIRows)
	}
	if len(got.SPRows) != 1 || got.SPRows[0][0] != "abcdef01-2345-6789-abcd-ef0123456789" || got.SPRows[0][3] != "98.5%" || got.SPRows[0][4] != "$210.25" {
		t.Errorf("SP rows %v", got.SPRows)
	}
	want := [][]string{{"1234567890", "Reserved Instance", "2026-03-21", "20"},
		{"abcdef01-2345-6789-abcd-ef0123456789", "Savings Plan", "2026-04-15", "45"}}
	if fmt.Sprint(got.Expiring) != fmt.Sprint(want) {
		t.Errorf("expiring %v, want %v", got.Expiring, want)
	}
	if text := strings.Join(got.Notices, " "); !strings.Contains(text, "GetSavingsPlansPurchaseRecommendation") || !strings.Contains(text, "GetReservationPurchaseRecommendation") {
		t.Errorf("the unimplemented recommendations are not reported: %q", text)
	}
}
