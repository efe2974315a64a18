package synth

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestLabelledAnomalies(t *testing.T) {
	now := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)
	gen := func(on bool) string {
		dir := t.TempDir()
		if _, err := Generate(context.Background(), Config{Out: dir, Rows: 50_000, Months: 4, Now: now, Anomalies: on, Seed: 3}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	if _, err := os.Stat(filepath.Join(gen(false), "anomalies.csv")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("anomalies.csv without Anomalies: stat error = %v, want none written", err)
	}
	f, err := os.Open(filepath.Join(gen(true), "anomalies.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[0]; len(got) != 5 || got[0] != "start_date" || got[4] != "impact_usd" {
		t.Fatalf("header %v", got)
	}
	kinds := 0
	for _, r := range rows[1:] {
		start, err1 := time.Parse(time.DateOnly, r[0])
		end, err2 := time.Parse(time.DateOnly, r[1])
		impact, err3 := strconv.ParseFloat(r[4], 64)
		if err1 != nil || err2 != nil || err3 != nil || end.Before(start) || start.Before(now.AddDate(0, -4, 0)) || impact <= 0 {
			t.Errorf("label %v", r)
		}
		if r[2] == "" && r[3] == "" {
			t.Errorf("label %v names neither a service nor an account", r)
		}
		kinds++
	}
	if kinds < 4 {
		t.Errorf("%d labels, want spikes, a level shift, a new service and a runaway account", kinds)
	}
}
