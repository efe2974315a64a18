package costexplorer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tallyhq/tally/internal/backfill"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/store"
)

// backfillFrom checks StartCostAllocationTagBackfill's BackfillFrom (its
// ZonedDateTime pattern is checked by Validate): the first day of a month at
// midnight UTC, not in the future and, under the aws profile, not before the
// previous twelve months.
func backfillFrom(s string, now time.Time, p profile.Profile) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, validation("BackfillFrom %s is not a valid date and time", s)
	}
	t = t.UTC()
	month := billing.MonthStart(t)
	if !t.Equal(month) {
		return time.Time{}, validation("BackfillFrom %s must be the first day of a month at 00:00:00 UTC, such as %s", s, *zoned(month))
	}
	if t.After(now) {
		return time.Time{}, validation("BackfillFrom %s is in the future: the latest month a backfill can start from is the current one, %s", s, *zoned(billing.MonthStart(now)))
	}
	if p.BackfillLookbackMonths > 0 {
		earliest := billing.MonthStart(now).AddDate(0, -p.BackfillLookbackMonths, 0)
		if t.Before(earliest) {
			return time.Time{}, validation("%s", p.Limited("BackfillFrom %s precedes the previous %d months: the earliest month a backfill can start from is %s",
				s, p.BackfillLookbackMonths, *zoned(earliest)))
		}
	}
	return t, nil
}

// StartCostAllocationTagBackfill implements the AWS Cost Explorer operation
// of that name: it re-applies every key's current status to the caller's
// billing months from BackfillFrom on, in a background job. The answer is the new
// request, PROCESSING; or, when no tag status changed since the last
// successful backfill, that request, and nothing starts. One request may be
// processing at a time (BackfillLimitExceededException) and, under the aws
// profile, one may be made every 24 hours (LimitExceededException).
func (s *Service) StartCostAllocationTagBackfill(ctx context.Context, in *StartCostAllocationTagBackfillRequest) (*StartCostAllocationTagBackfillResponse, error) {
	payer, err := s.tagManager(ctx, "Failed to start Cost Allocation Tag backfill")
	if err != nil {
		return nil, err
	}
	from, err := backfillFrom(deref(in.BackfillFrom), s.cfg.Now(), s.cfg.Profile)
	if err != nil {
		return nil, err
	}
	if s.cfg.Backfills == nil {
		return nil, errors.New("costexplorer: no backfill runner configured")
	}
	req, _, err := s.cfg.Backfills.Submit(ctx, payer, from)
	var tooSoon *backfill.TooSoonError
	switch {
	case errors.Is(err, backfill.ErrInProgress):
		return nil, fail(backfill.ErrInProgress, "A request to backfill is already in progress: the request made at "+
			*zoned(req.RequestedAt)+" is PROCESSING. Once it is complete, you can create another request.")
	case errors.As(err, &tooSoon):
		return nil, fail(errLimit, s.cfg.Profile.Limited("You can request a backfill once every %s: the previous request was made at %s, the next can be made from %s",
			every(s.cfg.Profile.BackfillEvery), *zoned(tooSoon.Previous), *zoned(tooSoon.Next)))
	case err != nil:
		return nil, err
	}
	return &StartCostAllocationTagBackfillResponse{BackfillRequest: ptr(wireBackfill(req))}, nil
}

// every words a duration such as 24h as "24 hours".
func every(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

// ListCostAllocationTagBackfillHistory implements the AWS Cost Explorer
// operation of that name: the caller's backfill requests, newest first.
// Backfills belong to the payer (management) account that requested them.
func (s *Service) ListCostAllocationTagBackfillHistory(ctx context.Context, in *ListCostAllocationTagBackfillHistoryRequest) (*ListCostAllocationTagBackfillHistoryResponse, error) {
	payer, err := s.tagManager(ctx, "Failed to list Cost Allocation Tag backfill history")
	if err != nil {
		return nil, err
	}
	history, err := backfill.History(ctx, s.cfg.Store, payer)
	if err != nil {
		return nil, err
	}
	size := defaultBackfillsPageSize
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	page, next, err := pager.Slice(pages[int](ctx, s, "ListCostAllocationTagBackfillHistory", in), history, size)
	if err != nil {
		return nil, err
	}
	out := &ListCostAllocationTagBackfillHistoryResponse{BackfillRequests: []CostAllocationTagBackfillRequest{}, NextToken: next}
	for _, r := range page {
		out.BackfillRequests = append(out.BackfillRequests, wireBackfill(r))
	}
	return out, nil
}

func wireBackfill(r store.Backfill) CostAllocationTagBackfillRequest {
	return CostAllocationTagBackfillRequest{BackfillFrom: zoned(r.From), RequestedAt: zoned(r.RequestedAt),
		CompletedAt: zoned(r.CompletedAt), LastUpdatedAt: zoned(r.LastUpdatedAt),
		BackfillStatus: ptr(CostAllocationTagBackfillStatus(r.Status))}
}
