package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
)

// migrateLineMoney converts a layout 3 store, whose line_items held costs
// as DECIMAL(38,10), to layout 4 in place: lines whose costs do not fit
// lineMoney move to line_items_wide, the cost columns become lineMoney, and
// the layout number changes. Rollups keep DECIMAL(38,10): no sum changes.
func (db *DB) migrateLineMoney(ctx context.Context, version int) error {
	if version != 3 {
		return nil
	}
	var tooLarge []string
	for _, n := range moneyNames {
		tooLarge = append(tooLarge, fmt.Sprintf("abs(%s) > %s", n, billing.Amount(maxLineMoney)))
	}
	wide := strings.Join(tooLarge, " OR ")
	// DuckDB's ALTER converts the deleted rows it still keeps too, so it
	// comes after the move is committed and zeroes rows that are too large:
	// by then only deleted ones are. A crash between the two transactions
	// leaves a layout 3 store that the next open converts.
	move := []string{
		`INSERT INTO line_items_wide SELECT * FROM line_items WHERE ` + wide,
		`DELETE FROM line_items WHERE ` + wide,
	}
	var convert []string
	for _, n := range moneyNames {
		convert = append(convert, `ALTER TABLE line_items ALTER COLUMN `+n+` SET DATA TYPE `+lineMoney+
			` USING CASE WHEN `+wide+` THEN 0 ELSE `+n+` END`)
	}
	convert = append(convert, fmt.Sprintf(`UPDATE tally_schema SET version = %d`, schemaVersion))
	for _, stmts := range [][]string{move, convert} {
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			for _, s := range stmts {
				if _, err := tx.ExecContext(ctx, s); err != nil {
					return fmt.Errorf("%s: %w", strings.Fields(s)[0], err)
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("duckdb: convert the store from layout 3 to %d (line item costs to %s): %w", schemaVersion, lineMoney, err)
		}
	}
	db.log.Info("converted the store's line item costs to 64-bit decimals", "from_layout", version, "to_layout", schemaVersion)
	return nil
}
