package costexplorer_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/store"
)

func startBackfill(c *cesdk.Client, from string) (*cetypes.CostAllocationTagBackfillRequest, error) {
	out, err := c.StartCostAllocationTagBackfill(context.Background(), &cesdk.StartCostAllocationTagBackfillInput{BackfillFrom: aws.String(from)})
	if err != nil {
		return nil, err
	}
	return out.BackfillRequest, nil
}

// backfillRow is a CostAllocationTagBackfillRequest in comparable form.
type backfillRow struct {
	From, Requested, Completed, Updated, Status string
}

func backfillRowOf(r *cetypes.CostAllocationTagBackfillRequest) backfillRow {
	return backfillRow{aws.ToString(r.BackfillFrom), aws.ToString(r.RequestedAt), aws.ToString(r.CompletedAt),
		aws.ToString(r.LastUpdatedAt), string(r.BackfillStatus)}
}

func history(t *testing.T, c *cesdk.Client, pageSize int32) []backfillRow {
	t.Helper()
	var out []backfillRow
	p := cesdk.NewListCostAllocationTagBackfillHistoryPaginator(c, &cesdk.ListCostAllocationTagBackfillHistoryInput{MaxResults: aws.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for i := range page.BackfillRequests {
			out = append(out, backfillRowOf(&page.BackfillRequests[i]))
		}
	}
	return out
}

// waitBackfill polls the history until the newest request is no longer
// PROCESSING, as a client would.
func waitBackfill(t *testing.T, c *cesdk.Client) backfillRow {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		h := history(t, c, 1000)
		if len(h) > 0 && h[0].Status != "PROCESSING" {
			return h[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("backfill still processing: %+v", h)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestBackfillFromRules(t *testing.T) {
	// The clock is 2024-12-10T09:30:00Z.
	shared := map[string]*tagEnv{"aws": newTagEnv(t, profile.AWS), "unlimited": newTagEnv(t, profile.Unlimited)}
	for _, tc := range []struct {
		name, from string
		prof       profile.Profile
		want       string // "" when accepted, else the start of the message
	}{
		{"date only", "2024-12-01", profile.AWS, "2 validation errors detected: Value '2024-12-01' at 'backfillFrom' failed to satisfy constraint: Member must have length greater than or equal to 20; Value '2024-12-01' at 'backfillFrom' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"no zone", "2024-12-01T00:00:00", profile.AWS, "2 validation errors detected: Value '2024-12-01T00:00:00' at 'backfillFrom' failed to satisfy constraint: Member must have length greater than or equal to 20; Value '2024-12-01T00:00:00' at 'backfillFrom' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"fraction", "2024-12-01T00:00:00.0Z", profile.AWS, "1 validation error detected: Value '2024-12-01T00:00:00.0Z' at 'backfillFrom' failed to satisfy constraint: Member must satisfy regular expression pattern"},
		{"no such day", "2024-02-30T00:00:00Z", profile.AWS, "BackfillFrom 2024-02-30T00:00:00Z is not a valid date and time"},
		{"mid month", "2024-11-15T00:00:00Z", profile.AWS, "BackfillFrom 2024-11-15T00:00:00Z must be the first day of a month at 00:00:00 UTC, such as 2024-11-01T00:00:00Z"},
		{"not midnight", "2024-11-01T12:00:00Z", profile.AWS, "BackfillFrom 2024-11-01T12:00:00Z must be the first day of a month"},
		{"local midnight", "2024-11-01T00:00:00+01:00", profile.AWS, "BackfillFrom 2024-11-01T00:00:00+01:00 must be the first day of a month"},
		{"next month", "2025-01-01T00:00:00Z", profile.AWS, "BackfillFrom 2025-01-01T00:00:00Z is in the future"},
		{"future unlimited", "2025-01-01T00:00:00Z", profile.Unlimited, "BackfillFrom 2025-01-01T00:00:00Z is in the future"},
		{"thirteen months back", "2023-11-01T00:00:00Z", profile.AWS, "BackfillFrom 2023-11-01T00:00:00Z precedes the previous 12 months: the earliest month a backfill can start from is 2023-12-01T00:00:00Z (a limit of the aws profile; start tally with --profile unlimited to lift it)"},
		{"twelve months back", "2023-12-01T00:00:00Z", profile.AWS, ""},
		{"current month", "2024-12-01T00:00:00Z", profile.AWS, ""},
		{"UTC offset zero", "2024-12-01T00:00:00+00:00", profile.AWS, ""},
		{"five years back unlimited", "2019-12-01T00:00:00Z", profile.Unlimited, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A refusal changes nothing, so the refused requests share a
			// server per profile.
			env := shared[tc.prof.Name]
			if tc.want == "" {
				env = newTagEnv(t, tc.prof)
			}
			got, err := startBackfill(env.client("test"), tc.from)
			if tc.want == "" {
				if err != nil || got.BackfillStatus != cetypes.CostAllocationTagBackfillStatusProcessing {
					t.Errorf("BackfillFrom %s: %+v, %v; want PROCESSING", tc.from, got, err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || !strings.HasPrefix(ae.ErrorMessage(), tc.want) {
				t.Errorf("BackfillFrom %s: err = %v, want ValidationException %q", tc.from, err, tc.want)
			}
		})
	}
}

// holdJobs makes the runner's jobs wait until the returned function is
// called.
func holdJobs(env *tagEnv) (release func()) {
	ch := make(chan struct{})
	env.runner.Gate(func(ctx context.Context, _ store.Backfill) error {
		select {
		case <-ch:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	return func() { close(ch) }
}

func setStatus(t *testing.T, c *cesdk.Client, key string, s cetypes.CostAllocationTagStatus) {
	t.Helper()
	out, err := c.UpdateCostAllocationTagsStatus(context.Background(), &cesdk.UpdateCostAllocationTagsStatusInput{
		CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{{TagKey: aws.String(key), Status: s}}})
	if err != nil || len(out.Errors) > 0 {
		t.Fatalf("set %s %s: %v %+v", key, s, err, out)
	}
}

// teamByMonth returns GetCostAndUsage's monthly cost of October to December
// 2024 grouped by the Team tag, as "month key": "amount".
func teamByMonth(t *testing.T, c *cesdk.Client) map[string]string {
	t.Helper()
	out, err := c.GetCostAndUsage(context.Background(), &cesdk.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2024-10-01"), End: aws.String("2025-01-01")},
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeTag, Key: aws.String("Team")}},
		Filter:  &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: []string{"222222222222"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range out.ResultsByTime {
		for _, g := range r.Groups {
			got[aws.ToString(r.TimePeriod.Start)[:7]+" "+g.Keys[0]] = aws.ToString(g.Metrics["UnblendedCost"].Amount)
		}
	}
	return got
}

func TestBackfillRules(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	c := env.client("test")
	release := holdJobs(env)
	setStatus(t, c, "Team", cetypes.CostAllocationTagStatusInactive)
	want := map[string]string{"2024-10 Team$a": "1", "2024-11 Team$a": "1", "2024-12 Team$": "1"}
	if diff := cmp.Diff(want, teamByMonth(t, c)); diff != "" {
		t.Errorf("after deactivating in December (-want +got):\n%s", diff)
	}

	got, err := startBackfill(c, "2024-10-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	requested := "2024-12-10T09:30:00Z"
	processing := backfillRow{"2024-10-01T00:00:00Z", requested, "", requested, "PROCESSING"}
	if diff := cmp.Diff(processing, backfillRowOf(got)); diff != "" {
		t.Errorf("new request (-want +got):\n%s", diff)
	}
	_, err = startBackfill(c, "2024-11-01T00:00:00Z")
	var inProgress *cetypes.BackfillLimitExceededException
	if !errors.As(err, &inProgress) {
		t.Errorf("second request while processing: err = %v, want BackfillLimitExceededException", err)
	}
	// While the job is held, queries answer with the statuses before it.
	if diff := cmp.Diff(want, teamByMonth(t, c)); diff != "" {
		t.Errorf("while processing (-want +got):\n%s", diff)
	}
	env.clock.Set(envNow.Add(time.Minute))
	release()
	done := "2024-12-10T09:31:00Z"
	succeeded := backfillRow{"2024-10-01T00:00:00Z", requested, done, done, "SUCCEEDED"}
	if diff := cmp.Diff(succeeded, waitBackfill(t, c)); diff != "" {
		t.Errorf("finished request (-want +got):\n%s", diff)
	}
	want = map[string]string{"2024-10 Team$": "1", "2024-11 Team$": "1", "2024-12 Team$": "1"}
	if diff := cmp.Diff(want, teamByMonth(t, c)); diff != "" {
		t.Errorf("after the backfill (-want +got):\n%s", diff)
	}

	// No status changed since: the last successful request comes back.
	env.clock.Set(envNow.Add(2 * time.Hour))
	got, err = startBackfill(c, "2024-11-01T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(succeeded, backfillRowOf(got)); diff != "" {
		t.Errorf("request without changes (-want +got):\n%s", diff)
	}
	// After a change, within 24 hours of the last request: refused.
	setStatus(t, c, "Team", cetypes.CostAllocationTagStatusActive)
	_, err = startBackfill(c, "2024-11-01T00:00:00Z")
	var limit *cetypes.LimitExceededException
	if !errors.As(err, &limit) || !strings.Contains(limit.ErrorMessage(), "next can be made from 2024-12-11T09:30:00Z") ||
		!strings.Contains(limit.ErrorMessage(), "--profile unlimited") {
		t.Errorf("request within 24 hours: err = %v, want LimitExceededException naming the next time and the flag", err)
	}
	// 24 hours after the previous request: accepted.
	env.clock.Set(envNow.Add(24 * time.Hour))
	if _, err := startBackfill(c, "2024-11-01T00:00:00Z"); err != nil {
		t.Fatalf("request after 24 hours: %v", err)
	}
	waitBackfill(t, c)
	want = map[string]string{"2024-10 Team$": "1", "2024-11 Team$a": "1", "2024-12 Team$a": "1"}
	if diff := cmp.Diff(want, teamByMonth(t, c)); diff != "" {
		t.Errorf("after the second backfill (-want +got):\n%s", diff)
	}
	if h := history(t, c, 1); len(h) != 2 || h[0].From != "2024-11-01T00:00:00Z" || h[1].From != "2024-10-01T00:00:00Z" {
		t.Errorf("history = %+v, want the November request then the October one", h)
	}
}

func TestBackfillUnlimited(t *testing.T) {
	env := newTagEnv(t, profile.Unlimited)
	c := env.client("payer")
	for i, s := range []cetypes.CostAllocationTagStatus{"Inactive", "Active", "Inactive"} {
		setStatus(t, c, "Team", s)
		if _, err := startBackfill(c, "2020-01-01T00:00:00Z"); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		waitBackfill(t, c)
	}
	h := history(t, c, 2)
	if len(h) != 3 {
		t.Fatalf("history has %d requests, want 3: %+v", len(h), h)
	}
	for _, r := range h {
		if r.Status != "SUCCEEDED" {
			t.Errorf("request %+v did not succeed", r)
		}
	}
	want := map[string]string{"2024-10 Team$": "1", "2024-11 Team$": "1", "2024-12 Team$": "1"}
	if diff := cmp.Diff(want, teamByMonth(t, c)); diff != "" {
		t.Errorf("after the backfills (-want +got):\n%s", diff)
	}
}
