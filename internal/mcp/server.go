// Package mcp serves Tally's cost data to AI agents over the Model Context
// Protocol, on the official Go SDK: over stdio (`tally mcp`) and over
// streamable HTTP at /mcp on the server's port.
//
// Every tool calls the same service methods as the AWS API
// (costexplorer.API, budgets.API) with their generated input and output
// types, and with the caller's account in the context (auth.WithCaller), so
// validation, errors and account scoping are those of the API: a member
// account's credentials see only its own usage and budgets.
package mcp

import (
	"context"
	"errors"
	"log/slog"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/budgets"
	"github.com/tallyhq/tally/internal/costexplorer"
)

// Config is what the MCP server answers from.
type Config struct {
	// CostExplorer and Budgets are the services behind the AWS API.
	CostExplorer costexplorer.API
	Budgets      budgets.API
	// Version is Tally's version, reported to clients.
	Version string
	// Logger receives internal errors; nil discards them.
	Logger *slog.Logger
}

// instructions tell an agent how to use the tools as a whole.
const instructions = `Tally answers AWS Cost Explorer and Budgets questions from the user's own billing data.
Tools take the AWS API's request members (same names and rules as the AWS Cost Explorer and Budgets APIs).
Dates are YYYY-MM-DD; TimePeriod.Start is inclusive, End exclusive. Amounts are decimal strings.
Use get_dimension_values and get_tags to discover the values before filtering on them.
When a result has NextPageToken (or NextToken), call again with it to get the rest.`

// NewServer returns an MCP server with every tool. A tool acts for the
// account that the request's bearer token identifies (see Handler); when a
// request carries none, for fixed, if set (stdio), else it is refused.
func NewServer(cfg Config, fixed *auth.Account) *sdk.Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := sdk.NewServer(&sdk.Implementation{Name: "tally", Title: "Tally cost data", Version: cfg.Version},
		&sdk.ServerOptions{Instructions: instructions})
	t := &tools{cfg: cfg, fixed: fixed}
	t.register(s)
	return s
}

// tools holds what every tool handler needs.
type tools struct {
	cfg   Config
	fixed *auth.Account
}

// accountKey is where Handler's token verifier keeps the caller's account in
// the token info.
const accountKey = "tally.account"

// caller returns the account a tool call acts for.
func (t *tools) caller(req *sdk.CallToolRequest) (auth.Account, error) {
	if req != nil && req.Extra != nil && req.Extra.TokenInfo != nil {
		if a, ok := req.Extra.TokenInfo.Extra[accountKey].(auth.Account); ok {
			return a, nil
		}
	}
	if t.fixed != nil {
		return *t.fixed, nil
	}
	return auth.Account{}, errors.New("AccessDeniedException: the request carries no credentials")
}

// toolError turns an operation's failure into the text an agent sees: the
// exception the API would answer, chosen by the service's one error table,
// as "Type: message". Internal faults are logged and answered with the
// fixed message, as in the API.
func (t *tools) toolError(ctx context.Context, svc *awsjson.Service, op *awsjson.Operation, err error) error {
	if svc.MapError != nil {
		err = svc.MapError(op, err)
	}
	var ae *awsjson.Error
	if errors.As(err, &ae) {
		return ae
	}
	var ve *awsjson.ValidationError
	if errors.As(err, &ve) {
		return &awsjson.Error{Type: svc.ValidationError, Status: 400, Message: strings.TrimSpace(ve.Error())}
	}
	t.cfg.Logger.ErrorContext(ctx, "mcp: internal error", "operation", op.Name, "error", err)
	return &awsjson.Error{Type: svc.InternalError, Status: 500, Message: awsjson.InternalErrorMessage}
}
