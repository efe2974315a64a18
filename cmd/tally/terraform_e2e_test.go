package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
)

// terraformConfig is a Terraform configuration that relies on STS as
// Terraform users do: no skip_requesting_account_id, a budget without
// account_id.
const terraformConfig = `terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "%s" }
  }
}
provider "aws" {
  region                  = "us-east-1"
  access_key              = "test"
  secret_key              = "test"
  skip_metadata_api_check = true
  endpoints {
    ce      = "%[2]s"
    budgets = "%[2]s"
    sts     = "%[2]s"
  }
}
data "aws_caller_identity" "me" {}
resource "aws_budgets_budget" "monthly" {
  name         = "tf-monthly"
  budget_type  = "COST"
  limit_amount = "100"
  limit_unit   = "USD"
  time_unit    = "MONTHLY"
}
output "account" { value = data.aws_caller_identity.me.account_id }
`

// TestTerraform applies a configuration with Terraform's AWS provider: it
// learns the account from STS GetCallerIdentity and creates a budget in it.
// It needs terraform and the provider in a local mirror ($TALLY_TF_PLUGINS,
// default /opt/tf-plugins); it skips without them unless
// TALLY_REQUIRE_TERRAFORM is set.
func TestTerraform(t *testing.T) {
	mirror := os.Getenv("TALLY_TF_PLUGINS")
	if mirror == "" {
		mirror = "/opt/tf-plugins"
	}
	versions, _ := filepath.Glob(filepath.Join(mirror, "registry.terraform.io/hashicorp/aws/*"))
	bin, err := exec.LookPath("terraform")
	if err != nil || len(versions) == 0 {
		if os.Getenv("TALLY_REQUIRE_TERRAFORM") != "" {
			t.Fatalf("terraform (%v) or the AWS provider under %s missing and TALLY_REQUIRE_TERRAFORM is set", err, mirror)
		}
		t.Skip("terraform or its AWS provider in a local mirror not available")
	}
	inst := start(t, fixedNow)
	dir := t.TempDir()
	rc := filepath.Join(dir, "terraform.rc")
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("terraform.rc", fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n  }\n}\n", mirror))
	write("main.tf", fmt.Sprintf(terraformConfig, filepath.Base(versions[len(versions)-1]), inst.url))
	tf := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "AWS_CONFIG_FILE="+os.DevNull,
			"AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "TF_DATA_DIR="+filepath.Join(dir, ".terraform"))
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("terraform %v: %v\n%s\n%s", args, err, out.String(), stderr.String())
		}
		return out.Bytes()
	}
	tf("init", "-input=false", "-no-color")
	tf("apply", "-auto-approve", "-input=false", "-no-color")
	var outputs struct{ Account struct{ Value string } }
	if err := json.Unmarshal(tf("output", "-json"), &outputs); err != nil {
		t.Fatal(err)
	}
	if outputs.Account.Value == "" {
		t.Fatal("terraform learned no account id")
	}
	b, err := inst.budgets("test", "test").DescribeBudget(context.Background(), &bsdk.DescribeBudgetInput{
		AccountId: aws.String(outputs.Account.Value), BudgetName: aws.String("tf-monthly")})
	if err != nil {
		t.Fatalf("the budget Terraform created in account %s: %v", outputs.Account.Value, err)
	}
	if aws.ToString(b.Budget.BudgetLimit.Amount) != "100" && aws.ToString(b.Budget.BudgetLimit.Amount) != "100.0" {
		t.Errorf("budget limit %s, want 100", aws.ToString(b.Budget.BudgetLimit.Amount))
	}
}
