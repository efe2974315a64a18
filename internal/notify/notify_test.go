package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/notify/smtptest"
	"github.com/tallyhq/tally/internal/store"
)

var t0 = time.Date(2018, 12, 20, 12, 0, 0, 0, time.UTC)

func message(kind store.MessageKind, addr string) store.Message {
	return store.Message{
		ID: notify.MessageID("crossing-1", addr), Kind: kind, Address: addr,
		Subject: "AWS Budgets: team has exceeded your alert threshold",
		Body:    "Budget Name: team\n.leading dot stays\nActual: 54.75 USD\n",
		Ref:     "000000000000/team", Created: t0,
	}
}

func TestMessageID(t *testing.T) {
	a, b := notify.MessageID("x", "y"), notify.MessageID("x", "y")
	if a != b {
		t.Errorf("MessageID is not deterministic: %s %s", a, b)
	}
	if notify.MessageID("xy", "") == notify.MessageID("x", "y") {
		t.Error("MessageID does not separate its parts")
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(a) {
		t.Errorf("MessageID %q is not a UUID", a)
	}
}

func TestParseEndpoint(t *testing.T) {
	for _, tc := range []struct {
		in, topic, url string
		ok             bool
	}{
		{"arn:aws:sns:us-east-1:123456789012:alerts=http://127.0.0.1:9000/hook", "arn:aws:sns:us-east-1:123456789012:alerts", "http://127.0.0.1:9000/hook", true},
		{"arn:aws:sns:eu-west-1:123456789012:a.fifo=https://example.com/x?y=z", "arn:aws:sns:eu-west-1:123456789012:a.fifo", "https://example.com/x?y=z", true},
		{"arn:aws:sns:us-east-1:123456789012:alerts", "", "", false},
		{"arn:aws:sqs:us-east-1:123456789012:q=http://x", "", "", false},
		{"arn:aws:sns:us-east-1:123456789012:alerts=ftp://x", "", "", false},
		{"arn:aws:sns:us-east-1:123456789012:alerts=http://", "", "", false},
	} {
		topic, u, err := notify.ParseEndpoint(tc.in)
		if (err == nil) != tc.ok || topic != tc.topic || u != tc.url {
			t.Errorf("ParseEndpoint(%q) = %q, %q, %v; want %q, %q, ok=%v", tc.in, topic, u, err, tc.topic, tc.url, tc.ok)
		}
	}
}

func TestSMTPSend(t *testing.T) {
	srv := smtptest.NewServer(t)
	s, err := notify.NewSMTP(notify.SMTPConfig{Addr: srv.Addr, From: "Tally <tally@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	m := message(store.Email, "ops@example.com")
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	mails := srv.Mails()
	if len(mails) != 1 {
		t.Fatalf("server got %d mails, want 1", len(mails))
	}
	got := mails[0]
	want := map[string]string{
		"from": "tally@example.com", "to": "ops@example.com", "subject": m.Subject,
		"message-id": "<" + m.ID + "@tally>", "date": "Thu, 20 Dec 2018 12:00:00 +0000", "body": m.Body,
	}
	have := map[string]string{
		"from": got.From, "to": strings.Join(got.To, ","), "subject": got.Subject(),
		"message-id": got.Header("Message-Id"), "date": got.Header("Date"), "body": got.Body(),
	}
	if diff := cmp.Diff(want, have); diff != "" {
		t.Errorf("mail (-want +got):\n%s", diff)
	}

	srv.Reject("451 try again later")
	if err := s.Send(context.Background(), m); err == nil || notify.IsPermanent(err) {
		t.Errorf("451: err = %v, want a transient error", err)
	}
	srv.Reject("550 no such user")
	if err := s.Send(context.Background(), m); !notify.IsPermanent(err) {
		t.Errorf("550: err = %v, want a permanent error", err)
	}
	if err := s.Send(context.Background(), message(store.Email, "not an address")); !notify.IsPermanent(err) {
		t.Errorf("bad address: err = %v, want a permanent error", err)
	}
}

func TestSMTPUnreachable(t *testing.T) {
	srv := smtptest.NewServer(t)
	addr := srv.Addr
	srv.Close()
	s, err := notify.NewSMTP(notify.SMTPConfig{Addr: addr, From: "tally@example.com", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), message(store.Email, "ops@example.com")); err == nil || notify.IsPermanent(err) {
		t.Errorf("err = %v, want a transient error", err)
	}
	if _, err := notify.NewSMTP(notify.SMTPConfig{Addr: "nohostport", From: "a@b"}); err == nil {
		t.Error("NewSMTP accepted an address without a port")
	}
}

// hook is an HTTP endpoint that records SNS posts.
type hook struct {
	mu     sync.Mutex
	status int
	posts  []notify.SNSNotification
	heads  []http.Header
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.status != 0 {
		w.WriteHeader(h.status)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var n notify.SNSNotification
	if err := json.Unmarshal(b, &n); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h.posts = append(h.posts, n)
	h.heads = append(h.heads, r.Header.Clone())
}

func TestSNSSend(t *testing.T) {
	h := &hook{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	topic := "arn:aws:sns:us-east-1:123456789012:alerts"
	s := &notify.SNSHTTP{Endpoints: map[string]string{topic: srv.URL + "/hook"}}
	m := message(store.SNS, topic)
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := notify.SNSNotification{Type: "Notification", MessageID: m.ID, TopicARN: topic, Subject: m.Subject,
		Message: m.Body, Timestamp: "2018-12-20T12:00:00.000Z", SignatureVersion: "1"}
	if diff := cmp.Diff([]notify.SNSNotification{want}, h.posts); diff != "" {
		t.Errorf("posts (-want +got):\n%s", diff)
	}
	if got := h.heads[0].Get("x-amz-sns-message-type"); got != "Notification" {
		t.Errorf("x-amz-sns-message-type = %q", got)
	}
	if got := h.heads[0].Get("x-amz-sns-topic-arn"); got != topic {
		t.Errorf("x-amz-sns-topic-arn = %q", got)
	}

	for _, tc := range []struct {
		status    int
		permanent bool
	}{{500, false}, {503, false}, {429, false}, {400, true}, {404, true}} {
		h.mu.Lock()
		h.status = tc.status
		h.mu.Unlock()
		err := s.Send(context.Background(), m)
		if err == nil || notify.IsPermanent(err) != tc.permanent {
			t.Errorf("status %d: err = %v, want permanent=%v", tc.status, err, tc.permanent)
		}
	}
	other := message(store.SNS, "arn:aws:sns:us-east-1:123456789012:other")
	if err := s.Send(context.Background(), other); err == nil || notify.IsPermanent(err) {
		t.Errorf("unconfigured topic: err = %v, want a transient error", err)
	}
}

// flaky fails its first n sends.
type flaky struct {
	mu    sync.Mutex
	fails int
	err   error
	sent  []string
}

func (f *flaky) Send(_ context.Context, m store.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return f.err
	}
	f.sent = append(f.sent, m.ID)
	return nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func outcomes(t *testing.T, o *memOutbox) []string {
	t.Helper()
	log, _ := o.Log(context.Background())
	var out []string
	for _, e := range log {
		out = append(out, string(e.Outcome))
	}
	return out
}

func TestDispatcherRetriesWithBackoff(t *testing.T) {
	ctx := context.Background()
	o, clk := newMemOutbox(), &clock{t: t0}
	f := &flaky{fails: 2, err: errors.New("connection refused")}
	d := notify.NewDispatcher(notify.DispatcherConfig{Outbox: o, Senders: map[store.MessageKind]notify.Sender{store.Email: f},
		Now: clk.Now, RetryBase: time.Minute, RetryMax: 90 * time.Second})
	m := message(store.Email, "ops@example.com")
	o.Enqueue(ctx, m, m) // the second is a duplicate
	steps := []struct {
		advance time.Duration
		want    int
	}{{0, 1}, {0, 0}, {59 * time.Second, 0}, {time.Second, 1}, {89 * time.Second, 0}, {time.Second, 1}, {time.Hour, 0}}
	for i, s := range steps {
		clk.Add(s.advance)
		n, err := d.Flush(ctx)
		if err != nil || n != s.want {
			t.Fatalf("step %d: Flush = %d, %v; want %d", i, n, err, s.want)
		}
	}
	if diff := cmp.Diff([]string{"retry", "retry", "sent"}, outcomes(t, o)); diff != "" {
		t.Errorf("log outcomes (-want +got):\n%s", diff)
	}
	if len(f.sent) != 1 {
		t.Errorf("sent %d times, want once", len(f.sent))
	}
	log, _ := o.Log(ctx)
	if want := t0.Add(time.Minute); !log[0].Next.Equal(want) {
		t.Errorf("first retry at %v, want %v", log[0].Next, want)
	}
}

func TestDispatcherGivesUp(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"permanent", notify.Permanent(errors.New("550 no such user")), []string{"failed"}},
		{"max attempts", errors.New("timeout"), []string{"retry", "retry", "failed"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, clk := newMemOutbox(), &clock{t: t0}
			f := &flaky{fails: 100, err: tc.err}
			d := notify.NewDispatcher(notify.DispatcherConfig{Outbox: o, Senders: map[store.MessageKind]notify.Sender{store.Email: f},
				Now: clk.Now, MaxAttempts: 3})
			o.Enqueue(ctx, message(store.Email, "ops@example.com"))
			for range 5 {
				d.Flush(ctx)
				clk.Add(24 * time.Hour)
			}
			if diff := cmp.Diff(tc.want, outcomes(t, o)); diff != "" {
				t.Errorf("log outcomes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDispatcherRunDeliversPendingOnStart(t *testing.T) {
	o, clk := newMemOutbox(), &clock{t: t0}
	ctx := context.Background()
	m := message(store.Email, "ops@example.com")
	o.Enqueue(ctx, m)
	// A failed attempt before the "restart" schedules a retry in an hour of
	// the frozen clock.
	o.Record(ctx, store.Attempt{ID: m.ID, Number: 1, At: t0, Outcome: store.Retry, Error: "down", Next: t0.Add(time.Hour)})
	f := &flaky{}
	d := notify.NewDispatcher(notify.DispatcherConfig{Outbox: o, Senders: map[store.MessageKind]notify.Sender{store.Email: f},
		Now: clk.Now, Poll: 10 * time.Millisecond})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { d.Run(runCtx); close(done) }()
	waitFor(t, func() bool { return len(outcomes(t, o)) == 2 })
	// A message enqueued while running goes out after a Kick.
	m2 := message(store.Email, "other@example.com")
	o.Enqueue(ctx, m2)
	d.Kick()
	waitFor(t, func() bool { return len(outcomes(t, o)) == 3 })
	cancel()
	<-done
	if diff := cmp.Diff([]string{"retry", "sent", "sent"}, outcomes(t, o)); diff != "" {
		t.Errorf("log outcomes (-want +got):\n%s", diff)
	}
}

func TestDispatcherUnconfigured(t *testing.T) {
	o, clk := newMemOutbox(), &clock{t: t0}
	ctx := context.Background()
	d := notify.NewDispatcher(notify.DispatcherConfig{Outbox: o, Now: clk.Now,
		Senders: map[store.MessageKind]notify.Sender{store.Email: notify.Unconfigured("email delivery is not configured")}})
	o.Enqueue(ctx, message(store.Email, "a@example.com"), message(store.SNS, "arn:aws:sns:us-east-1:123456789012:t"))
	d.Flush(ctx)
	log, _ := o.Log(ctx)
	var got []string
	for _, e := range log {
		got = append(got, string(e.Kind)+" "+string(e.Outcome)+": "+e.Error)
	}
	want := []string{"EMAIL retry: email delivery is not configured", "SNS retry: no sender configured for SNS messages"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log (-want +got):\n%s", diff)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// crashOutbox loses the outcome of every attempt, as a crash between the
// receiver's acceptance and the outbox write does.
type crashOutbox struct{ *memOutbox }

func (crashOutbox) Record(context.Context, store.Attempt) error { return nil }

// Delivery is at-least-once: a message whose outcome was lost goes out again
// after a restart, with the same SNS MessageId and email Message-ID, and the
// same bytes, so that receivers can drop the copy.
func TestRedeliveryKeepsMessageIDs(t *testing.T) {
	ctx := context.Background()
	h := &hook{}
	srv := httptest.NewServer(h)
	defer srv.Close()
	mail := smtptest.NewServer(t)
	smtp, err := notify.NewSMTP(notify.SMTPConfig{Addr: mail.Addr, From: "tally@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	topic := "arn:aws:sns:us-east-1:123456789012:alerts"
	senders := map[store.MessageKind]notify.Sender{store.Email: smtp,
		store.SNS: &notify.SNSHTTP{Endpoints: map[string]string{topic: srv.URL}}}
	o := newMemOutbox()
	o.Enqueue(ctx, message(store.SNS, topic), message(store.Email, "ops@example.com"))
	clk := &clock{t: t0}
	before := notify.NewDispatcher(notify.DispatcherConfig{Outbox: crashOutbox{o}, Senders: senders, Now: clk.Now})
	before.Flush(ctx)
	clk.Add(time.Hour)
	after := notify.NewDispatcher(notify.DispatcherConfig{Outbox: o, Senders: senders, Now: clk.Now})
	if n, err := after.Flush(ctx); n != 2 || err != nil {
		t.Fatalf("Flush after the restart = %d, %v; want 2 messages sent again", n, err)
	}
	if len(h.posts) != 2 || len(mail.Mails()) != 2 {
		t.Fatalf("got %d SNS posts and %d mails, want 2 of each", len(h.posts), len(mail.Mails()))
	}
	if diff := cmp.Diff(h.posts[0], h.posts[1]); diff != "" {
		t.Errorf("SNS redelivery differs (-first +second):\n%s", diff)
	}
	if a, b := h.heads[0].Get("x-amz-sns-message-id"), h.heads[1].Get("x-amz-sns-message-id"); a != b || a != h.posts[0].MessageID {
		t.Errorf("x-amz-sns-message-id %q then %q, want both %q", a, b, h.posts[0].MessageID)
	}
	m := mail.Mails()
	for _, hdr := range []string{"Message-Id", "Date", "Subject"} {
		if a, b := m[0].Header(hdr), m[1].Header(hdr); a != b || a == "" {
			t.Errorf("email %s %q then %q, want the same", hdr, a, b)
		}
	}
}
