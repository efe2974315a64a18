package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
)

// SigningName is the SigV4 service name of the UI's endpoints.
const SigningName = "tally"

// APIPath is the path prefix of the UI's JSON endpoints. The server verifies
// their requests, signed for SigningName, and passes them on with the
// caller in their context (auth.WithCaller).
const APIPath = "/ui/api/"

// apiError is the body of a failed UI endpoint request.
type apiError struct {
	Error string `json:"error"`
	// Code is the AWS error code when the signature was refused.
	Code string `json:"code,omitempty"`
}

// WriteJSON answers v as JSON with status, not to be cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// WriteRefusal answers a refused request to the UI's endpoints in the shape
// the pages read: the message and the AWS error code.
func WriteRefusal(w http.ResponseWriter, status int, code, message string) {
	WriteJSON(w, status, apiError{Error: message, Code: code})
}

// caller returns the account the server verified the request came from;
// without one (a handler not mounted behind the server) it has refused the
// request.
func (h *handler) caller(w http.ResponseWriter, r *http.Request) (auth.Account, bool) {
	acct, ok := auth.Caller(r.Context())
	if !ok {
		WriteRefusal(w, http.StatusForbidden, "MissingAuthenticationTokenException", "Request is missing Authentication Token")
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
	WriteJSON(w, http.StatusOK, whoamiResponse{AccessKeyID: acct.AccessKeyID, AccountID: acct.AccountID, All: acct.All})
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
	// Watches are the watched sources the caller may see.
	Watches []watchJSON `json:"watches"`
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
	var periods []Period
	if h.cfg.Periods != nil {
		var err error
		if periods, err = h.cfg.Periods(r.Context()); err != nil {
			h.cfg.Logger.Error("web: list periods", "err", err)
			WriteJSON(w, http.StatusInternalServerError, apiError{Error: "cannot list the stored billing periods; see the server log"})
			return
		}
	}
	var payers []string
	if h.cfg.Payers != nil && !acct.All {
		var err error
		if payers, err = h.cfg.Payers(r.Context(), acct.AccountID); err != nil {
			h.cfg.Logger.Error("web: payers of an account", "account", acct.AccountID, "err", err)
			WriteJSON(w, http.StatusInternalServerError, apiError{Error: "cannot list the stored billing periods; see the server log"})
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
	var watches []WatchSource
	if h.cfg.Watches != nil {
		watches = h.cfg.Watches()
	}
	resp := visibleData(acct, payers, periods, entries, watches)
	resp.Now = now.UTC()
	resp.PeriodsAvailable = h.cfg.Periods != nil
	WriteJSON(w, http.StatusOK, resp)
}

// payer returns the payer account (or billing account) of a source name:
// its last colon-separated part ("cur:123456789012" -> "123456789012").
func payer(source string) string {
	return source[strings.LastIndexByte(source, ':')+1:]
}

// visibleData applies the account rules of DESIGN §3 to the Data page. The
// test identity sees everything. An account sees the full detail of the
// sources it pays for and, of the sources whose data holds its own lines
// (its payers, from payers), the month, format, state and ingest time, which
// tell it how fresh and how final its numbers are; it sees nothing of any
// other source. Watched sources follow visibleWatches. Ingests are shown to an account that pays for a source they
// replaced, with that source's periods only. Failed ingests replaced nothing
// and name server paths: they are shown to the operator only, the test
// identity or the payer of every stored source.
func visibleData(acct auth.Account, payers []string, periods []Period, entries []IngestEntry, watches []WatchSource) dataResponse {
	resp := dataResponse{Periods: []periodJSON{}, Ingests: []ingestJSON{}}
	pays := func(source string) bool { return acct.All || payer(source) == acct.AccountID }
	operator := acct.All || len(periods) > 0
	for _, p := range periods {
		pj := periodJSON{Source: p.Period.Source, Month: p.Period.Month.UTC().Format("2006-01"), Format: p.Format,
			Final: p.Final, IngestedAt: p.IngestedAt.UTC(), Currency: p.Currency}
		switch {
		case pays(p.Period.Source):
			pj.Detail, pj.InvoiceID, pj.Rows, pj.Files = true, p.InvoiceID, p.Rows, p.Files
		case slices.Contains(payers, payer(p.Period.Source)):
			resp.Limited = true
			operator = false
		default:
			operator = false
			continue
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
	resp.Watches = visibleWatches(pays, operator, watches)
	return resp
}

// Period is one stored billing period of one source, as the store
// describes it.
type Period struct {
	Period     billing.BillingPeriod
	Format     string
	Final      bool
	InvoiceID  string
	Rows       int64
	Files      []string
	IngestedAt time.Time
	// Currency is the billing currency of the period's lines.
	Currency string
}
