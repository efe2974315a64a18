// Package anomaly is the model behind Cost Anomaly Detection (Cost
// Explorer's GetAnomalies and the anomaly alerts). It knows nothing of HTTP
// or storage: callers pass one daily series per monitored dimension value
// (a service, a linked account, a tag or cost category value, or the one
// series of a custom monitor), read from the daily rollups, and get the
// anomalous episodes in it. It uses only the standard library.
//
// # Days
//
// A series holds one amount per UTC day from a start date (Cost Explorer
// feeds it UnblendedCost without credits and refunds, which are not spend
// behaviour); a day with no
// line items is zero (a day of the data with no spend), so a dimension
// value that appears late is a series of zeros and then its spend. Every
// day is scored only from the days before it, so running the model on the
// whole history gives the same episodes as running it each day as the data
// arrives: an anomaly is known the day its first anomalous day is ingested,
// and the same data always gives the same episodes.
//
// # Model
//
// For day t the expected spend E(t) is a robust seasonal baseline over the
// cleaned history c (actual spend, with the days already found anomalous
// replaced by their expectation, so an anomaly does not raise its own
// baseline):
//
//   - Window: the Window (28) days before t, never reaching back before the
//     start of the latest accepted level shift (see below). At least
//     MinHistory (7) days are needed; before that nothing is scored.
//   - Day of week: the median of c on the same weekday in the window when
//     it holds two or more of them (weekday and weekend spend differ);
//     otherwise the median of the whole window. When two or more of those
//     same weekdays were themselves found anomalous, the spend recurs
//     weekly (a job every Monday) and their actual spend is used instead,
//     so a weekly pattern is learnt rather than reported every week.
//   - First of the month: support, Reserved Instance and Savings Plans fees
//     and tax land on the 1st, so on the 1st E(t) is at least the actual
//     spend on the 1st of the month before, scaled by the months' numbers
//     of days as fees are billed per hour (actual, not cleaned: a monthly
//     charge seen for the first time is an anomaly once, and the charge is
//     expected from the next month on).
//
// The spread S(t) is 1.4826 times the median absolute residual c(j)−E(j)
// over the scored days of the window (the MAD, which one spike cannot
// inflate), floored at RelFloor (3%) of E(t) plus AbsFloor ($0.10), so a
// perfectly flat series still needs a material change. The score is
// z(t) = (x(t) − E(t)) / S(t) and the day's impact x(t) − E(t). Only
// increases are anomalies, as in AWS (a drop in spend is not alerted).
//
// A day is anomalous when z(t) ≥ Z (5) and its impact is at least
// MinDailyImpact ($1); an episode opens only on such a day, so it is known
// the day that day is ingested and its start is never moved back. While an
// episode is open, a day goes on with it when it keeps the episode's sign:
// x(t) > E(t) with z(t) ≥ ContinueZ (1), i.e. at least one spread above
// the expectation, even below Z (a raised level whose days cross Z only
// now and then is one anomaly, not pieces). A single day that does not
// (a dip on a quiet day) belongs to the episode when a later day goes on
// with it; two in a row end it, at its last day that went on. The
// episode's impact is summed over all its days, so a small but lasting
// change is measured, and an alert threshold applies to that total.
//
// Level shifts: an episode that spans AcceptDays (7) days is a new normal
// (a workload grew, a new service went live). Its days enter the cleaned
// history at their actual values and the baseline window restarts at the
// episode's first day, so new anomalies are scored against the new level.
// The episode itself goes on, scored against the level before the shift:
// for each later day, E is the expectation of the episode's day on the
// same weekday (its first seven days hold one of each), raised on the 1st
// by the monthly-fee rule below, and S that day's spread. It goes on (with
// the same one-day tolerance) while z ≥ ContinueZ against that level, its
// impact x − E accumulating, and ends when the level falls back, or after
// Window (28) days, when the baseline window holds only the new level and
// the shift is learnt. A new service is the same case: its first days
// score against a baseline of zero (E = 0, S = AbsFloor) and are one
// episode of at most Window days.
//
// Nothing is moved back in time: every day's membership is decided from
// the days before it and that day, so the episodes of a prefix of the
// data are the episodes of the whole data cut at its end (an episode
// still open is the same episode, with the same start and hence the same
// anomaly id, on every later run).
//
// An episode's figures are those of AWS's Impact: TotalActualSpend and
// TotalExpectedSpend sum x and E over its days, TotalImpact is their
// difference, MaxImpact the largest daily impact and TotalImpactPercentage
// TotalImpact / TotalExpectedSpend × 100 (unset when nothing was
// expected). MaxScore is the largest z of the episode and CurrentScore the
// z of its last day.
//
// # Baseline
//
// ZScore is the comparison the backtest runs against: a rolling z-score of
// each day against the mean and standard deviation of the raw 28 days
// before it, without seasonality, cleaning or level shifts, flagging
// z ≥ 3 with the same minimum impact.
package anomaly
