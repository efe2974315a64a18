package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

// alertConfig holds the flags of budget evaluation and alert delivery.
type alertConfig struct {
	smtpAddr, smtpFrom, smtpUser string
	sns                          snsEndpoints
	webhooks                     webhooks
	interval                     time.Duration
}

func (c *alertConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.smtpAddr, "smtp-addr", "", "host:port of the SMTP server that sends budget alerts by email (default: email alerts wait in the outbox)")
	fs.StringVar(&c.smtpFrom, "smtp-from", "Tally Budgets <tally@localhost>", "sender address of budget alert emails")
	fs.StringVar(&c.smtpUser, "smtp-user", "", "SMTP user name (PLAIN authentication; the password comes from $TALLY_SMTP_PASSWORD)")
	fs.Var(&c.sns, "sns-endpoint", "`topic-ARN=URL`: post SNS budget alerts for the topic to this HTTP(S) endpoint (repeatable)")
	fs.Var(&c.webhooks, "webhook", "`URL` (or slack=URL for a Slack-compatible endpoint) that receives every budget alert as a JSON POST, signed with $TALLY_WEBHOOK_SECRET when set (repeatable)")
	fs.DurationVar(&c.interval, "budgets-interval", 15*time.Minute, "how often budgets are evaluated and cost anomalies detected besides after every ingest")
}

// snsEndpoints is the repeatable --sns-endpoint flag.
type snsEndpoints map[string]string

func (s *snsEndpoints) String() string {
	var parts []string
	for t, u := range *s {
		parts = append(parts, t+"="+u)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

func (s *snsEndpoints) Set(v string) error {
	topic, url, err := notify.ParseEndpoint(v)
	if err != nil {
		return err
	}
	if *s == nil {
		*s = snsEndpoints{}
	}
	(*s)[topic] = url
	return nil
}

// webhooks is the repeatable --webhook flag: URLs in the order given, and
// which of them take Slack's payload.
type webhooks struct {
	urls  []string
	slack map[string]bool
}

func (w *webhooks) String() string { return strings.Join(w.urls, ",") }

func (w *webhooks) Set(v string) error {
	u, slack, err := notify.ParseWebhook(v)
	if err != nil {
		return err
	}
	if w.slack == nil {
		w.slack = map[string]bool{}
	}
	w.urls = append(w.urls, u)
	w.slack[u] = slack
	return nil
}

// senders builds the delivery of each kind of alert. Without --smtp-addr
// email alerts stay in the outbox, retried, until a server is configured.
func (c *alertConfig) senders() (map[store.MessageKind]notify.Sender, error) {
	out := map[store.MessageKind]notify.Sender{
		store.Email:   notify.Unconfigured("email delivery is not configured: start tally with --smtp-addr host:port"),
		store.SNS:     &notify.SNSHTTP{Endpoints: c.sns},
		store.Webhook: &notify.Webhook{Slack: c.webhooks.slack, Secret: []byte(os.Getenv("TALLY_WEBHOOK_SECRET"))},
	}
	if c.smtpAddr != "" {
		s, err := notify.NewSMTP(notify.SMTPConfig{Addr: c.smtpAddr, From: c.smtpFrom, Username: c.smtpUser,
			Password: os.Getenv("TALLY_SMTP_PASSWORD")})
		if err != nil {
			return nil, usagef("--smtp-addr/--smtp-from: %v", err)
		}
		out[store.Email] = s
	}
	if c.interval <= 0 {
		return nil, usagef("--budgets-interval must be positive, got %s", c.interval)
	}
	return out, nil
}

func (c *alertConfig) printBanner(w io.Writer) {
	email := "waiting in the outbox (no --smtp-addr)"
	if c.smtpAddr != "" {
		email = "through " + c.smtpAddr
	}
	fmt.Fprintf(w, "budgets are evaluated after every ingest and every %s; email alerts go %s", c.interval, email)
	if len(c.sns) > 0 {
		fmt.Fprintf(w, "; SNS alerts go to %d configured topic endpoint(s)", len(c.sns))
	}
	if n := len(c.webhooks.urls); n > 0 {
		signed := "unsigned (no $TALLY_WEBHOOK_SECRET)"
		if os.Getenv("TALLY_WEBHOOK_SECRET") != "" {
			signed = "signed"
		}
		fmt.Fprintf(w, "; every alert also goes to %d webhook(s), %s", n, signed)
	}
	fmt.Fprintln(w)
}
