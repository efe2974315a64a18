package clickhouse

import (
	"context"
	"strings"

	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/columns"
)

var _ store.UsageRecordCounter = (*Store)(nil)

// UsageRecords counts the records Cost Explorer's hourly and resource-level
// data would hold (GetApproximateUsageRecords): distinct (time bucket,
// dimension combination) pairs per SERVICE, from the daily or hourly
// rollup, or, by resource, from the line items of q.Period.
func (s *Store) UsageRecords(ctx context.Context, q store.UsageRecordsQuery) (map[string]int64, error) {
	gens, coarse, b, err := s.start(ctx)
	if err != nil {
		return nil, err
	}
	combo := make([]string, 0, len(columns.Dimensions)+len(columns.Extra))
	for _, d := range columns.Dimensions {
		combo = append(combo, d.Col)
	}
	combo = append(combo, columns.Extra...)
	unit := "toStartOfDay"
	if q.Hourly {
		unit = "toStartOfHour"
	}
	src, record := rollupSource("rollup_day"), "ts, "+strings.Join(combo, ", ")
	switch {
	case q.Resources:
		src, record = lineSource(), unit+"(usage_start), "+strings.Join(combo, ", ")+", resource_id"
	case q.Hourly && hourlyCovers(coarse, q.Period):
		src = rollupSource("rollup_hour")
	case q.Hourly:
		src, record = lineSource(), "toStartOfHour(usage_start), "+strings.Join(combo, ", ")
	}
	b.WriteString("SELECT service, uniqExact(" + record + ") FROM " + s.addr.Database + "." + src.table)
	if err := b.where(gens, q.Period, q.Scope, nil, src); err != nil {
		return nil, err
	}
	if len(q.Services) > 0 {
		b.WriteString(" AND service IN (" + b.argList(q.Services, false) + ")")
	}
	b.WriteString(" GROUP BY service")
	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, s.shardErr(shard, "usage records", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var service string
		var n uint64
		if err := rows.Scan(&service, &n); err != nil {
			return nil, s.shardErr(shard, "usage records", err)
		}
		out[service] = int64(n)
	}
	return out, s.shardErr(shard, "usage records", rows.Err())
}
