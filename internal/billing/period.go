package billing

import (
	"fmt"
	"time"
)

// Period is a half-open UTC time interval [Start, End).
type Period struct {
	Start, End time.Time
}

// Contains reports whether t lies in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.Start) && t.Before(p.End)
}

// Empty reports whether the period contains no instant.
func (p Period) Empty() bool { return !p.Start.Before(p.End) }

func (p Period) String() string {
	return fmt.Sprintf("[%s, %s)", p.Start.Format(time.RFC3339), p.End.Format(time.RFC3339))
}

// MonthStart returns the first instant of t's UTC month.
func MonthStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// DayStart returns the first instant of t's UTC day.
func DayStart(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// BillingPeriod identifies one month of one source: the unit that ingest
// replaces atomically.
type BillingPeriod struct {
	// Source names one export of one payer (one billing account for FOCUS),
	// for example "cur:123456789012" or "focus:AWS:123456789012".
	Source string
	// Month is the first instant of the billing month, UTC.
	Month time.Time
}

func (b BillingPeriod) String() string {
	return fmt.Sprintf("%s %s", b.Source, b.Month.Format("2006-01"))
}

// WholeDays widens p to whole days, the grain of daily rollups.
func WholeDays(p Period) Period {
	end := DayStart(p.End)
	if end.Before(p.End) {
		end = end.AddDate(0, 0, 1)
	}
	return Period{Start: DayStart(p.Start), End: end}
}

// MonthAligned reports whether t is the start of a month.
func MonthAligned(t time.Time) bool { return t.Equal(MonthStart(t)) }
