package costexplorer

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/recommend"
)

// The commitment purchase analyses simulate Savings Plans over a look-back
// of the bill: the on-demand spend of EC2 instance usage hour by hour, what
// the existing plans covered (minus the plans to exclude, whose covered usage
// goes back on demand), and the plans to add at the discount the bill's
// plans of that type and payment option got (internal/recommend). They run
// when started and are kept in memory with the recommendation details.

// defaultAnalysisLookback is the look-back of an analysis that names none.
const defaultAnalysisLookback = 30

// StartCommitmentPurchaseAnalysis implements the AWS operation
// StartCommitmentPurchaseAnalysis for Savings Plans: MAX_SAVINGS buys the
// commitment that saves most over the look-back, CUSTOM_COMMITMENT the
// plans given, TARGET_AVERAGE_COVERAGE the smallest commitment whose
// spend-weighted average coverage reaches the target.
func (s *Service) StartCommitmentPurchaseAnalysis(ctx context.Context, in *StartCommitmentPurchaseAnalysisRequest) (*StartCommitmentPurchaseAnalysisResponse, error) {
	cfg := in.CommitmentPurchaseAnalysisConfiguration
	if cfg == nil || cfg.SavingsPlansPurchaseAnalysisConfiguration == nil {
		return nil, validation("CommitmentPurchaseAnalysisConfiguration.SavingsPlansPurchaseAnalysisConfiguration is required")
	}
	c := cfg.SavingsPlansPurchaseAnalysisConfiguration
	switch deref(c.AnalysisType) {
	case AnalysisTypeMaxSavings, AnalysisTypeCustomCommitment:
	case AnalysisTypeTargetAverageCoverage:
		if t := deref(c.SavingsPlansTargetCoverage); t < 1 || t > 100 {
			return nil, validation("SavingsPlansTargetCoverage must be a percentage from 1 to 100 with TARGET_AVERAGE_COVERAGE")
		}
	default:
		return nil, validation("AnalysisType %q is not one of MAX_SAVINGS, CUSTOM_COMMITMENT, TARGET_AVERAGE_COVERAGE", deref(c.AnalysisType))
	}
	if len(c.SavingsPlansToAdd) == 0 {
		return nil, validation("SavingsPlansToAdd must name at least one Savings Plan")
	}
	now := s.cfg.Now().UTC()
	p := billing.Period{Start: billing.DayStart(now).AddDate(0, 0, -defaultAnalysisLookback), End: billing.DayStart(now)}
	if c.LookBackTimePeriod != nil {
		var err error
		if p, _, err = period(c.LookBackTimePeriod); err != nil {
			return nil, err
		}
		if p.End.After(now) {
			return nil, validation("LookBackTimePeriod must end by today")
		}
	}
	sc := scope(ctx)
	id := recommendationID("analysis", in, sc, s.cfg.Store.Version(), now)
	at := now.Format(time.RFC3339)
	a := &GetCommitmentPurchaseAnalysisResponse{AnalysisId: &id, AnalysisStartedTime: &at, EstimatedCompletionTime: &at,
		AnalysisCompletionTime: &at, CommitmentPurchaseAnalysisConfiguration: cfg}
	details, code, err := s.analyse(ctx, c, p)
	if err != nil {
		return nil, err
	}
	st := AnalysisStatusSucceeded
	if code != "" {
		st = AnalysisStatusFailed
		a.ErrorCode = &code
	}
	a.AnalysisStatus = &st
	a.AnalysisDetails = &AnalysisDetails{SavingsPlansPurchaseAnalysisDetails: details}
	s.spRecos.mu.Lock()
	s.spRecos.analyses = append(s.spRecos.analyses, a)
	s.spRecos.mu.Unlock()
	return &StartCommitmentPurchaseAnalysisResponse{AnalysisId: &id, AnalysisStartedTime: &at, EstimatedCompletionTime: &at}, nil
}

// analyse runs one analysis; a failure the model names comes back as its
// ErrorCode with the reason in the details' AdditionalMetadata.
func (s *Service) analyse(ctx context.Context, c *SavingsPlansPurchaseAnalysisConfiguration, p billing.Period) (*SavingsPlansPurchaseAnalysisDetails, ErrorCode, error) {
	sc := scope(ctx)
	filter, err := s.accountFilter(nil, c.AccountId)
	if err != nil {
		return nil, "", err
	}
	failed := func(code ErrorCode, msg string) (*SavingsPlansPurchaseAnalysisDetails, ErrorCode, error) {
		return &SavingsPlansPurchaseAnalysisDetails{AdditionalMetadata: ptr(msg)}, code, nil
	}
	rates, err := s.spRates(ctx, sc, p.End)
	if err != nil {
		return nil, "", err
	}
	exclude := map[string]bool{}
	for _, arn := range c.SavingsPlansToExclude {
		exclude[arn] = true
	}
	hist, err := s.instanceHours(ctx, ec2Reservations, sc, filter, p, false, true)
	if err != nil {
		return nil, "", err
	}
	cov, err := s.coveredByPlans(ctx, sc, filter, p, exclude)
	if err != nil {
		return nil, "", err
	}
	for id := range exclude {
		if !cov.IDs[id] {
			return failed(ErrorCodeInvalidSavingsPlansToExclude, fmt.Sprintf("Savings Plan %s has no lines in the look-back", id))
		}
	}
	spend := hist.Spend(func(instance) bool { return true })
	for i := range spend {
		spend[i] += cov.Excluded[i]
	}
	var eligible, covered float64
	for i := range spend {
		eligible += spend[i] + cov.Covered[i]
		covered += cov.Covered[i]
	}
	if eligible == 0 {
		return failed(ErrorCodeNoUsageFound, "no EC2 instance usage in the look-back")
	}
	// The discount of the plans to add as the bill shows it (commitment-
	// weighted over several plans).
	var commitment, discount, upfront float64
	switch deref(c.AnalysisType) {
	case AnalysisTypeCustomCommitment:
		for _, sp := range c.SavingsPlansToAdd {
			r, ok := rates[[2]string{spTypeNames[deref(sp.SavingsPlansType)], paymentNames[deref(sp.PaymentOption)]}]
			h, terr := termHours(deref(sp.TermInYears))
			amount := deref(sp.SavingsPlansCommitment)
			if !ok || terr != nil || amount <= 0 {
				return failed(ErrorCodeInvalidSavingsPlansToAdd, fmt.Sprintf("no %s Savings Plan paid %s in the bill, so Tally has no rate for it, or its term or commitment is missing",
					deref(sp.SavingsPlansType), deref(sp.PaymentOption)))
			}
			commitment += amount
			discount += amount * r.Discount
			upfront += amount * h * upfrontShare(deref(sp.PaymentOption), r)
		}
		discount /= commitment
	default:
		// The plan to add names the type, payment option and term; the
		// analysis chooses its commitment.
		sp := c.SavingsPlansToAdd[0]
		r, ok := rates[[2]string{spTypeNames[deref(sp.SavingsPlansType)], paymentNames[deref(sp.PaymentOption)]}]
		h, terr := termHours(deref(sp.TermInYears))
		if !ok || terr != nil {
			return failed(ErrorCodeInvalidSavingsPlansToAdd, fmt.Sprintf("no %s Savings Plan paid %s in the bill, so Tally has no rate for it, or its term is missing",
				deref(sp.SavingsPlansType), deref(sp.PaymentOption)))
		}
		discount = r.Discount
		if deref(c.AnalysisType) == AnalysisTypeMaxSavings {
			commitment = recommend.BestCommitment(spend, discount)
		} else {
			commitment = targetCommitment(spend, cov.Covered, discount, float64(deref(c.SavingsPlansTargetCoverage)))
		}
		upfront = commitment * h * upfrontShare(deref(sp.PaymentOption), r)
	}
	return analysisDetails(spend, cov, commitment, discount, upfront, hist, p, []string{termNote}), "", nil
}

func upfrontShare(p PaymentOption, r spRate) float64 {
	switch p {
	case PaymentOptionAllUpfront:
		return 1
	case PaymentOptionPartialUpfront:
		return 1 - r.RecurringShare
	}
	return 0
}

// targetCommitment is the smallest commitment (to a thousandth) whose
// spend-weighted average coverage over the look-back reaches target percent:
// (Σ covered + Σ min(s_h, c/(1−d))) / Σ (covered + s_h).
func targetCommitment(spend, covered []float64, d, target float64) float64 {
	var total, already float64
	for i := range spend {
		total += spend[i] + covered[i]
		already += covered[i]
	}
	reach := func(c float64) bool {
		var add float64
		for _, s := range spend {
			add += min(s, c/(1-d))
		}
		return 100*(already+add) >= target*total-1e-9
	}
	hi := 0.0
	for _, s := range spend {
		hi = max(hi, s*(1-d))
	}
	if reach(0) {
		return 0
	}
	lo := 0.0
	hi = float64(int(hi*1000)+1) / 1000
	for hi-lo > 0.0005 {
		mid := (lo + hi) / 2
		if reach(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return float64(int(hi*1000+0.999999)) / 1000
}

func analysisDetails(spend []float64, cov *planCoverage, c, d, upfront float64, hist *onDemand, p billing.Period, notes []string) *SavingsPlansPurchaseAnalysisDetails {
	k := c / (1 - d)
	var onDemand, covered, added, maxS, minS float64
	minS = -1
	var metrics []RecommendationDetailHourlyMetrics
	for i, s := range spend {
		onDemand += s
		covered += cov.Covered[i]
		n := min(s, k)
		added += n
		maxS = max(maxS, s)
		if minS < 0 || s < minS {
			minS = s
		}
		m := RecommendationDetailHourlyMetrics{StartTime: ptr(p.Start.Add(time.Duration(i) * time.Hour).Format(time.RFC3339)),
			EstimatedOnDemandCost: num(s - n)}
		if t := s + cov.Covered[i]; t > 0 {
			m.CurrentCoverage = money(100 * cov.Covered[i] / t)
			m.EstimatedCoverage = money(100 * (cov.Covered[i] + n) / t)
		}
		if c > 0 {
			m.EstimatedNewCommitmentUtilization = money(100 * n * (1 - d) / c)
		}
		metrics = append(metrics, m)
	}
	hours := float64(len(spend))
	cost := c * hours
	savings := added - cost
	total := onDemand + covered
	out := &SavingsPlansPurchaseAnalysisDetails{
		CurrencyCode: ptr(hist.Currency), LookbackPeriodInHours: ptr(fmt.Sprint(len(spend))),
		CurrentAverageCoverage:            money(100 * covered / total),
		CurrentAverageHourlyOnDemandSpend: num(onDemand / hours), CurrentMaximumHourlyOnDemandSpend: num(maxS),
		CurrentMinimumHourlyOnDemandSpend: num(max(minS, 0)), CurrentOnDemandSpend: money(onDemand),
		ExistingHourlyCommitment: num(cov.Commitment), HourlyCommitmentToPurchase: num(c),
		EstimatedAverageCoverage:                   money(100 * (covered + added) / total),
		EstimatedMonthlySavingsAmount:              money(recommend.Monthly(savings, len(spend))),
		EstimatedOnDemandCost:                      money(onDemand - added),
		EstimatedOnDemandCostWithCurrentCommitment: money(onDemand),
		EstimatedSavingsAmount:                     money(savings),
		EstimatedCommitmentCost:                    money(cost),
		LatestUsageTimestamp:                       ptr(p.End.Format(time.RFC3339)),
		UpfrontCost:                                money(upfront),
		AdditionalMetadata:                         ptr(strings.Join(notes, " ")),
		MetricsOverLookbackPeriod:                  metrics,
	}
	if onDemand > 0 {
		out.EstimatedSavingsPercentage = money(100 * savings / onDemand)
	}
	if cost > 0 {
		out.EstimatedAverageUtilization = money(100 * added * (1 - d) / cost)
		out.EstimatedROI = money(100 * savings / cost)
	}
	return out
}

// GetCommitmentPurchaseAnalysis implements the AWS operation
// GetCommitmentPurchaseAnalysis.
func (s *Service) GetCommitmentPurchaseAnalysis(ctx context.Context, in *GetCommitmentPurchaseAnalysisRequest) (*GetCommitmentPurchaseAnalysisResponse, error) {
	id := deref(in.AnalysisId)
	s.spRecos.mu.Lock()
	defer s.spRecos.mu.Unlock()
	for _, a := range s.spRecos.analyses {
		if *a.AnalysisId == id {
			return a, nil
		}
	}
	return nil, fail(errNoAnalysis, fmt.Sprintf("no commitment purchase analysis %q (analyses are kept in memory until the server restarts)", id))
}

// ListCommitmentPurchaseAnalyses implements the AWS operation
// ListCommitmentPurchaseAnalyses: the analyses started since the server
// started, newest first.
func (s *Service) ListCommitmentPurchaseAnalyses(ctx context.Context, in *ListCommitmentPurchaseAnalysesRequest) (*ListCommitmentPurchaseAnalysesResponse, error) {
	want := map[string]bool{}
	for _, id := range in.AnalysisIds {
		want[id] = true
	}
	s.spRecos.mu.Lock()
	var list []AnalysisSummary
	for i := len(s.spRecos.analyses) - 1; i >= 0; i-- {
		a := s.spRecos.analyses[i]
		if (len(want) == 0 || want[*a.AnalysisId]) && (in.AnalysisStatus == nil || *in.AnalysisStatus == *a.AnalysisStatus) {
			list = append(list, AnalysisSummary{EstimatedCompletionTime: a.EstimatedCompletionTime, AnalysisCompletionTime: a.AnalysisCompletionTime,
				AnalysisStartedTime: a.AnalysisStartedTime, AnalysisStatus: a.AnalysisStatus, ErrorCode: a.ErrorCode, AnalysisId: a.AnalysisId,
				CommitmentPurchaseAnalysisConfiguration: a.CommitmentPurchaseAnalysisConfiguration})
		}
	}
	s.spRecos.mu.Unlock()
	page, next, err := pager.Slice(pages[int](ctx, s, "ListCommitmentPurchaseAnalyses", in), list, int(deref(in.PageSize)))
	if err != nil {
		return nil, err
	}
	return &ListCommitmentPurchaseAnalysesResponse{AnalysisSummaryList: page, NextPageToken: next}, nil
}
