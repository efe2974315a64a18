package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// startWithClock runs `tally serve` on data with a movable clock and an
// optional backfill gate; see launch.
func startWithClock(t *testing.T, data string, clock *testClock, gate func(context.Context, store.Backfill) error, flags ...string) (*instance, func()) {
	t.Helper()
	return launch(t, data, &serveHooks{now: clock.Now, backfillGate: gate}, flags...)
}

// jobGate holds backfill jobs until it is opened.
type jobGate struct{ open chan struct{} }

func newGate() *jobGate { return &jobGate{open: make(chan struct{})} }

func (g *jobGate) wait(ctx context.Context, _ store.Backfill) error {
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// monthlyGroups returns GetCostAndUsage's monthly UnblendedCost grouped by the tag
// key, as month -> group key -> amount.
func monthlyGroups(t *testing.T, c *costexplorer.Client, key, start, end string, filter *cetypes.Expression) map[string]map[string]string {
	t.Helper()
	out, err := c.GetCostAndUsage(context.Background(), &costexplorer.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String(start), End: aws.String(end)},
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"}, Filter: filter,
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeTag, Key: aws.String(key)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]string{}
	for _, r := range out.ResultsByTime {
		m := map[string]string{}
		for _, g := range r.Groups {
			m[g.Keys[0]] = aws.ToString(g.Metrics["UnblendedCost"].Amount)
		}
		got[aws.ToString(r.TimePeriod.Start)] = m
	}
	return got
}

// untagged is what a month's groups become when key is inactive in it: one
// group "key$" holding their sum.
func untagged(t *testing.T, key string, month map[string]string) map[string]string {
	t.Helper()
	var sum billing.Amount
	for _, v := range month {
		a, err := billing.ParseAmount(v)
		if err != nil {
			t.Fatal(err)
		}
		sum += a
	}
	return map[string]string{key + "$": sum.String()}
}

func setTagStatus(t *testing.T, c *costexplorer.Client, key string, status cetypes.CostAllocationTagStatus) {
	t.Helper()
	out, err := c.UpdateCostAllocationTagsStatus(context.Background(), &costexplorer.UpdateCostAllocationTagsStatusInput{
		CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{{TagKey: aws.String(key), Status: status}}})
	if err != nil || len(out.Errors) > 0 {
		t.Fatalf("set %s %s: %v %+v", key, status, err, out)
	}
}

func startBackfill(c *costexplorer.Client, from string) (*cetypes.CostAllocationTagBackfillRequest, error) {
	out, err := c.StartCostAllocationTagBackfill(context.Background(), &costexplorer.StartCostAllocationTagBackfillInput{BackfillFrom: aws.String(from)})
	if err != nil {
		return nil, err
	}
	return out.BackfillRequest, nil
}

func backfillHistory(t *testing.T, c *costexplorer.Client) []cetypes.CostAllocationTagBackfillRequest {
	t.Helper()
	out, err := c.ListCostAllocationTagBackfillHistory(context.Background(), &costexplorer.ListCostAllocationTagBackfillHistoryInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.BackfillRequests
}

// waitBackfill polls the history, as a user would, until the newest request
// has ended.
func waitBackfill(t *testing.T, c *costexplorer.Client) cetypes.CostAllocationTagBackfillRequest {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		h := backfillHistory(t, c)
		if len(h) > 0 && h[0].BackfillStatus != cetypes.CostAllocationTagBackfillStatusProcessing {
			return h[0]
		}
		if time.Now().After(deadline) {
			t.Fatal("the backfill is still PROCESSING")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func tagsOf(t *testing.T, c *costexplorer.Client, start, end, key string) []string {
	t.Helper()
	in := &costexplorer.GetTagsInput{TimePeriod: &cetypes.DateInterval{Start: aws.String(start), End: aws.String(end)}}
	if key != "" {
		in.TagKey = aws.String(key)
	}
	out, err := c.GetTags(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out.Tags
}

func productionServices(t *testing.T, c *costexplorer.Client, start, end string) int {
	t.Helper()
	out, err := c.GetDimensionValues(context.Background(), &costexplorer.GetDimensionValuesInput{
		TimePeriod: &cetypes.DateInterval{Start: aws.String(start), End: aws.String(end)},
		Dimension:  cetypes.DimensionService,
		Filter:     &cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String("environment"), Values: []string{"Production"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.DimensionValues)
}

const (
	workshopPayer  = "836060457634"
	workshopLinked = "011254002932"
)

func writeCredentials(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "credentials.csv")
	body := "access_key_id,secret_access_key,account_id\npayer,payer-secret," + workshopPayer + "\nlinked,linked-secret," + workshopLinked + "\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTagActivationOverTime deactivates a tag in November 2018, checks that
// October keeps it and that November and December (ingested later) do not,
// for the payer and a linked account, in GetCostAndUsage, GetTags and
// GetDimensionValues; then backfills, reactivates and backfills again,
// under the 24-hour and no-change rules, all with a clock the test moves.
func TestTagActivationOverTime(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("ingests three months of real CUR data")
	}
	oct, nov, dec := sample(t, "Oct2018-WorkshopCUR-00001.snappy.parquet"), sample(t, "Nov2018-WorkshopCUR-00001.snappy.parquet"),
		sample(t, "Dec2018-WorkshopCUR-00001.snappy.parquet")
	clock := &testClock{t: time.Date(2018, 11, 15, 12, 0, 0, 0, time.UTC)}
	g := newGate()
	inst, _ := startWithClock(t, t.TempDir(), clock, g.wait, "--credentials", writeCredentials(t))
	inst.ingest(t, oct, nov)
	payer, linked := inst.ce("payer", "payer-secret"), inst.ce("linked", "linked-secret")
	ctx := context.Background()
	linkedOnly := &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: []string{workshopLinked}}}

	before := monthlyGroups(t, payer, "environment", "2018-10-01", "2018-12-01", nil)
	linkedBefore := monthlyGroups(t, linked, "environment", "2018-10-01", "2018-12-01", nil)
	if len(before["2018-11-01"]) < 2 || len(linkedBefore["2018-10-01"]) < 2 {
		t.Fatalf("the data should have environment values in October and November: %v, linked %v", before, linkedBefore)
	}
	if diff := cmp.Diff(linkedBefore, monthlyGroups(t, payer, "environment", "2018-10-01", "2018-12-01", linkedOnly)); diff != "" {
		t.Errorf("the linked account's view differs from the payer's view of its lines (-linked +payer):\n%s", diff)
	}

	// Deactivate in November: October keeps the tag, November loses it.
	setTagStatus(t, payer, "environment", cetypes.CostAllocationTagStatusInactive)
	want := map[string]map[string]string{"2018-10-01": before["2018-10-01"], "2018-11-01": untagged(t, "environment", before["2018-11-01"])}
	if diff := cmp.Diff(want, monthlyGroups(t, payer, "environment", "2018-10-01", "2018-12-01", nil)); diff != "" {
		t.Errorf("payer after deactivating in November (-want +got):\n%s", diff)
	}
	wantLinked := map[string]map[string]string{"2018-10-01": linkedBefore["2018-10-01"], "2018-11-01": untagged(t, "environment", linkedBefore["2018-11-01"])}
	if diff := cmp.Diff(wantLinked, monthlyGroups(t, linked, "environment", "2018-10-01", "2018-12-01", nil)); diff != "" {
		t.Errorf("linked account after deactivating in November (-want +got):\n%s", diff)
	}
	if got := tagsOf(t, payer, "2018-11-01", "2018-12-01", ""); hasString(got, "environment") {
		t.Errorf("GetTags for November lists environment: %v", got)
	}
	if got := tagsOf(t, payer, "2018-10-01", "2018-11-01", ""); !hasString(got, "environment") {
		t.Errorf("GetTags for October does not list environment: %v", got)
	}
	if diff := cmp.Diff([]string{""}, tagsOf(t, linked, "2018-11-01", "2018-12-01", "environment")); diff != "" {
		t.Errorf("GetTags values of environment in November (-want +got):\n%s", diff)
	}
	if n, m := productionServices(t, payer, "2018-10-01", "2018-11-01"), productionServices(t, payer, "2018-11-01", "2018-12-01"); n == 0 || m != 0 {
		t.Errorf("services tagged environment=Production: %d in October, %d in November; want some, then none", n, m)
	}
	tags, err := payer.ListCostAllocationTags(ctx, &costexplorer.ListCostAllocationTagsInput{TagKeys: []string{"environment"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.CostAllocationTags) != 1 || tags.CostAllocationTags[0].Status != cetypes.CostAllocationTagStatusInactive ||
		aws.ToString(tags.CostAllocationTags[0].LastUpdatedDate) != "2018-11-15T12:00:00Z" {
		t.Errorf("ListCostAllocationTags = %+v, want environment Inactive since 2018-11-15T12:00:00Z", tags.CostAllocationTags)
	}
	// A linked account reads its payer's statuses and changes none.
	if _, err := linked.UpdateCostAllocationTagsStatus(ctx, &costexplorer.UpdateCostAllocationTagsStatusInput{
		CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{{TagKey: aws.String("environment"),
			Status: cetypes.CostAllocationTagStatusActive}}}); apiCode(err) != "AccessDeniedException" {
		t.Errorf("UpdateCostAllocationTagsStatus by a linked account: %v, want AccessDeniedException", err)
	}
	seen, err := linked.ListCostAllocationTags(ctx, &costexplorer.ListCostAllocationTagsInput{TagKeys: []string{"environment"}})
	if err != nil || len(seen.CostAllocationTags) > 1 ||
		(len(seen.CostAllocationTags) == 1 && seen.CostAllocationTags[0].Status != cetypes.CostAllocationTagStatusInactive) {
		t.Errorf("ListCostAllocationTags by a linked account = %+v, %v; want environment as its payer set it, Inactive", seen, err)
	}

	// December, ingested in December, gets the current status: inactive.
	clock.Set(time.Date(2018, 12, 5, 10, 0, 0, 0, time.UTC))
	inst.ingest(t, dec)
	full := monthlyGroups(t, payer, "environment", "2018-10-01", "2019-01-01", nil)
	if got := full["2018-12-01"]; len(got) != 1 || got["environment$"] == "" {
		t.Errorf("December groups = %v, want only environment$", got)
	}

	// A backfill from October: PROCESSING while the job is held, queries
	// unchanged meanwhile, then SUCCEEDED and October regrouped.
	req, err := startBackfill(payer, "2018-10-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if req.BackfillStatus != cetypes.CostAllocationTagBackfillStatusProcessing || aws.ToString(req.RequestedAt) != "2018-12-05T10:00:00Z" ||
		req.CompletedAt != nil {
		t.Errorf("new backfill = %+v, want PROCESSING requested at 2018-12-05T10:00:00Z", req)
	}
	var inProgress *cetypes.BackfillLimitExceededException
	if _, err := startBackfill(payer, "2018-11-01T00:00:00Z"); !errors.As(err, &inProgress) {
		t.Errorf("second backfill while one is processing: %v, want BackfillLimitExceededException", err)
	}
	if h := backfillHistory(t, payer); len(h) != 1 || h[0].BackfillStatus != cetypes.CostAllocationTagBackfillStatusProcessing {
		t.Errorf("history while processing = %+v", h)
	}
	if diff := cmp.Diff(full, monthlyGroups(t, payer, "environment", "2018-10-01", "2019-01-01", nil)); diff != "" {
		t.Errorf("groups while the backfill is processing (-before +now):\n%s", diff)
	}
	clock.Set(time.Date(2018, 12, 5, 10, 1, 0, 0, time.UTC))
	close(g.open)
	done := waitBackfill(t, payer)
	if done.BackfillStatus != cetypes.CostAllocationTagBackfillStatusSucceeded || aws.ToString(done.CompletedAt) != "2018-12-05T10:01:00Z" ||
		aws.ToString(done.LastUpdatedAt) != "2018-12-05T10:01:00Z" || aws.ToString(done.BackfillFrom) != "2018-10-01T00:00:00Z" {
		t.Errorf("finished backfill = %+v", done)
	}
	if got := monthlyGroups(t, payer, "environment", "2018-10-01", "2018-11-01", nil)["2018-10-01"]; !cmp.Equal(got, untagged(t, "environment", before["2018-10-01"])) {
		t.Errorf("October after the backfill = %v, want untagged", got)
	}

	// Reactivate: December regains the tag at once; a backfill within 24
	// hours of the last is refused, one after is accepted and regroups the
	// past months.
	clock.Set(time.Date(2018, 12, 5, 11, 0, 0, 0, time.UTC))
	setTagStatus(t, payer, "environment", cetypes.CostAllocationTagStatusActive)
	if got := monthlyGroups(t, payer, "environment", "2018-12-01", "2019-01-01", nil)["2018-12-01"]; len(got) < 2 {
		t.Errorf("December after reactivating = %v, want environment values", got)
	}
	var limit *cetypes.LimitExceededException
	if _, err := startBackfill(payer, "2018-10-01T00:00:00Z"); !errors.As(err, &limit) {
		t.Errorf("backfill within 24 hours: %v, want LimitExceededException", err)
	}
	clock.Set(time.Date(2018, 12, 6, 10, 30, 0, 0, time.UTC))
	if _, err := startBackfill(payer, "2018-10-01T00:00:00Z"); err != nil {
		t.Fatalf("backfill after 24 hours: %v", err)
	}
	last := waitBackfill(t, payer)
	if diff := cmp.Diff(before, monthlyGroups(t, payer, "environment", "2018-10-01", "2018-12-01", nil)); diff != "" {
		t.Errorf("October and November after the second backfill (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(linkedBefore, monthlyGroups(t, linked, "environment", "2018-10-01", "2018-12-01", nil)); diff != "" {
		t.Errorf("linked account after the second backfill (-want +got):\n%s", diff)
	}

	// Nothing changed since: the last successful request comes back.
	clock.Set(time.Date(2018, 12, 8, 0, 0, 0, 0, time.UTC))
	again, err := startBackfill(payer, "2018-11-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(last, *again, cmp.AllowUnexported(cetypes.CostAllocationTagBackfillRequest{})); diff != "" {
		t.Errorf("backfill without changes (-last successful +got):\n%s", diff)
	}
	if h := backfillHistory(t, payer); len(h) != 2 {
		t.Errorf("history has %d requests, want 2", len(h))
	}
}

func hasString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// runTally runs a tally command in-process and returns its output.
func runTally(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String() + errOut.String(), err
}

// TestTagBackfillSurvivesRestart stops the server while a backfill is
// PROCESSING; the next start resumes the job. The second server runs under
// --profile unlimited and is driven with `tally tags`.
func TestTagBackfillSurvivesRestart(t *testing.T) {
	t.Parallel()
	dec := sample(t, "Dec2018-WorkshopCUR-00001.snappy.parquet")
	data := t.TempDir()
	clock := &testClock{t: fixedNow}
	first, stop := startWithClock(t, data, clock, newGate().wait)
	first.ingest(t, dec)
	c := first.ce("test", "test")
	before := monthlyGroups(t, c, "environment", "2018-12-01", "2019-01-01", nil)["2018-12-01"]
	setTagStatus(t, c, "environment", cetypes.CostAllocationTagStatusInactive)
	if _, err := startBackfill(c, "2018-12-01T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	stop()

	clock.Set(fixedNow.Add(time.Minute))
	second, _ := startWithClock(t, data, clock, nil, "--profile", "unlimited")
	c = second.ce("test", "test")
	done := waitBackfill(t, c)
	if done.BackfillStatus != cetypes.CostAllocationTagBackfillStatusSucceeded || aws.ToString(done.RequestedAt) != "2019-01-15T12:00:00Z" ||
		aws.ToString(done.CompletedAt) != "2019-01-15T12:01:00Z" {
		t.Errorf("resumed backfill = %+v, want SUCCEEDED at 2019-01-15T12:01:00Z", done)
	}
	if diff := cmp.Diff(untagged(t, "environment", before), monthlyGroups(t, c, "environment", "2018-12-01", "2019-01-01", nil)["2018-12-01"]); diff != "" {
		t.Errorf("December after the resumed backfill (-want +got):\n%s", diff)
	}

	endpoint := []string{"--endpoint-url", second.url}
	out, err := runTally(t, append([]string{"tags", "list", "--status", "Inactive"}, endpoint...)...)
	if err != nil || !strings.Contains(out, "environment") || !strings.Contains(out, "2019-01-15T12:00:00Z") {
		t.Errorf("tally tags list --status Inactive: %v\n%s", err, out)
	}
	out, err = runTally(t, append([]string{"tags", "activate", "environment", "no-such-key"}, endpoint...)...)
	if err == nil || !strings.Contains(out, "no-such-key: TagKeysNotFoundException: Failed to update Cost Allocation Tag: no-such-key") {
		t.Errorf("tally tags activate with an unknown key: %v\n%s", err, out)
	}
	// The unlimited profile lifts the 24-hour rule.
	out, err = runTally(t, append([]string{"tags", "backfill", "--from", "2018-12", "--wait"}, endpoint...)...)
	if err != nil || !strings.Contains(out, "PROCESSING") || !strings.Contains(out, "SUCCEEDED") {
		t.Errorf("tally tags backfill --wait: %v\n%s", err, out)
	}
	if diff := cmp.Diff(before, monthlyGroups(t, c, "environment", "2018-12-01", "2019-01-01", nil)["2018-12-01"]); diff != "" {
		t.Errorf("December after backfilling the reactivation (-want +got):\n%s", diff)
	}
	out, err = runTally(t, append([]string{"tags", "history"}, endpoint...)...)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); err != nil || len(lines) != 3 || !strings.Contains(lines[2], "2019-01-15T12:00:00Z") {
		t.Errorf("tally tags history: %v\n%s", err, out)
	}
	if _, err := runTally(t, append([]string{"tags", "backfill", "--from", "2018-12-15"}, endpoint...)...); err == nil ||
		!strings.Contains(err.Error(), "ValidationException: BackfillFrom 2018-12-15T00:00:00Z must be the first day of a month") {
		t.Errorf("tally tags backfill from mid-month: %v", err)
	}
}

// TestTagsFromTheAWSCLI does what the user does, with the aws CLI
// only: activate, see it count from the current month, backfill, watch the
// backfill go from PROCESSING to SUCCEEDED, and see past months regroup.
func TestTagsFromTheAWSCLI(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs the aws CLI a dozen times")
	}
	dec := sample(t, "Dec2018-WorkshopCUR-00001.snappy.parquet")
	clock := &testClock{t: fixedNow}
	g := newGate()
	inst, _ := startWithClock(t, t.TempDir(), clock, g.wait)
	inst.ingest(t, dec)
	cli := func(args ...string) map[string]any {
		t.Helper()
		out, stderr, err := inst.cli(t, append([]string{"ce"}, args...)...)
		if err != nil {
			t.Fatalf("aws ce %v: %v\n%s", args, err, stderr)
		}
		return out
	}
	decGroups := func() []string {
		out := cli("get-cost-and-usage", "--time-period", "Start=2018-12-01,End=2019-01-01", "--granularity", "MONTHLY",
			"--metrics", "UnblendedCost", "--group-by", "Type=TAG,Key=environment")
		var keys []string
		for _, r := range out["ResultsByTime"].([]any) {
			for _, g := range r.(map[string]any)["Groups"].([]any) {
				keys = append(keys, g.(map[string]any)["Keys"].([]any)[0].(string))
			}
		}
		sort.Strings(keys)
		return keys
	}
	tagged := decGroups()
	if len(tagged) < 2 {
		t.Fatalf("December groups = %v, want environment values", tagged)
	}
	// Deactivate in January: December keeps the tag until a backfill.
	out := cli("update-cost-allocation-tags-status", "--cost-allocation-tags-status", "TagKey=environment,Status=Inactive")
	if errs := out["Errors"].([]any); len(errs) != 0 {
		t.Errorf("Errors = %v", errs)
	}
	out = cli("list-cost-allocation-tags", "--tag-keys", "environment")
	tag := out["CostAllocationTags"].([]any)[0].(map[string]any)
	if tag["Status"] != "Inactive" || tag["LastUpdatedDate"] != "2019-01-15T12:00:00Z" || tag["LastUsedDate"] != "2018-12-01T00:00:00Z" {
		t.Errorf("list-cost-allocation-tags = %v", tag)
	}
	if diff := cmp.Diff(tagged, decGroups()); diff != "" {
		t.Errorf("December after deactivating in January (-want +got):\n%s", diff)
	}
	out = cli("start-cost-allocation-tag-backfill", "--backfill-from", "2018-12-01T00:00:00Z")
	if status := out["BackfillRequest"].(map[string]any)["BackfillStatus"]; status != "PROCESSING" {
		t.Errorf("start-cost-allocation-tag-backfill answered %v, want PROCESSING", out)
	}
	out = cli("list-cost-allocation-tag-backfill-history")
	if status := out["BackfillRequests"].([]any)[0].(map[string]any)["BackfillStatus"]; status != "PROCESSING" {
		t.Errorf("history while the job is held = %v", out)
	}
	close(g.open)
	// Wait through the SDK, which costs a request where the CLI costs a
	// Python start, then read the outcome with the CLI.
	waitBackfill(t, inst.ce("test", "test"))
	out = cli("list-cost-allocation-tag-backfill-history")
	if status := out["BackfillRequests"].([]any)[0].(map[string]any)["BackfillStatus"]; status != "SUCCEEDED" {
		t.Errorf("history after the job = %v, want SUCCEEDED", out)
	}
	if diff := cmp.Diff([]string{"environment$"}, decGroups()); diff != "" {
		t.Errorf("December after the backfill (-want +got):\n%s", diff)
	}
	_, stderr, err := inst.cli(t, "ce", "start-cost-allocation-tag-backfill", "--backfill-from", "2018-12-01T00:00:00Z")
	if err != nil || stderr != "" {
		t.Errorf("backfill without changes: %v %s, want the last request back", err, stderr)
	}
	_, stderr, err = inst.cli(t, "ce", "start-cost-allocation-tag-backfill", "--backfill-from", "2017-12-01T00:00:00Z")
	if err == nil || !strings.Contains(stderr, "ValidationException") || !strings.Contains(stderr, "--profile unlimited") {
		t.Errorf("backfill from 13 months back: %v %s, want ValidationException naming the flag", err, stderr)
	}
}
