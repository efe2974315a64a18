package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/auth"
)

func TestSplitChargesEndpoint(t *testing.T) {
	var gotCaller auth.Account
	var gotArgs string
	h := Handler(Config{Keys: auth.TestKeys(), Now: func() time.Time { return testNow },
		SplitCharges: func(ctx context.Context, arn, month, metric string) (any, error) {
			gotCaller, _ = auth.Caller(ctx)
			gotArgs = arn + " " + month + " " + metric
			switch arn {
			case "missing":
				return nil, &Refusal{Status: 404, Code: "ResourceNotFoundException", Message: "No Cost Category missing"}
			case "broken":
				return nil, errors.New("disk on fire")
			}
			return map[string]string{"name": "Teams"}, nil
		}})
	w := serve(h, as("/ui/api/split-charges?arn=arn:x&month=2024-11&metric=AmortizedCost", "test"))
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"name":"Teams"}` || w.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("status %d body %s", w.Code, w.Body)
	}
	if gotArgs != "arn:x 2024-11 AmortizedCost" || gotCaller.AccountID != accounts["test"].AccountID {
		t.Errorf("called with %q as %+v", gotArgs, gotCaller)
	}
	for _, tc := range []struct {
		path string
		code int
		body string
	}{
		{"/ui/api/split-charges?month=2024-11", 400, "ValidationException"},
		{"/ui/api/split-charges?arn=missing&month=2024-11", 404, "ResourceNotFoundException"},
		{"/ui/api/split-charges?arn=broken&month=2024-11", 500, "internal error"},
	} {
		w := serve(h, as(tc.path, "test"))
		if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.body) || strings.Contains(w.Body.String(), "disk on fire") {
			t.Errorf("%s: status %d body %s, want %d with %s", tc.path, w.Code, w.Body, tc.code, tc.body)
		}
	}
	// Unverified requests are refused; without the func the view is absent.
	w = serve(h, httptest.NewRequest(http.MethodGet, "/ui/api/split-charges?arn=arn:x&month=2024-11", nil))
	if w.Code != 403 {
		t.Errorf("unsigned: status %d", w.Code)
	}
	w = serve(Handler(Config{Keys: auth.TestKeys()}), as("/ui/api/split-charges?arn=arn:x&month=2024-11", "test"))
	if w.Code != 404 {
		t.Errorf("without SplitCharges: status %d", w.Code)
	}
}
