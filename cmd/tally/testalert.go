package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

// runTestAlert sends one test alert through each configured channel at
// once, without the outbox, and reports each outcome: `tally test-alert
// [serve's alert flags] [--email ADDR] [--sns TOPIC-ARN]`. Every --webhook
// receives it; --email and --sns name the recipients of the other kinds.
func runTestAlert(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("test-alert", stderr)
	var c alertConfig
	c.register(fs)
	email := fs.String("email", "", "address to send a test email to, through --smtp-addr")
	topic := fs.String("sns", "", "topic ARN to post a test SNS notification for, to its --sns-endpoint")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("test-alert takes no arguments, got %q", fs.Args())
	}
	senders, err := c.senders()
	if err != nil {
		return err
	}
	var to []store.Message
	if *email != "" {
		to = append(to, store.Message{Kind: store.Email, Address: *email})
	}
	if *topic != "" {
		to = append(to, store.Message{Kind: store.SNS, Address: *topic})
	}
	for _, u := range c.webhooks.urls {
		to = append(to, store.Message{Kind: store.Webhook, Address: u})
	}
	if len(to) == 0 {
		return usagef("nothing to test: give --webhook, --email or --sns")
	}
	var failed error
	for _, r := range notify.SendTest(ctx, senders, to, "`tally test-alert`", time.Now()) {
		if r.Err != nil {
			fmt.Fprintf(stdout, "%s %s: failed: %v\n", r.Kind, r.Address, r.Err)
			failed = errors.New("a test alert was not delivered")
			continue
		}
		fmt.Fprintf(stdout, "%s %s: sent\n", r.Kind, r.Address)
	}
	return failed
}
