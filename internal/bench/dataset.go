package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tallyhq/tally/internal/synth"
)

// Dataset is the generated CUR 2.0 export a run measures.
type Dataset struct {
	// Export is the folder holding the export (the bucket root).
	Export    string    `json:"-"`
	Format    string    `json:"format"`
	Seed      int64     `json:"seed"`
	Rows      int64     `json:"rows_requested"`
	LineItems int64     `json:"line_items"`
	Periods   int       `json:"billing_periods"`
	Files     int       `json:"files"`
	Bytes     int64     `json:"bytes"`
	Now       time.Time `json:"generated_for"`
	// Seconds is how long generating took; Reused says the data set of an
	// earlier run with the same size and seed was used instead.
	Seconds float64 `json:"generate_seconds"`
	Reused  bool    `json:"reused"`
}

const datasetFile = "dataset.json"

// prepareData returns the data set of the given size and seed under root,
// generating it unless an earlier run left a complete one. Reusing keeps
// the generation clock, so the request dates stay the same too.
func prepareData(ctx context.Context, root string, rows, seed int64, now time.Time) (*Dataset, error) {
	dir := filepath.Join(root, fmt.Sprintf("cur2-%d-seed%d", rows, seed))
	export := filepath.Join(dir, "export")
	var ds Dataset
	if b, err := os.ReadFile(filepath.Join(dir, datasetFile)); err == nil && json.Unmarshal(b, &ds) == nil &&
		ds.Rows == rows && ds.Seed == seed && ds.LineItems > 0 {
		ds.Export, ds.Reused = export, true
		return &ds, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	start := time.Now()
	st, err := synth.Generate(ctx, synth.Config{Out: export, Format: synth.FormatCUR2, Seed: seed, Rows: rows, Now: now})
	if err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	ds = Dataset{Export: export, Format: string(synth.FormatCUR2), Seed: seed, Rows: rows, LineItems: st.LineItems,
		Periods: st.Periods, Files: len(st.Files), Bytes: st.Bytes, Now: now.UTC(), Seconds: time.Since(start).Seconds()}
	b, _ := json.MarshalIndent(ds, "", "  ")
	if err := os.WriteFile(filepath.Join(dir, datasetFile), b, 0o644); err != nil {
		return nil, err
	}
	return &ds, nil
}
