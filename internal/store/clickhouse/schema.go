package clickhouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store/columns"
)

// metaSchema creates the PostgreSQL tables this package owns, named
// tally_ch_DB_… after the ClickHouse database (see Store.sql), so that one
// PostgreSQL database may serve the stores of several ClickHouse databases. An advisory
// lock keeps two nodes starting at once from racing on CREATE TABLE.
var metaSchema = []string{
	`SELECT pg_advisory_xact_lock(7364201)`,
	`CREATE TABLE IF NOT EXISTS tally_ch_generations (
		gen BIGINT PRIMARY KEY,
		source TEXT NOT NULL,
		month DATE NOT NULL,
		shard INT NOT NULL,
		state TEXT NOT NULL CHECK (state IN ('pending', 'active', 'retired')),
		format TEXT NOT NULL DEFAULT '',
		final BOOLEAN NOT NULL DEFAULT false,
		invoice_id TEXT NOT NULL DEFAULT '',
		files TEXT[] NOT NULL DEFAULT '{}',
		rows BIGINT NOT NULL DEFAULT 0,
		currency TEXT NOT NULL DEFAULT '',
		created_at TIMESTAMPTZ NOT NULL,
		ingested_at TIMESTAMPTZ,
		retired_at TIMESTAMPTZ)`,
	// One active generation per billing period, enforced by PostgreSQL.
	`CREATE UNIQUE INDEX IF NOT EXISTS tally_ch_generations_active ON tally_ch_generations (source, month) WHERE state = 'active'`,
	`ALTER TABLE tally_ch_generations ADD COLUMN IF NOT EXISTS hourly BOOLEAN NOT NULL DEFAULT false`,
	`CREATE SEQUENCE IF NOT EXISTS tally_ch_gen_seq`,
	`CREATE TABLE IF NOT EXISTS tally_ch_state (id INT PRIMARY KEY, version BIGINT NOT NULL)`,
	`INSERT INTO tally_ch_state VALUES (1, 0) ON CONFLICT DO NOTHING`,
}

func (s *Store) createMeta(ctx context.Context) error {
	tx, err := s.meta.Begin(ctx)
	if err != nil {
		return metaErr("create tables", err)
	}
	defer tx.Rollback(ctx)
	for _, q := range metaSchema {
		if _, err := tx.Exec(ctx, s.sql(q)); err != nil {
			return metaErr("create tables", err)
		}
	}
	return metaErr("create tables", tx.Commit(ctx))
}

// lineColumns are the columns of line_items_local, with their types, in
// the order the writer appends them.
func lineColumns() [][2]string {
	cols := [][2]string{{"gen", "UInt64"}, {"month", "Date"}, {"usage_start", "DateTime('UTC')"}, {"usage_end", "DateTime('UTC')"}}
	for _, d := range columns.Dimensions {
		cols = append(cols, [2]string{d.Col, "String"})
	}
	for _, c := range columns.Extra {
		cols = append(cols, [2]string{c, "String"})
	}
	cols = append(cols, [2]string{"resource_id", "String"},
		[2]string{"tag_keys", "Array(String)"}, [2]string{"tag_values", "Array(String)"},
		[2]string{"cc_keys", "Array(String)"}, [2]string{"cc_values", "Array(String)"})
	for _, m := range columns.Money {
		cols = append(cols, [2]string{m.Col, lineMoneyType})
	}
	cols = append(cols, [2]string{"usage", "Decimal(38, 10)"}, [2]string{"normalized", "Decimal(38, 10)"})
	return append(cols, commitLineColumns()...)
}

// A line's money columns hold billing.Amount as is: an Int64 in units of
// 10^-billing.Scale, written without conversion (a Decimal column would
// cost a big-number conversion per value in the client). lineMoneySum
// renders the exact sum of such a column over a group's lines as the
// Decimal(38, 10) the rollups and answers hold (one line's value is
// toDecimal128(col, 0) * unitOfAmount).
const lineMoneyType = "Int64"

func lineMoneySum(col string) string {
	return "sum(toDecimal128(" + col + ", 0)) * " + unitOfAmount
}

// unitOfAmount is 10^-billing.Scale as a Decimal(38, billing.Scale): a
// Decimal(38, 0) times it keeps its digits and takes the scale (ClickHouse
// adds the scales of a product), exactly.
var unitOfAmount = fmt.Sprintf("toDecimal128('0.%s1', %d)", strings.Repeat("0", billing.Scale-1), billing.Scale)

// groupColumns are the columns a rollup row keeps of its lines: every
// dimension and attribute, tags and cost categories, not the resource.
func groupColumns() []string {
	var cols []string
	for _, d := range columns.Dimensions {
		cols = append(cols, d.Col)
	}
	return append(append(cols, columns.Extra...), "tag_keys", "tag_values", "cc_keys", "cc_values")
}

// bucketColumns are the leading columns of every rollup table: the
// generation, the time bucket and groupColumns with their types.
func bucketColumns() [][2]string {
	cols := [][2]string{{"gen", "UInt64"}, {"month", "Date"}, {"ts", "DateTime('UTC')"}}
	for _, c := range groupColumns() {
		t := "String"
		if strings.HasSuffix(c, "_keys") || strings.HasSuffix(c, "_values") {
			t = "Array(String)"
		}
		cols = append(cols, [2]string{c, t})
	}
	return cols
}

// rollupColumns are the columns of the rollup tables.
func rollupColumns() [][2]string {
	cols := bucketColumns()
	for _, m := range columns.Money {
		cols = append(cols, [2]string{m.Col, "Decimal(38, 10)"})
	}
	return append(cols, [2]string{"usage", "Decimal(38, 10)"}, [2]string{"normalized", "Decimal(38, 10)"},
		[2]string{"usage_lines", "UInt64"}, [2]string{"lines", "UInt64"})
}

func columnDefs(cols [][2]string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c[0] + " " + c[1]
	}
	return strings.Join(parts, ", ")
}

// tables are the sharded tables: name, columns, sort key.
func (s *Store) tables() [][3]string {
	return [][3]string{
		{"line_items", columnDefs(lineColumns()), "gen, usage_start"},
		{"rollup_hour", columnDefs(rollupColumns()), "gen, ts, service"},
		{"rollup_day", columnDefs(rollupColumns()), "gen, ts, service"},
		{"rollup_month", columnDefs(rollupColumns()), "gen, ts, service"},
		{"rollup_commitment", columnDefs(commitRollupColumns()), "gen, ts, service"},
	}
}

// createTables creates the database and, on every shard, the local
// MergeTree tables and the Distributed tables over the cluster.
func (s *Store) createTables(ctx context.Context) error {
	db := s.addr.Database
	for i, conn := range s.shards {
		stmts := []string{`CREATE DATABASE IF NOT EXISTS ` + db}
		for _, t := range s.tables() {
			stmts = append(stmts,
				fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s.%s_local (%s) ENGINE = MergeTree() PARTITION BY gen ORDER BY (%s)`,
					db, t[0], t[1], t[2]),
				fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s.%s AS %s.%s_local ENGINE = Distributed(%s, %s, %s_local, rand())`,
					db, t[0], db, t[0], s.addr.Cluster, db, t[0]))
		}
		for _, q := range stmts {
			if err := conn.Exec(ctx, q); err != nil {
				return s.shardErr(i, "create tables", err)
			}
		}
	}
	if err := s.addLineColumns(ctx); err != nil {
		return err
	}
	if err := s.checkCluster(ctx); err != nil {
		return err
	}
	if err := s.checkLineSchema(ctx); err != nil {
		return err
	}
	return s.seqAboveStored(ctx)
}

// seqAboveStored moves the generation sequence past every generation whose
// rows a shard holds, so that a new generation never shares a partition
// with rows PostgreSQL does not know of (PostgreSQL restored from an older
// backup, or the store's tables there dropped).
func (s *Store) seqAboveStored(ctx context.Context) error {
	var top uint64
	for i, conn := range s.shards {
		var n uint64
		row := conn.QueryRow(ctx, `SELECT max(toUInt64(partition)) FROM system.parts WHERE database = ? AND table LIKE '%\_local'`,
			s.addr.Database)
		if err := row.Scan(&n); err != nil {
			return s.shardErr(i, "read stored generations", err)
		}
		top = max(top, n)
	}
	if top == 0 {
		return nil
	}
	_, err := s.meta.Exec(ctx, s.sql(`SELECT setval('tally_ch_gen_seq', greatest($1::bigint,
		(SELECT last_value FROM tally_ch_gen_seq)))`), int64(top))
	return metaErr("move the generation sequence", err)
}

// checkCluster verifies that the cluster lists as many shards as the
// address: rows are placed by the address's order, read through the
// cluster's.
func (s *Store) checkCluster(ctx context.Context) error {
	var n uint64
	row := s.shards[0].QueryRow(ctx, `SELECT count(DISTINCT shard_num) FROM system.clusters WHERE cluster = ?`, s.addr.Cluster)
	if err := row.Scan(&n); err != nil {
		return s.shardErr(0, "read the cluster", err)
	}
	if int(n) != len(s.shards) {
		return fmt.Errorf("clickhouse: cluster %s has %d shards in the servers' remote_servers, the address names %d servers",
			s.addr.Cluster, n, len(s.shards))
	}
	return nil
}

// sql names this store's PostgreSQL tables in q: tally_ch_ becomes
// tally_ch_DB_ with the ClickHouse database's name in lower case (a plain
// identifier, checked by ParseAddress).
func (s *Store) sql(q string) string {
	return strings.ReplaceAll(q, "tally_ch_", "tally_ch_"+strings.ToLower(s.addr.Database)+"_")
}

// checkLineSchema refuses a database whose line items were written by an
// older Tally, which kept money in Decimal(38, 10) columns: its lines would
// be read as amounts in units of 10^-10. Such a database is not converted
// in place; its billing periods are ingested again into a new database
// (or into this one after DROP DATABASE).
func (s *Store) checkLineSchema(ctx context.Context) error {
	for i, conn := range s.shards {
		var typ string
		row := conn.QueryRow(ctx, `SELECT type FROM system.columns WHERE database = ? AND table = 'line_items_local' AND name = ?`,
			s.addr.Database, columns.Money[0].Col)
		if err := row.Scan(&typ); err != nil {
			return s.shardErr(i, "read the line items' columns", err)
		}
		if typ != lineMoneyType {
			return fmt.Errorf("clickhouse: database %s on %s keeps line items' money as %s, written by an older Tally (this one writes %s): "+
				"ingest the billing data again into a new database, or drop this one first", s.addr.Database, s.addr.Shards[i], typ, lineMoneyType)
		}
	}
	return nil
}
