package duckdb

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/internal/store"
)

var _ store.UsageRecordCounter = (*DB)(nil)

// UsageRecords counts records from the hourly or daily rollup, which keep
// one row per (time, dimension combination, tag set, cost category set);
// only a count by resource, which no rollup carries, reads line items, and
// then only those of q.Period.
func (db *DB) UsageRecords(ctx context.Context, q store.UsageRecordsQuery) (map[string]int64, error) {
	out, err := db.usageRecords(ctx, q)
	return out, db.recoverFrom(err)
}

func (db *DB) usageRecords(ctx context.Context, q store.UsageRecordsQuery) (map[string]int64, error) {
	unit := "day"
	if q.Hourly {
		unit = "hour"
	}
	src, record := rollupSource("rollup_day"), "r.ts, r.combo"
	switch {
	case q.Resources:
		src, record = lineSource(), "date_trunc('"+unit+"', r.usage_start), r.combo, r.resource_id"
	case q.Hourly:
		hourly, err := db.hourlyCovers(ctx, q.Period)
		if err != nil {
			return nil, err
		}
		src = rollupSource("rollup_hour")
		if !hourly {
			src, record = lineSource(), "date_trunc('hour', r.usage_start), r.combo"
		}
	}
	var b sqlBuilder
	b.WriteString("SELECT c.service, count(DISTINCT (" + record + ")) FROM " + src.from)
	if err := b.where(q.Period, q.Scope, nil, src); err != nil {
		return nil, err
	}
	if len(q.Services) > 0 {
		b.WriteString(" AND c.service IN (" + b.argList(q.Services, false) + ")")
	}
	b.WriteString(" GROUP BY c.service")
	rows, err := db.h().QueryContext(ctx, b.String(), b.args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: usage records: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var service string
		var n int64
		if err := rows.Scan(&service, &n); err != nil {
			return nil, fmt.Errorf("duckdb: usage records: %w", err)
		}
		out[service] = n
	}
	return out, rows.Err()
}
