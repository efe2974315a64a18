package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
)

// rawDB is DuckDB with nothing loaded: every query reads the Parquet files
// afresh, as an analyst querying the export directly would.
type rawDB struct {
	db    *sql.DB
	files string // read_parquet(...) over every data file
}

// openRaw opens an in-memory DuckDB limited to threads (0: DuckDB's
// default) over the Parquet files under dir.
func openRaw(ctx context.Context, dir string, threads int) (*rawDB, error) {
	dsn := ""
	if threads > 0 {
		dsn = fmt.Sprintf("?threads=%d", threads)
	}
	db, err := sql.Open("duckdb", dsn)
	if err != nil {
		return nil, fmt.Errorf("open duckdb: %w", err)
	}
	db.SetMaxOpenConns(1) // one session, so the settings below hold for every query
	if _, err := db.ExecContext(ctx, `SET TimeZone = 'UTC'`); err != nil {
		db.Close()
		return nil, fmt.Errorf("duckdb: set time zone: %w", err)
	}
	glob := filepath.ToSlash(filepath.Join(dir, "**", "*.parquet"))
	return &rawDB{db: db, files: "read_parquet('" + strings.ReplaceAll(glob, "'", "''") + "')"}, nil
}

func (r *rawDB) Close() error { return r.db.Close() }

// version returns DuckDB's version string.
func (r *rawDB) version(ctx context.Context) string {
	var v string
	r.db.QueryRowContext(ctx, `SELECT version()`).Scan(&v)
	return v
}

// run executes one request's SQL and reads its answer: column b is the
// bucket, columns k0, k1, ... the group keys, a column named unit is read
// and dropped, and every other column is a metric value.
func (r *rawDB) run(ctx context.Context, req Request) (answer, error) {
	rows, err := r.db.QueryContext(ctx, req.sql(r.files))
	if err != nil {
		return answer{}, fmt.Errorf("duckdb %s: %w", req.Name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return answer{}, err
	}
	var a answer
	for rows.Next() {
		var (
			row  answerRow
			b    sql.NullTime
			unit sql.NullString
		)
		dest := make([]any, len(cols))
		keys := make([]sql.NullString, len(cols))
		vals := make([]sql.NullFloat64, len(cols))
		for i, c := range cols {
			switch {
			case c == "b":
				dest[i] = &b
			case c == "unit":
				dest[i] = &unit
			case strings.HasPrefix(c, "k"):
				dest[i] = &keys[i]
			default:
				dest[i] = &vals[i]
			}
		}
		if err := rows.Scan(dest...); err != nil {
			return answer{}, fmt.Errorf("duckdb %s: %w", req.Name, err)
		}
		if b.Valid {
			row.bucket = b.Time.UTC()
		}
		for i, c := range cols {
			switch {
			case c == "b" || c == "unit":
			case strings.HasPrefix(c, "k"):
				row.keys = append(row.keys, keys[i].String)
			default:
				row.values = append(row.values, vals[i].Float64)
			}
		}
		a.rows = append(a.rows, row)
	}
	a.pages = 1
	return a, rows.Err()
}

// time runs req once to warm up and to keep its answer, then n times
// timed.
func (r *rawDB) time(ctx context.Context, req Request, n int) (answer, []time.Duration, error) {
	a, err := r.run(ctx, req)
	if err != nil {
		return a, nil, err
	}
	ds := make([]time.Duration, 0, n)
	for range n {
		start := time.Now()
		if _, err := r.run(ctx, req); err != nil {
			return a, nil, err
		}
		ds = append(ds, time.Since(start))
	}
	return a, ds, nil
}
