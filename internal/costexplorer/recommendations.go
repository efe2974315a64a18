package costexplorer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/recommend"
)

// The operations in this file recommend commitments from the bill with the
// model of internal/recommend; its package doc gives every formula and the
// source of every rate.

// termNote is said in every recommendation's metadata.
const termNote = "Rates come from this bill: on-demand rates of the on-demand usage, and the rates existing commitments of the same kind got. The bill does not record lease lengths, so an observed rate is used for the term asked."

var paymentNames = map[PaymentOption]string{PaymentOptionNoUpfront: "No Upfront", PaymentOptionPartialUpfront: "Partial Upfront",
	PaymentOptionAllUpfront: "All Upfront"}

var spTypeNames = map[SupportedSavingsPlansType]string{SupportedSavingsPlansTypeComputeSp: "ComputeSavingsPlans",
	SupportedSavingsPlansTypeEc2InstanceSp: "EC2InstanceSavingsPlans"}

func termHours(t TermInYears) (float64, error) {
	switch t {
	case TermInYearsOneYear:
		return 8760, nil
	case TermInYearsThreeYears:
		return 3 * 8760, nil
	}
	return 0, validation("TermInYears %q is not one of ONE_YEAR, THREE_YEARS", t)
}

// money prints an estimate with two decimals, percentages and counts as
// they come.
func money(f float64) *string { return ptr(strconv.FormatFloat(f, 'f', 2, 64)) }
func num(f float64) *string   { return ptr(formatFloat(roundTo(f, 4))) }
func roundTo(f float64, d int) float64 {
	p, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', d, 64), 64)
	return p
}

// recommendationID names a recommendation set by what it was computed from,
// so that the same request over the same data has the same id.
func recommendationID(parts ...any) string {
	b, _ := json.Marshal(parts)
	h := sha256.Sum256(b)
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// GetReservationPurchaseRecommendation implements the AWS operation
// GetReservationPurchaseRecommendation for the services of riServices (EC2,
// RDS, ElastiCache, OpenSearch, Redshift, MemoryDB): per instance type,
// region and the service's attributes (EC2: platform and tenancy; RDS:
// engine and deployment option; ElastiCache: engine), and account with
// AccountScope LINKED, the number of reservations that saves most over the
// look-back's on-demand usage, priced with the rates the bill's reservations
// of that service got.
func (s *Service) GetReservationPurchaseRecommendation(ctx context.Context, in *GetReservationPurchaseRecommendationRequest) (*GetReservationPurchaseRecommendationResponse, error) {
	svc := reservationService(deref(in.Service))
	if svc == nil {
		names := make([]string, len(riServices))
		for i, r := range riServices {
			names[i] = r.Name
		}
		return nil, validation("Service %q has no reservations: it is not one of %s", deref(in.Service), strings.Join(names, ", "))
	}
	days, lookback, err := lookbackDays(in.LookbackPeriodInDays, LookbackPeriodInDaysSevenDays)
	if err != nil {
		return nil, err
	}
	term := TermInYearsOneYear
	if in.TermInYears != nil {
		term = *in.TermInYears
	}
	hours, err := termHours(term)
	if err != nil {
		return nil, err
	}
	payment := PaymentOptionPartialUpfront
	if in.PaymentOption != nil {
		payment = *in.PaymentOption
	}
	if paymentNames[payment] == "" {
		return nil, validation("PaymentOption %q is not one of NO_UPFRONT, PARTIAL_UPFRONT, ALL_UPFRONT", payment)
	}
	class := OfferingClassStandard
	if in.ServiceSpecification != nil && in.ServiceSpecification.EC2Specification != nil && in.ServiceSpecification.EC2Specification.OfferingClass != nil {
		class = *in.ServiceSpecification.EC2Specification.OfferingClass
	}
	classPurchase := map[OfferingClass]string{OfferingClassStandard: billing.PurchaseStandardRI, OfferingClassConvertible: billing.PurchaseConvertible}[class]
	if classPurchase == "" {
		return nil, validation("OfferingClass %q is not one of STANDARD, CONVERTIBLE", class)
	}
	if svc != ec2Reservations && class != OfferingClassStandard {
		return nil, validation("OfferingClass %q applies to Amazon EC2 only; %s reservations are standard", class, svc.Name)
	}
	scopeName := AccountScopePayer
	if in.AccountScope != nil {
		scopeName = *in.AccountScope
	}
	if scopeName != AccountScopePayer && scopeName != AccountScopeLinked {
		return nil, validation("AccountScope %q is not one of PAYER, LINKED", scopeName)
	}
	filter, err := s.accountFilter(in.Filter, in.AccountId)
	if err != nil {
		return nil, err
	}
	p := pages[int](ctx, s, "GetReservationPurchaseRecommendation", in)
	now := s.cfg.Now()
	sc := scope(ctx)
	hist, err := s.onDemandHistory(ctx, svc, sc, filter, now, days, scopeName == AccountScopeLinked)
	if err != nil {
		return nil, err
	}
	returning, slack, err := s.returningUsage(ctx, svc, sc, filter, billing.DayStart(now), scopeName == AccountScopeLinked)
	if err != nil {
		return nil, err
	}
	rates, err := s.riRates(ctx, svc, sc, billing.DayStart(now))
	if err != nil {
		return nil, err
	}
	keys := make([]instance, 0, len(hist.Usage))
	for k := range hist.Usage {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	var details []ReservationPurchaseRecommendationDetail
	var unpriced []string
	var savings, onDemandCost float64
	for _, k := range keys {
		od, ok := hist.OnDemandRate(k)
		if !ok {
			continue
		}
		rate, seen := rates[riRateKey{InstanceType: k.InstanceType, Region: k.Region, Platform: k.Platform, Tenancy: k.Tenancy,
			Class: classPurchase, Payment: paymentNames[payment]}]
		if !seen {
			unpriced = append(unpriced, strings.Join(strings.Fields(k.InstanceType+" "+k.Platform+" "+k.Tenancy), " ")+" in "+k.Region)
			continue
		}
		rate.OnDemand = od
		r := recommend.ReservedInstances(hist.Usage[k], rate, recommend.Ahead{Returning: returning[k], Slack: slack})
		if r.Count == 0 {
			continue
		}
		d := riDetail(svc, k, r, hours, hist.Currency)
		details = append(details, d)
		savings += recommend.Monthly(r.Savings, r.Hours)
		onDemandCost += recommend.Monthly(r.OnDemandCost, r.Hours)
	}
	meta := termNote
	if len(unpriced) > 0 {
		meta += fmt.Sprintf(" No recommendation for %s %s: the bill shows no %s %s reservation rate for it.",
			svc.Name, strings.Join(dedupe(unpriced), ", "), strings.ToLower(string(class)), paymentNames[payment])
	}
	size := int(deref(in.PageSize))
	page, next, err := pager.Slice(p, details, size)
	if err != nil {
		return nil, err
	}
	out := &GetReservationPurchaseRecommendationResponse{
		Metadata: &ReservationPurchaseRecommendationMetadata{
			RecommendationId:    ptr(recommendationID("ri", svc.Name, in.PageKey(), sc, s.cfg.Store.Version(), billing.DayStart(now))),
			GenerationTimestamp: ptr(now.UTC().Format(time.RFC3339)),
			AdditionalMetadata:  ptr(meta),
		},
		NextPageToken: next,
	}
	if len(details) > 0 {
		pct := 0.0
		if onDemandCost > 0 {
			pct = 100 * savings / onDemandCost
		}
		var spec *ServiceSpecification
		if svc == ec2Reservations {
			spec = &ServiceSpecification{EC2Specification: &EC2Specification{OfferingClass: &class}}
		}
		out.Recommendations = []ReservationPurchaseRecommendation{{
			AccountScope: &scopeName, LookbackPeriodInDays: &lookback, TermInYears: &term, PaymentOption: &payment,
			ServiceSpecification:  spec,
			RecommendationDetails: page,
			RecommendationSummary: &ReservationPurchaseRecommendationSummary{
				TotalEstimatedMonthlySavingsAmount: money(savings), TotalEstimatedMonthlySavingsPercentage: money(pct),
				CurrencyCode: ptr(hist.Currency)},
		}}
	}
	return out, nil
}

func riDetail(svc *riService, k instance, r recommend.RI, termHours float64, currency string) ReservationPurchaseRecommendationDetail {
	n := float64(r.Count)
	upfront := n * r.UpfrontPerHour * termHours
	recurring := n * r.RecurringHour * recommend.HoursPerMonth
	avoided := recommend.Monthly(r.Covered, r.Hours) * (r.OnDemandCost / max(r.Average*float64(r.Hours), 1e-12))
	breakEven := 0.0
	if upfront > 0 && avoided > recurring {
		breakEven = upfront / (avoided - recurring)
	}
	monthlyOD := recommend.Monthly(r.OnDemandCost, r.Hours)
	monthlySavings := recommend.Monthly(r.Savings, r.Hours)
	pct := 0.0
	if monthlyOD > 0 {
		pct = 100 * monthlySavings / monthlyOD
	}
	d := ReservationPurchaseRecommendationDetail{
		InstanceDetails:                           svc.Details(k),
		RecommendedNumberOfInstancesToPurchase:    num(n),
		MinimumNumberOfInstancesUsedPerHour:       num(r.Minimum),
		MaximumNumberOfInstancesUsedPerHour:       num(r.Maximum),
		AverageNumberOfInstancesUsedPerHour:       num(r.Average),
		AverageUtilization:                        money(r.Utilization()),
		EstimatedBreakEvenInMonths:                money(breakEven),
		CurrencyCode:                              ptr(currency),
		EstimatedMonthlySavingsAmount:             money(monthlySavings),
		EstimatedMonthlySavingsPercentage:         money(pct),
		EstimatedMonthlyOnDemandCost:              money(monthlyOD),
		EstimatedReservationCostForLookbackPeriod: money(r.ReservationCost),
		UpfrontCost:                               money(upfront),
		RecurringStandardMonthlyCost:              money(recurring),
	}
	if k.Account != "" {
		d.AccountId = ptr(k.Account)
	}
	return d
}

func dedupe(xs []string) []string {
	sort.Strings(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// accountFilter converts a recommendation's Filter, which may name only
// LINKED_ACCOUNT, and its AccountId into one filter.
func (s *Service) accountFilter(e *Expression, account *string) (query.Expr, error) {
	var out query.And
	if e != nil {
		f, err := expression(e)
		if err != nil {
			return nil, err
		}
		if m, ok := f.(*query.Match); !ok || m.Kind != query.KindDimension || m.Key != string(billing.DimLinkedAccount) {
			return nil, validation("Filter of a purchase recommendation may name only the LINKED_ACCOUNT dimension")
		}
		out = append(out, f)
	}
	if a := deref(account); a != "" {
		out = append(out, dim(billing.DimLinkedAccount, a))
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// spRecommendations keeps the details of the Savings Plans recommendations
// answered, for GetSavingsPlanPurchaseRecommendationDetails, and the
// generations started. It lives in memory: after a restart a detail id is
// unknown until the recommendation is asked for again.
type spRecommendations struct {
	mu          sync.Mutex
	details     map[string]*RecommendationDetailData
	order       []string
	generations []GenerationSummary
	analyses    []*GetCommitmentPurchaseAnalysisResponse
}

const maxKeptDetails = 1000

func (r *spRecommendations) keep(id string, d *RecommendationDetailData) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.details == nil {
		r.details = map[string]*RecommendationDetailData{}
	}
	if _, ok := r.details[id]; !ok {
		r.order = append(r.order, id)
		if len(r.order) > maxKeptDetails {
			delete(r.details, r.order[0])
			r.order = r.order[1:]
		}
	}
	r.details[id] = d
}

// GetSavingsPlansPurchaseRecommendation implements the AWS operation
// GetSavingsPlansPurchaseRecommendation: the hourly commitment that saves
// most over the look-back's on-demand EC2 instance spend, at the discount
// the bill's Savings Plans of that type and payment option got.
func (s *Service) GetSavingsPlansPurchaseRecommendation(ctx context.Context, in *GetSavingsPlansPurchaseRecommendationRequest) (*GetSavingsPlansPurchaseRecommendationResponse, error) {
	spType := deref(in.SavingsPlansType)
	if spType == "" {
		return nil, validation("SavingsPlansType is required")
	}
	days, lookback, err := lookbackDays(in.LookbackPeriodInDays, "")
	if err != nil {
		return nil, err
	}
	term := deref(in.TermInYears)
	hours, err := termHours(term)
	if err != nil {
		return nil, err
	}
	payment := deref(in.PaymentOption)
	if paymentNames[payment] == "" {
		return nil, validation("PaymentOption %q is not one of NO_UPFRONT, PARTIAL_UPFRONT, ALL_UPFRONT", payment)
	}
	scopeName := AccountScopePayer
	if in.AccountScope != nil {
		scopeName = *in.AccountScope
	}
	if scopeName != AccountScopePayer && scopeName != AccountScopeLinked {
		return nil, validation("AccountScope %q is not one of PAYER, LINKED", scopeName)
	}
	filter, err := s.accountFilter(in.Filter, nil)
	if err != nil {
		return nil, err
	}
	p := pages[int](ctx, s, "GetSavingsPlansPurchaseRecommendation", in)
	now := s.cfg.Now()
	sc := scope(ctx)
	recID := recommendationID("sp", in.PageKey(), sc, s.cfg.Store.Version(), billing.DayStart(now))
	meta := termNote
	out := &GetSavingsPlansPurchaseRecommendationResponse{Metadata: &SavingsPlansPurchaseRecommendationMetadata{
		RecommendationId: ptr(recID), GenerationTimestamp: ptr(now.UTC().Format(time.RFC3339))}}
	rec := &SavingsPlansPurchaseRecommendation{AccountScope: &scopeName, SavingsPlansType: &spType, TermInYears: &term,
		PaymentOption: &payment, LookbackPeriodInDays: &lookback}
	out.SavingsPlansPurchaseRecommendation = rec
	rates, err := s.spRates(ctx, sc, billing.DayStart(now))
	if err != nil {
		return nil, err
	}
	rate, seen := rates[[2]string{spTypeNames[spType], paymentNames[payment]}]
	if !seen {
		out.Metadata.AdditionalMetadata = ptr(meta + fmt.Sprintf(" No recommendation: the bill shows no usage covered by a %s Savings Plan paid %s, so Tally has no rate for one.",
			spType, paymentNames[payment]))
		return out, nil
	}
	out.Metadata.AdditionalMetadata = ptr(meta + fmt.Sprintf(" Discount off on-demand observed on the existing plans: %.2f%%.", 100*rate.Discount))
	upfrontShare := map[PaymentOption]float64{PaymentOptionAllUpfront: 1, PaymentOptionNoUpfront: 0,
		PaymentOptionPartialUpfront: 1 - rate.RecurringShare}[payment]
	hist, err := s.onDemandHistory(ctx, ec2Reservations, sc, filter, now, days, scopeName == AccountScopeLinked)
	if err != nil {
		return nil, err
	}
	// A Compute Savings Plan covers every instance of its account scope; an
	// EC2 Instance Savings Plan one instance family in one Region, so it is
	// recommended per family and Region.
	type target struct{ Account, Family, Region string }
	perFamily := spType == SupportedSavingsPlansTypeEc2InstanceSp
	targetOf := func(k instance) target {
		if !perFamily {
			return target{Account: k.Account}
		}
		return target{k.Account, strings.SplitN(k.InstanceType, ".", 2)[0], k.Region}
	}
	taken := map[target]bool{}
	var targets []target
	for k := range hist.Cost {
		if t := targetOf(k); !taken[t] {
			taken[t] = true
			targets = append(targets, t)
		}
	}
	sort.Slice(targets, func(i, j int) bool { return fmt.Sprint(targets[i]) < fmt.Sprint(targets[j]) })
	var details []SavingsPlansPurchaseRecommendationDetail
	var total recommend.SP
	total.Discount = rate.Discount
	for _, tg := range targets {
		spend := hist.Spend(func(k instance) bool { return targetOf(k) == tg })
		r := recommend.SavingsPlan(spend, rate.Discount)
		if r.Commitment == 0 {
			continue
		}
		id := recommendationID("spd", recID, tg)
		d := spDetail(r, hours, upfrontShare, hist.Currency)
		d.RecommendationDetailId = ptr(id)
		if tg.Account != "" {
			d.AccountId = ptr(tg.Account)
		}
		if perFamily {
			d.SavingsPlansDetails = &SavingsPlansDetails{InstanceFamily: ptr(tg.Family), Region: ptr(tg.Region)}
		}
		details = append(details, d)
		data := spDetailData(d, r, hist, spend, in, now)
		if perFamily {
			data.InstanceFamily, data.Region = ptr(tg.Family), ptr(tg.Region)
		}
		s.spRecos.keep(id, data)
		total.Commitment += r.Commitment
		total.Hours = r.Hours
		total.OnDemandSpend += r.OnDemandSpend
		total.Covered += r.Covered
		total.Savings += r.Savings
	}
	page, next, err := pager.Slice(p, details, int(deref(in.PageSize)))
	if err != nil {
		return nil, err
	}
	out.NextPageToken = next
	rec.SavingsPlansPurchaseRecommendationDetails = page
	if len(details) > 0 {
		pct := 0.0
		if total.OnDemandSpend > 0 {
			pct = 100 * total.Savings / total.OnDemandSpend
		}
		rec.SavingsPlansPurchaseRecommendationSummary = &SavingsPlansPurchaseRecommendationSummary{
			EstimatedROI: money(total.ROI()), CurrencyCode: ptr(hist.Currency),
			EstimatedTotalCost:                         money(total.Cost() + total.OnDemandLeft()),
			CurrentOnDemandSpend:                       money(total.OnDemandSpend),
			EstimatedSavingsAmount:                     money(total.Savings),
			TotalRecommendationCount:                   ptr(strconv.Itoa(len(details))),
			DailyCommitmentToPurchase:                  money(24 * total.Commitment),
			HourlyCommitmentToPurchase:                 num(total.Commitment),
			EstimatedSavingsPercentage:                 money(pct),
			EstimatedMonthlySavingsAmount:              money(recommend.Monthly(total.Savings, total.Hours)),
			EstimatedOnDemandCostWithCurrentCommitment: money(total.OnDemandSpend),
		}
	}
	return out, nil
}

func spDetail(r recommend.SP, termHours, upfrontShare float64, currency string) SavingsPlansPurchaseRecommendationDetail {
	pct := 0.0
	if r.OnDemandSpend > 0 {
		pct = 100 * r.Savings / r.OnDemandSpend
	}
	return SavingsPlansPurchaseRecommendationDetail{
		UpfrontCost:           money(r.Commitment * termHours * upfrontShare),
		EstimatedROI:          money(r.ROI()),
		CurrencyCode:          ptr(currency),
		EstimatedSPCost:       money(r.Cost()),
		EstimatedOnDemandCost: money(r.OnDemandLeft()),
		EstimatedOnDemandCostWithCurrentCommitment: money(r.OnDemandSpend),
		EstimatedSavingsAmount:                     money(r.Savings),
		EstimatedSavingsPercentage:                 money(pct),
		HourlyCommitmentToPurchase:                 num(r.Commitment),
		EstimatedAverageUtilization:                money(r.Utilization()),
		EstimatedMonthlySavingsAmount:              money(recommend.Monthly(r.Savings, r.Hours)),
		CurrentMinimumHourlyOnDemandSpend:          num(r.Minimum),
		CurrentMaximumHourlyOnDemandSpend:          num(r.Maximum),
		CurrentAverageHourlyOnDemandSpend:          num(r.Average),
	}
}

func spDetailData(d SavingsPlansPurchaseRecommendationDetail, r recommend.SP, hist *onDemand, spend []float64,
	in *GetSavingsPlansPurchaseRecommendationRequest, now time.Time) *RecommendationDetailData {
	out := &RecommendationDetailData{AccountScope: in.AccountScope, LookbackPeriodInDays: in.LookbackPeriodInDays,
		SavingsPlansType: in.SavingsPlansType, TermInYears: in.TermInYears, PaymentOption: in.PaymentOption,
		AccountId: d.AccountId, CurrencyCode: d.CurrencyCode, GenerationTimestamp: ptr(now.UTC().Format(time.RFC3339)),
		LatestUsageTimestamp:              ptr(hist.Start.Add(time.Duration(hist.Hours) * time.Hour).Format(time.RFC3339)),
		CurrentAverageHourlyOnDemandSpend: d.CurrentAverageHourlyOnDemandSpend, CurrentMaximumHourlyOnDemandSpend: d.CurrentMaximumHourlyOnDemandSpend,
		CurrentMinimumHourlyOnDemandSpend: d.CurrentMinimumHourlyOnDemandSpend, EstimatedAverageUtilization: d.EstimatedAverageUtilization,
		EstimatedMonthlySavingsAmount: d.EstimatedMonthlySavingsAmount, EstimatedOnDemandCost: d.EstimatedOnDemandCost,
		EstimatedOnDemandCostWithCurrentCommitment: d.EstimatedOnDemandCostWithCurrentCommitment, EstimatedROI: d.EstimatedROI,
		EstimatedSPCost: d.EstimatedSPCost, EstimatedSavingsAmount: d.EstimatedSavingsAmount, EstimatedSavingsPercentage: d.EstimatedSavingsPercentage,
		HourlyCommitmentToPurchase: d.HourlyCommitmentToPurchase, UpfrontCost: d.UpfrontCost,
		EstimatedAverageCoverage: money(100 * r.Covered / max(r.OnDemandSpend, 1e-12)),
	}
	k := r.Commitment / (1 - r.Discount)
	for i, v := range spend {
		cov := min(v, k)
		m := RecommendationDetailHourlyMetrics{StartTime: ptr(hist.Start.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)),
			EstimatedOnDemandCost: num(v - cov), EstimatedNewCommitmentUtilization: money(100 * cov * (1 - r.Discount) / r.Commitment)}
		if v > 0 {
			m.EstimatedCoverage = money(100 * cov / v)
		}
		out.MetricsOverLookbackPeriod = append(out.MetricsOverLookbackPeriod, m)
	}
	return out
}

// GetSavingsPlanPurchaseRecommendationDetails implements the AWS operation
// GetSavingsPlanPurchaseRecommendationDetails: the hour-by-hour figures of
// one detail of a Savings Plans recommendation answered since the server
// started.
func (s *Service) GetSavingsPlanPurchaseRecommendationDetails(ctx context.Context, in *GetSavingsPlanPurchaseRecommendationDetailsRequest) (*GetSavingsPlanPurchaseRecommendationDetailsResponse, error) {
	id := deref(in.RecommendationDetailId)
	s.spRecos.mu.Lock()
	d := s.spRecos.details[id]
	s.spRecos.mu.Unlock()
	if d == nil {
		return nil, fail(errUnavailable, fmt.Sprintf("no Savings Plans recommendation detail %q: ask GetSavingsPlansPurchaseRecommendation first (details are kept in memory until the server restarts)", id))
	}
	if a, ok := callerAccount(ctx); ok && d.AccountId != nil && *d.AccountId != a {
		return nil, fail(errUnavailable, fmt.Sprintf("no Savings Plans recommendation detail %q", id))
	}
	return &GetSavingsPlanPurchaseRecommendationDetailsResponse{RecommendationDetailId: &id, RecommendationDetailData: d}, nil
}

func callerAccount(ctx context.Context) (string, bool) {
	sc := scope(ctx)
	return sc.Account, sc.Account != ""
}

// StartSavingsPlansPurchaseRecommendationGeneration implements the AWS
// operation StartSavingsPlansPurchaseRecommendationGeneration. Tally computes
// a recommendation when it is asked for, from the data stored at that
// moment, so a generation has nothing to wait for: it is recorded as
// succeeded at once.
func (s *Service) StartSavingsPlansPurchaseRecommendationGeneration(ctx context.Context, in *StartSavingsPlansPurchaseRecommendationGenerationRequest) (*StartSavingsPlansPurchaseRecommendationGenerationResponse, error) {
	now := s.cfg.Now().UTC()
	id := recommendationID("generation", scope(ctx), s.cfg.Store.Version(), now)
	at := now.Format(time.RFC3339)
	st := GenerationStatusSucceeded
	s.spRecos.mu.Lock()
	s.spRecos.generations = append(s.spRecos.generations, GenerationSummary{RecommendationId: &id, GenerationStatus: &st,
		GenerationStartedTime: &at, GenerationCompletionTime: &at, EstimatedCompletionTime: &at})
	s.spRecos.mu.Unlock()
	return &StartSavingsPlansPurchaseRecommendationGenerationResponse{RecommendationId: &id, GenerationStartedTime: &at, EstimatedCompletionTime: &at}, nil
}

// ListSavingsPlansPurchaseRecommendationGeneration implements the AWS
// operation ListSavingsPlansPurchaseRecommendationGeneration: the
// generations started since the server started, newest first.
func (s *Service) ListSavingsPlansPurchaseRecommendationGeneration(ctx context.Context, in *ListSavingsPlansPurchaseRecommendationGenerationRequest) (*ListSavingsPlansPurchaseRecommendationGenerationResponse, error) {
	want := map[string]bool{}
	for _, id := range in.RecommendationIds {
		want[id] = true
	}
	s.spRecos.mu.Lock()
	var list []GenerationSummary
	for i := len(s.spRecos.generations) - 1; i >= 0; i-- {
		g := s.spRecos.generations[i]
		if (len(want) == 0 || want[*g.RecommendationId]) && (in.GenerationStatus == nil || *in.GenerationStatus == *g.GenerationStatus) {
			list = append(list, g)
		}
	}
	s.spRecos.mu.Unlock()
	page, next, err := pager.Slice(pages[int](ctx, s, "ListSavingsPlansPurchaseRecommendationGeneration", in), list, int(deref(in.PageSize)))
	if err != nil {
		return nil, err
	}
	return &ListSavingsPlansPurchaseRecommendationGenerationResponse{GenerationSummaryList: page, NextPageToken: next}, nil
}

// GetRightsizingRecommendation implements the AWS operation
// GetRightsizingRecommendation by saying why Tally cannot: rightsizing needs
// the CPU, memory and network utilisation of each instance (AWS reads
// CloudWatch), and no billing export carries them.
func (s *Service) GetRightsizingRecommendation(ctx context.Context, in *GetRightsizingRecommendationRequest) (*GetRightsizingRecommendationResponse, error) {
	return nil, fail(errNoMetrics, "Tally cannot recommend rightsizing: it needs each instance's CPU, memory and network utilisation (CloudWatch metrics), and no billing export (CUR, CUR 2.0, FOCUS) carries them")
}
