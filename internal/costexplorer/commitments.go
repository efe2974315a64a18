package costexplorer

import (
	"context"
	"math/big"
	"sort"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/commitments"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// The dimensions each commitment operation accepts in filters and groups
// (the operations' documentation in the model).
var (
	riUtilizationFilter = dims("AZ", "CACHE_ENGINE", "DEPLOYMENT_OPTION", "INSTANCE_TYPE", "LINKED_ACCOUNT",
		"OPERATING_SYSTEM", "PLATFORM", "REGION", "SERVICE", "SCOPE", "TENANCY")
	riCoverageFilter = dims("AZ", "CACHE_ENGINE", "DATABASE_ENGINE", "DEPLOYMENT_OPTION", "INSTANCE_TYPE",
		"LINKED_ACCOUNT", "OPERATING_SYSTEM", "PLATFORM", "REGION", "SERVICE", "TENANCY")
	riCoverageGroups = []billing.Dimension{"AZ", "CACHE_ENGINE", "DATABASE_ENGINE", "DEPLOYMENT_OPTION", "INSTANCE_TYPE",
		"INVOICING_ENTITY", "LINKED_ACCOUNT", "OPERATING_SYSTEM", "PLATFORM", "REGION", "TENANCY"}
	spUtilizationFilter = dims("LINKED_ACCOUNT", "SAVINGS_PLAN_ARN", "SAVINGS_PLANS_TYPE", "REGION", "PAYMENT_OPTION",
		"INSTANCE_TYPE_FAMILY")
	spCoverageFilter = dims("LINKED_ACCOUNT", "REGION", "SERVICE", "INSTANCE_TYPE_FAMILY")
	// spCoverageGroups maps SP coverage group keys to dimensions.
	spCoverageGroups = map[string]billing.Dimension{"INSTANCE_FAMILY": billing.DimInstanceTypeFamily,
		"INSTANCE_TYPE_FAMILY": billing.DimInstanceTypeFamily, "REGION": billing.DimRegion, "SERVICE": billing.DimService}
	// riAttributeDims are the dimensions a reservation group's Attributes
	// come from, with their attribute names.
	riAttributeDims = []billing.Dimension{billing.DimLinkedAccount, billing.DimLinkedAccountName, billing.DimRegion,
		billing.DimAZ, billing.DimInstanceType, billing.DimPlatform, billing.DimTenancy, billing.DimScope, billing.DimService}
	riAttributeNames = []string{"accountId", "accountName", "region", "availabilityZone", "instanceType", "platform",
		"tenancy", "scope", "service"}
	spAttributeDims  = []billing.Dimension{billing.DimLinkedAccount, billing.DimLinkedAccountName, billing.DimRegion, billing.DimInstanceTypeFamily}
	spAttributeNames = []string{"AccountId", "AccountName", "Region", "InstanceFamily"}
)

func dims(names ...string) map[billing.Dimension]bool {
	m := map[billing.Dimension]bool{}
	for _, n := range names {
		m[billing.Dimension(n)] = true
	}
	return m
}

// commitmentRequest is what every commitment operation reads.
type commitmentRequest struct {
	op          string
	period      *DateInterval
	granularity *Granularity
	filter      *Expression
	rules       map[billing.Dimension]bool
}

// commitmentQuestion is a validated commitmentRequest.
type commitmentQuestion struct {
	period  billing.Period
	buckets commitments.Buckets
	q       store.CommitmentQuery
}

// parse validates the shared members and prepares the store question.
func (s *Service) parseCommitment(ctx context.Context, in commitmentRequest) (*commitmentQuestion, error) {
	p, withTime, err := period(in.period)
	if err != nil {
		return nil, err
	}
	monthly, whole := false, in.granularity == nil
	if in.granularity != nil {
		switch *in.granularity {
		case GranularityDaily:
		case GranularityMonthly:
			monthly = true
		default:
			return nil, validation("%s supports only DAILY and MONTHLY granularities, not %s", in.op, *in.granularity)
		}
	}
	g := query.Daily
	if monthly {
		g = query.Monthly
	}
	if err := s.checkWindow(p, g, withTime); err != nil {
		return nil, err
	}
	filter, err := expression(in.filter)
	if err != nil {
		return nil, err
	}
	if filter != nil {
		rules := query.CostAndUsageRules
		rules.Operation, rules.Dimensions = in.op, in.rules
		if err := query.Validate(filter, rules, query.DefaultLimits); err != nil {
			return nil, err
		}
	}
	cats, err := s.queryCategories(ctx)
	if err != nil {
		return nil, err
	}
	cq := &commitmentQuestion{period: p, buckets: commitments.Cut(p, monthly)}
	if whole {
		cq.buckets = commitments.Whole(p)
	}
	cq.q.Period, cq.q.Monthly = commitments.StorePeriod(p, monthly)
	cq.q.Scope, cq.q.Filter, cq.q.Categories = scope(ctx), filter, cats
	return cq, nil
}

// ask runs the store question.
func (s *Service) ask(ctx context.Context, q *store.CommitmentQuery) (*store.CommitmentAnswer, error) {
	return s.cfg.Store.Commitments(ctx, q)
}

// mentions reports whether a filter has a Dimensions match on d.
func mentions(e query.Expr, d billing.Dimension) bool {
	switch x := e.(type) {
	case query.And:
		for _, y := range x {
			if mentions(y, d) {
				return true
			}
		}
	case query.Or:
		for _, y := range x {
			if mentions(y, d) {
				return true
			}
		}
	case query.Not:
		return mentions(x.X, d)
	case *query.Match:
		return x.Kind == query.KindDimension && x.Dimension() == d
	}
	return false
}

func interval(b billing.Period) *DateInterval {
	return &DateInterval{Start: ptr(b.Start.Format("2006-01-02")), End: ptr(b.End.Format("2006-01-02"))}
}

func str(x *big.Rat) *string { return ptr(commitments.Format(x)) }

// GetReservationUtilization implements the AWS operation
// GetReservationUtilization from the bill's RIFee and DiscountedUsage lines
// (formulas in package commitments).
func (s *Service) GetReservationUtilization(ctx context.Context, in *GetReservationUtilizationRequest) (*GetReservationUtilizationResponse, error) {
	grouped := false
	for _, g := range in.GroupBy {
		if deref(g.Type) != GroupDefinitionTypeDimension || deref(g.Key) != string(billing.DimSubscriptionID) {
			return nil, validation("GetReservationUtilization groups only by DIMENSION SUBSCRIPTION_ID")
		}
		grouped = true
	}
	gran := in.Granularity
	if gran == nil && !grouped {
		gran = ptr(GranularityDaily)
	}
	cq, err := s.parseCommitment(ctx, commitmentRequest{op: "GetReservationUtilization", period: in.TimePeriod,
		granularity: gran, filter: in.Filter, rules: riUtilizationFilter})
	if err != nil {
		return nil, err
	}
	sortKey, desc, err := sortBy(in.SortBy, riFigureNames)
	if err != nil {
		return nil, err
	}
	if !mentions(cq.q.Filter, billing.DimService) {
		// The model: "If not specified, the SERVICE filter defaults to
		// Amazon Elastic Compute Cloud - Compute."
		cq.q.Filter = and(cq.q.Filter, &query.Match{Kind: query.KindDimension, Key: string(billing.DimService),
			Values: []string{billing.ServiceEC2Compute}, Op: query.OpEquals})
	}
	cq.q.Kinds, cq.q.GroupBy, cq.q.Sums = []string{billing.CommitmentRI}, riAttributeDims, commitments.ReservationSums
	p := pages[int](ctx, s, "GetReservationUtilization", in)
	type answer struct {
		byTime []UtilizationByTime
		total  commitments.RIFigures
	}
	a, err := cachedAnswer(s, p, func() (answer, error) {
		byTime, total, err := s.riUtilization(ctx, cq, grouped, sortKey, desc)
		return answer{byTime, total}, err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pager.Slice(p, a.byTime, int(deref(in.MaxResults)))
	if err != nil {
		return nil, err
	}
	return &GetReservationUtilizationResponse{UtilizationsByTime: page, Total: riAggregates(&a.total), NextPageToken: next}, nil
}

// riUtilization computes every bucket of a GetReservationUtilization
// answer, and the figures of the whole period.
func (s *Service) riUtilization(ctx context.Context, cq *commitmentQuestion, grouped bool, sortKey string, desc bool) ([]UtilizationByTime, commitments.RIFigures, error) {
	ans, err := s.ask(ctx, &cq.q)
	if err != nil {
		return nil, commitments.RIFigures{}, err
	}
	ris := commitments.Reservations(ans, cq.buckets)
	var total commitments.RIUsage
	var byTime []UtilizationByTime
	for b, bucket := range cq.buckets {
		var t commitments.RIUsage
		var groups []ReservationUtilizationGroup
		for i := range ris {
			u := &ris[i].Buckets[b]
			t.Add(u)
			if grouped && (val(u.PurchasedHours).Sign() != 0 || val(u.OnDemandCostOfRIHoursUsed).Sign() != 0) {
				f := u.Figures()
				groups = append(groups, ReservationUtilizationGroup{Key: ptr(string(billing.DimSubscriptionID)),
					Value: ptr(ris[i].Info.SubscriptionID), Attributes: riAttributes(&ris[i]), Utilization: riAggregates(&f)})
			}
		}
		sortGroups(groups, sortKey, desc, func(g ReservationUtilizationGroup) map[string]*string { return riFigureMap(g.Utilization) })
		total.Add(&t)
		f := t.Figures()
		byTime = append(byTime, UtilizationByTime{TimePeriod: interval(bucket), Groups: groups, Total: riAggregates(&f)})
	}
	return byTime, total.Figures(), nil
}

func val(x *big.Rat) *big.Rat {
	if x == nil {
		return new(big.Rat)
	}
	return x
}

var riFigureNames = []string{"UtilizationPercentage", "UtilizationPercentageInUnits", "PurchasedHours", "PurchasedUnits",
	"TotalActualHours", "TotalActualUnits", "UnusedHours", "UnusedUnits", "OnDemandCostOfRIHoursUsed", "NetRISavings",
	"TotalPotentialRISavings", "AmortizedUpfrontFee", "AmortizedRecurringFee", "TotalAmortizedFee", "RICostForUnusedHours",
	"RealizedSavings", "UnrealizedSavings"}

func riAggregates(f *commitments.RIFigures) *ReservationAggregates {
	return &ReservationAggregates{UtilizationPercentage: str(f.UtilizationPercentage),
		UtilizationPercentageInUnits: str(f.UtilizationPercentageInUnits), PurchasedHours: str(f.PurchasedHours),
		PurchasedUnits: str(f.PurchasedUnits), TotalActualHours: str(f.TotalActualHours), TotalActualUnits: str(f.TotalActualUnits),
		UnusedHours: str(f.UnusedHours), UnusedUnits: str(f.UnusedUnits), OnDemandCostOfRIHoursUsed: str(f.OnDemandCostOfRIHoursUsed),
		NetRISavings: str(f.NetRISavings), TotalPotentialRISavings: str(f.TotalPotentialRISavings),
		AmortizedUpfrontFee: str(f.AmortizedUpfrontFee), AmortizedRecurringFee: str(f.AmortizedRecurringFee),
		TotalAmortizedFee: str(f.TotalAmortizedFee), RICostForUnusedHours: str(f.RICostForUnusedHours),
		RealizedSavings: str(f.RealizedSavings), UnrealizedSavings: str(f.UnrealizedSavings)}
}

func riFigureMap(a *ReservationAggregates) map[string]*string {
	return map[string]*string{"UtilizationPercentage": a.UtilizationPercentage, "UtilizationPercentageInUnits": a.UtilizationPercentageInUnits,
		"PurchasedHours": a.PurchasedHours, "PurchasedUnits": a.PurchasedUnits, "TotalActualHours": a.TotalActualHours,
		"TotalActualUnits": a.TotalActualUnits, "UnusedHours": a.UnusedHours, "UnusedUnits": a.UnusedUnits,
		"OnDemandCostOfRIHoursUsed": a.OnDemandCostOfRIHoursUsed, "NetRISavings": a.NetRISavings,
		"TotalPotentialRISavings": a.TotalPotentialRISavings, "AmortizedUpfrontFee": a.AmortizedUpfrontFee,
		"AmortizedRecurringFee": a.AmortizedRecurringFee, "TotalAmortizedFee": a.TotalAmortizedFee,
		"RICostForUnusedHours": a.RICostForUnusedHours, "RealizedSavings": a.RealizedSavings, "UnrealizedSavings": a.UnrealizedSavings}
}

// riAttributes are a reservation group's Attributes: what the bill says of
// the reservation.
func riAttributes(r *commitments.Reservation) map[string]string {
	a := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			a[k] = v
		}
	}
	for i, name := range riAttributeNames {
		if i < len(r.Keys) {
			set(name, r.Keys[i])
		}
	}
	i := r.Info
	set("leaseId", i.ARN[strings.LastIndexByte(i.ARN, '/')+1:])
	set("reservationARN", i.ARN)
	set("subscriptionId", i.SubscriptionID)
	set("startDateTime", i.Start)
	set("endDateTime", i.End)
	set("numberOfInstances", i.NumberOfReservations)
	set("normalizedUnitsPerInstance", i.NormalizedUnitsPerReservation)
	set("subscriptionType", i.PurchaseOption)
	set("offeringClass", i.Class)
	set("term", i.LeaseLength)
	return a
}

// sortBy validates a SortDefinition against the keys an operation sorts by.
func sortBy(d *SortDefinition, keys []string) (key string, desc bool, err error) {
	if d == nil {
		return "", false, nil
	}
	k := deref(d.Key)
	found := false
	for _, x := range keys {
		found = found || x == k
	}
	if !found {
		return "", false, validation("SortBy Key %q is not supported: use one of %s", k, strings.Join(keys, ", "))
	}
	return k, deref(d.SortOrder) == SortOrderDescending, nil
}

// sortGroups orders items by a figure, stably.
func sortGroups[T any](items []T, key string, desc bool, figs func(T) map[string]*string) {
	if key == "" {
		return
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, _ := new(big.Rat).SetString(deref(figs(items[i])[key]))
		b, _ := new(big.Rat).SetString(deref(figs(items[j])[key]))
		if a == nil || b == nil {
			return false
		}
		if desc {
			return a.Cmp(b) > 0
		}
		return a.Cmp(b) < 0
	})
}

// GetReservationCoverage implements the AWS operation GetReservationCoverage:
// reserved hours (DiscountedUsage) against on-demand hours of RI-eligible
// usage, per group (formulas in package commitments).
func (s *Service) GetReservationCoverage(ctx context.Context, in *GetReservationCoverageRequest) (*GetReservationCoverageResponse, error) {
	var groups []billing.Dimension
	for _, g := range in.GroupBy {
		d := billing.Dimension(deref(g.Key))
		ok := deref(g.Type) == GroupDefinitionTypeDimension
		ok = ok && containsDim(riCoverageGroups, d)
		if !ok {
			return nil, validation("GetReservationCoverage groups by DIMENSION %s, not %s %s", dimList(riCoverageGroups), deref(g.Type), deref(g.Key))
		}
		groups = append(groups, d)
	}
	metrics := map[string]bool{}
	for _, m := range in.Metrics {
		if m != "Hour" && m != "Unit" && m != "Cost" {
			return nil, validation("GetReservationCoverage Metrics are Hour, Unit and Cost, not %q", m)
		}
		metrics[m] = true
	}
	if len(metrics) == 0 {
		metrics = map[string]bool{"Hour": true, "Unit": true, "Cost": true}
	}
	gran := in.Granularity
	if gran == nil && len(groups) == 0 {
		gran = ptr(GranularityDaily)
	}
	cq, err := s.parseCommitment(ctx, commitmentRequest{op: "GetReservationCoverage", period: in.TimePeriod,
		granularity: gran, filter: in.Filter, rules: riCoverageFilter})
	if err != nil {
		return nil, err
	}
	sortKey, desc, err := sortBy(in.SortBy, []string{"OnDemandCost", "CoverageHoursPercentage", "OnDemandHours", "ReservedHours",
		"TotalRunningHours", "CoverageNormalizedUnitsPercentage", "OnDemandNormalizedUnits", "ReservedNormalizedUnits",
		"TotalRunningNormalizedUnits", "Time"})
	if err != nil {
		return nil, err
	}
	cq.q.Kinds, cq.q.Eligible, cq.q.GroupBy = []string{billing.CommitmentRI}, billing.EligibleRI, groups
	cq.q.Sums = commitments.ReservationCoverageSums
	p := pages[int](ctx, s, "GetReservationCoverage", in)
	type answer struct {
		byTime []CoverageByTime
		total  *Coverage
	}
	a, err := cachedAnswer(s, p, func() (answer, error) {
		byTime, total, err := s.riCoverageAnswer(ctx, cq, metrics, sortKey, desc)
		return answer{byTime, total}, err
	})
	if err != nil {
		return nil, err
	}
	page, next, err := pager.Slice(p, a.byTime, int(deref(in.MaxResults)))
	if err != nil {
		return nil, err
	}
	return &GetReservationCoverageResponse{CoveragesByTime: page, Total: a.total, NextPageToken: next}, nil
}

// riCoverageAnswer computes every bucket of a GetReservationCoverage
// answer, and the coverage of the whole period.
func (s *Service) riCoverageAnswer(ctx context.Context, cq *commitmentQuestion, metrics map[string]bool, sortKey string, desc bool) ([]CoverageByTime, *Coverage, error) {
	groups := cq.q.GroupBy
	ans, err := s.ask(ctx, &cq.q)
	if err != nil {
		return nil, nil, err
	}
	gs := commitments.ReservationCoverage(ans, cq.buckets)
	var total commitments.RICoverage
	var byTime []CoverageByTime
	for b, bucket := range cq.buckets {
		var t commitments.RICoverage
		var out []ReservationCoverageGroup
		for _, g := range gs {
			c := &g.Buckets[b]
			t.Add(c)
			if len(groups) > 0 && val(c.TotalRunningHours()).Sign() != 0 {
				attrs := map[string]string{}
				for i, d := range groups {
					attrs[string(d)] = g.Keys[i]
				}
				out = append(out, ReservationCoverageGroup{Attributes: attrs, Coverage: riCoverage(c, metrics)})
			}
		}
		sortGroups(out, sortKey, desc, func(g ReservationCoverageGroup) map[string]*string { return coverageFigureMap(g.Coverage) })
		total.Add(&t)
		byTime = append(byTime, CoverageByTime{TimePeriod: interval(bucket), Groups: out, Total: riCoverage(&t, metrics)})
	}
	return byTime, riCoverage(&total, metrics), nil
}

func containsDim(ds []billing.Dimension, d billing.Dimension) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

func dimList(ds []billing.Dimension) string {
	var s []string
	for _, d := range ds {
		s = append(s, string(d))
	}
	return strings.Join(s, ", ")
}

func riCoverage(c *commitments.RICoverage, metrics map[string]bool) *Coverage {
	out := &Coverage{}
	if metrics["Hour"] {
		out.CoverageHours = &CoverageHours{OnDemandHours: str(c.OnDemandHours), ReservedHours: str(c.ReservedHours),
			TotalRunningHours: str(c.TotalRunningHours()), CoverageHoursPercentage: str(c.HoursPercentage())}
	}
	if metrics["Unit"] {
		out.CoverageNormalizedUnits = &CoverageNormalizedUnits{OnDemandNormalizedUnits: str(c.OnDemandUnits),
			ReservedNormalizedUnits: str(c.ReservedUnits), TotalRunningNormalizedUnits: str(c.TotalRunningUnits()),
			CoverageNormalizedUnitsPercentage: str(c.UnitsPercentage())}
	}
	if metrics["Cost"] {
		out.CoverageCost = &CoverageCost{OnDemandCost: str(c.OnDemandCost)}
	}
	return out
}

func coverageFigureMap(c *Coverage) map[string]*string {
	m := map[string]*string{}
	if h := c.CoverageHours; h != nil {
		m["OnDemandHours"], m["ReservedHours"], m["TotalRunningHours"], m["CoverageHoursPercentage"] =
			h.OnDemandHours, h.ReservedHours, h.TotalRunningHours, h.CoverageHoursPercentage
	}
	if u := c.CoverageNormalizedUnits; u != nil {
		m["OnDemandNormalizedUnits"], m["ReservedNormalizedUnits"], m["TotalRunningNormalizedUnits"], m["CoverageNormalizedUnitsPercentage"] =
			u.OnDemandNormalizedUnits, u.ReservedNormalizedUnits, u.TotalRunningNormalizedUnits, u.CoverageNormalizedUnitsPercentage
	}
	if c.CoverageCost != nil {
		m["OnDemandCost"] = c.CoverageCost.OnDemandCost
	}
	return m
}

// cachedAnswer returns the answer of the request p pages: computed for a
// first page (unless the result cache is on and holds it), taken from the
// answer cache (cache.go) for later pages when it is there.
func cachedAnswer[T any](s *Service, p pager.Pager[int], compute func() (T, error)) (T, error) {
	key, version := "c"+p.Digest(), s.cfg.Store.Version()
	start, _ := p.Start()
	if !s.cfg.NoResultCache || start > 0 {
		if v, ok := s.cache.get(key, version); ok {
			return v.(T), nil
		}
	}
	v, err := compute()
	if err != nil {
		return v, err
	}
	s.cache.put(key, version, v, approxSize(v))
	return v, nil
}
