package server

import (
	"mime"
	"net/http"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/sts"
)

// isQueryRequest reports whether r is an AWS query protocol request (STS):
// a POST to / without X-Amz-Target whose body is a form.
func isQueryRequest(r *http.Request) bool {
	if r.Method != http.MethodPost || r.URL.Path != "/" || r.Header.Get("X-Amz-Target") != "" {
		return false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == sts.FormContentType
}

// query serves one STS request: read the body within its limit, verify the
// signature for service sts, then let package sts answer in XML.
func (s *Server) query(w http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	id := newRequestID()
	resp := s.handleQuery(r, id)
	w.Header().Set("Content-Type", sts.ContentType)
	w.Header().Set("x-amzn-RequestId", id)
	w.Header().Set("Date", s.cfg.Now().UTC().Format(http.TimeFormat))
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
	s.metrics.observe(stsTarget, resp.Status, s.cfg.Now().Sub(start))
	s.cfg.Logger.Debug("api", "request_id", id, "service", "sts", "status", resp.Status)
}

func (s *Server) handleQuery(r *http.Request, id string) sts.Response {
	// The same door as the JSON API: the header first, then the body
	// within the shared budget, then the signature over it.
	if _, err := s.verifier.VerifyHeader(signedRequest(r, nil), sts.SigningName); err != nil {
		e := refusal(err)
		return sts.RenderError(sts.SignatureError(e.Type, e.Message, e.Status), id)
	}
	body, release, e := s.readBody(r)
	if e != nil {
		return sts.RenderError(&sts.Error{Code: e.Type, Status: e.Status, Message: e.Message}, id)
	}
	defer release()
	acct, e := s.authenticate(r, sts.SigningName, body)
	if e != nil {
		return sts.RenderError(sts.SignatureError(e.Type, e.Message, e.Status), id)
	}
	return sts.Handle(auth.WithCaller(r.Context(), acct), body, id)
}

// stsTarget labels STS requests in /metrics.
const stsTarget = "STS.GetCallerIdentity"
