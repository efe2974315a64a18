package costexplorer

import (
	"context"
	"slices"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/query"
)

// valuesRules are the filter rules of GetDimensionValues and GetTags.
var valuesRules = func() query.Rules {
	r := query.CostAndUsageRules
	r.Operation = "GetDimensionValues"
	return r
}()

// listOptions are the members GetDimensionValues and GetTags share.
type listOptions struct {
	period   billing.Period
	search   string
	filter   query.Expr
	sort     []query.SortKey
	limit    int
	pageSize int
}

// listRequest validates the members GetDimensionValues and GetTags share:
// with SortBy, MaxResults bounds the answer (default and maximum 1000) and
// neither NextPageToken nor SearchString is allowed.
func listRequest(ctx context.Context, tp *DateInterval, search *string, filter *Expression, sortBy []SortDefinition, maxResults *int32, token *string, arn *string) (*listOptions, error) {
	p, _, err := period(tp)
	if err != nil {
		return nil, err
	}
	f, err := expression(filter)
	if err != nil {
		return nil, err
	}
	if f != nil {
		if err := query.Validate(f, valuesRules, query.DefaultLimits); err != nil {
			return nil, err
		}
	}
	if err := checkBillingView(ctx, arn); err != nil {
		return nil, err
	}
	o := &listOptions{period: p, search: deref(search), filter: f, pageSize: DefaultValuesPageSize}
	if o.sort, err = sortKeys(sortBy); err != nil {
		return nil, err
	}
	if len(o.sort) == 0 {
		if maxResults != nil {
			return nil, validation("MaxResults is only supported together with SortBy")
		}
		return o, nil
	}
	if deref(token) != "" || o.search != "" {
		return nil, validation("NextPageToken and SearchString are not supported with SortBy")
	}
	o.limit = 1000
	if maxResults != nil {
		if *maxResults > 1000 {
			return nil, validation("MaxResults must be at most 1000, got %d", *maxResults)
		}
		o.limit = int(*maxResults)
	}
	return o, nil
}

// size is the page size of a list: without SortBy, pageSize values a page;
// with it, the whole answer of at most limit values.
func (o *listOptions) size() int {
	if o.limit > 0 {
		return 0
	}
	return o.pageSize
}

// GetDimensionValues implements the AWS Cost Explorer operation of that
// name: the values of a dimension with cost or usage in a period, with the
// attributes AWS returns (the account name for LINKED_ACCOUNT, the unit for
// USAGE_TYPE).
func (s *Service) GetDimensionValues(ctx context.Context, in *GetDimensionValuesRequest) (*GetDimensionValuesResponse, error) {
	o, err := listRequest(ctx, in.TimePeriod, in.SearchString, in.Filter, in.SortBy, in.MaxResults, in.NextPageToken, in.BillingViewArn)
	if err != nil {
		return nil, err
	}
	dim := billing.Dimension(deref(in.Dimension))
	context := string(ContextCostAndUsage)
	if in.Context != nil {
		context = string(*in.Context)
	}
	if !query.DimensionValuesContexts[context][dim] {
		return nil, validation("Dimension %s is not supported for context %s. Valid dimensions: %s", dim, context, dimNames(query.DimensionValuesContexts[context]))
	}
	if len(o.sort) > 0 && context != string(ContextCostAndUsage) {
		return nil, validation("SortBy is only supported with the context COST_AND_USAGE")
	}
	filter := o.filter
	switch context {
	case string(ContextReservations):
		filter = and(filter, query.Not{X: &query.Match{Kind: query.KindDimension, Key: string(billing.DimReservationID), Op: query.OpAbsent}})
	case string(ContextSavingsPlans):
		filter = and(filter, query.Not{X: &query.Match{Kind: query.KindDimension, Key: string(billing.DimSavingsPlanARN), Op: query.OpAbsent}})
	}
	cats, err := s.categoriesFor(ctx, nil, filter)
	if err != nil {
		return nil, err
	}
	vals, err := s.cfg.Store.DimensionValues(ctx, &query.DimensionValues{Period: o.period, Dimension: dim,
		Search: o.search, Filter: filter, Scope: scope(ctx), SortBy: o.sort, Limit: o.limit, Categories: cats})
	if err != nil {
		return nil, err
	}
	page, next, err := pager.Slice(pages[int](ctx, s, "GetDimensionValues", in), vals, o.size())
	if err != nil {
		return nil, err
	}
	out := &GetDimensionValuesResponse{DimensionValues: []DimensionValuesWithAttributes{},
		ReturnSize: ptr(int32(len(page))), TotalSize: ptr(int32(len(vals))), NextPageToken: next}
	for _, v := range page {
		out.DimensionValues = append(out.DimensionValues, DimensionValuesWithAttributes{Value: ptr(v.Value), Attributes: v.Attributes})
	}
	return out, nil
}

// GetTags implements the AWS Cost Explorer operation of that name: the tag
// keys with cost in a period, or the values of one key ("" for resources
// without it). Only keys active in a line's billing month count.
func (s *Service) GetTags(ctx context.Context, in *GetTagsRequest) (*GetTagsResponse, error) {
	o, err := listRequest(ctx, in.TimePeriod, in.SearchString, in.Filter, in.SortBy, in.MaxResults, in.NextPageToken, in.BillingViewArn)
	if err != nil {
		return nil, err
	}
	page, total, next, err := s.labels(ctx, pages[int](ctx, s, "GetTags", in), o, &query.Tags{Key: deref(in.TagKey)})
	if err != nil {
		return nil, err
	}
	return &GetTagsResponse{Tags: page, ReturnSize: ptr(int32(len(page))), TotalSize: ptr(int32(total)), NextPageToken: next}, nil
}

// labels answers GetTags and GetCostCategories: q names the key (and the
// kind), o fills in the rest and p pages the request.
func (s *Service) labels(ctx context.Context, p pager.Pager[int], o *listOptions, q *query.Tags) (page []string, total int, next *string, err error) {
	q.Period, q.Search, q.Filter, q.Scope, q.SortBy, q.Limit = o.period, o.search, o.filter, scope(ctx), o.sort, o.limit
	if q.Categories, err = s.queryCategories(ctx); err != nil {
		return nil, 0, nil, err
	}
	list, err := s.cfg.Store.Tags(ctx, q)
	if err != nil {
		return nil, 0, nil, err
	}
	if q.CostCategories && q.Key == "" && len(q.SortBy) == 0 {
		list = withDefinedNames(list, q)
	}
	if page, next, err = pager.Slice(p, list, o.size()); err != nil {
		return nil, 0, nil, err
	}
	return append([]string{}, page...), len(list), next, nil
}

// withDefinedNames adds to the category names of the billing data those of
// the defined categories in effect during the period that match the
// search, in name order. (With SortBy, which orders names by cost, only the
// billing data's names are listed.)
func withDefinedNames(names []string, q *query.Tags) []string {
	out := slices.Clone(names)
	for name, c := range q.Categories {
		if slices.Contains(out, name) || !strings.Contains(strings.ToLower(name), strings.ToLower(q.Search)) {
			continue
		}
		for _, v := range c.Versions {
			if v.Start.Before(q.Period.End) && (v.End.IsZero() || v.End.After(q.Period.Start)) {
				out = append(out, name)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}

// and joins an optional filter with a condition.
func and(f query.Expr, x query.Expr) query.Expr {
	if f == nil {
		return x
	}
	return query.And{f, x}
}

// GetCostCategories implements the AWS Cost Explorer operation of that name:
// the cost category names with cost in a period, or the values of one
// category, as the billing data carries them (CUR costCategory columns, CUR
// 2.0 cost_category, FOCUS x_CostCategories).
func (s *Service) GetCostCategories(ctx context.Context, in *GetCostCategoriesRequest) (*GetCostCategoriesResponse, error) {
	o, err := listRequest(ctx, in.TimePeriod, in.SearchString, in.Filter, in.SortBy, in.MaxResults, in.NextPageToken, in.BillingViewArn)
	if err != nil {
		return nil, err
	}
	name := deref(in.CostCategoryName)
	page, total, next, err := s.labels(ctx, pages[int](ctx, s, "GetCostCategories", in), o, &query.Tags{CostCategories: true, Key: name})
	if err != nil {
		return nil, err
	}
	out := &GetCostCategoriesResponse{ReturnSize: ptr(int32(len(page))), TotalSize: ptr(int32(total)), NextPageToken: next}
	if name == "" {
		out.CostCategoryNames = page
	} else {
		// "If the CostCategoryName key isn't specified in the request, the
		// CostCategoryValues fields aren't returned."
		out.CostCategoryNames = []string{name}
		out.CostCategoryValues = page
	}
	return out, nil
}
