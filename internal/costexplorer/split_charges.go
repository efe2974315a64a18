package costexplorer

import (
	"context"
	"errors"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/awsjson"
)

// Split charges are a Tally-only view. AWS applies a cost category's split
// charge rules only on the category's own details page in the Billing
// console, not in Cost Explorer, Budgets or the CUR; so GetCostAndUsage and
// the other API operations show the costs before the split, and
// SplitCharges computes the split for one category and month.

// SplitChargesRequest asks for the split charges of a category in a month.
type SplitChargesRequest struct {
	// CostCategoryArn names the category.
	CostCategoryArn string
	// Month is the billing month, "YYYY-MM".
	Month string
	// Metric is a cost metric as GetCostAndUsage names them; "" means
	// UnblendedCost.
	Metric string
	// Rules, when not nil, stand in for the version's split charge rules:
	// a preview of rules not saved yet, checked as
	// UpdateCostCategoryDefinition checks them.
	Rules []CostCategorySplitChargeRule
}

// SplitChargesResult is the split of a category's costs in a month. Amounts
// are rounded to the cent; the allocations of a source add up to its cost
// before the split, and the costs after the split to those before.
type SplitChargesResult struct {
	CostCategoryArn string `json:"costCategoryArn"`
	Name            string `json:"name"`
	Month           string `json:"month"`
	Metric          string `json:"metric"`
	Unit            string `json:"unit"`
	// Values are the category's values with a cost or in a split rule,
	// in order of value ("" is the uncategorised costs).
	Values []SplitValue `json:"values"`
	// Allocations are the shares of each source's cost given to each of
	// its targets, in the order of the rules and their targets.
	Allocations []SplitAllocation `json:"allocations"`
}

// SplitValue is one value's cost before and after the split.
type SplitValue struct {
	Value  string `json:"value"`
	Before string `json:"before"`
	After  string `json:"after"`
}

// SplitAllocation is the share of a source's cost allocated to a target.
type SplitAllocation struct {
	Source string `json:"source"`
	Target string `json:"target"`
	Method string `json:"method"`
	Amount string `json:"amount"`
}

// splitMetrics are the metrics a split applies to: costs, not usage.
var splitMetrics = []string{"UnblendedCost", "BlendedCost", "AmortizedCost", "NetUnblendedCost", "NetAmortizedCost"}

// SplitChargesStatus returns the HTTP status and AWS error code of an error
// SplitCharges returned, or ok false for an internal failure.
func SplitChargesStatus(err error) (status int, code string, ok bool) {
	switch {
	case errors.Is(err, errInvalid):
		return 400, awsjson.ValidationException, true
	case errors.Is(err, errNotFound):
		return 404, "ResourceNotFoundException", true
	case errors.Is(err, errDenied):
		return 403, "AccessDeniedException", true
	}
	return 0, "", false
}

// SplitCharges applies the split charge rules of the version of a category
// in effect in a month to the category's costs in that month, as AWS's
// category details page does. The costs before the split are those
// GetCostAndUsage answers grouped by the category. PROPORTIONAL weighs the
// targets by their costs before the split (EVEN when they add up to zero),
// FIXED by the rule's percentages, EVEN equally. A source's cost, rounded to
// the cent, is divided in whole cents: each target gets its share rounded
// down, and the cents left go to the largest remainders (ties to the target
// listed first).
func (s *Service) SplitCharges(ctx context.Context, in SplitChargesRequest) (*SplitChargesResult, error) {
	month, err := time.Parse("2006-01", in.Month)
	if err != nil {
		return nil, validation("Month must be YYYY-MM: %q", in.Month)
	}
	metric := in.Metric
	if metric == "" {
		metric = "UnblendedCost"
	}
	if !slices.Contains(splitMetrics, metric) {
		return nil, validation("Metric %q cannot be split: use one of %s", metric, strings.Join(splitMetrics, ", "))
	}
	all, err := s.readable(ctx)
	if err != nil {
		return nil, err
	}
	var cat *category
	for _, c := range effective(all, month) {
		if c.ARN == in.CostCategoryArn {
			cat = &c
		}
	}
	if cat == nil {
		return nil, fail(errNotFound, "No Cost Category "+in.CostCategoryArn+" in effect in "+in.Month)
	}
	rules := cat.doc.SplitChargeRules
	if in.Rules != nil {
		if err := checkDraftSplits(cat.doc, in.Rules, all, cat.ARN); err != nil {
			return nil, err
		}
		rules = in.Rules
	}
	before, unit, err := s.categoryCosts(ctx, cat.doc.Name, month, metric)
	if err != nil {
		return nil, err
	}
	out := &SplitChargesResult{CostCategoryArn: cat.ARN, Name: cat.doc.Name, Month: in.Month, Metric: metric, Unit: unit}
	after := map[string]int64{}
	for v, amt := range before {
		after[v] = cents(amt)
	}
	for _, r := range rules {
		src := deref(r.Source)
		weights, err := splitWeights(r, before)
		if err != nil {
			return nil, err
		}
		shares := divide(cents(before[src]), weights)
		for i, t := range r.Targets {
			after[t] += shares[i] // a target without costs is shown too
			out.Allocations = append(out.Allocations, SplitAllocation{Source: src, Target: t, Method: string(*r.Method), Amount: centString(shares[i])})
		}
		after[src] = 0
	}
	for v, c := range after {
		b := int64(0)
		if amt, ok := before[v]; ok {
			b = cents(amt)
		}
		out.Values = append(out.Values, SplitValue{Value: v, Before: centString(b), After: centString(c)})
	}
	slices.SortFunc(out.Values, func(a, b SplitValue) int { return strings.Compare(a.Value, b.Value) })
	return out, nil
}

// checkDraftSplits checks split charge rules not saved yet against the
// version of doc: the members the API model requires, then the rules of
// CreateCostCategoryDefinition.
func checkDraftSplits(doc categoryDoc, rules []CostCategorySplitChargeRule, all []category, arn string) error {
	for i, r := range rules {
		if deref(r.Source) == "" || len(r.Targets) == 0 || r.Method == nil {
			return validation("SplitChargeRules[%d]: Source, Targets and Method are required", i)
		}
		switch *r.Method {
		case CostCategorySplitChargeMethodFixed, CostCategorySplitChargeMethodProportional, CostCategorySplitChargeMethodEven:
		default:
			return validation("SplitChargeRules[%d]: Method must be FIXED, PROPORTIONAL or EVEN, got %q", i, *r.Method)
		}
	}
	doc.SplitChargeRules = rules
	return checkDefinition(&doc, all, arn)
}

// categoryCosts returns the costs of the category's values in a month, as
// GetCostAndUsage groups them, and their unit.
func (s *Service) categoryCosts(ctx context.Context, name string, month time.Time, metric string) (map[string]*big.Rat, string, error) {
	gran, typ := GranularityMonthly, GroupDefinitionTypeCostCategory
	in := &GetCostAndUsageRequest{
		TimePeriod:  &DateInterval{Start: ptr(month.Format(time.DateOnly)), End: ptr(month.AddDate(0, 1, 0).Format(time.DateOnly))},
		Granularity: &gran, Metrics: []string{metric},
		GroupBy: []GroupDefinition{{Type: &typ, Key: ptr(name)}}}
	out := map[string]*big.Rat{}
	unit := "USD"
	for {
		page, err := s.GetCostAndUsage(ctx, in)
		if err != nil {
			return nil, "", err
		}
		for _, r := range page.ResultsByTime {
			for _, g := range r.Groups {
				m := g.Metrics[metric]
				amt, ok := new(big.Rat).SetString(deref(m.Amount))
				if !ok || len(g.Keys) != 1 {
					continue
				}
				if m.Unit != nil {
					unit = *m.Unit
				}
				v := strings.TrimPrefix(g.Keys[0], name+"$")
				if have, ok := out[v]; ok {
					amt.Add(amt, have)
				}
				out[v] = amt
			}
		}
		if page.NextPageToken == nil {
			return out, unit, nil
		}
		in.NextPageToken = page.NextPageToken
	}
}

// splitWeights returns the weight of each target of r, adding up to one.
func splitWeights(r CostCategorySplitChargeRule, before map[string]*big.Rat) ([]*big.Rat, error) {
	n := len(r.Targets)
	w := make([]*big.Rat, n)
	switch *r.Method {
	case CostCategorySplitChargeMethodFixed:
		if len(r.Parameters) != 1 || len(r.Parameters[0].Values) != n {
			return nil, validation("split charge rule for %q: one percentage per target needed", deref(r.Source))
		}
		for i, p := range r.Parameters[0].Values {
			pct, ok := new(big.Rat).SetString(strings.TrimSpace(p))
			if !ok {
				return nil, validation("split charge rule for %q: bad percentage %q", deref(r.Source), p)
			}
			w[i] = pct.Quo(pct, big.NewRat(100, 1))
		}
		return w, nil
	case CostCategorySplitChargeMethodProportional:
		total := new(big.Rat)
		for _, t := range r.Targets {
			if c, ok := before[t]; ok {
				total.Add(total, c)
			}
		}
		if total.Sign() != 0 {
			for i, t := range r.Targets {
				w[i] = new(big.Rat)
				if c, ok := before[t]; ok {
					w[i].Quo(c, total)
				}
			}
			return w, nil
		}
	}
	// EVEN, and PROPORTIONAL when the targets cost nothing together.
	for i := range w {
		w[i] = big.NewRat(1, int64(n))
	}
	return w, nil
}

// divide splits total cents by weights adding up to one: each part is its
// exact share rounded down, and the cents left over go one each to the
// largest remainders, ties to the earlier part. The parts add up to total.
func divide(total int64, weights []*big.Rat) []int64 {
	parts := make([]int64, len(weights))
	rem := make([]*big.Rat, len(weights))
	left := total
	for i, w := range weights {
		exact := new(big.Rat).Mul(big.NewRat(total, 1), w)
		q := new(big.Int).Div(exact.Num(), exact.Denom()) // floor: Denom > 0
		parts[i] = q.Int64()
		rem[i] = exact.Sub(exact, new(big.Rat).SetInt(q))
		left -= parts[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return rem[b].Cmp(rem[a]) })
	for k := 0; k < int(left); k++ { // 0 <= left < len(weights)
		parts[order[k]]++
	}
	return parts
}

// cents rounds an amount to whole cents, halves away from zero.
func cents(r *big.Rat) int64 {
	x := new(big.Rat).Mul(r, big.NewRat(100, 1))
	neg := x.Sign() < 0
	x.Abs(x)
	x.Add(x, big.NewRat(1, 2))
	q := new(big.Int).Div(x.Num(), x.Denom())
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// centString writes cents as a decimal amount with two places.
func centString(c int64) string {
	return new(big.Rat).SetFrac64(c, 100).FloatString(2)
}
