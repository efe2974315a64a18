// Package server composes Tally's HTTP port: the AWS JSON API of both
// services (POST / with X-Amz-Target), the web UI, /healthz, /metrics and the
// local ingest hand-off used by `tally ingest` while a server runs.
package server

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/sigv4"
)

// Config wires the server to the rest of Tally.
type Config struct {
	Logger *slog.Logger
	Keys   *auth.Keys
	// Now is the wall clock that request signatures are checked against;
	// nil means time.Now. (The services' business clock is separate, so
	// tests can fix it while clients sign with real time.)
	Now func() time.Time
	// API routes both services' operations.
	API *awsjson.Router
	// Web serves everything that is not the API; nil answers 404.
	Web http.Handler
	// Ingest loads billing files on behalf of `tally ingest`; the paths are
	// local to the server. Its result is sent back as JSON.
	Ingest func(ctx context.Context, paths []string) (any, error)
	// IngestToken authorises the ingest hand-off; it is written to a file
	// only the data directory's owner can read.
	IngestToken string
	// MaxBodyBytes bounds API request bodies.
	MaxBodyBytes int64
	// Health, when set, tells /healthz whether the store answers.
	Health func(context.Context) error
}

// Server is Tally's HTTP handler.
type Server struct {
	cfg      Config
	verifier *sigv4.Verifier
	ready    atomic.Bool
	mux      *http.ServeMux
	metrics  metrics
}

// New returns a server that is not yet ready; call SetReady once the store
// is open.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = awsjson.DefaultMaxBodyBytes
	}
	s := &Server{cfg: cfg, verifier: &sigv4.Verifier{Credentials: cfg.Keys, Now: cfg.Now}}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /metrics", s.metrics.serve)
	s.mux.HandleFunc("POST /_tally/ingest", s.ingest)
	s.mux.HandleFunc("/", s.root)
	return s
}

// SetReady marks the server ready: /healthz answers 200 from now on.
func (s *Server) SetReady() { s.ready.Store(true) }

// ServeHTTP recovers from panics so that no request crashes the process.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.cfg.Logger.Error("panic serving request", "path", r.URL.Path, "panic", p)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	s.mux.ServeHTTP(w, r)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	if s.cfg.Health != nil {
		if err := s.cfg.Health(r.Context()); err != nil {
			s.cfg.Logger.Error("health check failed", "err", err)
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
	}
	io.WriteString(w, "ok\n")
}

func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.URL.Path == "/" && r.Header.Get("X-Amz-Target") != "" {
		s.api(w, r)
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" {
		s.api(w, r) // no target: the router explains
		return
	}
	if s.cfg.Web != nil {
		s.cfg.Web.ServeHTTP(w, r)
		return
	}
	http.NotFound(w, r)
}

// newRequestID returns an id in the form AWS uses (a UUID).
func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// api serves one AWS JSON request: read the body within its limit, verify
// the signature for the target's service, then dispatch.
func (s *Server) api(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	id := newRequestID()
	ctx := awsjson.WithRequestID(r.Context(), id)
	target := r.Header.Get("X-Amz-Target")
	resp := s.handleAPI(ctx, r, target)
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("x-amzn-RequestId", id)
	// The SDKs correct their clock from Date after a signature-expired error.
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
	s.metrics.observe(target, resp.Status, s.cfg.Now().Sub(start))
	s.cfg.Logger.Debug("api", "request_id", id, "target", target, "status", resp.Status)
}

func (s *Server) handleAPI(ctx context.Context, r *http.Request, target string) awsjson.Response {
	svc, ok := s.cfg.API.Service(target)
	if !ok {
		return s.cfg.API.Dispatch(ctx, target, nil) // UnknownOperationException
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		return s.cfg.API.RenderError(ctx, awsjson.Serialization("cannot read the request body: %v", err))
	}
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		return s.cfg.API.RenderError(ctx, &awsjson.Error{Type: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("the request body exceeds the limit of %d bytes", s.cfg.MaxBodyBytes)})
	}
	res, err := s.verifier.Verify(&sigv4.Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Host: r.Host, Header: r.Header, Body: body}, svc.SigningName)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return s.cfg.API.RenderError(ctx, &awsjson.Error{Type: se.Code, Status: se.Status, Message: se.Message})
		}
		return s.cfg.API.RenderError(ctx, &awsjson.Error{Type: "IncompleteSignatureException", Status: http.StatusForbidden, Message: err.Error()})
	}
	acct, _ := s.cfg.Keys.Lookup(res.AccessKeyID)
	return s.cfg.API.Dispatch(auth.WithCaller(ctx, acct), target, body)
}

type ingestRequest struct {
	Paths []string `json:"paths"`
}

// ingest is the hand-off of `tally ingest` to a running server.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	tok := r.Header.Get("X-Tally-Token")
	if s.cfg.Ingest == nil || s.cfg.IngestToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.IngestToken)) != 1 {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "missing or wrong ingest token"})
		return
	}
	var req ingestRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || len(req.Paths) == 0 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want a JSON body {\"paths\": [...]}"})
		return
	}
	res, err := s.cfg.Ingest(r.Context(), req.Paths)
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, res)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
