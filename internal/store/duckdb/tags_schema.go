package duckdb

// tagSchema holds the tables of cost allocation tag management beyond
// tag_keys and tag_status (which ingest maintains):
//   - tag_status_log records every status change UpdateCostAllocationTagsStatus
//     made; its highest seq is the tag status version a backfill compares
//     with the one of the last successful backfill.
//   - tag_backfills holds StartCostAllocationTagBackfill's requests and
//     their state, so that a restart resumes a job left PROCESSING.
//   - tag_backfill_keys holds, per request, the status every key had when
//     the request was made: the statuses the job applies.
func tagSchema() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS tag_status_log (seq BIGINT NOT NULL, key VARCHAR NOT NULL,
			active BOOLEAN NOT NULL, changed_at TIMESTAMP NOT NULL, from_month DATE NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS tag_backfills (id BIGINT NOT NULL, backfill_from DATE NOT NULL,
			requested_at TIMESTAMP NOT NULL, completed_at TIMESTAMP, last_updated_at TIMESTAMP NOT NULL,
			status VARCHAR NOT NULL, reason VARCHAR NOT NULL, version BIGINT NOT NULL, attempts INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS tag_backfill_keys (backfill BIGINT NOT NULL, key VARCHAR NOT NULL, active BOOLEAN NOT NULL)`,
	}
}
