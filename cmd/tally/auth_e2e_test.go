package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"
)

const (
	payerAccount  = "836060457634"
	memberAccount = "011254002932"
)

func credentialsFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "credentials.csv")
	body := "access_key_id,secret_access_key,account_id\n" +
		"AKIAPAYER,payer-secret," + payerAccount + "\n" +
		"AKIAMEMBER,member-secret," + memberAccount + "\n" +
		"AKIAOTHER,other-secret,999999999999\n"
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAccountScoping checks that a member account never sees another
// account's cost, in any operation, while the payer sees all it pays for.
func TestAccountScoping(t *testing.T) {
	t.Parallel()
	files := workshop(t)
	inst := start(t, fixedNow, "--credentials", credentialsFile(t))
	inst.ingest(t, files[0])
	o := sharedOracle(t, files[0])
	ctx := context.Background()
	period := &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")}
	monthly := &costexplorer.GetCostAndUsageInput{TimePeriod: period, Granularity: types.GranularityMonthly, Metrics: allMetrics}

	for _, tc := range []struct {
		key, secret, where string
		accounts           []string
	}{
		{"AKIAPAYER", "payer-secret", "TRUE", []string{memberAccount, payerAccount}},
		{"AKIAMEMBER", "member-secret", "linked_account = '" + memberAccount + "'", []string{memberAccount}},
		{"AKIAOTHER", "other-secret", "FALSE", nil},
	} {
		t.Run(tc.key, func(t *testing.T) {
			ce := inst.ce(tc.key, tc.secret)
			want := o.sums(t, "date_trunc('month', ts)", "", tc.where)
			if len(want) == 0 {
				want = map[string]cell{"2018-10-01|": zeroCell(t)}
			}
			compare(t, "total", want, flatten(t, getAll(t, ce, monthly), false))

			byService := *monthly
			byService.GroupBy = []types.GroupDefinition{{Type: types.GroupDefinitionTypeDimension, Key: aws.String("SERVICE")}}
			compare(t, "by service", o.sums(t, "date_trunc('month', ts)", "service", tc.where), flatten(t, getAll(t, ce, &byService), true))

			dv, err := ce.GetDimensionValues(ctx, &costexplorer.GetDimensionValuesInput{TimePeriod: period, Dimension: types.DimensionLinkedAccount})
			if err != nil {
				t.Fatal(err)
			}
			var accounts []string
			for _, v := range dv.DimensionValues {
				accounts = append(accounts, aws.ToString(v.Value))
			}
			if diff := cmp.Diff(tc.accounts, accounts); diff != "" {
				t.Errorf("LINKED_ACCOUNT values (-want +got):\n%s", diff)
			}
			tags, err := ce.GetTags(ctx, &costexplorer.GetTagsInput{TimePeriod: period, TagKey: aws.String("environment")})
			if err != nil {
				t.Fatal(err)
			}
			var wantTags []string
			if tc.where != "FALSE" {
				wantTags = o.strings(t, "tag_environment", tc.where)
			}
			if diff := cmp.Diff(wantTags, tags.Tags, cmpEmpty); diff != "" {
				t.Errorf("environment values (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpEmpty = cmp.Transformer("nilToEmpty", func(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
})

func zeroCell(t *testing.T) cell {
	c := cell{}
	for _, m := range allMetrics {
		c[m] = rat(t, "0")
	}
	return c
}

// TestSignatures checks SigV4 failures through the real SDK: each gets the
// AWS error name and no data.
func TestSignatures(t *testing.T) {
	inst := start(t, fixedNow, "--credentials", credentialsFile(t))
	ctx := context.Background()
	in := &costexplorer.GetDimensionValuesInput{TimePeriod: &types.DateInterval{Start: aws.String("2018-10-01"), End: aws.String("2018-11-01")},
		Dimension: types.DimensionService}
	for _, tc := range []struct{ key, secret, code string }{
		{"AKIAPAYER", "wrong", "InvalidSignatureException"},
		{"AKIAUNKNOWN", "x", "UnrecognizedClientException"},
		{"test", "test", "UnrecognizedClientException"}, // test keys are off with --credentials
	} {
		_, err := inst.ce(tc.key, tc.secret).GetDimensionValues(ctx, in)
		if code := apiCode(err); code != tc.code {
			t.Errorf("%s/%s: %v, want %s", tc.key, tc.secret, err, tc.code)
		}
	}
	// An unsigned request.
	req, _ := http.NewRequest(http.MethodPost, inst.url+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "AWSInsightsIndexService.GetDimensionValues")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned request: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		t.Error("no x-amzn-RequestId")
	}
	if _, err := inst.ce("AKIAPAYER", "payer-secret").GetDimensionValues(ctx, in); err != nil {
		t.Errorf("correctly signed request: %v", err)
	}
}

// TestTestKeysOnlyOnLoopback checks that the built-in test keys are never
// served beyond loopback.
func TestTestKeysOnlyOnLoopback(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), []string{"serve", "--addr", "0.0.0.0:0", "--data", t.TempDir()}, &out, &out)
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("serve on 0.0.0.0 without credentials: %v, want a usage error about loopback", err)
	}
}
