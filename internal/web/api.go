package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/sigv4"
	"github.com/tallyhq/tally/internal/store"
)

// SigningName is the SigV4 service name of the UI's endpoints.
const SigningName = "tally"

// apiError is the body of a failed UI endpoint request.
type apiError struct {
	Error string `json:"error"`
	// Code is the SigV4 error code when the signature was refused.
	Code string `json:"code,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// caller verifies the request's signature and returns the account behind
// it; on failure it has answered the request.
func (h *handler) caller(w http.ResponseWriter, r *http.Request) (auth.Account, bool) {
	res, err := h.verifier.Verify(&sigv4.Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Host: r.Host, Header: r.Header}, SigningName)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			writeJSON(w, se.Status, apiError{Error: se.Message, Code: se.Code})
			return auth.Account{}, false
		}
		writeJSON(w, http.StatusForbidden, apiError{Error: err.Error(), Code: "IncompleteSignatureException"})
		return auth.Account{}, false
	}
	acct, ok := h.cfg.Keys.Lookup(res.AccessKeyID)
	if !ok {
		writeJSON(w, http.StatusForbidden, apiError{Error: "unknown access key", Code: "UnrecognizedClientException"})
	}
	return acct, ok
}

// whoamiResponse identifies the signed-in caller.
type whoamiResponse struct {
	AccessKeyID string `json:"accessKeyId"`
	AccountID   string `json:"accountId"`
	// All is set for the built-in test identity, which sees every account.
	All bool `json:"all"`
}

// whoami answers who signed the request; the sign-in form uses it to check
// a key and secret before keeping them.
func (h *handler) whoami(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.caller(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, whoamiResponse{AccessKeyID: acct.AccessKeyID, AccountID: acct.AccountID, All: acct.All})
}

// periodJSON is one stored billing period as the Data page shows it.
// Callers that do not pay for the source see its month and state only.
type periodJSON struct {
	Source     string    `json:"source"`
	Month      string    `json:"month"`
	Format     string    `json:"format"`
	Final      bool      `json:"final"`
	IngestedAt time.Time `json:"ingestedAt"`
	Currency   string    `json:"currency,omitempty"`
	Detail     bool      `json:"detail"`
	InvoiceID  string    `json:"invoiceId,omitempty"`
	Rows       int64     `json:"rows,omitempty"`
	Files      []string  `json:"files,omitempty"`
}

// ingestJSON is one recent ingest.
type ingestJSON struct {
	At      time.Time `json:"at"`
	Paths   []string  `json:"paths"`
	Periods []string  `json:"periods"`
	Rows    int64     `json:"rows"`
	Error   string    `json:"error,omitempty"`
}

// dataResponse is the body of GET /ui/api/data.
type dataResponse struct {
	Now     time.Time    `json:"now"`
	Periods []periodJSON `json:"periods"`
	Ingests []ingestJSON `json:"ingests"`
	// Limited is set when some periods are shown without their detail
	// because the caller does not pay for their source.
	Limited bool `json:"limited"`
	// PeriodsAvailable is false when the server keeps no period list.
	PeriodsAvailable bool `json:"periodsAvailable"`
}

// data answers what the store holds and how recent ingests went.
func (h *handler) data(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.caller(w, r)
	if !ok {
		return
	}
	var periods []store.PeriodStatus
	if h.cfg.Periods != nil {
		var err error
		if periods, err = h.cfg.Periods(r.Context()); err != nil {
			h.cfg.Logger.Error("web: list periods", "err", err)
			writeJSON(w, http.StatusInternalServerError, apiError{Error: "cannot list the stored billing periods; see the server log"})
			return
		}
	}
	var entries []IngestEntry
	if h.cfg.Ingests != nil {
		entries = h.cfg.Ingests.Recent()
	}
	now := h.cfg.Now()
	for i, p := range periods { // the rule Cost Explorer's Estimated follows
		periods[i].Final = billing.Final(p.Period.Month, p.Final, p.IngestedAt, now)
	}
	resp := visibleData(acct, periods, entries)
	resp.Now = now.UTC()
	resp.PeriodsAvailable = h.cfg.Periods != nil
	writeJSON(w, http.StatusOK, resp)
}

// payer returns the payer account (or billing account) of a source name:
// its last colon-separated part ("cur:123456789012" -> "123456789012").
func payer(source string) string {
	return source[strings.LastIndexByte(source, ':')+1:]
}

// visibleData applies the account rules of DESIGN §3 to the Data page: the
// test identity sees everything; an account sees the full detail of the
// sources it pays for and, of the others, the month, format, state and
// ingest time, which tell it how fresh and how final its numbers are. Ingest
// failures name server paths and are shown to operators only: the test
// identity and accounts that pay for some stored source.
func visibleData(acct auth.Account, periods []store.PeriodStatus, entries []IngestEntry) dataResponse {
	resp := dataResponse{Periods: []periodJSON{}, Ingests: []ingestJSON{}}
	pays := func(source string) bool { return acct.All || payer(source) == acct.AccountID }
	operator := acct.All
	for _, p := range periods {
		pj := periodJSON{Source: p.Period.Source, Month: p.Period.Month.UTC().Format("2006-01"), Format: p.Format,
			Final: p.Final, IngestedAt: p.IngestedAt.UTC(), Currency: p.Currency}
		if pays(p.Period.Source) {
			operator = true
			pj.Detail, pj.InvoiceID, pj.Rows, pj.Files = true, p.InvoiceID, p.Rows, p.Files
		} else {
			resp.Limited = true
		}
		resp.Periods = append(resp.Periods, pj)
	}
	sort.SliceStable(resp.Periods, func(i, j int) bool {
		a, b := resp.Periods[i], resp.Periods[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Month > b.Month
	})
	for _, e := range entries {
		ij := ingestJSON{At: e.At, Paths: e.Paths, Periods: []string{}, Rows: e.Rows, Error: e.Err}
		mine, all := false, true
		for _, p := range e.Periods {
			if pays(p.Source) {
				mine = true
				ij.Periods = append(ij.Periods, p.String())
			} else {
				all = false
			}
		}
		if !all {
			ij.Rows = 0 // the count would include other payers' lines
		}
		if (e.Err != "" && operator) || mine {
			resp.Ingests = append(resp.Ingests, ij)
		}
	}
	return resp
}
