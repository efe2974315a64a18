package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tallyhq/tally/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
)

const tagsUsage = `usage: tally tags <subcommand> [flags] [arguments]

Manages cost allocation tags through a running server's Cost Explorer API,
as "aws ce" does.

subcommands:
  list [--status Active|Inactive] [--type UserDefined|AWSGenerated] [KEY...]
                         list tag keys with their status and dates
  activate KEY...        activate keys from the current month on
  deactivate KEY...      deactivate keys from the current month on
  backfill --from MONTH [--wait]
                         re-apply the current statuses from MONTH (2024-01,
                         2024-01-01 or 2024-01-01T00:00:00Z) on
  history                list backfill requests, newest first

Every subcommand takes --endpoint-url (default: the server running on --data,
else http://127.0.0.1:4599), --data, --access-key and --secret-key (default:
$AWS_ACCESS_KEY_ID and $AWS_SECRET_ACCESS_KEY, else test/test).`

// maxStatusBatch is how many keys UpdateCostAllocationTagsStatus takes in one
// call.
const maxStatusBatch = 20

// tagsClient holds the flags every tags subcommand shares.
type tagsClient struct {
	endpoint, data, accessKey, secretKey string
	stdout                               io.Writer
	ce                                   *cesdk.Client
}

func (c *tagsClient) register(fs *flag.FlagSet) {
	fs.StringVar(&c.endpoint, "endpoint-url", "", "server URL (default: the server running on --data, else http://127.0.0.1:4599)")
	fs.StringVar(&c.data, "data", "./tally-data", "data directory of the server to call")
	fs.StringVar(&c.accessKey, "access-key", "", "access key id (default: $AWS_ACCESS_KEY_ID, else test)")
	fs.StringVar(&c.secretKey, "secret-key", "", "secret access key (default: $AWS_SECRET_ACCESS_KEY, else test)")
}

// connect builds the Cost Explorer client from the flags.
func (c *tagsClient) connect() {
	if c.endpoint == "" {
		c.endpoint = "http://127.0.0.1:4599"
		if sf, ok := readServerFile(c.data); ok {
			c.endpoint = sf.URL
		}
	}
	key, secret := firstSet(c.accessKey, os.Getenv("AWS_ACCESS_KEY_ID"), "test"), firstSet(c.secretKey, os.Getenv("AWS_SECRET_ACCESS_KEY"), "test")
	c.ce = cesdk.NewFromConfig(aws.Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")}, func(o *cesdk.Options) {
		o.BaseEndpoint = aws.String(c.endpoint)
		o.RetryMaxAttempts = 1
		o.HTTPClient = sdkhttp.Client()
	})
}

func firstSet(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// apiError shortens an SDK error to the exception and its message.
func apiError(op string, err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Errorf("%s: %s: %s", op, ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Errorf("%s: %w", op, err)
}

func runTags(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(stderr, tagsUsage)
		if len(args) == 0 {
			return usagef("tags needs a subcommand")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	c := &tagsClient{stdout: stdout}
	fs := newFlagSet("tags "+sub, stderr)
	c.register(fs)
	var run func(context.Context, []string) error
	switch sub {
	case "list":
		status := fs.String("status", "", "only keys with this status: Active or Inactive")
		typ := fs.String("type", "", "only keys of this type: UserDefined or AWSGenerated")
		run = func(ctx context.Context, keys []string) error { return c.list(ctx, *status, *typ, keys) }
	case "activate", "deactivate":
		status := cetypes.CostAllocationTagStatusActive
		if sub == "deactivate" {
			status = cetypes.CostAllocationTagStatusInactive
		}
		run = func(ctx context.Context, keys []string) error { return c.setStatus(ctx, status, keys) }
	case "backfill":
		from := fs.String("from", "", "first month to re-apply the statuses to: 2024-01, 2024-01-01 or 2024-01-01T00:00:00Z")
		wait := fs.Bool("wait", false, "wait until the backfill has ended")
		run = func(ctx context.Context, _ []string) error { return c.backfill(ctx, *from, *wait) }
	case "history":
		run = func(ctx context.Context, _ []string) error { return c.history(ctx) }
	default:
		fmt.Fprintln(stderr, tagsUsage)
		return usagef("unknown tags subcommand %q", sub)
	}
	args, err := parseInterleaved(fs, rest)
	if err != nil {
		return err
	}
	switch {
	case (sub == "activate" || sub == "deactivate") && len(args) == 0:
		return usagef("tags %s needs at least one tag key", sub)
	case (sub == "backfill" || sub == "history") && len(args) > 0:
		return usagef("tags %s takes no arguments, got %q", sub, args)
	}
	c.connect()
	return run(ctx, args)
}

// parseInterleaved parses flags placed before, between or after the
// arguments, so that "tags activate Team --endpoint-url URL" calls URL; it
// returns the arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

func (c *tagsClient) list(ctx context.Context, status, typ string, keys []string) error {
	in := &cesdk.ListCostAllocationTagsInput{Status: cetypes.CostAllocationTagStatus(status),
		Type: cetypes.CostAllocationTagType(typ)}
	if len(keys) > 0 {
		in.TagKeys = keys
	}
	w := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "KEY\tTYPE\tSTATUS\tLAST UPDATED\tLAST USED")
	p := cesdk.NewListCostAllocationTagsPaginator(c.ce, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return apiError("ListCostAllocationTags", err)
		}
		for _, t := range page.CostAllocationTags {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", aws.ToString(t.TagKey), t.Type, t.Status,
				orDash(t.LastUpdatedDate), orDash(t.LastUsedDate))
		}
	}
	return w.Flush()
}

func orDash(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

func (c *tagsClient) setStatus(ctx context.Context, status cetypes.CostAllocationTagStatus, keys []string) error {
	var failed []string
	for start := 0; start < len(keys); start += maxStatusBatch {
		var entries []cetypes.CostAllocationTagStatusEntry
		for _, k := range keys[start:min(start+maxStatusBatch, len(keys))] {
			entries = append(entries, cetypes.CostAllocationTagStatusEntry{TagKey: aws.String(k), Status: status})
		}
		out, err := c.ce.UpdateCostAllocationTagsStatus(ctx, &cesdk.UpdateCostAllocationTagsStatusInput{CostAllocationTagsStatus: entries})
		if err != nil {
			return apiError("UpdateCostAllocationTagsStatus", err)
		}
		for _, e := range out.Errors {
			failed = append(failed, aws.ToString(e.TagKey))
			fmt.Fprintf(c.stdout, "%s: %s: %s\n", aws.ToString(e.TagKey), aws.ToString(e.Code), aws.ToString(e.Message))
		}
	}
	if n := len(keys) - len(failed); n > 0 {
		fmt.Fprintf(c.stdout, "%s: %d key(s) from the current month on\n", status, n)
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d key(s) not updated: %s", len(failed), strings.Join(failed, ", "))
	}
	return nil
}

// backfillFrom turns the --from forms into a ZonedDateTime; anything else
// goes to the server as given, which explains what is wrong with it.
func backfillFrom(s string) string {
	if t, err := time.Parse("2006-01", s); err == nil {
		return t.Format("2006-01-02T15:04:05Z")
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t.Format("2006-01-02T15:04:05Z")
	}
	return s
}

func (c *tagsClient) backfill(ctx context.Context, from string, wait bool) error {
	if from == "" {
		return usagef("tags backfill needs --from")
	}
	out, err := c.ce.StartCostAllocationTagBackfill(ctx, &cesdk.StartCostAllocationTagBackfillInput{BackfillFrom: aws.String(backfillFrom(from))})
	if err != nil {
		return apiError("StartCostAllocationTagBackfill", err)
	}
	req := out.BackfillRequest
	printBackfills(c.stdout, []cetypes.CostAllocationTagBackfillRequest{*req})
	if req.BackfillStatus != cetypes.CostAllocationTagBackfillStatusProcessing {
		fmt.Fprintln(c.stdout, "no tag status changed since this backfill: nothing started")
	}
	for wait && req.BackfillStatus == cetypes.CostAllocationTagBackfillStatusProcessing {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if req, err = c.find(ctx, req); err != nil {
			return err
		}
		if req.BackfillStatus != cetypes.CostAllocationTagBackfillStatusProcessing {
			printBackfills(c.stdout, []cetypes.CostAllocationTagBackfillRequest{*req})
		}
	}
	if req.BackfillStatus == cetypes.CostAllocationTagBackfillStatusFailed {
		return errors.New("the backfill failed; the server's log says why")
	}
	return nil
}

// find returns the current state of a request from the history.
func (c *tagsClient) find(ctx context.Context, want *cetypes.CostAllocationTagBackfillRequest) (*cetypes.CostAllocationTagBackfillRequest, error) {
	p := cesdk.NewListCostAllocationTagBackfillHistoryPaginator(c.ce, &cesdk.ListCostAllocationTagBackfillHistoryInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, apiError("ListCostAllocationTagBackfillHistory", err)
		}
		for i, r := range page.BackfillRequests {
			if aws.ToString(r.RequestedAt) == aws.ToString(want.RequestedAt) && aws.ToString(r.BackfillFrom) == aws.ToString(want.BackfillFrom) {
				return &page.BackfillRequests[i], nil
			}
		}
	}
	return nil, errors.New("the backfill request is no longer in the history")
}

func (c *tagsClient) history(ctx context.Context) error {
	var all []cetypes.CostAllocationTagBackfillRequest
	p := cesdk.NewListCostAllocationTagBackfillHistoryPaginator(c.ce, &cesdk.ListCostAllocationTagBackfillHistoryInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return apiError("ListCostAllocationTagBackfillHistory", err)
		}
		all = append(all, page.BackfillRequests...)
	}
	printBackfills(c.stdout, all)
	return nil
}

func printBackfills(out io.Writer, reqs []cetypes.CostAllocationTagBackfillRequest) {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "BACKFILL FROM\tREQUESTED AT\tSTATUS\tCOMPLETED AT\tLAST UPDATED AT")
	for _, r := range reqs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", orDash(r.BackfillFrom), orDash(r.RequestedAt), r.BackfillStatus,
			orDash(r.CompletedAt), orDash(r.LastUpdatedAt))
	}
	w.Flush()
}
