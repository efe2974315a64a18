package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/smithy-go"

	"github.com/tallyhq/tally/internal/auth"
)

// samplePayer pays for sample-anonymous-aws-export-dataset.csv.
const samplePayer = "123412340534"

// whoami asks the UI's endpoint which account key/secret acts as, signed as
// the pages sign it.
func whoami(t *testing.T, inst *instance, key, secret string) string {
	t.Helper()
	var body struct {
		AccountID string `json:"accountId"`
		All       bool   `json:"all"`
	}
	uiGet(t, inst, "/ui/api/whoami", key, secret, &body)
	return body.AccountID
}

// uiGet reads a UI endpoint into v, signed with key/secret as the pages sign.
func uiGet(t *testing.T, inst *instance, path, key, secret string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, inst.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(nil)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req,
		hex.EncodeToString(sum[:]), "tally", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %v", path, resp.StatusCode, err)
	}
}

// TestTestKeyHasOneAccount checks that without --credentials the test key
// acts as one account everywhere, the payer of the data, in the API and in
// the UI, that the budgets it creates are the ones the UI lists, and that
// it cannot create budgets for any other account (issue 11.9).
func TestTestKeyHasOneAccount(t *testing.T) {
	csv := sample(t, "sample-anonymous-aws-export-dataset.csv")
	inst := startHooks(t, t.TempDir(), time.Date(2023, 11, 20, 12, 0, 0, 0, time.UTC), &serveHooks{})
	if got := whoami(t, inst, "test", "test"); got != auth.TestAccountID {
		t.Errorf("before any data the test key acts as %s, want %s", got, auth.TestAccountID)
	}
	inst.ingest(t, csv)
	if got := whoami(t, inst, "test", "test"); got != samplePayer {
		t.Errorf("the UI's test key acts as %s, want the payer %s", got, samplePayer)
	}
	ctx := context.Background()
	bc := inst.budgets("test", "test")
	budget := func(name string) *btypes.Budget {
		return &btypes.Budget{BudgetName: aws.String(name), BudgetType: btypes.BudgetTypeCost, TimeUnit: btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("1"), Unit: aws.String("USD")}}
	}
	if _, err := bc.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(samplePayer), Budget: budget("mine")}); err != nil {
		t.Fatalf("CreateBudget for the payer: %v", err)
	}
	out, err := bc.DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: aws.String(whoami(t, inst, "test", "test"))})
	if err != nil {
		t.Fatalf("DescribeBudgets for the UI's account: %v", err)
	}
	if len(out.Budgets) != 1 || aws.ToString(out.Budgets[0].BudgetName) != "mine" {
		t.Errorf("the UI's account lists %d budgets, want the one the API created", len(out.Budgets))
	}
	for _, account := range []string{auth.TestAccountID, "111122223333"} {
		_, err := bc.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(account), Budget: budget("theirs")})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
			t.Errorf("CreateBudget for %s: %v, want AccessDeniedException", account, err)
		}
		_, err = bc.DescribeBudgets(ctx, &bsdk.DescribeBudgetsInput{AccountId: aws.String(account)})
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
			t.Errorf("DescribeBudgets for %s: %v, want AccessDeniedException", account, err)
		}
	}
}

// TestTestAccountFlag checks that --test-account chooses the account of the
// test key, and is refused with --credentials.
func TestTestAccountFlag(t *testing.T) {
	inst := start(t, fixedNow, "--test-account", "210987654321")
	if got := whoami(t, inst, "test", "test"); got != "210987654321" {
		t.Errorf("the test key acts as %s, want 210987654321", got)
	}
	for _, flags := range [][]string{
		{"--test-account", "1234"},
		{"--test-account", "210987654321", "--credentials", credentialsFile(t)},
	} {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, flags...)
		var out syncBuffer
		if err := run(context.Background(), args, &out, &out); err == nil {
			t.Errorf("tally %v started", args)
		}
	}
}
