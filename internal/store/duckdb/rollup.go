package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store/columns"
)

// usageCounted is the SQL condition, over combos c, of a line whose usage
// amount counts in UsageQuantity and NormalizedUsageAmount.
func usageCounted() string {
	return columns.UsageCounted("c.line_item_type")
}

// buildRollups aggregates the new generations' line items into the daily
// rollup, and that into the monthly one, so the line items are read once.
// wide says whether some of the new line items are in line_items_wide.
func (db *DB) buildRollups(ctx context.Context, conn *sql.Conn, gens []int64, pending map[billing.BillingPeriod]int64, wide bool) error {
	if len(gens) == 0 {
		return nil
	}
	var months []string
	for p, g := range pending {
		months = append(months, fmt.Sprintf("(%d, DATE '%s')", g, p.Month.Format("2006-01-02")))
	}
	counted := usageCounted()
	lines := "line_items"
	if wide {
		lines = allLineItems
	}
	day := `INSERT INTO rollup_day
		SELECT li.gen, g.month, date_trunc('day', li.usage_start) AS ts, li.combo, li.tag_set, li.cc_set,
			sum(li.unblended), sum(li.blended), sum(li.net_unblended), sum(li.amortized), sum(li.net_amortized),
			coalesce(sum(CAST(li.usage AS DECIMAL(38,10))) FILTER (WHERE ` + counted + `), 0),
			coalesce(sum(CAST(li.normalized AS DECIMAL(38,10))) FILTER (WHERE ` + counted + `), 0),
			count(*) FILTER (WHERE ` + counted + `), count(*)
		FROM ` + lines + ` li JOIN (VALUES ` + strings.Join(months, ", ") + `) g(gen, month) ON g.gen = li.gen
		JOIN combos c ON c.id = li.combo
		GROUP BY ALL ORDER BY ts`
	if _, err := conn.ExecContext(ctx, day); err != nil {
		return fmt.Errorf("duckdb: build daily rollup: %w", err)
	}
	if recent := db.recentGens(pending); len(recent) > 0 {
		hour := strings.Replace(strings.Replace(strings.Replace(day, "rollup_day", "rollup_hour", 1),
			"date_trunc('day', li.usage_start)", "date_trunc('hour', li.usage_start)", 1),
			"ON g.gen = li.gen", "ON g.gen = li.gen AND li.gen IN ("+int64List(recent)+")", 1)
		if _, err := conn.ExecContext(ctx, hour); err != nil {
			return fmt.Errorf("duckdb: build hourly rollup: %w", err)
		}
	}
	month := `INSERT INTO rollup_month SELECT gen, month, date_trunc('month', ts) AS ts, combo, tag_set, cc_set,
		sum(unblended), sum(blended), sum(net_unblended), sum(amortized), sum(net_amortized),
		sum(usage), sum(normalized), sum(usage_lines), sum(lines)
		FROM rollup_day WHERE gen IN (` + int64List(gens) + `) GROUP BY gen, month, 3, combo, tag_set, cc_set ORDER BY ts`
	if _, err := conn.ExecContext(ctx, month); err != nil {
		return fmt.Errorf("duckdb: build monthly rollup: %w", err)
	}
	return nil
}

// recentGens returns the pending generations of billing months recent
// enough for an hourly rollup.
func (db *DB) recentGens(pending map[billing.BillingPeriod]int64) []int64 {
	from := billing.MonthStart(db.now()).AddDate(0, -hourlyMonths, 0)
	var out []int64
	for p, g := range pending {
		if !p.Month.Before(from) {
			out = append(out, g)
		}
	}
	return out
}

// recordTagMonths gives every tag key seen in the new generations a status
// for each billing month and payer it appears in: the key's current status
// for that payer, Active for a key the payer has not had before (CUR exports
// only activated tags). Months that already have a status for the key keep
// it.
func (db *DB) recordTagMonths(ctx context.Context, conn *sql.Conn, gens []int64) error {
	db.tagsMu.Lock()
	defer db.tagsMu.Unlock()
	if len(gens) == 0 {
		return nil
	}
	seen := `(SELECT DISTINCT c.payer, ts.key, r.month FROM rollup_month r JOIN combos c ON c.id = r.combo
		JOIN tag_sets ts ON ts.id = r.tag_set WHERE r.gen IN (` + int64List(gens) + `))`
	stmts := []string{
		`INSERT INTO tag_keys SELECT DISTINCT key, 'Active',
			CASE WHEN starts_with(key, 'aws:') THEN 'AWSGenerated' ELSE 'UserDefined' END, NULL, NULL, payer
			FROM ` + seen + ` s WHERE NOT EXISTS (SELECT 1 FROM tag_keys k WHERE k.payer = s.payer AND k.key = s.key)`,
		`INSERT INTO tag_status SELECT s.key, s.month, k.status = 'Active', s.payer FROM ` + seen + ` s
			JOIN tag_keys k ON k.payer = s.payer AND k.key = s.key
			WHERE NOT EXISTS (SELECT 1 FROM tag_status t WHERE t.payer = s.payer AND t.key = s.key AND t.month = s.month)`,
		`UPDATE tag_keys SET last_used = greatest(coalesce(tag_keys.last_used, x.m), x.m)
			FROM (SELECT payer, key, max(month) AS m FROM ` + seen + ` s GROUP BY payer, key) x
			WHERE tag_keys.payer = x.payer AND tag_keys.key = x.key`,
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("duckdb: record tag months: %w", err)
		}
	}
	return nil
}
