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

	"golang.org/x/sync/semaphore"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/sigv4"
	"github.com/tallyhq/tally/internal/web"
)

// Config wires the server to the rest of Tally.
type Config struct {
	Logger *slog.Logger
	Keys   *auth.Keys
	// Now is the wall clock that request signatures are checked against
	// and responses are dated by; nil means time.Now. (The services'
	// business clock is separate, so tests can fix it while clients sign
	// with real time.)
	Now func() time.Time
	// API routes both services' operations.
	API *awsjson.Router
	// Web serves everything that is not the API; nil answers 404. Requests
	// to its endpoints under web.APIPath are verified here, signed for
	// web.SigningName, and reach it with their caller in the context.
	Web http.Handler
	// Ingest loads billing files on behalf of `tally ingest`; the paths are
	// local to the server. Its result is sent back as JSON.
	Ingest func(ctx context.Context, paths []string) (any, error)
	// IngestToken authorises the ingest hand-off; it is written to a file
	// only the data directory's owner can read.
	IngestToken string
	// MaxBodyBytes bounds API request bodies.
	MaxBodyBytes int64
	// MaxPendingBodyBytes bounds the bytes of API request bodies being read
	// before their signature is checked, over all requests together; zero
	// means DefaultMaxPendingBodyBytes. It must be more than MaxBodyBytes.
	MaxPendingBodyBytes int64
	// MCP, when set, serves the Model Context Protocol at /mcp; it
	// authenticates its requests itself (package mcp).
	MCP http.Handler
	// Health, when set, tells /healthz whether the store answers.
	Health func(context.Context) error
}

// DefaultMaxPendingBodyBytes is the default of Config.MaxPendingBodyBytes.
const DefaultMaxPendingBodyBytes = 32 << 20

// pendingWait is how long a request waits for room among the bodies being
// read before it is answered ServiceUnavailable, which SDKs retry.
const pendingWait = 10 * time.Second

// Server is Tally's HTTP handler.
type Server struct {
	cfg      Config
	verifier *sigv4.Verifier
	ready    atomic.Bool
	mux      *http.ServeMux
	metrics  *metrics
	// pending holds the bytes of unverified bodies being read.
	pending *semaphore.Weighted
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
	if cfg.MaxPendingBodyBytes <= cfg.MaxBodyBytes {
		cfg.MaxPendingBodyBytes = max(DefaultMaxPendingBodyBytes, 2*(cfg.MaxBodyBytes+1))
	}
	s := &Server{cfg: cfg, verifier: &sigv4.Verifier{Credentials: cfg.Keys, Now: cfg.Now},
		metrics: newMetrics(append(cfg.API.Targets(), stsTarget)), pending: semaphore.NewWeighted(cfg.MaxPendingBodyBytes)}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /metrics", s.metrics.serve)
	s.mux.HandleFunc("POST /_tally/ingest", s.ingest)
	s.mux.HandleFunc(web.APIPath, s.ui)
	if cfg.MCP != nil {
		s.mux.Handle("/mcp", cfg.MCP)
	}
	s.mux.HandleFunc("/", s.root)
	return s
}

// CloseStreams ends long-lived responses, the MCP event streams, so that a
// graceful shutdown need not wait for clients to leave; register it with
// http.Server.RegisterOnShutdown.
func (s *Server) CloseStreams() {
	if c, ok := s.cfg.MCP.(interface{ Close() }); ok {
		c.Close()
	}
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
	if isQueryRequest(r) {
		s.query(w, r) // STS GetCallerIdentity
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/" {
		s.api(w, r) // without a target the router explains
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

// api serves one AWS JSON request: check the signature's header, read the
// body within its limits, verify the signature for the target's service,
// then dispatch.
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
	w.Header().Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
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
	// Only a request signed by a known key, at the right time, for this
	// service, gets its body read.
	if _, err := s.verifier.VerifyHeader(signedRequest(r, nil), svc.SigningName); err != nil {
		return s.cfg.API.RenderError(ctx, refusal(err))
	}
	body, release, e := s.readBody(r)
	if e != nil {
		return s.cfg.API.RenderError(ctx, e)
	}
	acct, e := s.authenticate(r, svc.SigningName, body)
	release()
	if e != nil {
		return s.cfg.API.RenderError(ctx, e)
	}
	return s.cfg.API.Dispatch(auth.WithCaller(ctx, acct), target, body)
}

// readBody reads an API request's body within MaxBodyBytes, holding room
// for it among the bodies being read before verification; release gives
// that room back.
func (s *Server) readBody(r *http.Request) (body []byte, release func(), _ *awsjson.Error) {
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, nil, tooLarge(limit)
	}
	room := limit + 1 // a body of unknown length may be one byte too long
	if r.ContentLength >= 0 {
		room = r.ContentLength
	}
	ctx, cancel := context.WithTimeout(r.Context(), pendingWait)
	defer cancel()
	if err := s.pending.Acquire(ctx, room); err != nil {
		return nil, nil, &awsjson.Error{Type: "ServiceUnavailable", Status: http.StatusServiceUnavailable,
			Message: "the server is receiving too many request bodies; retry later"}
	}
	s.metrics.pendingBytes.Add(room)
	release = func() {
		s.metrics.pendingBytes.Add(-room)
		s.pending.Release(room)
	}
	var err error
	if r.ContentLength >= 0 {
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
	} else {
		body, err = io.ReadAll(io.LimitReader(r.Body, room))
	}
	if err != nil {
		release()
		return nil, nil, awsjson.Serialization("cannot read the request body: %v", err)
	}
	if int64(len(body)) > limit {
		release()
		return nil, nil, tooLarge(limit)
	}
	return body, release, nil
}

func tooLarge(limit int64) *awsjson.Error {
	return &awsjson.Error{Type: "RequestEntityTooLargeException", Status: http.StatusRequestEntityTooLarge,
		Message: fmt.Sprintf("the request body exceeds the limit of %d bytes", limit)}
}

// ui is the door of the UI's endpoints: their requests carry no body and
// are signed for web.SigningName; refusals take the UI's error shape.
func (s *Server) ui(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Web == nil {
		http.NotFound(w, r)
		return
	}
	acct, e := s.authenticate(r, web.SigningName, nil)
	if e != nil {
		web.WriteRefusal(w, e.Status, e.Type, e.Message)
		return
	}
	s.cfg.Web.ServeHTTP(w, r.WithContext(auth.WithCaller(r.Context(), acct)))
}

// authenticate verifies the signature of r, with body, for service and
// returns the account that signed it. It is the one place where requests
// are verified and their refusals chosen.
func (s *Server) authenticate(r *http.Request, service string, body []byte) (auth.Account, *awsjson.Error) {
	res, err := s.verifier.Verify(signedRequest(r, body), service)
	if err != nil {
		return auth.Account{}, refusal(err)
	}
	acct, ok := s.cfg.Keys.Lookup(res.AccessKeyID)
	if !ok { // the verifier knows the keys the server knows
		return auth.Account{}, refusal(&sigv4.Error{Code: sigv4.CodeUnrecognizedClient, Status: http.StatusForbidden,
			Message: "The security token included in the request is invalid."})
	}
	return acct, nil
}

// signedRequest is what the verifier needs of r.
func signedRequest(r *http.Request, body []byte) *sigv4.Request {
	return &sigv4.Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Host: r.Host, Header: r.Header, Body: body}
}

// refusal maps a failed verification to the error the client gets.
func refusal(err error) *awsjson.Error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return &awsjson.Error{Type: se.Code, Status: se.Status, Message: se.Message}
	}
	return &awsjson.Error{Type: sigv4.CodeIncompleteSignature, Status: http.StatusForbidden, Message: err.Error()}
}

type ingestRequest struct {
	Paths []string `json:"paths"`
}

// ingest is the hand-off of `tally ingest` to a running server.
func (s *Server) ingest(w http.ResponseWriter, r *http.Request) {
	tok := r.Header.Get("X-Tally-Token")
	if s.cfg.Ingest == nil || s.cfg.IngestToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.IngestToken)) != 1 {
		web.WriteJSON(w, http.StatusForbidden, map[string]string{"error": "missing or wrong ingest token"})
		return
	}
	var req ingestRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || len(req.Paths) == 0 {
		web.WriteJSON(w, http.StatusBadRequest, map[string]string{"error": "want a JSON body {\"paths\": [...]}"})
		return
	}
	res, err := s.cfg.Ingest(r.Context(), req.Paths)
	if err != nil {
		web.WriteJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": err.Error()})
		return
	}
	web.WriteJSON(w, http.StatusOK, res)
}
