package billing

import "time"

// SettleWait is how long after a month ends, and after the last delivery of
// its data, Tally waits before it takes a month without an invoice id as
// final. AWS issues the invoice "at the beginning of each new month ...
// usually between the third and the fifth day" and books support fees for
// the prior month "on the sixth or seventh of the month" (AWS Knowledge
// Center, "When will my AWS bill be ready?"; CUR user guide, "Viewing your
// finalized report"): a week after the month, AWS has restated it.
const SettleWait = 7 * 24 * time.Hour

// Final reports whether a stored billing month is final, the one rule that
// every Cost Explorer answer (Estimated), Budgets and the web UI apply:
//
//   - a month whose delivery carries an invoice id (or whose manifest says
//     final) is final: "If the report is final, then the bill/InvoiceId
//     column is populated" (CUR user guide);
//   - otherwise a month is estimated until it has ended and SettleWait has
//     passed both since its end and since its data was last delivered
//     (ingestedAt): an export that stopped changing after AWS settled the
//     month will not change any more, whether or not it carries invoice ids
//     (FOCUS 1.0 has no InvoiceId; sample and anonymised exports blank it).
func Final(month time.Time, invoiced bool, ingestedAt, now time.Time) bool {
	if invoiced {
		return true
	}
	end := MonthStart(month).AddDate(0, 1, 0)
	return !now.Before(end.Add(SettleWait)) && !now.Before(ingestedAt.Add(SettleWait))
}
