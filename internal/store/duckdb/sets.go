package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// setDict interns key→value maps (a line's tags or cost categories) as small
// integers, so line items and rollups carry one integer instead of a map.
// Set 0 is the empty set. The dictionary only grows: a set that no line uses
// any more costs one row per key.
type setDict struct {
	table string
	ids   map[string]int32
	next  int32
}

func loadSetDict(ctx context.Context, db *sql.DB, table string) (*setDict, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, key, value FROM `+table+` ORDER BY id, key`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: load %s: %w", table, err)
	}
	defer rows.Close()
	d := &setDict{table: table, ids: map[string]int32{"": 0}, next: 1}
	members := map[int32]map[string]string{}
	for rows.Next() {
		var id int32
		var k, v string
		if err := rows.Scan(&id, &k, &v); err != nil {
			return nil, fmt.Errorf("duckdb: load %s: %w", table, err)
		}
		if members[id] == nil {
			members[id] = map[string]string{}
		}
		members[id][k] = v
		d.next = max(d.next, id+1)
	}
	for id, m := range members {
		d.ids[setKey(m)] = id
	}
	return d, rows.Err()
}

// setKey is a canonical string for a map; empty values are dropped because
// an empty tag value means untagged. Every key and value is written with its
// length first, so no byte of the data (a NUL in a tag value, say) can make
// two different maps share a string.
func setKey(m map[string]string) string {
	keys := setKeys(m)
	if len(keys) == 0 {
		return ""
	}
	var b strings.Builder
	for _, k := range keys {
		for _, s := range []string{k, m[k]} {
			b.WriteString(strconv.Itoa(len(s)))
			b.WriteByte(':')
			b.WriteString(s)
		}
	}
	return b.String()
}

// setKeys returns the keys of m with a non-empty value, sorted.
func setKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// intern returns the id of m, the rows to insert when m is new, and m's key
// (to forget it when the rows are not stored after all).
func (d *setDict) intern(m map[string]string) (int32, [][2]string, string) {
	k := setKey(m)
	if id, ok := d.ids[k]; ok {
		return id, nil, k
	}
	id := d.next
	d.next++
	d.ids[k] = id
	var rows [][2]string
	for _, key := range setKeys(m) {
		rows = append(rows, [2]string{key, m[key]})
	}
	return id, rows, k
}
