package budgets

import (
	"slices"

	"github.com/tallyhq/tally/internal/awsjson"
)

// health is the budget's HealthStatus. Tally serves only each account's
// primary billing view (define refuses any other), so the billing view
// reasons never apply; a budget is UNHEALTHY with FILTER_INVALID when its
// filter names a linked account whose costs the budget cannot see (any
// account but its own, unless it is a budget of the test identity, which
// sees every account): such a filter selects nothing. The status depends
// on the definition only, so it was last updated with it.
func (r *record) health() *HealthStatus {
	h := &HealthStatus{Status: ptr(HealthStatusValueHealthy), LastUpdatedTime: awsjson.NewEpochTime(r.Updated)}
	if r.Scope == "" {
		return h
	}
	accounts := slices.Clone(r.CostFilters["LinkedAccount"])
	if r.Filter != nil {
		accounts = append(accounts, linkedAccounts(r.Filter)...)
	}
	for _, a := range accounts {
		if a != r.Scope {
			h.Status, h.StatusReason = ptr(HealthStatusValueUnhealthy), ptr(HealthStatusReasonFilterInvalid)
			return h
		}
	}
	return h
}

// linkedAccounts returns the LINKED_ACCOUNT values an expression names.
func linkedAccounts(e *Expression) []string {
	var out []string
	if d := e.Dimensions; d != nil && deref(d.Key) == DimensionLinkedAccount {
		out = append(out, d.Values...)
	}
	for i := range e.And {
		out = append(out, linkedAccounts(&e.And[i])...)
	}
	for i := range e.Or {
		out = append(out, linkedAccounts(&e.Or[i])...)
	}
	if e.Not != nil {
		out = append(out, linkedAccounts(e.Not)...)
	}
	return out
}
