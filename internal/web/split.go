package web

import (
	"errors"
	"net/http"
)

// Refusal is a request the UI's endpoints refuse with an AWS error code, as
// a Config func reports it.
type Refusal struct {
	Status        int
	Code, Message string
}

func (r *Refusal) Error() string { return r.Code + ": " + r.Message }

// splitCharges answers the split charges of a cost category in a month:
// GET /ui/api/split-charges?arn=…&month=YYYY-MM[&metric=…][&rules=…], rules
// being split charge rules to preview in place of the saved ones.
func (h *handler) splitCharges(w http.ResponseWriter, r *http.Request) {
	if _, ok := h.caller(w, r); !ok {
		return
	}
	if h.cfg.SplitCharges == nil {
		WriteJSON(w, http.StatusNotFound, apiError{Error: "split charges are not available"})
		return
	}
	q := r.URL.Query()
	arn, month := q.Get("arn"), q.Get("month")
	if arn == "" || month == "" {
		WriteRefusal(w, http.StatusBadRequest, "ValidationException", "arn and month (YYYY-MM) are required")
		return
	}
	var out any
	var err error
	if q.Has("rules") {
		if h.cfg.SplitPreview == nil {
			WriteJSON(w, http.StatusNotFound, apiError{Error: "split charge previews are not available"})
			return
		}
		out, err = h.cfg.SplitPreview(r.Context(), arn, month, q.Get("metric"), q.Get("rules"))
	} else {
		out, err = h.cfg.SplitCharges(r.Context(), arn, month, q.Get("metric"))
	}
	if err != nil {
		var ref *Refusal
		if errors.As(err, &ref) {
			WriteRefusal(w, ref.Status, ref.Code, ref.Message)
			return
		}
		h.cfg.Logger.Error("web: split charges", "arn", arn, "month", month, "err", err)
		WriteJSON(w, http.StatusInternalServerError, apiError{Error: "internal error"})
		return
	}
	WriteJSON(w, http.StatusOK, out)
}
