package costexplorer

import (
	"context"
	"errors"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// errNoData is a question the stored data cannot answer at all, such as an
// estimate before anything was ingested (DataUnavailableException).
var errNoData = errors.New("no billing data")

// GetApproximateUsageRecords implements the AWS Cost Explorer operation of
// that name: an estimate of how many records hourly data (ApproximationDimension
// SERVICE, Granularity HOURLY) or resource-level data (RESOURCE, HOURLY or
// DAILY) would hold, per SERVICE, counted in the last month of stored data
// (LookbackPeriod). A record is one time bucket of one combination of
// dimension values, and of one resource for RESOURCE; see
// store.UsageRecordCounter.
func (s *Service) GetApproximateUsageRecords(ctx context.Context, in *GetApproximateUsageRecordsRequest) (*GetApproximateUsageRecordsResponse, error) {
	if in.Granularity == nil || (*in.Granularity != GranularityHourly && *in.Granularity != GranularityDaily) {
		return nil, validation("Granularity must be HOURLY or DAILY: usage records are estimated for hourly or resource-level daily data")
	}
	if in.ApproximationDimension == nil {
		return nil, validation("ApproximationDimension is required: SERVICE or RESOURCE")
	}
	lookback, err := s.lookback(ctx)
	if err != nil {
		return nil, err
	}
	counts, err := s.cfg.Store.UsageRecords(ctx, store.UsageRecordsQuery{Period: lookback,
		Hourly: *in.Granularity == GranularityHourly, Resources: *in.ApproximationDimension == ApproximationDimensionResource,
		Services: in.Services, Scope: scope(ctx)})
	if err != nil {
		return nil, err
	}
	var total int64
	for _, n := range counts {
		total += n
	}
	return &GetApproximateUsageRecordsResponse{Services: counts, TotalRecords: ptr(total),
		LookbackPeriod: &DateInterval{Start: ptr(formatDate(lookback.Start, false)), End: ptr(formatDate(lookback.End, false))}}, nil
}

// lookback is the month of data the estimate counts: the month up to
// today, or up to the end of the latest stored billing month when the data
// stops earlier.
func (s *Service) lookback(ctx context.Context) (billing.Period, error) {
	periods, err := s.cfg.Store.Periods(ctx)
	if err != nil {
		return billing.Period{}, err
	}
	if len(periods) == 0 {
		return billing.Period{}, fail(errNoData, "there is no billing data to estimate usage records from: ingest a billing export first")
	}
	var last time.Time
	for _, p := range periods {
		if p.Period.Month.After(last) {
			last = p.Period.Month
		}
	}
	end := billing.DayStart(s.cfg.Now())
	if stored := last.AddDate(0, 1, 0); stored.Before(end) {
		end = stored
	}
	return billing.Period{Start: end.AddDate(0, -1, 0), End: end}, nil
}
