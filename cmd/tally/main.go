// Command tally is a self-hosted, AWS-compatible Cost Explorer and Budgets
// service. See the README for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // -h asked for the flags, which are printed: success, as for `go help`
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tally:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a bad command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

const usage = `usage: tally <command> [flags]

commands:
  demo       generate a synthetic organisation, ingest it and serve it (takes serve's flags)
  serve      serve the Cost Explorer and Budgets APIs and the web UI
  ingest     load billing exports (CUR, CUR 2.0, FOCUS) into the data directory
  tags       list, activate and deactivate cost allocation tags; backfill them
  mcp        serve the data to an AI agent over the Model Context Protocol (stdio)
  generate   write the billing exports of a synthetic organisation
  backtest   measure the forecast model on held-out days against two baselines
  test-alert send a test alert through the alert channels serve's flags configure
  version    print the version

Run "tally <command> -h" for a command's flags.`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return usagef("no command")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "demo":
		return runDemo(ctx, rest, stdout, stderr, nil)
	case "serve":
		return runServe(ctx, rest, stdout, stderr, nil)
	case "ingest":
		return runIngest(ctx, rest, stdout, stderr)
	case "tags":
		return runTags(ctx, rest, stdout, stderr)
	case "mcp":
		return runMCP(ctx, rest, stdout, stderr)
	case "generate":
		return runGenerate(ctx, rest, stdout, stderr, nil)
	case "backtest":
		return runBacktest(ctx, rest, stdout, stderr)
	case "test-alert":
		return runTestAlert(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "tally", version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	fmt.Fprintln(stderr, usage)
	return usagef("unknown command %q", cmd)
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("tally "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args and turns flag errors into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}
