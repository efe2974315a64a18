package clickhouse

import (
	"context"
	"strings"

	"github.com/tallyhq/tally/internal/store/columns"
)

// counted is the condition of a line whose usage counts, shared with the
// DuckDB store.
var counted = columns.UsageCounted("line_item_type")

// hourlyMonths is how many billing months before the current one get an
// hourly rollup when they are ingested, as in the DuckDB store: HOURLY
// questions, which AWS keeps for 14 days, read it; older ones read lines.
const hourlyMonths = 1

// buildMonthRollup aggregates new generations' daily rollup rows on their
// shard into the monthly rollup (the daily and hourly rows come from the
// writer's aggregator).
func (s *Store) buildMonthRollup(ctx context.Context, shard int, gens []int64) error {
	db := s.addr.Database
	group := strings.Join(groupColumns(), ", ")
	var names, sums []string
	for _, c := range rollupColumns() {
		names = append(names, c[0])
	}
	for _, c := range amountCols {
		sums = append(sums, "sum("+c+")")
	}
	month := `INSERT INTO ` + db + `.rollup_month_local (` + strings.Join(names, ", ") + `)
		SELECT gen, month, toDateTime(toStartOfMonth(ts), 'UTC') AS m, ` + group + `, ` + strings.Join(sums, ", ") + `,
			sum(usage_lines), sum(lines)
		FROM ` + db + `.rollup_day_local WHERE gen IN (` + genList(gens) + `)
		GROUP BY gen, month, m, ` + group
	if err := s.shards[shard].Exec(ctx, month); err != nil {
		return s.shardErr(shard, "build monthly rollup", err)
	}
	return s.buildCommitmentRollup(ctx, shard, gens)
}

// buildHourRollup aggregates new generations' lines on their shard into
// the hourly rollup. Unlike the daily rollup it is built on the shard: an
// hour holds few lines of one combination, so its rows are nearly as many
// as the lines and cost the client as much to send as the lines again.
func (s *Store) buildHourRollup(ctx context.Context, shard int, gens []int64) error {
	db := s.addr.Database
	group := strings.Join(groupColumns(), ", ")
	var names, sums []string
	for _, c := range rollupColumns() {
		names = append(names, c[0])
	}
	for _, m := range columns.Money {
		sums = append(sums, lineMoneySum(m.Col))
	}
	hour := `INSERT INTO ` + db + `.rollup_hour_local (` + strings.Join(names, ", ") + `)
		SELECT gen, month, toStartOfHour(usage_start) AS hour, ` + group + `, ` + strings.Join(sums, ", ") + `,
			sumIf(usage, ` + counted + `), sumIf(normalized, ` + counted + `), countIf(` + counted + `), count()
		FROM ` + db + `.line_items_local WHERE gen IN (` + genList(gens) + `)
		GROUP BY gen, month, hour, ` + group
	return s.shardErr(shard, "build hourly rollup", s.shards[shard].Exec(ctx, hour))
}
