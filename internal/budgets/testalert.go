package budgets

import (
	"context"
	"errors"

	"github.com/tallyhq/tally/internal/store"
)

// TestAlertRecipients returns who receives the alerts of an action of the
// caller's budget: its subscribers and the webhooks. The web UI's "send
// test alert" sends them a test alert. Only the budget's own account may
// ask (AccessDeniedException), as for DescribeBudgetAction.
func (s *Service) TestAlertRecipients(ctx context.Context, account, budget, actionID string) ([]store.Message, error) {
	r, err := s.budgetOf(ctx, account, budget)
	if err != nil {
		return nil, err
	}
	_, a, err := r.findAction(actionID)
	if err != nil {
		return nil, err
	}
	var out []store.Message
	for _, sub := range withHooks(a.Subscribers, s.cfg.Webhooks) {
		out = append(out, store.Message{Kind: store.MessageKind(sub.Type), Address: sub.Address})
	}
	return out, nil
}

// ErrorStatus returns the HTTP status and AWS error code a Budgets failure
// is answered with, for callers outside the API (the web UI).
func ErrorStatus(err error) (status int, code string, ok bool) {
	switch {
	case errors.Is(err, errInvalid):
		return 400, "InvalidParameterException", true
	case errors.Is(err, errNotFound):
		return 404, "NotFoundException", true
	case errors.Is(err, errDenied):
		return 403, "AccessDeniedException", true
	}
	return 0, "", false
}
