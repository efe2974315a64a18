package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/tallyhq/tally/internal/notify/smtptest"
	"github.com/tallyhq/tally/internal/testenv"
)

// metaNodes starts two `tally serve` nodes, each with its own DuckDB copy
// of the same billing file and both with --meta on one PostgreSQL of the
// test, and the SMTP server their alerts go to.
func metaNodes(t *testing.T, pageSize int, now time.Time, file string) (a, b *instance, pg *testenv.PostgresServer, mail *smtptest.Server) {
	t.Helper()
	pg = testenv.StartPostgres(t)
	mail = smtptest.NewServer(t)
	clk := &testClock{t: now}
	flags := []string{"--meta", pg.DSN, "--smtp-addr", mail.Addr, "--budgets-interval", "50ms"}
	a, _ = launch(t, t.TempDir(), &serveHooks{now: clk.Now, pageSize: pageSize}, flags...)
	b, _ = launch(t, t.TempDir(), &serveHooks{now: clk.Now, pageSize: pageSize}, flags...)
	a.ingest(t, file)
	b.ingest(t, file)
	return a, b, pg, mail
}

// TestMetaTwoNodes: two nodes sharing PostgreSQL are one service. A
// budget made on node A is read on node B; a page token from A is good
// on B and gives B's own next page; a tag status changed on A governs B's
// answers; the budget's alert is delivered once although both nodes
// evaluate budgets and deliver alerts.
func TestMetaTwoNodes(t *testing.T) {
	t.Parallel()
	a, b, _, mail := metaNodes(t, 2, time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC), sample(t, workshopFiles[2]))
	ctx := context.Background()
	acct := aws.String(workshopPayer)
	n := &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 100}
	if _, err := a.budgets("test", "test").CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct,
		Budget: &btypes.Budget{BudgetName: aws.String("small"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("1"), Unit: aws.String("USD")}},
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: n,
			Subscribers: []btypes.Subscriber{{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String("ops@example.com")}}}},
	}); err != nil {
		t.Fatal(err)
	}
	onA, errA := a.budgets("test", "test").DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: acct, BudgetName: aws.String("small")})
	onB, errB := b.budgets("test", "test").DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: acct, BudgetName: aws.String("small")})
	if errA != nil || errB != nil {
		t.Fatalf("DescribeBudget: A %v, B %v", errA, errB)
	}
	if d := cmp.Diff(aws.ToString(onA.Budget.BudgetLimit.Amount), aws.ToString(onB.Budget.BudgetLimit.Amount)); d != "" ||
		aws.ToString(onB.Budget.BudgetName) != "small" {
		t.Errorf("node B reads another budget than node A made: %+v", onB.Budget)
	}

	// One alert, whichever node delivers it.
	eventually(t, "the alert email", func() bool { return len(mail.Mails()) > 0 })
	time.Sleep(500 * time.Millisecond) // many evaluations and dispatches on both nodes
	if got := len(mail.Mails()); got != 1 {
		t.Errorf("%d emails for one threshold crossing on two nodes, want 1", got)
	}

	// A page token from A is good on B.
	in := &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2018-12-01"), End: aws.String("2019-01-01")},
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeDimension, Key: aws.String("USAGE_TYPE")}}}
	first, err := a.ce("test", "test").GetCostAndUsage(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.NextPageToken == nil {
		t.Fatal("no NextPageToken with 2 groups a page")
	}
	next := *in
	next.NextPageToken = first.NextPageToken
	fromA, err := a.ce("test", "test").GetCostAndUsage(ctx, &next)
	if err != nil {
		t.Fatal(err)
	}
	fromB, err := b.ce("test", "test").GetCostAndUsage(ctx, &next)
	if err != nil {
		t.Fatalf("node B refuses node A's page token: %v", err)
	}
	if d := cmp.Diff(fmt.Sprint(flatten(t, fromA.ResultsByTime, true)), fmt.Sprint(flatten(t, fromB.ResultsByTime, true))); d != "" {
		t.Errorf("second page on B differs from A's (-A +B):\n%s", d)
	}

	// A tag deactivated on A is inactive in B's answers.
	tags := func(in *instance) []string {
		t.Helper()
		out, err := in.ce("test", "test").GetTags(ctx, &costexplorer.GetTagsInput{
			TimePeriod: &cetypes.DateInterval{Start: aws.String("2018-12-01"), End: aws.String("2019-01-01")}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Tags
	}
	before := tags(b)
	if len(before) == 0 {
		t.Fatal("the sample has no tag keys")
	}
	if _, err := a.ce("test", "test").UpdateCostAllocationTagsStatus(ctx, &costexplorer.UpdateCostAllocationTagsStatusInput{
		CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{{TagKey: aws.String(before[0]), Status: cetypes.CostAllocationTagStatusInactive}}}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before[1:], tags(b)); d != "" {
		t.Errorf("GetTags on B after deactivating %s on A (-want +got):\n%s", before[0], d)
	}

	// A backfill requested on B runs once, and both nodes report it.
	if _, err := b.ce("test", "test").StartCostAllocationTagBackfill(ctx, &costexplorer.StartCostAllocationTagBackfillInput{
		BackfillFrom: aws.String("2018-12-01T00:00:00Z")}); err != nil {
		t.Fatal(err)
	}
	history := func(in *instance) []cetypes.CostAllocationTagBackfillRequest {
		t.Helper()
		out, err := in.ce("test", "test").ListCostAllocationTagBackfillHistory(ctx, &costexplorer.ListCostAllocationTagBackfillHistoryInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out.BackfillRequests
	}
	eventually(t, "the backfill to succeed", func() bool {
		h := history(a)
		return len(h) == 1 && h[0].BackfillStatus == cetypes.CostAllocationTagBackfillStatusSucceeded
	})
	if h := history(b); len(h) != 1 || h[0].BackfillStatus != cetypes.CostAllocationTagBackfillStatusSucceeded {
		t.Errorf("backfill history on B = %+v, want one SUCCEEDED request", h)
	}
	if reqs, err := a.app.Meta.Backfills(ctx); err != nil || len(reqs) != 1 || reqs[0].Attempts != 1 {
		t.Errorf("stored backfills = %+v, %v; want one, run by one node in one attempt", reqs, err)
	}
	// A second request while nothing changed starts nothing, on either node.
	if _, err := a.ce("test", "test").StartCostAllocationTagBackfill(ctx, &costexplorer.StartCostAllocationTagBackfillInput{
		BackfillFrom: aws.String("2018-12-01T00:00:00Z")}); err != nil {
		t.Errorf("repeated backfill on A: %v", err)
	}
	if h := history(b); len(h) != 1 {
		t.Errorf("backfill history after a repeat with no change = %d requests, want 1", len(h))
	}
}

// TestMetaPostgresDown: with PostgreSQL stopped, requests that need it
// fail with a retryable ServiceUnavailable naming PostgreSQL and change
// nothing; when it is back, the answers are too.
func TestMetaPostgresDown(t *testing.T) {
	t.Parallel()
	a, b, pg, _ := metaNodes(t, 0, time.Date(2023, 11, 20, 12, 0, 0, 0, time.UTC),
		sample(t, "sample-anonymous-aws-export-dataset.csv")) // November 2023, payer samplePayer
	ctx := context.Background()
	acct := aws.String(samplePayer)
	once := func(o *bsdk.Options) { o.RetryMaxAttempts = 1 }
	create := func(in *instance, name string) error {
		_, err := in.budgets("test", "test").CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct,
			Budget: &btypes.Budget{BudgetName: aws.String(name), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
				BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")}},
		}, once)
		return err
	}
	list := func(in *instance) ([]string, error) {
		out, err := in.budgets("test", "test").DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: acct}, once)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, b := range out.Budgets {
			names = append(names, aws.ToString(b.BudgetName))
		}
		return names, nil
	}
	if err := create(a, "before"); err != nil {
		t.Fatal(err)
	}

	healthz := func(in *instance) int {
		t.Helper()
		resp, err := http.Get(in.url + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	pg.Stop(t)
	if got := healthz(a); got != http.StatusServiceUnavailable {
		t.Errorf("/healthz with PostgreSQL down = %d, want 503", got)
	}
	unavailable := func(what string, err error) {
		t.Helper()
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "ServiceUnavailable" || !strings.Contains(ae.ErrorMessage(), "PostgreSQL") {
			t.Errorf("%s with PostgreSQL down: %v; want ServiceUnavailable naming PostgreSQL", what, err)
		}
	}
	unavailable("CreateBudget on A", create(a, "during"))
	_, err := list(b)
	unavailable("DescribeBudgets on B", err)
	_, err = b.ce("test", "test").GetCostAndUsage(ctx, &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2023-11-01"), End: aws.String("2023-12-01")},
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"}},
		func(o *costexplorer.Options) { o.RetryMaxAttempts = 1 })
	unavailable("GetCostAndUsage on B", err)

	pg.Start(t)
	if got := healthz(b); got != http.StatusOK {
		t.Errorf("/healthz with PostgreSQL back = %d, want 200", got)
	}
	for _, in := range []*instance{a, b} {
		got, err := list(in)
		if err != nil {
			t.Fatalf("DescribeBudgets after PostgreSQL is back: %v", err)
		}
		if d := cmp.Diff([]string{"before"}, got); d != "" {
			t.Errorf("budgets after the outage (-want +got):\n%s", d)
		}
	}
	if err := create(b, "after"); err != nil {
		t.Errorf("CreateBudget after PostgreSQL is back: %v", err)
	}
}

// TestMetaIngestFlag: `tally ingest --meta` without a server records the
// tag keys of what it ingested in PostgreSQL.
func TestMetaIngestFlag(t *testing.T) {
	t.Parallel()
	dsn := testenv.Postgres(t)
	var out, errOut bytes.Buffer
	args := []string{"ingest", "--data", t.TempDir(), "--meta", dsn, sample(t, workshopFiles[2])}
	if err := run(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("tally ingest --meta: %v\n%s", err, errOut.String())
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var keys int
	if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM tag_keys WHERE payer = $1`, workshopPayer).Scan(&keys); err != nil || keys == 0 {
		t.Errorf("tag keys of %s in PostgreSQL after ingest: %d (%v), want some", workshopPayer, keys, err)
	}
}
