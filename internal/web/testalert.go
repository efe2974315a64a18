package web

import (
	"errors"
	"net/http"
)

// TestAlertResult is the outcome of one test alert, as the UI shows it.
type TestAlertResult struct {
	Kind    string `json:"kind"`
	Address string `json:"address"`
	// Error is why it was not delivered; "" when it was.
	Error string `json:"error,omitempty"`
}

// testAlert sends a test alert to the recipients of a budget action's
// alerts, as `tally test-alert` does:
// POST /ui/api/test-alert?budget=…&action=… (no body; the signature covers
// the method and the query).
func (h *handler) testAlert(w http.ResponseWriter, r *http.Request) {
	acct, ok := h.caller(w, r)
	if !ok {
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		WriteRefusal(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "send a test alert with POST")
		return
	}
	if h.cfg.TestAlert == nil {
		WriteJSON(w, http.StatusNotFound, apiError{Error: "test alerts are not available"})
		return
	}
	q := r.URL.Query()
	budget, action := q.Get("budget"), q.Get("action")
	if budget == "" || action == "" {
		WriteRefusal(w, http.StatusBadRequest, "InvalidParameterException", "budget and action are required")
		return
	}
	out, err := h.cfg.TestAlert(r.Context(), acct.AccountID, budget, action)
	if err != nil {
		var ref *Refusal
		if errors.As(err, &ref) {
			WriteRefusal(w, ref.Status, ref.Code, ref.Message)
			return
		}
		h.cfg.Logger.Error("web: test alert", "budget", budget, "action", action, "err", err)
		WriteJSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"results": out})
}
