package forecast

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/tallyhq/tally/internal/testenv"
)

// workshopFiles are the three monthly Workshop CUR exports in shared/billing-samples.
var workshopFiles = []string{
	"Oct2018-WorkshopCUR-00001.snappy.parquet",
	"Nov2018-WorkshopCUR-00001.snappy.parquet",
	"Dec2018-WorkshopCUR-00001.snappy.parquet",
}

// workshopDir returns shared/billing-samples (see testenv.Samples).
func workshopDir(t *testing.T) string {
	t.Helper()
	testenv.Sample(t, workshopFiles[0])
	return testenv.Samples(t)
}

// workshopDaily returns the daily UnblendedCost of the three Workshop CUR months,
// one value per UTC day of line_item_usage_start_date.
func workshopDaily(t *testing.T) Series {
	t.Helper()
	dir := workshopDir(t)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatalf("open duckdb: %v", err)
	}
	defer db.Close()
	var paths []string
	for _, f := range workshopFiles {
		paths = append(paths, "'"+filepath.Join(dir, f)+"'")
	}
	q := `SELECT CAST(date_trunc('day', line_item_usage_start_date) AS DATE) AS d,
	        SUM(line_item_unblended_cost) FROM read_parquet([` + join(paths) + `], union_by_name = true)
	      GROUP BY d ORDER BY d`
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("query workshop CUR: %v", err)
	}
	defer rows.Close()
	byDay := map[time.Time]float64{}
	var first, last time.Time
	for rows.Next() {
		var d time.Time
		var v float64
		if err := rows.Scan(&d, &v); err != nil {
			t.Fatalf("scan: %v", err)
		}
		d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
		if first.IsZero() {
			first = d
		}
		last = d
		byDay[d] += v
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	s := Series{Start: first}
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		s.Values = append(s.Values, byDay[d])
	}
	return s
}

func join(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}
