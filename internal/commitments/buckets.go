package commitments

import (
	"math/big"
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// Buckets are the time buckets of a question, in order, cut at day or
// month boundaries and clipped to the asked period.
type Buckets []billing.Period

// Cut splits p into DAILY or MONTHLY buckets.
func Cut(p billing.Period, monthly bool) Buckets {
	var out Buckets
	for t := p.Start; t.Before(p.End); {
		next := t.Truncate(24*time.Hour).AddDate(0, 0, 1)
		if monthly {
			next = billing.MonthStart(t).AddDate(0, 1, 0)
		}
		if next.After(p.End) {
			next = p.End
		}
		out = append(out, billing.Period{Start: t, End: next})
		t = next
	}
	return out
}

// Whole is one bucket spanning p.
func Whole(p billing.Period) Buckets { return Buckets{p} }

// index returns the bucket holding t, or -1.
func (bs Buckets) index(t time.Time) int {
	for i, b := range bs {
		if !t.Before(b.Start) && t.Before(b.End) {
			return i
		}
	}
	return -1
}

// StorePeriod is the period to ask the store for: whole months around p, so
// that a month's fee lines are there to spread over buckets, and whether
// monthly sums answer (MONTHLY over whole months).
func StorePeriod(p billing.Period, monthly bool) (billing.Period, bool) {
	start := billing.MonthStart(p.Start)
	end := billing.MonthStart(p.End)
	if end.Before(p.End) {
		end = end.AddDate(0, 1, 0)
	}
	whole := start.Equal(p.Start) && end.Equal(p.End)
	return billing.Period{Start: start, End: end}, monthly && whole
}

// shares spreads a month-level line of the month holding t over the
// buckets, in proportion to the hours of [active) each holds. It returns
// one share per bucket (nil entries for none).
func (bs Buckets) shares(t time.Time, active billing.Period) []*big.Rat {
	month := billing.MonthStart(t)
	span := billing.Period{Start: month, End: month.AddDate(0, 1, 0)}
	if !active.Start.IsZero() && active.Start.After(span.Start) && active.Start.Before(span.End) {
		span.Start = active.Start
	}
	if !active.End.IsZero() && active.End.Before(span.End) && active.End.After(span.Start) {
		span.End = active.End
	}
	total := span.End.Sub(span.Start)
	out := make([]*big.Rat, len(bs))
	for i, b := range bs {
		s, e := maxTime(b.Start, span.Start), minTime(b.End, span.End)
		if e.After(s) {
			out[i] = new(big.Rat).SetFrac(big.NewInt(int64(e.Sub(s))), big.NewInt(int64(total)))
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
