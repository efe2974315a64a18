package budgets

import (
	"time"

	"github.com/tallyhq/tally/internal/pager"
)

// tokenLifetime is how long a NextToken stays valid; an older one is
// ExpiredNextTokenException (see errors.go).
const tokenLifetime = 24 * time.Hour

// pages pages a request of operation op from positions of type P. Its
// tokens are bound to the request, whose AccountId names the account.
func pages[P any](s *Service, op string, in pager.Request) pager.Pager[P] {
	return pager.New[P](pager.Tokens{Key: s.cfg.TokenKey, Lifetime: tokenLifetime}, s.now(), op, in, "")
}

// maxResults returns the page size asked for, or def.
func maxResults(n *int32, def int) int {
	if n == nil || *n <= 0 {
		return def
	}
	return int(*n)
}

// nameOf is the key that pages budgets.
func nameOf(r *record) string { return r.Name }
