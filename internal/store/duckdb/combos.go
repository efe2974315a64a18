package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// comboDict interns the combinations of dimension values that line items
// have. Line items of one resource hour after hour share one combo, so the
// dictionary stays small while rollups group on one integer.
type comboDict struct {
	ids  map[comboKey]int32
	next int32
}

func loadComboDict(ctx context.Context, db *sql.DB) (*comboDict, error) {
	cols := comboColumnNames()
	rows, err := db.QueryContext(ctx, `SELECT id, `+strings.Join(cols, ", ")+` FROM combos`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: load combos: %w", err)
	}
	defer rows.Close()
	d := &comboDict{ids: map[comboKey]int32{}}
	for rows.Next() {
		var id int32
		var k comboKey
		dest := []any{&id}
		for i := range k {
			dest = append(dest, &k[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("duckdb: load combos: %w", err)
		}
		d.ids[k] = id
		d.next = max(d.next, id+1)
	}
	return d, rows.Err()
}

// intern returns the id of k and whether it is new.
func (d *comboDict) intern(k comboKey) (int32, bool) {
	if id, ok := d.ids[k]; ok {
		return id, false
	}
	id := d.next
	d.next++
	d.ids[k] = id
	return id, true
}
