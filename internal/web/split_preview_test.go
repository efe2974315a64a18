package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/auth"
)

func TestSplitPreviewEndpoint(t *testing.T) {
	var got string
	h := Handler(Config{Keys: auth.TestKeys(), Now: func() time.Time { return testNow },
		SplitCharges: func(ctx context.Context, arn, month, metric string) (any, error) {
			got = "saved " + arn
			return map[string]string{}, nil
		},
		SplitPreview: func(ctx context.Context, arn, month, metric, rules string) (any, error) {
			got = "preview " + arn + " " + month + " " + rules
			return map[string]string{}, nil
		}})
	rules := `[{"Source":"Shared","Targets":["A","B"],"Method":"EVEN"}]`
	w := serve(h, as("/ui/api/split-charges?arn=arn:x&month=2024-11&rules="+url.QueryEscape(rules), "test"))
	if w.Code != 200 || got != "preview arn:x 2024-11 "+rules {
		t.Errorf("with rules: status %d, called %q", w.Code, got)
	}
	w = serve(h, as("/ui/api/split-charges?arn=arn:x&month=2024-11", "test"))
	if w.Code != 200 || got != "saved arn:x" {
		t.Errorf("without rules: status %d, called %q", w.Code, got)
	}
	// Without the preview func, rules are refused rather than ignored.
	h = Handler(Config{Keys: auth.TestKeys(), Now: func() time.Time { return testNow },
		SplitCharges: func(ctx context.Context, arn, month, metric string) (any, error) { return map[string]string{}, nil }})
	w = serve(h, as("/ui/api/split-charges?arn=arn:x&month=2024-11&rules=%5B%5D", "test"))
	if w.Code != 404 || !strings.Contains(w.Body.String(), "previews are not available") {
		t.Errorf("without SplitPreview: status %d body %s", w.Code, w.Body)
	}
}
