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

// buildRollups aggregates new generations' lines on their shard into the
// daily rollup, and that into the monthly one, so the lines are read once;
// the generations of hourly also get an hourly rollup.
func (s *Store) buildRollups(ctx context.Context, shard int, gens, hourly []int64) error {
	db := s.addr.Database
	group := strings.Join(groupColumns(), ", ")
	var names []string
	for _, c := range rollupColumns() {
		names = append(names, c[0])
	}
	cols := strings.Join(names, ", ")
	var sums, resums []string
	for _, m := range columns.Money {
		sums = append(sums, "sum("+m.Col+")")
		resums = append(resums, "sum("+m.Col+")")
	}
	day := `INSERT INTO ` + db + `.rollup_day_local (` + cols + `)
		SELECT gen, month, toStartOfDay(usage_start) AS day, ` + group + `, ` + strings.Join(sums, ", ") + `,
			sumIf(usage, ` + counted + `), sumIf(normalized, ` + counted + `), countIf(` + counted + `), count()
		FROM ` + db + `.line_items_local WHERE gen IN (` + genList(gens) + `)
		GROUP BY gen, month, day, ` + group
	if err := s.shards[shard].Exec(ctx, day); err != nil {
		return s.shardErr(shard, "build daily rollup", err)
	}
	if len(hourly) > 0 {
		hour := strings.Replace(strings.Replace(strings.Replace(day, "rollup_day_local", "rollup_hour_local", 1),
			"toStartOfDay(usage_start)", "toStartOfHour(usage_start)", 1), "gen IN ("+genList(gens)+")", "gen IN ("+genList(hourly)+")", 1)
		if err := s.shards[shard].Exec(ctx, hour); err != nil {
			return s.shardErr(shard, "build hourly rollup", err)
		}
	}
	month := `INSERT INTO ` + db + `.rollup_month_local (` + cols + `)
		SELECT gen, month, toDateTime(toStartOfMonth(ts), 'UTC') AS m, ` + group + `, ` + strings.Join(resums, ", ") + `,
			sum(usage), sum(normalized), sum(usage_lines), sum(lines)
		FROM ` + db + `.rollup_day_local WHERE gen IN (` + genList(gens) + `)
		GROUP BY gen, month, m, ` + group
	if err := s.shards[shard].Exec(ctx, month); err != nil {
		return s.shardErr(shard, "build monthly rollup", err)
	}
	return s.buildCommitmentRollup(ctx, shard, gens)
}
