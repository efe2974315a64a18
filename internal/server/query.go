package server

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/sigv4"
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
	w.Header().Set("Date", time.Now().UTC().Format(http.TimeFormat))
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
	s.metrics.observe("STS", resp.Status, s.cfg.Now().Sub(start))
	s.cfg.Logger.Debug("api", "request_id", id, "service", "sts", "status", resp.Status)
}

func (s *Server) handleQuery(r *http.Request, id string) sts.Response {
	body, err := io.ReadAll(io.LimitReader(r.Body, s.cfg.MaxBodyBytes+1))
	if err != nil {
		return sts.RenderError(&sts.Error{Code: "MalformedQueryString", Status: 400, Message: fmt.Sprintf("cannot read the request body: %v", err)}, id)
	}
	if int64(len(body)) > s.cfg.MaxBodyBytes {
		return sts.RenderError(&sts.Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("the request body exceeds the limit of %d bytes", s.cfg.MaxBodyBytes)}, id)
	}
	res, err := s.verifier.Verify(&sigv4.Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Host: r.Host, Header: r.Header, Body: body}, sts.SigningName)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return sts.RenderError(sts.SignatureError(se.Code, se.Message, se.Status), id)
		}
		return sts.RenderError(&sts.Error{Code: "IncompleteSignature", Status: http.StatusForbidden, Message: err.Error()}, id)
	}
	acct, _ := s.cfg.Keys.Lookup(res.AccessKeyID)
	return sts.Handle(auth.WithCaller(r.Context(), acct), body, id)
}
