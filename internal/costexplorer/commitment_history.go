package costexplorer

import (
	"context"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/recommend"
	"github.com/tallyhq/tally/internal/store"
)

// The Cost Explorer values the commitment operations read (internal/recommend
// documents the model).
const (
	computeService = "Amazon Elastic Compute Cloud - Compute"
	// instanceUsage are the usage type fragments of EC2 instance hours that
	// a Reserved Instance or a Savings Plan can cover.
	boxUsage       = "BoxUsage"
	dedicatedUsage = "DedicatedUsage"
)

// instance is what a Reserved Instance recommendation is for. Platform and
// Tenancy are EC2's; for another service they hold the values of its
// riService.Attrs (RDS: database engine and deployment option).
type instance struct {
	Account, InstanceType, Region, Platform, Tenancy string
}

// onDemand is the hourly on-demand usage of EC2 instances over a look-back:
// per instance, the instance-hours and their on-demand cost in each hour.
type onDemand struct {
	Start    time.Time
	Hours    int
	Usage    map[instance][]float64
	Cost     map[instance][]float64
	Currency string
}

// lookbackDays turns the model's enum into days.
func lookbackDays(l *LookbackPeriodInDays, def LookbackPeriodInDays) (int, LookbackPeriodInDays, error) {
	v := def
	if l != nil {
		v = *l
	}
	switch v {
	case LookbackPeriodInDaysSevenDays:
		return 7, v, nil
	case LookbackPeriodInDaysThirtyDays:
		return 30, v, nil
	case LookbackPeriodInDaysSixtyDays:
		return 60, v, nil
	}
	return 0, v, validation("LookbackPeriodInDays %q is not one of SEVEN_DAYS, THIRTY_DAYS, SIXTY_DAYS", v)
}

func dim(d billing.Dimension, values ...string) *query.Match {
	return &query.Match{Kind: query.KindDimension, Key: string(d), Values: values}
}

func groupDims(ds ...billing.Dimension) []query.GroupKey {
	out := make([]query.GroupKey, len(ds))
	for i, d := range ds {
		out[i] = query.GroupKey{Kind: query.KindDimension, Key: string(d)}
	}
	return out
}

func float(v query.Value) float64 {
	if v.Amount == nil {
		return 0
	}
	f, _ := new(big.Rat).SetFrac(v.Amount, new(big.Int).Exp(big.NewInt(10), big.NewInt(billing.Scale), nil)).Float64()
	return f
}

// onDemandHistory reads the on-demand EC2 instance hours of the days days
// before end's day, under filter and in scope: usage already covered by a
// Reserved Instance or a Savings Plan is not on demand and does not count.
// With perAccount the instances are told apart by usage account.
func (s *Service) onDemandHistory(ctx context.Context, svc *riService, sc query.Scope, filter query.Expr, end time.Time, days int, perAccount bool) (*onDemand, error) {
	end = billing.DayStart(end)
	return s.instanceHours(ctx, svc, sc, filter, billing.Period{Start: end.AddDate(0, 0, -days), End: end}, perAccount, true)
}

// instanceHours reads hourly EC2 instance usage in p: only what was bought on
// demand with onDemandOnly, else every instance-hour whether on demand or
// covered by a commitment (the cost then is of the on-demand lines only).
func (s *Service) instanceHours(ctx context.Context, svc *riService, sc query.Scope, filter query.Expr, p billing.Period, perAccount, onDemandOnly bool) (*onDemand, error) {
	f := svc.usageFilter()
	if onDemandOnly {
		f = append(f, dim(billing.DimPurchaseType, billing.PurchaseOnDemand))
	} else {
		f = append(f, dim(billing.DimRecordType, "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"))
	}
	if filter != nil {
		f = append(f, filter)
	}
	q := &query.Aggregate{Period: p, Granularity: query.Hourly,
		Metrics: []billing.Metric{billing.UsageQuantity, billing.UnblendedCost},
		GroupBy: svc.groupBy([]billing.Dimension{billing.DimLinkedAccount}, billing.DimPurchaseType),
		Filter:  f, Scope: sc}
	rows, err := s.cfg.Store.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	h := &onDemand{Start: p.Start, Hours: int(p.End.Sub(p.Start) / time.Hour), Usage: map[instance][]float64{}, Cost: map[instance][]float64{}, Currency: "USD"}
	for _, r := range rows {
		k, purchase := svc.key(r.Keys, 1)
		if perAccount {
			k.Account = r.Keys[0]
		}
		if h.Usage[k] == nil {
			h.Usage[k], h.Cost[k] = make([]float64, h.Hours), make([]float64, h.Hours)
		}
		i := int(r.Bucket.Sub(h.Start) / time.Hour)
		h.Usage[k][i] += float(r.Values[0])
		if r.Keys[purchase] == billing.PurchaseOnDemand {
			h.Cost[k][i] += float(r.Values[1])
		}
		if u := r.Values[1].Unit; u != "" && u != "N/A" {
			h.Currency = u
		}
	}
	return h, nil
}

// Spend returns the hourly on-demand spend of the instances for which keep
// holds, summed.
func (h *onDemand) Spend(keep func(instance) bool) []float64 {
	out := make([]float64, h.Hours)
	for k, c := range h.Cost {
		if keep(k) {
			for i, v := range c {
				out[i] += v
			}
		}
	}
	return out
}

// OnDemandRate is the observed on-demand rate of k over the look-back: its
// cost over its instance-hours; false when it ran no hour.
func (h *onDemand) OnDemandRate(k instance) (float64, bool) {
	var u, c float64
	for i := range h.Usage[k] {
		u += h.Usage[k][i]
		c += h.Cost[k][i]
	}
	return c / u, u > 0
}

// riRateKey names the Reserved Instances whose rate the bill shows.
type riRateKey struct {
	InstanceType, Region, Platform, Tenancy string
	Class                                   string // PURCHASE_TYPE: Standard or Convertible Reserved Instances
	Payment                                 string // PAYMENT_OPTION as the bill spells it ("Partial Upfront")
}

// riRates returns the effective and recurring rates per instance-hour that
// the reservations in the bill got (internal/recommend, "Sources of every
// price"), over the whole history up to end.
func (s *Service) riRates(ctx context.Context, svc *riService, sc query.Scope, end time.Time) (map[riRateKey]recommend.RIRates, error) {
	start, err := s.firstMonth(ctx)
	if err != nil || !start.Before(end) {
		return map[riRateKey]recommend.RIRates{}, err
	}
	q := &query.Aggregate{Period: billing.Period{Start: start, End: end}, Granularity: query.Monthly,
		Metrics: []billing.Metric{billing.AmortizedCost, billing.UnblendedCost, billing.UsageQuantity},
		GroupBy: svc.groupBy([]billing.Dimension{billing.DimRecordType}, billing.DimPurchaseType, billing.DimPaymentOption),
		Filter: query.And{dim(billing.DimService, append([]string{svc.Name}, svc.Aliases...)...),
			dim(billing.DimRecordType, "DiscountedUsage", billing.RecordTypeRecurring)},
		Scope: sc}
	rows, err := s.cfg.Store.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	type sums struct{ amortized, hours float64 }
	type shareKey struct{ InstanceType, Region, Class, Payment string }
	used := map[riRateKey]*sums{}
	recurring, total := map[shareKey]float64{}, map[shareKey]float64{}
	for _, r := range rows {
		ik, at := svc.key(r.Keys, 1)
		k := riRateKey{InstanceType: ik.InstanceType, Region: ik.Region, Platform: ik.Platform, Tenancy: ik.Tenancy, Class: r.Keys[at], Payment: r.Keys[at+1]}
		sk := shareKey{k.InstanceType, k.Region, k.Class, k.Payment}
		amortized := float(r.Values[0])
		total[sk] += amortized
		if r.Keys[0] == billing.RecordTypeRecurring {
			recurring[sk] += float(r.Values[1])
			continue
		}
		if used[k] == nil {
			used[k] = &sums{}
		}
		used[k].amortized += amortized
		used[k].hours += float(r.Values[2])
	}
	out := map[riRateKey]recommend.RIRates{}
	for k, u := range used {
		if u.hours <= 0 {
			continue
		}
		e := u.amortized / u.hours
		sk := shareKey{k.InstanceType, k.Region, k.Class, k.Payment}
		share := 0.0
		if total[sk] > 0 {
			share = min(1, recurring[sk]/total[sk])
		}
		out[k] = recommend.RIRates{Effective: e, Recurring: e * share}
	}
	return out, nil
}

// spRate is what the Savings Plans of one type and payment option got.
type spRate struct {
	Discount       float64 // off the on-demand cost of the usage they covered
	RecurringShare float64 // of the commitment, billed hourly (the rest upfront)
}

// spRates returns, per SAVINGS_PLANS_TYPE and PAYMENT_OPTION as the bill
// spells them, the discount the Savings Plans got and the recurring share of
// their commitment (internal/recommend).
func (s *Service) spRates(ctx context.Context, sc query.Scope, end time.Time) (map[[2]string]spRate, error) {
	start, err := s.firstMonth(ctx)
	if err != nil || !start.Before(end) {
		return map[[2]string]spRate{}, err
	}
	q := &query.Aggregate{Period: billing.Period{Start: start, End: end}, Granularity: query.Monthly,
		Metrics: []billing.Metric{billing.AmortizedCost, billing.UnblendedCost},
		GroupBy: groupDims(billing.DimRecordType, billing.DimSavingsPlansType, billing.DimPaymentOption),
		Filter:  dim(billing.DimRecordType, "SavingsPlanCoveredUsage", "SavingsPlanRecurringFee"),
		Scope:   sc}
	rows, err := s.cfg.Store.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	type sums struct{ onDemand, effective, unused, recurring float64 }
	acc := map[[2]string]*sums{}
	for _, r := range rows {
		k := [2]string{r.Keys[1], r.Keys[2]}
		if acc[k] == nil {
			acc[k] = &sums{}
		}
		if r.Keys[0] == "SavingsPlanCoveredUsage" {
			acc[k].onDemand += float(r.Values[1])
			acc[k].effective += float(r.Values[0])
		} else {
			acc[k].unused += float(r.Values[0])
			acc[k].recurring += float(r.Values[1])
		}
	}
	out := map[[2]string]spRate{}
	for k, a := range acc {
		if a.onDemand <= 0 || a.effective >= a.onDemand {
			continue
		}
		r := spRate{Discount: 1 - a.effective/a.onDemand}
		if t := a.effective + a.unused; t > 0 {
			r.RecurringShare = min(1, a.recurring/t)
		}
		out[k] = r
	}
	return out, nil
}

// firstMonth is the first stored billing month.
func (s *Service) firstMonth(ctx context.Context) (time.Time, error) {
	periods, err := s.cfg.Store.Periods(ctx)
	if err != nil {
		return time.Time{}, err
	}
	var first time.Time
	for _, p := range periods {
		if first.IsZero() || p.Period.Month.Before(first) {
			first = p.Period.Month
		}
	}
	return first, nil
}

// CommitmentView is the usage a backtest case is built from.
type CommitmentView int

const (
	// ViewOnDemand is the usage bought on demand, before and in the month,
	// as the recommendations see it; but the held-out month's usage covered
	// by a commitment that covered nothing in the look-back (one the
	// organisation bought at or after the recommendation) counts as on
	// demand: that purchase was made instead of the recommended one, and
	// without it the usage would have been on demand. Usage that returns on
	// demand when an existing commitment expires stays on demand.
	ViewOnDemand CommitmentView = iota
	// ViewAllUsage is every EC2 instance-hour priced at the on-demand rate,
	// as if no commitment existed.
	ViewAllUsage
	// ViewRawOnDemand is what was bought on demand, before and in the
	// month, whatever the organisation bought in the month.
	ViewRawOnDemand
)

// CommitmentCase gathers what the backtest of the recommendations needs for
// one held-out month (it starts at month): the look-back of days days before
// it and the month itself, for the whole organisation, in the given view.
// Reserved Instances are priced at the first rate the bill shows of
// Standard Partial, All and No Upfront.
func (s *Service) CommitmentCase(ctx context.Context, month time.Time, days int, view CommitmentView) (recommend.Case, error) {
	c := recommend.Case{Month: month}
	next := month.AddDate(0, 1, 0)
	allUsage := view == ViewAllUsage
	look := billing.Period{Start: month.AddDate(0, 0, -days), End: month}
	hist, err := s.instanceHours(ctx, ec2Reservations, query.Scope{}, nil, look, false, !allUsage)
	if err != nil {
		return c, err
	}
	actual, err := s.instanceHours(ctx, ec2Reservations, query.Scope{}, nil, billing.Period{Start: month, End: next}, false, !allUsage)
	if err != nil {
		return c, err
	}
	if view == ViewOnDemand {
		if err := s.addNewlyCovered(ctx, actual, look); err != nil {
			return c, err
		}
	}
	returning, slack := map[instance][]recommend.Returning{}, []float64(nil)
	if !allUsage {
		if returning, slack, err = s.returningUsage(ctx, ec2Reservations, query.Scope{}, nil, month, false); err != nil {
			return c, err
		}
	}
	first, err := s.firstMonth(ctx)
	if err != nil {
		return c, err
	}
	if from := month.AddDate(0, 0, -days); first.IsZero() || from.Before(first) {
		first = from
	}
	odRates, err := s.instanceHours(ctx, ec2Reservations, query.Scope{}, nil, billing.Period{Start: first, End: month}, false, true)
	if err != nil {
		return c, err
	}
	riRates, err := s.riRates(ctx, ec2Reservations, query.Scope{}, month)
	if err != nil {
		return c, err
	}
	spRates, err := s.spRates(ctx, query.Scope{}, month)
	if err != nil {
		return c, err
	}
	for _, p := range []string{"Partial Upfront", "All Upfront", "No Upfront"} {
		if r, ok := spRates[[2]string{"ComputeSavingsPlans", p}]; ok {
			c.Discount = r.Discount
			break
		}
	}
	keys := map[instance]bool{}
	for k := range hist.Usage {
		keys[k] = true
	}
	for k := range actual.Usage {
		keys[k] = true
	}
	c.HistorySpend, c.ActualSpend = make([]float64, hist.Hours), make([]float64, actual.Hours)
	var names []instance
	for k := range keys {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return fmt.Sprint(names[i]) < fmt.Sprint(names[j]) })
	for _, k := range names {
		// The on-demand rate the history before the month shows; an
		// instance that never ran on demand has no price and is left out.
		p, ok := odRates.OnDemandRate(k)
		if !ok {
			continue
		}
		h, a := orZeros(hist.Usage[k], hist.Hours), orZeros(actual.Usage[k], actual.Hours)
		for i, u := range h {
			c.HistorySpend[i] += u * p
		}
		for i, u := range a {
			c.ActualSpend[i] += u * p
		}
		for _, pay := range []string{"Partial Upfront", "All Upfront", "No Upfront"} {
			r, ok := riRates[riRateKey{InstanceType: k.InstanceType, Region: k.Region, Platform: k.Platform, Tenancy: k.Tenancy,
				Class: billing.PurchaseStandardRI, Payment: pay}]
			if ok {
				r.OnDemand = p
				c.Instances = append(c.Instances, recommend.InstanceCase{Name: k.InstanceType + " " + k.Region, Rates: r, History: h, Actual: a,
					Ahead: recommend.Ahead{Returning: returning[k], Slack: slack}})
				break
			}
		}
	}
	return c, nil
}

// addNewlyCovered adds to h (on-demand usage of a held-out month) the
// instance-hours covered by a Reserved Instance or Savings Plan that covered
// no usage in the look-back: a commitment bought at or after the
// recommendation.
func (s *Service) addNewlyCovered(ctx context.Context, h *onDemand, look billing.Period) error {
	covered := func(p billing.Period) ([]query.Row, error) {
		return s.cfg.Store.Aggregate(ctx, &query.Aggregate{Period: p, Granularity: query.Hourly,
			Metrics: []billing.Metric{billing.UsageQuantity},
			GroupBy: groupDims(billing.DimReservationID, billing.DimSavingsPlanARN, billing.DimInstanceType, billing.DimRegion,
				billing.DimPlatform, billing.DimTenancy),
			Filter: query.And{dim(billing.DimService, computeService), dim(billing.DimRecordType, "DiscountedUsage", "SavingsPlanCoveredUsage"),
				&query.Match{Kind: query.KindDimension, Key: string(billing.DimUsageType), Values: []string{boxUsage, dedicatedUsage}, Op: query.OpContains}}})
	}
	before, err := covered(look)
	if err != nil {
		return err
	}
	existing := map[[2]string]bool{}
	for _, r := range before {
		existing[[2]string{r.Keys[0], r.Keys[1]}] = true
	}
	in, err := covered(billing.Period{Start: h.Start, End: h.Start.Add(time.Duration(h.Hours) * time.Hour)})
	if err != nil {
		return err
	}
	for _, r := range in {
		if existing[[2]string{r.Keys[0], r.Keys[1]}] {
			continue
		}
		k := instance{InstanceType: r.Keys[2], Region: r.Keys[3], Platform: r.Keys[4], Tenancy: r.Keys[5]}
		if h.Usage[k] == nil {
			h.Usage[k], h.Cost[k] = make([]float64, h.Hours), make([]float64, h.Hours)
		}
		h.Usage[k][int(r.Bucket.Sub(h.Start)/time.Hour)] += float(r.Values[0])
	}
	return nil
}

// returningUsage reads, per instance, the usage that commitments covered in
// the last recommend.RecentHours before end (a day start) and that comes
// back on demand when they expire within recommend.ProjectionHours of end:
// Reserved Instances and Savings Plans whose end time the bill gives
// (reservation/EndTime, savingsPlan/EndTime). With perAccount instances are
// told apart by usage account.
//
// It also returns the Savings Plans' slack (recommend.Ahead): per hour of that
// week, the unused commitment of the plans that do not expire then, as the
// bill's savingsPlan/TotalCommitmentToDate − UsedCommitment of the day spread
// over its hours, turned into on-demand spend with the discount the plans got
// that week (1 − Σ SavingsPlanEffectiveCost / Σ UnblendedCost of their
// covered usage).
func (s *Service) returningUsage(ctx context.Context, svc *riService, sc query.Scope, filter query.Expr, end time.Time, perAccount bool) (map[instance][]recommend.Returning, []float64, error) {
	week := billing.Period{Start: end.Add(-recommend.RecentHours * time.Hour), End: end}
	ans, err := s.cfg.Store.Commitments(ctx, &store.CommitmentQuery{Period: week, Scope: sc, Kinds: []string{billing.CommitmentRI, billing.CommitmentSP},
		Sums: []store.CommitmentSum{store.SumUsage, store.SumUnblended, store.SumSPEffectiveCost, store.SumSPTotalCommitment, store.SumSPUsedCommitment}})
	if err != nil {
		return nil, nil, err
	}
	horizon := end.Add(recommend.ProjectionHours * time.Hour)
	ends := map[string]time.Time{}
	for _, c := range ans.Commitments {
		t, err := time.Parse(time.RFC3339, c.End)
		if err != nil || t.Before(end) || !t.Before(horizon) {
			continue
		}
		// RESERVATION_ID is the last segment of the reservation's ARN.
		ends[c.ARN], ends[planID(c.ARN)] = t, t
	}
	out := map[instance][]recommend.Returning{}
	if len(ends) == 0 {
		return out, nil, nil
	}
	// The slack of the plans that stay, per day, and their discount.
	var onDemand, effective float64
	unused := make([]float64, recommend.RecentHours/24)
	for _, r := range ans.Rows {
		if r.Commitment < 0 || ans.Commitments[r.Commitment].Kind != billing.CommitmentSP {
			continue
		}
		if _, expires := ends[ans.Commitments[r.Commitment].ARN]; expires {
			continue
		}
		sum := func(k store.CommitmentSum) float64 {
			if r.Sums[k] == nil {
				return 0
			}
			f, _ := new(big.Float).SetInt(r.Sums[k]).Float64()
			return f / math.Pow10(billing.Scale)
		}
		if r.LineItemType == "SavingsPlanCoveredUsage" {
			onDemand += sum(store.SumUnblended)
			effective += sum(store.SumSPEffectiveCost)
		}
		if r.LineItemType == "SavingsPlanRecurringFee" {
			if d := int(r.Bucket.Sub(week.Start) / (24 * time.Hour)); d >= 0 && d < len(unused) {
				unused[d] += sum(store.SumSPTotalCommitment) - sum(store.SumSPUsedCommitment)
			}
		}
	}
	var slack []float64
	// Savings Plans cover EC2 instances only: other services' returning
	// usage has no plan to absorb it.
	if svc == ec2Reservations && onDemand > 0 && effective < onDemand {
		rate := effective / onDemand // 1 − discount
		slack = make([]float64, recommend.RecentHours)
		for h := range slack {
			slack[h] = max(0, unused[h/24]) / 24 / rate
		}
	}
	f := append(svc.usageFilter(), dim(billing.DimRecordType, "DiscountedUsage", "SavingsPlanCoveredUsage"))
	if filter != nil {
		f = append(f, filter)
	}
	rows, err := s.cfg.Store.Aggregate(ctx, &query.Aggregate{Period: week, Granularity: query.Hourly,
		Metrics: []billing.Metric{billing.UsageQuantity},
		GroupBy: svc.groupBy([]billing.Dimension{billing.DimReservationID, billing.DimSavingsPlanARN, billing.DimLinkedAccount}),
		Filter:  f, Scope: sc})
	if err != nil {
		return nil, nil, err
	}
	type key struct {
		k   instance
		arn string
	}
	idx := map[key]int{}
	for _, r := range rows {
		arn := r.Keys[0]
		t, ok := ends[arn]
		if !ok {
			arn = r.Keys[1]
			if t, ok = ends[arn]; !ok {
				continue
			}
		}
		k, _ := svc.key(r.Keys, 3)
		if perAccount {
			k.Account = r.Keys[2]
		}
		i, seen := idx[key{k, arn}]
		if !seen {
			i = len(out[k])
			idx[key{k, arn}] = i
			out[k] = append(out[k], recommend.Returning{From: int(t.Sub(end) / time.Hour), Usage: make([]float64, recommend.RecentHours)})
		}
		out[k][i].Usage[int(r.Bucket.Sub(week.Start)/time.Hour)] += float(r.Values[0])
	}
	return out, slack, nil
}

func orZeros(xs []float64, n int) []float64 {
	if xs == nil {
		return make([]float64, n)
	}
	return xs
}

// planCoverage is the Savings Plans coverage of EC2 instance usage in a
// period, hour by hour.
type planCoverage struct {
	// Covered is the on-demand cost of the usage the plans covered (the
	// UnblendedCost of SavingsPlanCoveredUsage lines), except the excluded
	// plans'; Excluded is the excluded plans'.
	Covered, Excluded []float64
	// Commitment is the plans' commitment per hour over the period (used
	// and unused, the excluded plans left out).
	Commitment float64
	// IDs are the plans seen.
	IDs map[string]bool
}

// planID is the Savings Plan id of an ARN, its last path segment: what
// SavingsPlansToExclude names.
func planID(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// coveredByPlans reads what the Savings Plans covered in p; exclude
// names plans by id.
func (s *Service) coveredByPlans(ctx context.Context, sc query.Scope, filter query.Expr, p billing.Period, exclude map[string]bool) (*planCoverage, error) {
	hours := int(p.End.Sub(p.Start) / time.Hour)
	out := &planCoverage{Covered: make([]float64, hours), Excluded: make([]float64, hours), IDs: map[string]bool{}}
	f := query.And{dim(billing.DimService, computeService), dim(billing.DimRecordType, "SavingsPlanCoveredUsage"),
		&query.Match{Kind: query.KindDimension, Key: string(billing.DimUsageType), Values: []string{boxUsage, dedicatedUsage}, Op: query.OpContains}}
	if filter != nil {
		f = append(f, filter)
	}
	rows, err := s.cfg.Store.Aggregate(ctx, &query.Aggregate{Period: p, Granularity: query.Hourly, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy: groupDims(billing.DimSavingsPlanARN), Filter: f, Scope: sc})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		i := int(r.Bucket.Sub(p.Start) / time.Hour)
		if exclude[planID(r.Keys[0])] {
			out.Excluded[i] += float(r.Values[0])
		} else {
			out.Covered[i] += float(r.Values[0])
		}
	}
	var cf query.Expr = dim(billing.DimRecordType, "SavingsPlanCoveredUsage", "SavingsPlanRecurringFee")
	if filter != nil {
		cf = query.And{cf, filter}
	}
	rows, err = s.cfg.Store.Aggregate(ctx, &query.Aggregate{Period: p, Granularity: query.Monthly, Metrics: []billing.Metric{billing.AmortizedCost},
		GroupBy: groupDims(billing.DimSavingsPlanARN), Filter: cf, Scope: sc})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out.IDs[planID(r.Keys[0])] = true
		if !exclude[planID(r.Keys[0])] && hours > 0 {
			out.Commitment += float(r.Values[0]) / float64(hours)
		}
	}
	return out, nil
}
