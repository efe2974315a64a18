package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/tallyhq/tally/internal/actions"
	"github.com/tallyhq/tally/internal/budgets"
)

// actionsConfig holds the flags that decide how budget actions run: in dry
// run (the default), or through the AWS SDK against AWS or a stand-in.
type actionsConfig struct {
	mode, endpoint, profile, accessKey string
	assumeRole                         bool
}

func (c *actionsConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.mode, "actions", "dry-run", "how budget actions run: dry-run (record what they would do) or aws (call IAM, Organizations and SSM)")
	fs.StringVar(&c.endpoint, "actions-endpoint", "", "`URL` that budget actions call instead of AWS's endpoints (a local stand-in of IAM, Organizations, SSM and STS); implies --actions aws")
	fs.StringVar(&c.profile, "actions-profile", "", "shared AWS config profile whose credentials budget actions use (default: the standard chain: AWS_* variables, ~/.aws, SSO, instance role)")
	fs.StringVar(&c.accessKey, "actions-access-key-id", "", "access key ID budget actions sign with; its secret comes from $TALLY_ACTIONS_SECRET_ACCESS_KEY")
	fs.BoolVar(&c.assumeRole, "actions-assume-role", false, "call as each action's ExecutionRoleArn, through STS AssumeRole (the role must trust these credentials)")
}

// executor returns the budgets.Executor the flags ask for: nil for dry run.
func (c *actionsConfig) executor(ctx context.Context) (budgets.Executor, error) {
	if c.endpoint != "" {
		if u, err := url.Parse(c.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, usagef("--actions-endpoint %q is not an http(s) URL", c.endpoint)
		}
		if c.mode == "dry-run" || c.mode == "" {
			c.mode = "aws"
		}
	}
	switch c.mode {
	case "dry-run", "":
		if c.profile != "" || c.accessKey != "" || c.assumeRole {
			return nil, usagef("--actions-profile, --actions-access-key-id and --actions-assume-role need --actions aws or --actions-endpoint")
		}
		return nil, nil
	case "aws":
	default:
		return nil, usagef("--actions must be dry-run or aws, got %q", c.mode)
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion("us-east-1")}
	if c.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.profile))
	}
	if c.accessKey != "" {
		secret := os.Getenv("TALLY_ACTIONS_SECRET_ACCESS_KEY")
		if secret == "" {
			return nil, usagef("--actions-access-key-id needs the secret in $TALLY_ACTIONS_SECRET_ACCESS_KEY")
		}
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(c.accessKey, secret,
			os.Getenv("TALLY_ACTIONS_SESSION_TOKEN"))))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("budget actions: AWS configuration: %w", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("budget actions: no AWS credentials (give --actions-profile, --actions-access-key-id or AWS_* variables): %w", err)
	}
	return actions.New(actions.Config{AWS: cfg, Endpoint: c.endpoint, AssumeRole: c.assumeRole}), nil
}

func (c *actionsConfig) printBanner(w io.Writer) {
	switch {
	case c.mode != "aws":
		fmt.Fprintln(w, "budget actions run in dry run: they record what they would do in AWS (start with --actions aws to call IAM, Organizations and SSM)")
	case c.endpoint != "":
		fmt.Fprintf(w, "budget actions call IAM, Organizations and SSM at %s\n", c.endpoint)
	default:
		fmt.Fprintln(w, "budget actions call IAM, Organizations and SSM in AWS")
	}
}
