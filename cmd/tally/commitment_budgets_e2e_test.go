package main

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
)

// TestCommitmentBudgets creates RI and Savings Plans budgets over the
// Workshop CUR and checks that each measures the same percentage as the
// oracle over the raw files, and that a notification whose threshold the
// percentage crosses goes to ALARM (the existing alert path).
func TestCommitmentBudgets(t *testing.T) {
	t.Parallel()
	files := workshop(t)
	inst, _ := launch(t, t.TempDir(), &serveHooks{now: func() time.Time { return time.Date(2018, 12, 31, 12, 0, 0, 0, time.UTC) }},
		"--budgets-interval", "1h")
	inst.ingest(t, files...)
	db := commitOracle(t, "read_parquet(["+quotedList(files)+"], union_by_name=true)", curCols(snake))
	ctx := context.Background()
	bc := inst.budgets("test", "test")
	acct := aws.String(payerAccount)

	dec := func(q string) *big.Rat {
		f := figures(t, db, q)
		return f["k"]["v"]
	}
	month := "ts >= '2018-12-01' AND ts < '2019-01-01'"
	riUtil := dec(`SELECT 'k' AS k, 100 * (sum(ri_hours) - sum(ri_unused)) / sum(ri_hours) AS v FROM cl
		WHERE typ = 'RIFee' AND code = 'AmazonEC2' AND ` + month)
	riCov := dec(`SELECT 'k' AS k, 100 * sum(CASE WHEN typ = 'DiscountedUsage' THEN usage END) / sum(usage) AS v FROM cl
		WHERE (typ = 'DiscountedUsage' OR (` + riEligibleSQL + `)) AND ` + month)
	spCov := dec(`SELECT 'k' AS k, 100 * coalesce(sum(CASE WHEN typ = 'SavingsPlanCoveredUsage' THEN od END), 0) / sum(od) AS v FROM cl
		WHERE (typ = 'SavingsPlanCoveredUsage' OR (` + spEligibleSQL + `)) AND ` + month)

	for _, tc := range []struct {
		typ       btypes.BudgetType
		want      *big.Rat // nil: nothing to measure
		op        btypes.ComparisonOperator
		threshold float64
		alarm     bool
	}{
		{btypes.BudgetTypeRIUtilization, riUtil, btypes.ComparisonOperatorLessThan, 90, true},
		{btypes.BudgetTypeRICoverage, riCov, btypes.ComparisonOperatorLessThan, 10, false},
		// The Workshop CUR has no Savings Plan: no utilization to measure.
		{btypes.BudgetTypeSPUtilization, nil, btypes.ComparisonOperatorLessThan, 90, false},
		// No plan but eligible on-demand spend: 0% covered.
		{btypes.BudgetTypeSPCoverage, spCov, btypes.ComparisonOperatorLessThan, 90, true},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			name := aws.String(string(tc.typ))
			_, err := bc.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct,
				Budget: &btypes.Budget{BudgetName: name, BudgetType: tc.typ, TimeUnit: btypes.TimeUnitMonthly,
					BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("PERCENTAGE")},
					CostFilters: map[string][]string{"Service": {"Amazon Elastic Compute Cloud - Compute"}}},
				NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{
					Notification: &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: tc.op,
						Threshold: tc.threshold, ThresholdType: btypes.ThresholdTypePercentage},
					Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("finops@example.com")}},
				}}})
			if err != nil {
				t.Fatal(err)
			}
			out, err := bc.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: acct, BudgetName: name})
			if err != nil {
				t.Fatal(err)
			}
			switch cs := out.Budget.CalculatedSpend; {
			case tc.want == nil && cs != nil:
				t.Errorf("CalculatedSpend %v, want none: nothing to measure", aws.ToString(cs.ActualSpend.Amount))
			case tc.want != nil && cs == nil:
				t.Fatalf("no CalculatedSpend, want %s", tc.want.FloatString(6))
			case tc.want != nil:
				if got := rat(t, aws.ToString(cs.ActualSpend.Amount)); !near(tc.want, got) || aws.ToString(cs.ActualSpend.Unit) != "PERCENTAGE" {
					t.Errorf("ActualSpend %s %s, oracle %s PERCENTAGE", got.FloatString(10), aws.ToString(cs.ActualSpend.Unit), tc.want.FloatString(10))
				}
			}
			ns, err := bc.DescribeNotificationsForBudget(ctx, &bsdk.DescribeNotificationsForBudgetInput{AccountId: acct, BudgetName: name})
			if err != nil {
				t.Fatal(err)
			}
			want := btypes.NotificationStateOk
			if tc.alarm {
				want = btypes.NotificationStateAlarm
			}
			if len(ns.Notifications) != 1 || ns.Notifications[0].NotificationState != want {
				t.Errorf("notifications %+v, want one in state %s", ns.Notifications, want)
			}
		})
	}
}

func quotedList(files []string) string {
	out := ""
	for i, f := range files {
		if i > 0 {
			out += ", "
		}
		out += "'" + f + "'"
	}
	return out
}
