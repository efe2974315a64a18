package duckdb

// budgetSchema holds the tables of AWS Budgets objects and of the alert
// outbox.
//
//   - budgets: one row per budget, its whole state as a JSON document that
//     the budgets package owns (definition, notifications with their state,
//     subscribers, tags, limit history). A budget is always read and written
//     whole, under the budgets service's lock.
//   - budget_action_events: the histories of budget actions, one row per
//     event (a JSON document the budgets package owns), appended in the
//     transaction that stores the budget whose action it changed.
//   - notify_outbox: one row per alert message and recipient, written in the
//     same transaction as the budget state that caused it; status is
//     'pending' until the message is 'sent' or has 'failed' for good.
//   - notify_log: one row per delivery attempt.
func budgetSchema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS budgets (account VARCHAR NOT NULL, name VARCHAR NOT NULL,
			doc VARCHAR NOT NULL, updated TIMESTAMP NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS budget_action_events (account VARCHAR NOT NULL, budget VARCHAR NOT NULL,
			action VARCHAR NOT NULL, seq INTEGER NOT NULL, event_time TIMESTAMP NOT NULL, doc VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS notify_outbox (id VARCHAR NOT NULL, kind VARCHAR NOT NULL,
			address VARCHAR NOT NULL, subject VARCHAR NOT NULL, body VARCHAR NOT NULL, ref VARCHAR NOT NULL,
			created TIMESTAMP NOT NULL, status VARCHAR NOT NULL, attempts INTEGER NOT NULL,
			next_attempt TIMESTAMP NOT NULL, last_error VARCHAR NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS notify_log (id VARCHAR NOT NULL, attempt INTEGER NOT NULL,
			attempted_at TIMESTAMP NOT NULL, outcome VARCHAR NOT NULL, error VARCHAR NOT NULL, next_attempt TIMESTAMP)`,
	}
}
