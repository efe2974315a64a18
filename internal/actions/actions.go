// Package actions carries out budget actions in AWS through the AWS SDK: it
// is the budgets.Executor of `tally serve --actions-endpoint`. Each
// budgets.Step is one call: IAM Attach/Detach{Role,Group,User}Policy,
// Organizations AttachPolicy/DetachPolicy, or SSM StartAutomationExecution
// of the runbook that stops (or starts again) one EC2 or RDS instance.
//
// The calls are signed with the credentials the AWS configuration gives
// (the standard chain: environment, shared files and profile, SSO, IMDS),
// or, with Config.AssumeRole, with temporary credentials of each action's
// ExecutionRoleArn obtained from STS AssumeRole, as AWS Budgets does.
//
// Steps are idempotent so that a run resumed after a crash does not do
// anything twice: an SCP already attached (DuplicatePolicyAttachmentException)
// and a policy no longer attached (NoSuchEntity from an IAM Detach,
// PolicyNotAttachedException) count as done, and StartAutomationExecution
// carries the run's idempotency token as ClientToken.
package actions

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"github.com/tallyhq/tally/internal/budgets"
)

// Config configures an Executor.
type Config struct {
	// AWS holds the credentials, HTTP client and retry settings of every
	// call (config.LoadDefaultConfig gives the standard chain).
	AWS aws.Config
	// Endpoint, when set, is the base URL of every call (IAM,
	// Organizations, SSM and STS), for a local stand-in of AWS; empty means
	// AWS's own endpoints.
	Endpoint string
	// AssumeRole makes each call with credentials of the action's execution
	// role (STS AssumeRole), rather than with AWS's credentials directly.
	AssumeRole bool
}

// Executor makes the calls of budget actions.
type Executor struct {
	cfg Config
	mu  sync.Mutex
	// creds caches a credentials provider per execution role.
	creds map[string]aws.CredentialsProvider
}

var _ budgets.Executor = (*Executor)(nil)

// New returns an Executor.
func New(cfg Config) *Executor {
	return &Executor{cfg: cfg, creds: map[string]aws.CredentialsProvider{}}
}

// awsConfig returns the configuration of calls as role, in region.
func (e *Executor) awsConfig(role, region string) aws.Config {
	c := e.cfg.AWS.Copy()
	c.Region = region
	if e.cfg.Endpoint != "" {
		c.BaseEndpoint = aws.String(e.cfg.Endpoint)
	}
	if e.cfg.AssumeRole {
		e.mu.Lock()
		p, ok := e.creds[role]
		if !ok {
			base := e.cfg.AWS.Copy()
			base.Region = "us-east-1"
			if e.cfg.Endpoint != "" {
				base.BaseEndpoint = aws.String(e.cfg.Endpoint)
			}
			p = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(base), role, func(o *stscreds.AssumeRoleOptions) {
				o.RoleSessionName = "tally-budget-action"
			}))
			e.creds[role] = p
		}
		e.mu.Unlock()
		c.Credentials = p
	}
	return c
}

// Do makes the call of one step as role (budgets.Executor).
func (e *Executor) Do(ctx context.Context, role string, s budgets.Step, token string) (budgets.Answer, error) {
	var md middleware.Metadata
	var note, id string
	var err error
	switch s.Service {
	case "iam":
		md, err = e.iam(ctx, role, s)
		if err != nil && strings.HasPrefix(s.Op, "Detach") && code(err) == "NoSuchEntity" {
			note, id, err = "was not attached: "+message(err), errorRequestID(err), nil
		}
	case "organizations":
		md, err = e.organizations(ctx, role, s)
		switch {
		case err != nil && s.Op == "AttachPolicy" && code(err) == "DuplicatePolicyAttachmentException":
			note, id, err = "already attached", errorRequestID(err), nil
		case err != nil && s.Op == "DetachPolicy" && code(err) == "PolicyNotAttachedException":
			note, id, err = "was not attached", errorRequestID(err), nil
		}
	case "ssm":
		var out *ssm.StartAutomationExecutionOutput
		out, err = ssm.NewFromConfig(e.awsConfig(role, s.Region)).StartAutomationExecution(ctx, &ssm.StartAutomationExecutionInput{
			DocumentName: aws.String(s.Document), Parameters: map[string][]string{"InstanceId": {s.Target}}, ClientToken: aws.String(token)})
		if err == nil {
			md, note = out.ResultMetadata, "automation execution "+aws.ToString(out.AutomationExecutionId)
		}
	default:
		return budgets.Answer{}, fmt.Errorf("actions: unknown service %q", s.Service)
	}
	if err != nil {
		id := errorRequestID(err)
		return budgets.Answer{RequestID: id}, describe(err, id)
	}
	if v, ok := awsmiddleware.GetRequestIDMetadata(md); ok {
		id = v
	}
	return budgets.Answer{RequestID: id, Note: note}, nil
}

func (e *Executor) iam(ctx context.Context, role string, s budgets.Step) (middleware.Metadata, error) {
	c := iam.NewFromConfig(e.awsConfig(role, "us-east-1"))
	p, t := aws.String(s.Policy), aws.String(s.Target)
	switch s.Op {
	case "AttachRolePolicy":
		out, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{PolicyArn: p, RoleName: t})
		return metadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
	case "AttachGroupPolicy":
		out, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{PolicyArn: p, GroupName: t})
		return metadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
	case "AttachUserPolicy":
		out, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{PolicyArn: p, UserName: t})
		return metadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
	case "DetachRolePolicy":
		out, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{PolicyArn: p, RoleName: t})
		return metadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
	case "DetachGroupPolicy":
		out, err := c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{PolicyArn: p, GroupName: t})
		return metadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
	case "DetachUserPolicy":
		out, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{PolicyArn: p, UserName: t})
		return metadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
	}
	return middleware.Metadata{}, fmt.Errorf("actions: unknown IAM operation %q", s.Op)
}

func (e *Executor) organizations(ctx context.Context, role string, s budgets.Step) (middleware.Metadata, error) {
	c := organizations.NewFromConfig(e.awsConfig(role, "us-east-1"))
	p, t := aws.String(s.Policy), aws.String(s.Target)
	switch s.Op {
	case "AttachPolicy":
		out, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p, TargetId: t})
		return metadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
	case "DetachPolicy":
		out, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: p, TargetId: t})
		return metadata(out, err, func() middleware.Metadata { return out.ResultMetadata })
	}
	return middleware.Metadata{}, fmt.Errorf("actions: unknown Organizations operation %q", s.Op)
}

// metadata returns the result metadata of a call's output, when it has one.
func metadata[T any](out *T, err error, md func() middleware.Metadata) (middleware.Metadata, error) {
	if err != nil || out == nil {
		return middleware.Metadata{}, err
	}
	return md(), nil
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func message(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

func errorRequestID(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.ServiceRequestID()
	}
	return ""
}

// describe words a failed call for the history: AWS's error code, message
// and request ID, or the transport error.
func describe(err error, requestID string) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s (request ID %s)", ae.ErrorCode(), ae.ErrorMessage(), requestID)
	}
	return err
}
