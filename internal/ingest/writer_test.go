package ingest

import (
	"context"
	"maps"
	"sort"
	"testing"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// memWriter is a store.Writer that aggregates rows in memory.
type memWriter struct {
	rows      []billing.LineItem // kept only when keep is set
	keep      bool
	count     map[billing.BillingPeriod]int64
	unblended map[billing.BillingPeriod]billing.Amount
	amortized map[billing.BillingPeriod]billing.Amount
	committed []store.PeriodInfo
	commits   int
	aborts    int
	failAt    int64 // Append fails on this row when > 0
	onAppend  func(p billing.BillingPeriod, li *billing.LineItem)
	n         int64
}

func newMemWriter(keep bool) *memWriter {
	return &memWriter{keep: keep, count: map[billing.BillingPeriod]int64{},
		unblended: map[billing.BillingPeriod]billing.Amount{}, amortized: map[billing.BillingPeriod]billing.Amount{}}
}

var _ store.Writer = (*memWriter)(nil)

func (w *memWriter) Append(p billing.BillingPeriod, li *billing.LineItem) error {
	w.n++
	if w.failAt > 0 && w.n == w.failAt {
		return errAppend
	}
	w.count[p]++
	if w.onAppend != nil {
		w.onAppend(p, li)
	}
	w.unblended[p] += li.Unblended
	w.amortized[p] += li.Amortized
	if w.keep {
		c := *li
		c.Tags = maps.Clone(li.Tags)
		c.CostCategories = maps.Clone(li.CostCategories)
		w.rows = append(w.rows, c)
	}
	return nil
}

func (w *memWriter) Commit(_ context.Context, periods []store.PeriodInfo) error {
	w.commits++
	w.committed = periods
	return nil
}

func (w *memWriter) Abort() error {
	w.aborts++
	return nil
}

// months returns the committed periods' months as YYYY-MM, sorted.
func (w *memWriter) months() []string {
	var out []string
	for p := range w.count {
		out = append(out, p.Source+" "+p.Month.Format("2006-01"))
	}
	sort.Strings(out)
	return out
}

func mustLoad(t *testing.T, w *memWriter, paths ...string) *Report {
	t.Helper()
	rep, err := Load(context.Background(), paths, w, Options{})
	if err != nil {
		t.Fatalf("Load(%v): %v", paths, err)
	}
	return rep
}
