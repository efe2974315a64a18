package costexplorer

import (
	"context"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/query"
)

// GetCostAndUsage implements the AWS Cost Explorer operation of that name:
// metric sums over a period, cut into DAILY, MONTHLY or HOURLY buckets,
// optionally filtered and grouped by up to two dimensions, tags or cost
// categories.
func (s *Service) GetCostAndUsage(ctx context.Context, in *GetCostAndUsageRequest) (*GetCostAndUsageResponse, error) {
	a, err := s.costAndUsagePage(ctx, in)
	if err != nil {
		return nil, err
	}
	return costAndUsageResponse(in.GroupBy, a), nil
}

// GetCostAndUsageWithResources implements the AWS Cost Explorer operation of
// that name: GetCostAndUsage that may also filter and group by RESOURCE_ID,
// over the resource-level data AWS keeps for 14 days. A Filter is required.
func (s *Service) GetCostAndUsageWithResources(ctx context.Context, in *GetCostAndUsageWithResourcesRequest) (*GetCostAndUsageWithResourcesResponse, error) {
	a, err := s.costAndUsageWithResourcesPage(ctx, in)
	if err != nil {
		return nil, err
	}
	out := costAndUsageResponse(in.GroupBy, a)
	return &GetCostAndUsageWithResourcesResponse{NextPageToken: out.NextPageToken, GroupDefinitions: out.GroupDefinitions,
		ResultsByTime: out.ResultsByTime, DimensionValueAttributes: out.DimensionValueAttributes}, nil
}

// costAndUsagePage computes the page a GetCostAndUsage request asks for,
// which the typed method and the wire handler (cost_json.go) render.
func (s *Service) costAndUsagePage(ctx context.Context, in *GetCostAndUsageRequest) (*costAnswer, error) {
	return s.costPage(ctx, pages[query.Position](ctx, s, "GetCostAndUsage", in), costRequest{TimePeriod: in.TimePeriod,
		Granularity: in.Granularity, Filter: in.Filter, Metrics: in.Metrics, GroupBy: in.GroupBy, BillingViewArn: in.BillingViewArn})
}

// costAndUsageWithResourcesPage is costAndUsagePage of
// GetCostAndUsageWithResources.
func (s *Service) costAndUsageWithResourcesPage(ctx context.Context, in *GetCostAndUsageWithResourcesRequest) (*costAnswer, error) {
	if in.Filter == nil {
		return nil, errNoResourcesFilter()
	}
	return s.costPage(ctx, pages[query.Position](ctx, s, "GetCostAndUsageWithResources", in), costRequest{TimePeriod: in.TimePeriod,
		Granularity: in.Granularity, Filter: in.Filter, Metrics: in.Metrics, GroupBy: in.GroupBy, BillingViewArn: in.BillingViewArn,
		resources: true})
}

// errNoResourcesFilter is the error of a GetCostAndUsageWithResources
// request without a Filter.
func errNoResourcesFilter() error {
	return validation("GetCostAndUsageWithResources requires a Filter, for example on SERVICE or RESOURCE_ID")
}

// costRequest holds the members of GetCostAndUsage and
// GetCostAndUsageWithResources.
type costRequest struct {
	TimePeriod     *DateInterval
	Granularity    *Granularity
	Filter         *Expression
	Metrics        []string
	GroupBy        []GroupDefinition
	BillingViewArn *string
	// resources allows RESOURCE_ID and applies the resource-level window.
	resources bool
}

// costAndUsageResponse renders page a of a request grouped by groupBy as
// the typed response of both operations.
func costAndUsageResponse(groupBy []GroupDefinition, a *costAnswer) *GetCostAndUsageResponse {
	out := &GetCostAndUsageResponse{
		NextPageToken:            a.next,
		GroupDefinitions:         groupBy,
		ResultsByTime:            make([]ResultByTime, 0, len(a.page.Buckets)),
		DimensionValueAttributes: a.attrs,
	}
	for _, b := range a.page.Buckets {
		out.ResultsByTime = append(out.ResultsByTime, resultByTime(a.q, b, a.withTime))
	}
	return out
}

// costAnswer is one page of a GetCostAndUsage answer before it is
// rendered, as a typed response (costAndUsageResponse) or straight as JSON
// (appendCostAndUsage).
type costAnswer struct {
	q        *query.Aggregate
	withTime bool
	page     query.Page
	next     *string // the next page's token; nil on the last page
	attrs    []DimensionValuesWithAttributes
}

// costPage computes, or takes from the answer kept for a page walk, the
// page of the answer p points at.
func (s *Service) costPage(ctx context.Context, p pager.Pager[query.Position], in costRequest) (*costAnswer, error) {
	q, withTime, err := s.aggregate(ctx, &in)
	if err != nil {
		return nil, err
	}
	pos, err := p.Start()
	if err != nil {
		return nil, err
	}
	digest, version := p.Digest(), s.cfg.Store.Version()
	var res *query.Result
	if !s.cfg.NoResultCache || pos != (query.Position{}) {
		if v, ok := s.cache.get("p"+digest, version); ok {
			res = v.(*query.Result)
		}
	}
	cached := res != nil
	if !cached {
		if res, err = s.result(ctx, q); err != nil {
			return nil, err
		}
	}
	if pos.Bucket < 0 || pos.Group < 0 || pos.Bucket > len(res.Buckets) {
		return nil, pager.ErrInvalidToken
	}
	a := &costAnswer{q: q, withTime: withTime, page: query.Paginate(res, pos, s.cfg.PageSize)}
	if a.page.Next != nil && !cached {
		s.cache.put("p"+digest, version, res, resultSize(res))
	}
	if a.page.Next != nil {
		a.next = p.Next(*a.page.Next)
	}
	if a.attrs, err = s.accountAttributes(ctx, q, a.page); err != nil {
		return nil, err
	}
	return a, nil
}

// aggregate validates a request and turns it into a store question.
func (s *Service) aggregate(ctx context.Context, in *costRequest) (*query.Aggregate, bool, error) {
	p, withTime, err := period(in.TimePeriod)
	if err != nil {
		return nil, false, err
	}
	if in.Granularity == nil {
		return nil, false, validation("Granularity is required: DAILY, MONTHLY or HOURLY")
	}
	g := query.Granularity(*in.Granularity)
	if err := s.checkWindow(p, g, withTime); err != nil {
		return nil, false, err
	}
	if in.resources {
		if err := s.checkResourceWindow(p); err != nil {
			return nil, false, err
		}
	}
	ms, err := metrics(in.Metrics)
	if err != nil {
		return nil, false, err
	}
	groups, err := groupBy(in.GroupBy, in.resources)
	if err != nil {
		return nil, false, err
	}
	filter, err := expression(in.Filter)
	if err != nil {
		return nil, false, err
	}
	if filter != nil {
		rules := query.CostAndUsageRules
		if in.resources {
			rules = query.WithResourcesRules
		}
		if err := query.Validate(filter, rules, query.DefaultLimits); err != nil {
			return nil, false, err
		}
	}
	if err := checkBillingView(ctx, in.BillingViewArn); err != nil {
		return nil, false, err
	}
	cats, err := s.categoriesFor(ctx, groups, filter)
	if err != nil {
		return nil, false, err
	}
	return &query.Aggregate{Period: p, Granularity: g, Metrics: ms, GroupBy: groups, Filter: filter,
		Scope: scope(ctx), Categories: cats}, withTime || g == query.Hourly, nil
}

// checkResourceWindow applies the profile's window of resource-level data
// (AWS: the last 14 days).
func (s *Service) checkResourceWindow(p billing.Period) error {
	prof := s.cfg.Profile
	if prof.HourlyDays > 0 && p.Start.Before(billing.DayStart(s.cfg.Now()).AddDate(0, 0, -prof.HourlyDays)) {
		return validation("%s", prof.Limited("resource-level data is available for the last %d days only", prof.HourlyDays))
	}
	return nil
}

// checkWindow applies the granularity's shape rules and the profile's
// history limits.
func (s *Service) checkWindow(p billing.Period, g query.Granularity, withTime bool) error {
	prof := s.cfg.Profile
	now := s.cfg.Now().UTC()
	switch g {
	case query.Hourly:
		if !p.Start.Equal(p.Start.Truncate(time.Hour)) || !p.End.Equal(p.End.Truncate(time.Hour)) {
			return validation("HOURLY granularity takes start and end times on the hour, such as 2024-01-31T10:00:00Z")
		}
		if prof.HourlyDays > 0 && p.Start.Before(billing.DayStart(now).AddDate(0, 0, -prof.HourlyDays)) {
			return validation("%s", prof.Limited("HOURLY data is available for the last %d days only", prof.HourlyDays))
		}
	default:
		if withTime && (!p.Start.Equal(billing.DayStart(p.Start)) || !p.End.Equal(billing.DayStart(p.End))) {
			return validation("%s granularity takes whole days: give Start and End as yyyy-MM-dd", g)
		}
	}
	if prof.HistoryMonths > 0 {
		earliest := billing.MonthStart(now).AddDate(0, -prof.HistoryMonths, 0)
		if p.Start.Before(earliest) {
			return validation("%s", prof.Limited("start date %s is too old: Cost Explorer keeps history from %s on",
				p.Start.Format("2006-01-02"), earliest.Format("2006-01-02")))
		}
		if p.Start.After(now) {
			return validation("%s", prof.Limited("start date %s is in the future", p.Start.Format("2006-01-02")))
		}
	}
	if !prof.EndBeyondNextMonth && p.End.After(billing.MonthStart(now).AddDate(0, 1, 0)) {
		return validation("%s", prof.Limited("end date past the beginning of next month"))
	}
	return nil
}

// result runs the question against the store and assembles every bucket.
func (s *Service) result(ctx context.Context, q *query.Aggregate) (*query.Result, error) {
	rows, err := s.cfg.Store.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	periods, err := s.cfg.Store.Periods(ctx)
	if err != nil {
		return nil, err
	}
	return query.Assemble(q, rows, query.Units{Currency: s.currency(periods)}, s.estimator(periods)), nil
}

func resultByTime(q *query.Aggregate, b query.Bucket, withTime bool) ResultByTime {
	r := ResultByTime{
		TimePeriod: &DateInterval{Start: ptr(formatDate(b.Period.Start, withTime)), End: ptr(formatDate(b.Period.End, withTime))},
		Total:      map[string]MetricValue{},
		Groups:     []Group{},
		Estimated:  ptr(b.Estimated),
	}
	for i, v := range b.Total {
		r.Total[string(q.Metrics[i])] = metricValue(v)
	}
	for _, g := range b.Groups {
		m := make(map[string]MetricValue, len(g.Values))
		for i, v := range g.Values {
			m[string(q.Metrics[i])] = metricValue(v)
		}
		r.Groups = append(r.Groups, Group{Keys: g.Keys, Metrics: m})
	}
	return r
}

func metricValue(v query.Value) MetricValue {
	return MetricValue{Amount: ptr(v.String()), Unit: ptr(v.DisplayUnit())}
}

// accountAttributes lists the names of the linked accounts a page groups by.
func (s *Service) accountAttributes(ctx context.Context, q *query.Aggregate, page query.Page) ([]DimensionValuesWithAttributes, error) {
	out := []DimensionValuesWithAttributes{}
	col := -1
	for i, g := range q.GroupBy {
		if g.Kind == query.KindDimension && billing.Dimension(g.Key) == billing.DimLinkedAccount {
			col = i
		}
	}
	if col < 0 {
		return out, nil
	}
	names, err := s.cfg.Store.AccountNames(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, b := range page.Buckets {
		for _, g := range b.Groups {
			id := g.Keys[col]
			if seen[id] {
				continue
			}
			seen[id] = true
			name := names[id]
			if name == "" {
				name = id
			}
			out = append(out, DimensionValuesWithAttributes{Value: ptr(id), Attributes: map[string]string{"description": name}})
		}
	}
	return out, nil
}
