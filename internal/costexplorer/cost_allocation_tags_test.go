package costexplorer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/profile"
)

// tagRow is a CostAllocationTag in comparable form.
type tagRow struct {
	Key, Type, Status, Updated, Used string
}

func tagRows(tags []cetypes.CostAllocationTag) []tagRow {
	var out []tagRow
	for _, t := range tags {
		out = append(out, tagRow{aws.ToString(t.TagKey), string(t.Type), string(t.Status),
			aws.ToString(t.LastUpdatedDate), aws.ToString(t.LastUsedDate)})
	}
	return out
}

func listTags(t *testing.T, c *cesdk.Client, in *cesdk.ListCostAllocationTagsInput) []tagRow {
	t.Helper()
	var all []cetypes.CostAllocationTag
	p := cesdk.NewListCostAllocationTagsPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, out.CostAllocationTags...)
	}
	return tagRows(all)
}

func TestListCostAllocationTags(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	// The test identity acts as the first payer ingested, 111111111111:
	// payer 333333333333's key Project is not among its settings.
	c := env.client("test")
	used := "2024-12-01T00:00:00Z"
	team := tagRow{"Team", "UserDefined", "Active", "", used}
	awsTag := tagRow{"aws:createdBy", "AWSGenerated", "Active", "", used}
	for _, tc := range []struct {
		name string
		in   cesdk.ListCostAllocationTagsInput
		want []tagRow
	}{
		{"all", cesdk.ListCostAllocationTagsInput{}, []tagRow{team, awsTag}},
		{"one a page", cesdk.ListCostAllocationTagsInput{MaxResults: aws.Int32(1)}, []tagRow{team, awsTag}},
		{"user defined", cesdk.ListCostAllocationTagsInput{Type: cetypes.CostAllocationTagTypeUserDefined}, []tagRow{team}},
		{"aws generated", cesdk.ListCostAllocationTagsInput{Type: cetypes.CostAllocationTagTypeAwsGenerated}, []tagRow{awsTag}},
		{"inactive", cesdk.ListCostAllocationTagsInput{Status: cetypes.CostAllocationTagStatusInactive}, nil},
		{"keys", cesdk.ListCostAllocationTagsInput{TagKeys: []string{"Team", "Nope", "aws:createdBy"}}, []tagRow{team, awsTag}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, listTags(t, c, &tc.in)); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
		})
	}

	ctx := context.Background()
	first, err := c.ListCostAllocationTags(ctx, &cesdk.ListCostAllocationTagsInput{MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.CostAllocationTags) != 1 || first.NextToken == nil {
		t.Fatalf("first page = %d tags, token %v; want 1 and a token", len(first.CostAllocationTags), first.NextToken)
	}
	_, err = c.ListCostAllocationTags(ctx, &cesdk.ListCostAllocationTagsInput{MaxResults: aws.Int32(1), Status: cetypes.CostAllocationTagStatusActive, NextToken: first.NextToken})
	var bad *cetypes.InvalidNextTokenException
	if !errors.As(err, &bad) {
		t.Errorf("token with another request: err = %v, want InvalidNextTokenException", err)
	}
	_, err = c.ListCostAllocationTags(ctx, &cesdk.ListCostAllocationTagsInput{NextToken: aws.String("forged.token")})
	if !errors.As(err, &bad) {
		t.Errorf("forged token: err = %v, want InvalidNextTokenException", err)
	}
	_, err = c.ListCostAllocationTags(ctx, &cesdk.ListCostAllocationTagsInput{MaxResults: aws.Int32(1001)})
	if code(err) != "ValidationException" {
		t.Errorf("MaxResults 1001: err = %v, want ValidationException", err)
	}
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestUpdateCostAllocationTagsStatus(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	c := env.client("test")
	ctx := context.Background()
	out, err := c.UpdateCostAllocationTagsStatus(ctx, &cesdk.UpdateCostAllocationTagsStatusInput{
		CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{
			{TagKey: aws.String("Team"), Status: cetypes.CostAllocationTagStatusInactive},
			{TagKey: aws.String("Nope"), Status: cetypes.CostAllocationTagStatusActive},
			{TagKey: aws.String("aws:createdBy"), Status: cetypes.CostAllocationTagStatusActive},
		}})
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []cetypes.UpdateCostAllocationTagsStatusError{{TagKey: aws.String("Nope"),
		Code: aws.String("TagKeysNotFoundException"), Message: aws.String("Failed to update Cost Allocation Tag: Nope")}}
	if diff := cmp.Diff(wantErrs, out.Errors, cmp.AllowUnexported(cetypes.UpdateCostAllocationTagsStatusError{})); diff != "" {
		t.Errorf("Errors (-want +got):\n%s", diff)
	}
	updated := "2024-12-10T09:30:00Z"
	want := []tagRow{
		{"Team", "UserDefined", "Inactive", updated, "2024-12-01T00:00:00Z"},
		{"aws:createdBy", "AWSGenerated", "Active", "", "2024-12-01T00:00:00Z"},
	}
	if diff := cmp.Diff(want, listTags(t, c, &cesdk.ListCostAllocationTagsInput{TagKeys: []string{"Team", "aws:createdBy"}})); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	// Deactivating an inactive key changes nothing, not even its date.
	env.clock.Set(envNow.Add(time.Hour))
	if _, err := c.UpdateCostAllocationTagsStatus(ctx, &cesdk.UpdateCostAllocationTagsStatusInput{
		CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{{TagKey: aws.String("Team"), Status: cetypes.CostAllocationTagStatusInactive}},
	}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want[:1], listTags(t, c, &cesdk.ListCostAllocationTagsInput{TagKeys: []string{"Team"}})); diff != "" {
		t.Errorf("after a no-op update (-want +got):\n%s", diff)
	}

	// At most 20 keys a call.
	var many []cetypes.CostAllocationTagStatusEntry
	for range 21 {
		many = append(many, cetypes.CostAllocationTagStatusEntry{TagKey: aws.String("Team"), Status: cetypes.CostAllocationTagStatusActive})
	}
	_, err = c.UpdateCostAllocationTagsStatus(ctx, &cesdk.UpdateCostAllocationTagsStatusInput{CostAllocationTagsStatus: many})
	if code(err) != "ValidationException" {
		t.Errorf("21 keys: err = %v, want ValidationException", err)
	}
}

// TestUpdateAnswersEmptyErrors checks the wire form: "If there's no failure,
// an empty array returns".
func TestUpdateAnswersEmptyErrors(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	req, _ := http.NewRequest(http.MethodPost, env.url, bytes.NewReader([]byte(`{"CostAllocationTagsStatus":[{"TagKey":"Team","Status":"Active"}]}`)))
	req.Header.Set("X-Amz-Target", "AWSInsightsIndexService.UpdateCostAllocationTagsStatus")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"Errors":[]}` {
		t.Errorf("answer %d %s, want 200 {\"Errors\":[]}", resp.StatusCode, body)
	}
}

// TestTagAccess checks who manages tags: a linked account is refused as in
// AWS, and a payer sees and changes only the keys of the lines it pays for.
func TestTagAccess(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	ctx := context.Background()
	linked := env.client("linked")
	// A member reads the keys of its own lines with its payer's statuses,
	// and changes nothing.
	if diff := cmp.Diff([]tagRow{{"Team", "UserDefined", "Active", "", "2024-12-01T00:00:00Z"},
		{"aws:createdBy", "AWSGenerated", "Active", "", "2024-12-01T00:00:00Z"}},
		listTags(t, linked, &cesdk.ListCostAllocationTagsInput{})); diff != "" {
		t.Errorf("tags read by the linked account (-want +got):\n%s", diff)
	}
	for _, caller := range []string{"linked", "outsider"} {
		for name, call := range managementCalls(env.client(caller)) {
			err := call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
				t.Errorf("%s by %s: err = %v, want AccessDeniedException", name, caller, err)
			}
			if caller == "linked" && !strings.HasSuffix(ae.ErrorMessage(), ": Linked account doesn't have access to cost allocation tags.") {
				t.Errorf("%s by a linked account: message %q", name, ae.ErrorMessage())
			}
		}
	}
	if got := listTags(t, env.client("outsider"), &cesdk.ListCostAllocationTagsInput{}); len(got) != 0 {
		t.Errorf("tags read by an account without data = %+v, want none", got)
	}

	other := env.client("other")
	if diff := cmp.Diff([]tagRow{{"Project", "UserDefined", "Active", "", "2024-10-01T00:00:00Z"}},
		listTags(t, other, &cesdk.ListCostAllocationTagsInput{})); diff != "" {
		t.Errorf("tags of payer 333333333333 (-want +got):\n%s", diff)
	}
	out, err := other.UpdateCostAllocationTagsStatus(ctx, &cesdk.UpdateCostAllocationTagsStatusInput{
		CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{
			{TagKey: aws.String("Team"), Status: cetypes.CostAllocationTagStatusInactive},
			{TagKey: aws.String("Project"), Status: cetypes.CostAllocationTagStatusInactive},
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].TagKey) != "Team" {
		t.Errorf("Errors = %+v, want one for Team, which payer 333333333333 does not see", out.Errors)
	}
	got := listTags(t, env.client("payer"), &cesdk.ListCostAllocationTagsInput{Status: cetypes.CostAllocationTagStatusActive})
	if len(got) != 2 || got[0].Key != "Team" {
		t.Errorf("payer 111111111111 active tags = %+v, want Team and aws:createdBy still active", got)
	}
}

// managementCalls are the calls that change or reveal a payer's tag
// settings, which only a payer (management) account may make.
func managementCalls(c *cesdk.Client) map[string]func() error {
	ctx := context.Background()
	return map[string]func() error{
		"UpdateCostAllocationTagsStatus": func() error {
			_, err := c.UpdateCostAllocationTagsStatus(ctx, &cesdk.UpdateCostAllocationTagsStatusInput{
				CostAllocationTagsStatus: []cetypes.CostAllocationTagStatusEntry{{TagKey: aws.String("Team"), Status: cetypes.CostAllocationTagStatusInactive}}})
			return err
		},
		"StartCostAllocationTagBackfill": func() error {
			_, err := c.StartCostAllocationTagBackfill(ctx, &cesdk.StartCostAllocationTagBackfillInput{BackfillFrom: aws.String("2024-11-01T00:00:00Z")})
			return err
		},
		"ListCostAllocationTagBackfillHistory": func() error {
			_, err := c.ListCostAllocationTagBackfillHistory(ctx, &cesdk.ListCostAllocationTagBackfillHistoryInput{})
			return err
		},
	}
}

// createdByDecember returns the caller's December 2024 cost grouped by the
// aws:createdBy tag.
func createdByDecember(t *testing.T, c *cesdk.Client) map[string]string {
	t.Helper()
	out, err := c.GetCostAndUsage(context.Background(), &cesdk.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2024-12-01"), End: aws.String("2025-01-01")},
		Granularity: cetypes.GranularityMonthly, Metrics: []string{"UnblendedCost"},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeTag, Key: aws.String("aws:createdBy")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, g := range out.ResultsByTime[0].Groups {
		got[g.Keys[0]] = aws.ToString(g.Metrics["UnblendedCost"].Amount)
	}
	return got
}

// Tag statuses, backfills, their quota and history belong to each payer: a
// payer's change reaches neither another payer's queries nor its quota.
func TestTagSettingsPerPayer(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	dec := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
	loadLines(t, env.db, billing.BillingPeriod{Source: "cur:333333333333", Month: dec},
		line(dec, "333333333333", "333333333333", "8", map[string]string{"aws:createdBy": "bob"}))
	a, b, member := env.client("payer"), env.client("other"), env.client("linked")
	wantA := map[string]string{"aws:createdBy$root": "1", "aws:createdBy$": "2"}
	if diff := cmp.Diff(wantA, createdByDecember(t, a)); diff != "" {
		t.Fatalf("payer A by aws:createdBy (-want +got):\n%s", diff)
	}
	setStatus(t, b, "aws:createdBy", cetypes.CostAllocationTagStatusInactive)
	if diff := cmp.Diff(map[string]string{"aws:createdBy$": "8"}, createdByDecember(t, b)); diff != "" {
		t.Errorf("payer B after deactivating its key (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantA, createdByDecember(t, a)); diff != "" {
		t.Errorf("payer A after payer B deactivated the same key (-want +got):\n%s", diff)
	}
	if got := listTags(t, a, &cesdk.ListCostAllocationTagsInput{TagKeys: []string{"aws:createdBy"}}); len(got) != 1 || got[0].Status != "Active" {
		t.Errorf("payer A's aws:createdBy = %+v, want still Active", got)
	}

	// A member's queries and reads follow its payer's statuses.
	setStatus(t, a, "Team", cetypes.CostAllocationTagStatusInactive)
	if got := listTags(t, member, &cesdk.ListCostAllocationTagsInput{TagKeys: []string{"Team"}}); len(got) != 1 || got[0].Status != "Inactive" {
		t.Errorf("Team read by A's member = %+v, want Inactive", got)
	}
	if got := teamByMonth(t, member); got["2024-12 Team$"] != "1" {
		t.Errorf("A's member by Team = %v, want December untagged", got)
	}

	// B's backfill uses neither A's quota nor A's one-at-a-time slot, and
	// each history lists its own payer's requests.
	release := holdJobs(env)
	if _, err := startBackfill(b, "2024-10-01T00:00:00Z"); err != nil {
		t.Fatalf("payer B's backfill: %v", err)
	}
	if _, err := startBackfill(a, "2024-10-01T00:00:00Z"); err != nil {
		t.Fatalf("payer A's backfill while B's is processing: %v", err)
	}
	release()
	waitBackfill(t, a)
	waitBackfill(t, b)
	if h := history(t, a, 100); len(h) != 1 {
		t.Errorf("payer A's history = %+v, want its one request", h)
	}
	if got := teamByMonth(t, a); got["2024-10 Team$"] != "1" {
		t.Errorf("A's Team after its backfill = %v, want October untagged", got)
	}
	if diff := cmp.Diff(wantA, createdByDecember(t, a)); diff != "" {
		t.Errorf("payer A after both backfills (-want +got):\n%s", diff)
	}
}
