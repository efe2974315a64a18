package web

import (
	"bytes"
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/auth"
)

//go:embed static
var staticFiles embed.FS

// Config wires the UI to the rest of Tally.
type Config struct {
	// Keys are the server's access keys. Built-in test keys (Keys.Test) put
	// the UI in test mode: the pages sign with test/test and need no
	// sign-in. (The server verifies the UI's requests; see APIPath.)
	Keys *auth.Keys
	// Now is the services' business clock: pages resolve relative ranges
	// ("last month", the current budget period) by it, so that they agree
	// with the API even when the browser's clock is wrong or the server runs
	// under a test clock.
	Now func() time.Time
	// WallClock is the clock request signatures are checked against, the
	// server's (server.Config.Now); nil means time.Now. Pages date their
	// signatures by it.
	WallClock func() time.Time
	// Periods lists the stored billing periods for the Data page; nil
	// leaves that part of the page empty.
	Periods func(ctx context.Context) ([]Period, error)
	// Payers returns the payer accounts whose data holds lines account may
	// see (as their payer or as a linked account); the Data page shows it
	// their periods. Nil shows an account the sources it pays for only.
	Payers func(ctx context.Context, account string) ([]string, error)
	// Ingests holds the outcomes of recent ingests; nil shows none.
	Ingests *IngestLog
	// Watches returns the state of the sources `tally serve --watch` polls;
	// nil shows none.
	Watches func() []WatchSource
	// SplitCharges answers GET APIPath+"split-charges": the split charges of
	// the cost category arn in month ("YYYY-MM") for metric ("" for
	// UnblendedCost), as the caller in ctx may read them: a Tally-only view,
	// since AWS shows the split only on a category's own page, not in Cost
	// Explorer. A *Refusal is answered with its status and code; nil answers
	// that the view is not available.
	SplitCharges func(ctx context.Context, arn, month, metric string) (any, error)
	// TestAlert answers POST APIPath+"test-alert": it sends a test alert
	// to the recipients of the alerts of an action of account's budget
	// (see budgets.Service.TestAlertRecipients). A *Refusal is answered with
	// its status and code; nil answers that test alerts are not available.
	TestAlert func(ctx context.Context, account, budget, actionID string) ([]TestAlertResult, error)
	// SplitPreview answers the same view with split charge rules not saved
	// yet (rules: a JSON array of SplitChargeRules, as the API takes them)
	// in place of the category's: GET APIPath+"split-charges" with a rules
	// parameter. Nil answers that previews are not available.
	SplitPreview func(ctx context.Context, arn, month, metric, rules string) (any, error)
	// Version and Profile are shown in the page footer.
	Version, Profile string
	Logger           *slog.Logger
}

// pages are the paths the single-page app answers; each serves the same
// document and the app draws the page from the path.
var pages = map[string]bool{
	"/": true, "/explorer": true, "/budgets": true, "/commitments": true, "/tags": true, "/categories": true, "/data": true, "/signin": true, "/compare": true,
}

// contentSecurityPolicy allows the page to load nothing but its own embedded
// files and to talk to nothing but its own server.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// handler serves the UI.
type handler struct {
	cfg    Config
	assets http.Handler
	index  *template.Template
}

// Handler returns the UI's handler: the pages, their embedded assets under
// /ui/, and the read-only JSON endpoints under APIPath, which answer only
// requests whose caller the server verified. It answers 404 for anything
// else, so it can be mounted as the server's fallback.
func Handler(cfg Config) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WallClock == nil {
		cfg.WallClock = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Keys == nil {
		cfg.Keys = &auth.Keys{}
	}
	sub, err := fs.Sub(staticFiles, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	h := &handler{
		cfg:    cfg,
		assets: http.StripPrefix("/ui/", http.FileServerFS(sub)),
		index:  template.Must(template.ParseFS(sub, "index.html")),
	}
	mux := http.NewServeMux()
	mux.HandleFunc(APIPath+"whoami", h.whoami)
	mux.HandleFunc(APIPath+"data", h.data)
	mux.HandleFunc(APIPath+"split-charges", h.splitCharges)
	mux.HandleFunc(APIPath+"test-alert", h.testAlert)
	mux.HandleFunc(APIPath, func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusNotFound, apiError{Error: "no such UI endpoint"})
	})
	mux.HandleFunc("/ui/", h.asset)
	mux.HandleFunc("/", h.page)
	return securityHeaders(readOnly(mux))
}

// readOnly answers 405 to anything but GET and HEAD: the UI changes nothing
// itself (changes go through the signed AWS API). The one exception is
// POST test-alert, which sends a test alert to recipients the caller's
// budget action already names.
func readOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The one endpoint that acts: it checks its method itself.
		if r.Method != http.MethodGet && r.Method != http.MethodHead && r.URL.Path != APIPath+"test-alert" {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// asset serves an embedded file. Assets change with the binary, so the
// browser revalidates them on every load.
func (h *handler) asset(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/ui/index.html" || strings.HasSuffix(r.URL.Path, "/") {
		http.NotFound(w, r) // the document is served at the page paths only
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	h.assets.ServeHTTP(w, r)
}

// pageData is what the document carries for the app, as data attributes
// (the content security policy forbids inline scripts).
type pageData struct {
	TestMode bool
	Now      string
	Clock    string
	Version  string
	Profile  string
}

// page serves the app's document for every page path.
func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	if !pages[r.URL.Path] {
		http.NotFound(w, r)
		return
	}
	var buf bytes.Buffer
	err := h.index.Execute(&buf, pageData{
		TestMode: h.cfg.Keys.Test,
		Now:      h.cfg.Now().UTC().Format(time.RFC3339),
		Clock:    h.cfg.WallClock().UTC().Format(time.RFC3339Nano),
		Version:  h.cfg.Version,
		Profile:  h.cfg.Profile,
	})
	if err != nil {
		h.cfg.Logger.Error("web: render page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
