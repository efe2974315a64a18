package actions_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/actions"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/fakeaws"
	"github.com/tallyhq/tally/internal/sdkhttp"
)

const (
	role   = "arn:aws:iam::111111111111:role/budgets-role"
	policy = "arn:aws:iam::aws:policy/AWSDenyAll"
)

func setup(t *testing.T, assume bool) (*fakeaws.Server, *actions.Executor) {
	t.Helper()
	fake := fakeaws.New()
	fake.AddRole("budgets-role")
	fake.AddRole("dev")
	fake.AddPolicy(policy)
	fake.AddSCP("p-deny1234")
	fake.AddTarget("ou-abcd-12345678")
	fake.AddInstance("db-1")
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return fake, actions.New(actions.Config{Endpoint: srv.URL, AssumeRole: assume, AWS: aws.Config{
		Credentials: credentials.NewStaticCredentialsProvider("tally-actions", "secret", ""),
		HTTPClient:  sdkhttp.Client(), RetryMaxAttempts: 1}})
}

// TestSteps makes each kind of call through the SDK and checks AWS's
// answers and the idempotent cases: attaching twice, detaching what is not
// attached, an automation started again with the same token.
func TestSteps(t *testing.T) {
	fake, ex := setup(t, false)
	ctx := context.Background()
	const token = "2f1e8c1a-5b7d-4c9e-8a3b-0d6f4e2a1c9b"
	for _, tc := range []struct {
		step budgets.Step
		note string // "" for none; "automation" for an execution ID
		err  string // part of the error, "" for success
	}{
		{budgets.Step{Service: "iam", Op: "AttachRolePolicy", Target: "dev", Policy: policy}, "", ""},
		{budgets.Step{Service: "iam", Op: "AttachRolePolicy", Target: "dev", Policy: policy}, "", ""}, // IAM: no error
		{budgets.Step{Service: "iam", Op: "AttachRolePolicy", Target: "nobody", Policy: policy}, "", "NoSuchEntity: The Role with name nobody cannot be found."},
		{budgets.Step{Service: "iam", Op: "DetachRolePolicy", Target: "dev", Policy: policy}, "", ""},
		{budgets.Step{Service: "iam", Op: "DetachRolePolicy", Target: "dev", Policy: policy}, "was not attached", ""},
		{budgets.Step{Service: "organizations", Op: "AttachPolicy", Target: "ou-abcd-12345678", Policy: "p-deny1234"}, "", ""},
		{budgets.Step{Service: "organizations", Op: "AttachPolicy", Target: "ou-abcd-12345678", Policy: "p-deny1234"}, "already attached", ""},
		{budgets.Step{Service: "organizations", Op: "AttachPolicy", Target: "ou-nope", Policy: "p-deny1234"}, "", "TargetNotFoundException"},
		{budgets.Step{Service: "organizations", Op: "DetachPolicy", Target: "ou-abcd-12345678", Policy: "p-deny1234"}, "", ""},
		{budgets.Step{Service: "organizations", Op: "DetachPolicy", Target: "ou-abcd-12345678", Policy: "p-deny1234"}, "was not attached", ""},
		{budgets.Step{Service: "ssm", Op: "StartAutomationExecution", Target: "db-1", Document: "AWS-StopRdsInstance", Region: "eu-west-1"}, "automation", ""},
		{budgets.Step{Service: "ssm", Op: "StartAutomationExecution", Target: "db-1", Document: "AWS-StopRdsInstance", Region: "eu-west-1"}, "automation", ""},
	} {
		before := len(fake.Calls())
		a, err := ex.Do(ctx, role, tc.step, token)
		calls := fake.Calls()
		if len(calls) != before+1 {
			t.Fatalf("%s: %d calls reached AWS, want 1", tc.step, len(calls)-before)
		}
		last := calls[len(calls)-1]
		if a.RequestID != last.RequestID {
			t.Errorf("%s: request ID %q, AWS answered %q", tc.step, a.RequestID, last.RequestID)
		}
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "request ID "+last.RequestID) {
				t.Errorf("%s: error %v, want %q with the request ID", tc.step, err, tc.err)
			}
		case err != nil:
			t.Errorf("%s: %v", tc.step, err)
		case tc.note == "automation" && !strings.HasPrefix(a.Note, "automation execution exec-"):
			t.Errorf("%s: note %q", tc.step, a.Note)
		case tc.note != "automation" && !strings.HasPrefix(a.Note, tc.note):
			t.Errorf("%s: note %q, want %q", tc.step, a.Note, tc.note)
		}
		if last.AccessKey != "tally-actions" {
			t.Errorf("%s signed with %q", tc.step, last.AccessKey)
		}
	}
	ex2 := fake.Executions()
	if len(ex2) != 1 || ex2[0].Region != "eu-west-1" || fake.InstanceState("db-1") != "stopped" || !strings.EqualFold(ex2[0].ClientToken, token) {
		t.Errorf("executions %+v, instance %s: want one, with the token", ex2, fake.InstanceState("db-1"))
	}
}

// TestAssumeRole: with AssumeRole every call is signed with temporary keys
// of the action's execution role, obtained once.
func TestAssumeRole(t *testing.T) {
	fake, ex := setup(t, true)
	ctx := context.Background()
	for range 2 {
		if _, err := ex.Do(ctx, role, budgets.Step{Service: "iam", Op: "AttachRolePolicy", Target: "dev", Policy: policy}, ""); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, c := range fake.Calls() {
		got = append(got, c.Service+" "+c.Op+" as "+c.Role)
	}
	want := []string{"sts AssumeRole as ", "iam AttachRolePolicy as " + role, "iam AttachRolePolicy as " + role}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	// A role that cannot be assumed fails the call, saying so.
	_, err := ex.Do(ctx, "arn:aws:iam::111111111111:role/missing", budgets.Step{Service: "iam", Op: "AttachRolePolicy", Target: "dev", Policy: policy}, "")
	if err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("unassumable role: %v", err)
	}
}
