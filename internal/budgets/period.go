package budgets

import (
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// Budget periods are calendar periods in UTC: a day, a month, a calendar
// quarter or a year; a CUSTOM budget has one period, its whole TimePeriod.
// Periods are clipped to the budget's TimePeriod, so a MONTHLY budget that
// starts on the 15th counts spend from the 15th in its first month.

// defaultEnd is the end date AWS gives budgets without one: 2087-06-15.
var defaultEnd = time.Date(2087, 6, 15, 0, 0, 0, 0, time.UTC)

// quarterStart returns the first instant of t's calendar quarter.
func quarterStart(t time.Time) time.Time {
	m := billing.MonthStart(t)
	return m.AddDate(0, -(int(m.Month()-1) % 3), 0)
}

// unitStart returns the start of the calendar period of unit that holds t;
// CUSTOM has none and returns t's day.
func unitStart(unit TimeUnit, t time.Time) time.Time {
	switch unit {
	case TimeUnitMonthly:
		return billing.MonthStart(t)
	case TimeUnitQuarterly:
		return quarterStart(t)
	case TimeUnitAnnually:
		t = t.UTC()
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return billing.DayStart(t)
}

// unitNext returns the start of the period after the one starting at s.
func unitNext(unit TimeUnit, s time.Time) time.Time {
	switch unit {
	case TimeUnitMonthly:
		return s.AddDate(0, 1, 0)
	case TimeUnitQuarterly:
		return s.AddDate(0, 3, 0)
	case TimeUnitAnnually:
		return s.AddDate(1, 0, 0)
	}
	return s.AddDate(0, 0, 1)
}

// periodAt returns the budget period that holds t, clipped to the budget's
// time period; before the budget starts it is the first period.
func (r *record) periodAt(t time.Time) billing.Period {
	if t.Before(r.Start) {
		t = r.Start
	}
	if !t.Before(r.End) {
		t = r.End.Add(-time.Nanosecond)
	}
	p := billing.Period{Start: r.Start, End: r.End}
	if r.TimeUnit != TimeUnitCustom {
		s := unitStart(r.TimeUnit, t)
		p = billing.Period{Start: s, End: unitNext(r.TimeUnit, s)}
	}
	return r.clip(p)
}

func (r *record) clip(p billing.Period) billing.Period {
	if p.Start.Before(r.Start) {
		p.Start = r.Start
	}
	if p.End.After(r.End) {
		p.End = r.End
	}
	return p
}

// periods lists the budget periods that overlap [from, to), oldest first.
func (r *record) periods(from, to time.Time) []billing.Period {
	var out []billing.Period
	for p := r.periodAt(from); p.Start.Before(to) && p.Start.Before(r.End); {
		out = append(out, p)
		if r.TimeUnit == TimeUnitCustom || !p.End.Before(r.End) {
			break
		}
		p = r.periodAt(p.End)
	}
	return out
}
