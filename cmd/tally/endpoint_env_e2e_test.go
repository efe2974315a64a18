package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/sdkhttp"
)

// envAnswer is what a client configured by the environment alone reports:
// the caller's account, the monthly unblended cost by service and the
// account's budget names.
type envAnswer struct {
	Account string            `json:"account"`
	Costs   map[string]string `json:"costs"`
	Budgets []string          `json:"budgets"`
}

const envStart, envEnd = "2018-10-01", "2018-11-01"

var envByService = &costexplorer.GetCostAndUsageInput{
	TimePeriod:  &types.DateInterval{Start: aws.String(envStart), End: aws.String(envEnd)},
	Granularity: types.GranularityMonthly, Metrics: []string{"UnblendedCost"},
	GroupBy: []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}},
}

// TestEndpointEnvironment checks that the standard endpoint variables alone
// point unchanged AWS SDK code at Tally: the Go SDK through
// config.LoadDefaultConfig and a boto3 script, with the per-service variables
// and with AWS_ENDPOINT_URL.
func TestEndpointEnvironment(t *testing.T) {
	inst := start(t, fixedNow)
	inst.ingest(t, workshop(t)[0])
	ctx := context.Background()
	// The expected answer, through clients given the endpoint in code.
	id, err := sts.NewFromConfig(inst.awsConfig("test", "test"), func(o *sts.Options) { o.BaseEndpoint = aws.String(inst.url) }).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	want := envAnswer{Account: aws.ToString(id.Account), Costs: map[string]string{}, Budgets: []string{"env-check"}}
	for _, r := range getAll(t, inst.ce("test", "test"), envByService) {
		for _, g := range r.Groups {
			want.Costs[aws.ToString(r.TimePeriod.Start)+"|"+g.Keys[0]] = aws.ToString(g.Metrics["UnblendedCost"].Amount)
		}
	}
	if len(want.Costs) == 0 {
		t.Fatal("no cost in the sample month")
	}
	_, err = inst.budgets("test", "test").CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(want.Account),
		Budget: &btypes.Budget{BudgetName: aws.String("env-check"), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")}}})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"per service", map[string]string{"AWS_ENDPOINT_URL_COST_EXPLORER": inst.url, "AWS_ENDPOINT_URL_BUDGETS": inst.url, "AWS_ENDPOINT_URL_STS": inst.url}},
		{"global", map[string]string{"AWS_ENDPOINT_URL": inst.url}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COST_EXPLORER", "AWS_ENDPOINT_URL_BUDGETS", "AWS_ENDPOINT_URL_STS"} {
				setenv(t, k, tc.env[k])
			}
			for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "eu-west-1",
				"AWS_DEFAULT_REGION": "eu-west-1", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
				"AWS_PROFILE": "", "AWS_CA_BUNDLE": "", "AWS_EC2_METADATA_DISABLED": "true"} {
				setenv(t, k, v)
			}
			t.Run("go", func(t *testing.T) {
				if diff := cmp.Diff(want, goFromEnvironment(t)); diff != "" {
					t.Errorf("Go SDK configured by the environment (-want +got):\n%s", diff)
				}
			})
			t.Run("boto3", func(t *testing.T) {
				if diff := cmp.Diff(want, boto3FromEnvironment(t)); diff != "" {
					t.Errorf("boto3 configured by the environment (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// setenv sets k to v, or unsets it when v is empty, for the rest of the
// test.
func setenv(t *testing.T, k, v string) {
	t.Setenv(k, v)
	if v == "" {
		os.Unsetenv(k)
	}
}

// goFromEnvironment is user code: no endpoint, no credentials, only
// LoadDefaultConfig. (The HTTP client is Tally's usual workaround of a
// smithy-go body race against fast local servers; it plays no part in
// choosing the endpoint.)
func goFromEnvironment(t *testing.T) envAnswer {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithHTTPClient(sdkhttp.Client()))
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := envAnswer{Account: aws.ToString(id.Account), Costs: map[string]string{}}
	for _, r := range getAll(t, costexplorer.NewFromConfig(cfg), envByService) {
		for _, g := range r.Groups {
			got.Costs[aws.ToString(r.TimePeriod.Start)+"|"+g.Keys[0]] = aws.ToString(g.Metrics["UnblendedCost"].Amount)
		}
	}
	bs, err := bsdk.NewFromConfig(cfg).DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: id.Account})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs.Budgets {
		got.Budgets = append(got.Budgets, aws.ToString(b.BudgetName))
	}
	return got
}

// boto3FromEnvironment runs testdata/endpoint_env.py; it skips when python3
// or boto3 is missing unless TALLY_REQUIRE_BOTO3 is set.
func boto3FromEnvironment(t *testing.T) envAnswer {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import boto3").Run()
	}
	if err != nil {
		if os.Getenv("TALLY_REQUIRE_BOTO3") != "" {
			t.Fatalf("python3 with boto3 not available and TALLY_REQUIRE_BOTO3 is set: %v", err)
		}
		t.Skipf("python3 with boto3 not available: %v", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(py, "testdata/endpoint_env.py", envStart, envEnd)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("endpoint_env.py: %v\n%s", err, stderr.String())
	}
	var got envAnswer
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("endpoint_env.py printed %q: %v", stdout.String(), err)
	}
	return got
}
