package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/store"
)

// TestWebhook delivers through the outbox to a plain and a Slack-compatible
// receiver that verify the signature; the plain one fails once with a 503,
// which is retried, and a 400 fails for good.
func TestWebhook(t *testing.T) {
	ctx := context.Background()
	secret := []byte("s3cret")
	var mu sync.Mutex
	var got []string
	fails := 1
	o, clk := newMemOutbox(), &clock{t: t0}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		ts := r.Header.Get("X-Tally-Timestamp")
		if r.Header.Get("X-Tally-Signature") != notify.Sign(secret, ts, body) || ts != strconv.FormatInt(clk.Now().Unix(), 10) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			got = append(got, r.URL.Path+": bad signature")
			return
		}
		if r.URL.Path == "/plain" && fails > 0 {
			fails--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/gone" {
			http.Error(w, "no", http.StatusBadRequest)
			return
		}
		var m map[string]any
		json.Unmarshal(body, &m)
		if r.URL.Path == "/slack" {
			got = append(got, "slack: "+m["text"].(string))
		} else {
			got = append(got, "plain: "+m["subject"].(string)+" / "+m["ref"].(string)+" / "+r.Header.Get("X-Tally-Message-Id"))
		}
	}))
	defer srv.Close()

	wh := &notify.Webhook{Slack: map[string]bool{srv.URL + "/slack": true}, Secret: secret, Now: clk.Now}
	d := notify.NewDispatcher(notify.DispatcherConfig{Outbox: o, Now: clk.Now,
		Senders: map[store.MessageKind]notify.Sender{store.Webhook: wh}})
	plain := message(store.Webhook, srv.URL+"/plain")
	o.Enqueue(ctx, plain, message(store.Webhook, srv.URL+"/slack"), message(store.Webhook, srv.URL+"/gone"))
	d.Flush(ctx)
	clk.Add(time.Hour)
	d.Flush(ctx)
	want := []string{
		"slack: *AWS Budgets: team has exceeded your alert threshold*\nBudget Name: team\n.leading dot stays\nActual: 54.75 USD\n",
		"plain: AWS Budgets: team has exceeded your alert threshold / 000000000000/team / " + plain.ID,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"retry", "sent", "failed", "sent"}, outcomes(t, o)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func TestParseWebhook(t *testing.T) {
	for _, tc := range []struct {
		in, url string
		slack   bool
		err     bool
	}{
		{"https://example.com/hook", "https://example.com/hook", false, false},
		{"slack=https://hooks.slack.com/services/T/B/X", "https://hooks.slack.com/services/T/B/X", true, false},
		{"ftp://x", "", false, true},
		{"slack=", "", false, true},
	} {
		u, slack, err := notify.ParseWebhook(tc.in)
		if u != tc.url || slack != tc.slack || (err != nil) != tc.err {
			t.Errorf("ParseWebhook(%q) = %q, %v, %v", tc.in, u, slack, err)
		}
	}
	if !strings.HasPrefix(notify.Sign([]byte("k"), "1", []byte("b")), "sha256=") {
		t.Error("signature without its algorithm")
	}
}
