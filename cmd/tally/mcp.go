package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/tallyhq/tally/internal/app"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/mcp"
	"github.com/tallyhq/tally/internal/profile"
)

// runMCP serves the data directory to an MCP client over stdio: `tally mcp
// [--data DIR] [--account ID] [--profile aws|unlimited]`.
func runMCP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("mcp", stderr)
	data := fs.String("data", "./tally-data", "data directory")
	account := fs.String("account", "", "12-digit account to act for, seeing what its credentials would (default: the test key's identity, which sees everything)")
	profileName := fs.String("profile", "aws", "limits to enforce: aws (AWS's history windows and limits) or unlimited")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("mcp takes no arguments, got %q", fs.Args())
	}
	if *account != "" && !accountIDPattern.MatchString(*account) {
		return usagef("--account %q is not a 12-digit account id", *account)
	}
	prof, err := profile.Named(*profileName)
	if err != nil {
		return usageError{err.Error()}
	}
	// The store allows one process: when a server runs on the directory,
	// its /mcp endpoint is the way in.
	if f, ok := readServerFile(*data); ok {
		return fmt.Errorf("a tally server (pid %d) is using %s: point the MCP client at %s/mcp instead", f.PID, *data, f.URL)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil)) // stdout carries the protocol
	a, err := app.Open(ctx, app.Config{Data: *data, Profile: prof, Logger: logger})
	if err != nil {
		return err
	}
	defer a.Close()
	// By default the test key's identity, acting as the payer as in serve.
	acct := auth.TestKeysActingAs(a.TestAccount("")).MustLookup("test")
	if *account != "" {
		acct = auth.Account{AccessKeyID: "mcp", AccountID: *account}
	}
	_ = stdout // the SDK's stdio transport writes to os.Stdout
	return mcp.RunStdio(ctx, mcp.Config{CostExplorer: a.CostExplorer, Budgets: a.Budgets, Version: version, Logger: logger}, acct)
}
