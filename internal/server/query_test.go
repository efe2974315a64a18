package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/sdkhttp"
)

// newCredentialsServer serves the unimplemented services with a member and a
// payer key.
func newCredentialsServer(t *testing.T) string {
	t.Helper()
	keys, err := auth.Parse(strings.NewReader("access_key_id,secret_access_key,account_id\n" +
		"AKIAMEMBER,member-secret,011254002932\nAKIAPAYER,payer-secret,836060457634\n"))
	if err != nil {
		t.Fatal(err)
	}
	router, err := awsjson.NewRouter([]awsjson.Service{
		costexplorer.ServiceDef(costexplorer.Unimplemented{}),
		budgets.ServiceDef(budgets.Unimplemented{}),
	}, awsjsontest.Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(New(Config{Keys: keys, API: router}))
	t.Cleanup(ts.Close)
	return ts.URL
}

func stsClient(url, key, secret string) *sts.Client {
	return sts.New(sts.Options{
		Region:       "eu-central-1",
		Credentials:  credentials.NewStaticCredentialsProvider(key, secret, ""),
		BaseEndpoint: aws.String(url),
		HTTPClient:   sdkhttp.Client(),
	})
}

// TestGetCallerIdentitySDK calls STS through the real SDK client: each key
// gets its own account, and signature failures answer the query protocol's
// error codes.
func TestGetCallerIdentitySDK(t *testing.T) {
	url := newCredentialsServer(t)
	for _, tc := range []struct {
		key, secret string
		want        *sts.GetCallerIdentityOutput
		code        string
	}{
		{key: "AKIAMEMBER", secret: "member-secret", want: &sts.GetCallerIdentityOutput{
			Account: aws.String("011254002932"), UserId: aws.String("011254002932"), Arn: aws.String("arn:aws:iam::011254002932:root")}},
		{key: "AKIAPAYER", secret: "payer-secret", want: &sts.GetCallerIdentityOutput{
			Account: aws.String("836060457634"), UserId: aws.String("836060457634"), Arn: aws.String("arn:aws:iam::836060457634:root")}},
		{key: "AKIAMEMBER", secret: "wrong", code: "SignatureDoesNotMatch"},
		{key: "AKIAUNKNOWN", secret: "x", code: "InvalidClientTokenId"},
	} {
		t.Run(tc.key+"/"+tc.secret, func(t *testing.T) {
			out, err := stsClient(url, tc.key, tc.secret).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
			if tc.code != "" {
				var ae smithy.APIError
				if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
					t.Fatalf("error %v, want %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := []string{aws.ToString(tc.want.Account), aws.ToString(tc.want.UserId), aws.ToString(tc.want.Arn)}
			got := []string{aws.ToString(out.Account), aws.ToString(out.UserId), aws.ToString(out.Arn)}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
		})
	}
}

// TestGetCallerIdentitySigningName checks that only a signature for service
// sts passes, and that failures answer in the query protocol's XML.
func TestGetCallerIdentitySigningName(t *testing.T) {
	_, ts := newTestServer(t)
	for _, tc := range []struct {
		service, want string
		status        int
	}{
		{"sts", "<Account>000000000000</Account>", 200},
		{"ce", "<Code>SignatureDoesNotMatch</Code>", 403},
	} {
		t.Run(tc.service, func(t *testing.T) {
			body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/", bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			h := sha256.Sum256(body)
			err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
				req, hex.EncodeToString(h[:]), tc.service, "us-east-1", time.Now())
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.status || !strings.Contains(string(b), tc.want) || resp.Header.Get("Content-Type") != "text/xml" {
				t.Errorf("status %d, Content-Type %q, body:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
			}
		})
	}
}

// TestGetCallerIdentityCLI runs `aws sts get-caller-identity` against the
// server with the test key.
func TestGetCallerIdentityCLI(t *testing.T) {
	bin, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("TALLY_REQUIRE_AWS_CLI") != "" {
			t.Fatal("aws CLI not found and TALLY_REQUIRE_AWS_CLI is set")
		}
		t.Skip("aws CLI not installed")
	}
	_, ts := newTestServer(t)
	cmd := exec.Command(bin, "sts", "get-caller-identity", "--endpoint-url", ts.URL, "--output", "json")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws sts get-caller-identity: %v\n%s", err, out)
	}
	var got map[string]string
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]string{"Account": auth.TestAccountID, "UserId": auth.TestAccountID, "Arn": "arn:aws:iam::" + auth.TestAccountID + ":root"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
}
