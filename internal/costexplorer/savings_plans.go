package costexplorer

import (
	"context"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/commitments"
	"github.com/tallyhq/tally/internal/pager"
)

var spFigureNames = []string{"UtilizationPercentage", "TotalCommitment", "UsedCommitment", "UnusedCommitment", "NetSavings"}

// GetSavingsPlansUtilization implements the AWS operation
// GetSavingsPlansUtilization from the SavingsPlanRecurringFee and
// SavingsPlanCoveredUsage lines (formulas in package commitments).
func (s *Service) GetSavingsPlansUtilization(ctx context.Context, in *GetSavingsPlansUtilizationRequest) (*GetSavingsPlansUtilizationResponse, error) {
	gran := in.Granularity
	if gran == nil {
		gran = ptr(GranularityDaily)
	}
	cq, err := s.parseCommitment(ctx, commitmentRequest{op: "GetSavingsPlansUtilization", period: in.TimePeriod,
		granularity: gran, filter: in.Filter, rules: spUtilizationFilter})
	if err != nil {
		return nil, err
	}
	sortKey, desc, err := sortBy(in.SortBy, spFigureNames)
	if err != nil {
		return nil, err
	}
	cq.q.Kinds, cq.q.Sums = []string{billing.CommitmentSP}, commitments.SavingsPlanSums
	ans, err := s.ask(ctx, &cq.q)
	if err != nil {
		return nil, err
	}
	plans := commitments.SavingsPlans(ans, cq.buckets)
	var total commitments.SPUsage
	var byTime []SavingsPlansUtilizationByTime
	for b, bucket := range cq.buckets {
		var t commitments.SPUsage
		for i := range plans {
			t.Add(&plans[i].Buckets[b])
		}
		total.Add(&t)
		f := t.Figures()
		byTime = append(byTime, SavingsPlansUtilizationByTime{TimePeriod: interval(bucket), Utilization: spUtilization(&f),
			Savings: spSavings(&f), AmortizedCommitment: spAmortized(&f)})
	}
	sortGroups(byTime, sortKey, desc, func(u SavingsPlansUtilizationByTime) map[string]*string {
		return spFigureMap(u.Utilization, u.Savings, u.AmortizedCommitment)
	})
	f := total.Figures()
	return &GetSavingsPlansUtilizationResponse{SavingsPlansUtilizationsByTime: byTime,
		Total: &SavingsPlansUtilizationAggregates{Utilization: spUtilization(&f), Savings: spSavings(&f), AmortizedCommitment: spAmortized(&f)}}, nil
}

func spUtilization(f *commitments.SPFigures) *SavingsPlansUtilization {
	return &SavingsPlansUtilization{TotalCommitment: str(f.TotalCommitment), UsedCommitment: str(f.UsedCommitment),
		UnusedCommitment: str(f.UnusedCommitment), UtilizationPercentage: str(f.UtilizationPercentage)}
}

func spSavings(f *commitments.SPFigures) *SavingsPlansSavings {
	return &SavingsPlansSavings{NetSavings: str(f.NetSavings), OnDemandCostEquivalent: str(f.OnDemandCostEquivalent)}
}

func spAmortized(f *commitments.SPFigures) *SavingsPlansAmortizedCommitment {
	return &SavingsPlansAmortizedCommitment{AmortizedRecurringCommitment: str(f.AmortizedRecurringCommitment),
		AmortizedUpfrontCommitment: str(f.AmortizedUpfrontCommitment), TotalAmortizedCommitment: str(f.TotalAmortizedCommitment)}
}

func spFigureMap(u *SavingsPlansUtilization, s *SavingsPlansSavings, a *SavingsPlansAmortizedCommitment) map[string]*string {
	m := map[string]*string{}
	if u != nil {
		m["UtilizationPercentage"], m["TotalCommitment"], m["UsedCommitment"], m["UnusedCommitment"] =
			u.UtilizationPercentage, u.TotalCommitment, u.UsedCommitment, u.UnusedCommitment
	}
	if s != nil {
		m["NetSavings"] = s.NetSavings
	}
	if a != nil {
		m["AmortizedRecurringCommitment"], m["AmortizedUpfrontCommitment"] = a.AmortizedRecurringCommitment, a.AmortizedUpfrontCommitment
	}
	return m
}

// defaultSPPageSize is the model's default MaxResults of the Savings Plans
// listings.
const defaultSPPageSize = 20

// GetSavingsPlansUtilizationDetails implements the AWS operation
// GetSavingsPlansUtilizationDetails: the utilization of each plan over the
// whole period, with what the bill says of it, paged by plan ARN.
func (s *Service) GetSavingsPlansUtilizationDetails(ctx context.Context, in *GetSavingsPlansUtilizationDetailsRequest) (*GetSavingsPlansUtilizationDetailsResponse, error) {
	cq, err := s.parseCommitment(ctx, commitmentRequest{op: "GetSavingsPlansUtilizationDetails", period: in.TimePeriod,
		filter: in.Filter, rules: spUtilizationFilter})
	if err != nil {
		return nil, err
	}
	sortKey, desc, err := sortBy(in.SortBy, append(spFigureNames, "AmortizedRecurringCommitment", "AmortizedUpfrontCommitment"))
	if err != nil {
		return nil, err
	}
	parts := map[SavingsPlansDataType]bool{}
	for _, d := range in.DataType {
		parts[d] = true
	}
	cq.q.Kinds, cq.q.GroupBy, cq.q.Sums = []string{billing.CommitmentSP}, spAttributeDims, commitments.SavingsPlanSums
	p := pages[int](ctx, s, "GetSavingsPlansUtilizationDetails", in)
	type answer struct {
		details []SavingsPlansUtilizationDetail
		total   commitments.SPFigures
	}
	a, err := cachedAnswer(s, p, func() (answer, error) {
		d, t, err := s.spDetails(ctx, cq, parts, sortKey, desc)
		return answer{d, t}, err
	})
	if err != nil {
		return nil, err
	}
	size := int(deref(in.MaxResults))
	if size <= 0 {
		size = defaultSPPageSize
	}
	page, next, err := pager.Slice(p, a.details, size)
	if err != nil {
		return nil, err
	}
	f := a.total
	return &GetSavingsPlansUtilizationDetailsResponse{SavingsPlansUtilizationDetails: page, TimePeriod: interval(cq.period),
		Total:     &SavingsPlansUtilizationAggregates{Utilization: spUtilization(&f), Savings: spSavings(&f), AmortizedCommitment: spAmortized(&f)},
		NextToken: next}, nil
}

// spDetails computes every plan's detail, and the figures of all plans.
func (s *Service) spDetails(ctx context.Context, cq *commitmentQuestion, parts map[SavingsPlansDataType]bool, sortKey string, desc bool) ([]SavingsPlansUtilizationDetail, commitments.SPFigures, error) {
	all := len(parts) == 0
	ans, err := s.ask(ctx, &cq.q)
	if err != nil {
		return nil, commitments.SPFigures{}, err
	}
	plans := commitments.SavingsPlans(ans, cq.buckets)
	var total commitments.SPUsage
	var details []SavingsPlansUtilizationDetail
	for i := range plans {
		t := plans[i].Total()
		total.Add(&t)
		f := t.Figures()
		d := SavingsPlansUtilizationDetail{SavingsPlanArn: ptr(plans[i].Info.ARN)}
		if all || parts[SavingsPlansDataTypeAttributes] {
			d.Attributes = spAttributes(&plans[i])
		}
		if all || parts[SavingsPlansDataTypeUtilization] {
			d.Utilization = spUtilization(&f)
		}
		if all || parts[SavingsPlansDataTypeSavings] {
			d.Savings = spSavings(&f)
		}
		if all || parts[SavingsPlansDataTypeAmortizedCommitment] {
			d.AmortizedCommitment = spAmortized(&f)
		}
		details = append(details, d)
	}
	sortGroups(details, sortKey, desc, func(d SavingsPlansUtilizationDetail) map[string]*string {
		return spFigureMap(d.Utilization, d.Savings, d.AmortizedCommitment)
	})
	return details, total.Figures(), nil
}

// spAttributes are a plan's Attributes: what the bill says of it.
func spAttributes(p *commitments.SavingsPlan) map[string]string {
	a := map[string]string{}
	set := func(k, v string) {
		if v != "" {
			a[k] = v
		}
	}
	for i, name := range spAttributeNames {
		if i < len(p.Keys) {
			set(name, p.Keys[i])
		}
	}
	set("SavingsPlansType", p.Info.SavingsPlansType)
	set("PaymentOption", p.Info.PaymentOption)
	set("PurchaseTerm", p.Info.PurchaseTerm)
	set("StartDateTime", p.Info.Start)
	set("EndDateTime", p.Info.End)
	return a
}

// GetSavingsPlansCoverage implements the AWS operation
// GetSavingsPlansCoverage: on-demand equivalent of covered usage against
// SP-eligible on-demand spend, per time bucket and group, paged.
func (s *Service) GetSavingsPlansCoverage(ctx context.Context, in *GetSavingsPlansCoverageRequest) (*GetSavingsPlansCoverageResponse, error) {
	var groups []billing.Dimension
	var names []string
	for _, g := range in.GroupBy {
		d, ok := spCoverageGroups[deref(g.Key)]
		if deref(g.Type) != GroupDefinitionTypeDimension || !ok {
			return nil, validation("GetSavingsPlansCoverage groups by DIMENSION INSTANCE_FAMILY, REGION or SERVICE, not %s %s", deref(g.Type), deref(g.Key))
		}
		groups, names = append(groups, d), append(names, deref(g.Key))
	}
	for _, m := range in.Metrics {
		if m != "SpendCoveredBySavingsPlans" {
			return nil, validation("GetSavingsPlansCoverage has one metric, SpendCoveredBySavingsPlans, not %q", m)
		}
	}
	gran := in.Granularity
	if gran == nil && len(groups) == 0 {
		gran = ptr(GranularityDaily)
	}
	cq, err := s.parseCommitment(ctx, commitmentRequest{op: "GetSavingsPlansCoverage", period: in.TimePeriod,
		granularity: gran, filter: in.Filter, rules: spCoverageFilter})
	if err != nil {
		return nil, err
	}
	sortKey, desc, err := sortBy(in.SortBy, []string{"SpendCoveredBySavingsPlan", "OnDemandCost", "CoveragePercentage", "TotalCost",
		"InstanceFamily", "Region", "Service"})
	if err != nil {
		return nil, err
	}
	cq.q.Kinds, cq.q.Eligible, cq.q.GroupBy = []string{billing.CommitmentSP}, billing.EligibleSP, groups
	cq.q.Sums = commitments.SavingsPlanCoverageSums
	p := pages[int](ctx, s, "GetSavingsPlansCoverage", in)
	items, err := cachedAnswer(s, p, func() ([]SavingsPlansCoverage, error) {
		return s.spCoverageItems(ctx, cq, names, sortKey, desc)
	})
	if err != nil {
		return nil, err
	}
	size := int(deref(in.MaxResults))
	if size <= 0 {
		size = defaultSPPageSize
	}
	page, next, err := pager.Slice(p, items, size)
	if err != nil {
		return nil, err
	}
	return &GetSavingsPlansCoverageResponse{SavingsPlansCoverages: page, NextToken: next}, nil
}

// spCoverageItems computes every item of a GetSavingsPlansCoverage answer.
func (s *Service) spCoverageItems(ctx context.Context, cq *commitmentQuestion, names []string, sortKey string, desc bool) ([]SavingsPlansCoverage, error) {
	groups := cq.q.GroupBy
	ans, err := s.ask(ctx, &cq.q)
	if err != nil {
		return nil, err
	}
	gs := commitments.SavingsPlansCoverage(ans, cq.buckets)
	var items []SavingsPlansCoverage
	for b, bucket := range cq.buckets {
		if len(groups) == 0 {
			var t commitments.SPCoverage
			for _, g := range gs {
				t.Add(&g.Buckets[b])
			}
			items = append(items, SavingsPlansCoverage{Attributes: map[string]string{}, Coverage: spCoverage(&t), TimePeriod: interval(bucket)})
			continue
		}
		for _, g := range gs {
			c := &g.Buckets[b]
			if val(c.TotalCost()).Sign() == 0 {
				continue
			}
			attrs := map[string]string{}
			for i, n := range names {
				attrs[n] = g.Keys[i]
			}
			items = append(items, SavingsPlansCoverage{Attributes: attrs, Coverage: spCoverage(c), TimePeriod: interval(bucket)})
		}
	}
	sortGroups(items, sortKey, desc, func(c SavingsPlansCoverage) map[string]*string {
		d := c.Coverage
		return map[string]*string{"SpendCoveredBySavingsPlan": d.SpendCoveredBySavingsPlans, "OnDemandCost": d.OnDemandCost,
			"CoveragePercentage": d.CoveragePercentage, "TotalCost": d.TotalCost}
	})
	return items, nil
}

func spCoverage(c *commitments.SPCoverage) *SavingsPlansCoverageData {
	return &SavingsPlansCoverageData{SpendCoveredBySavingsPlans: str(c.SpendCovered), OnDemandCost: str(c.OnDemandCost),
		TotalCost: str(c.TotalCost()), CoveragePercentage: str(c.Percentage())}
}
