package duckdb

import (
	"database/sql/driver"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// lineRow is one line item as the line_items table stores it.
type lineRow struct {
	gen          int64
	start, end   time.Time
	combo        int32
	resource     string
	tagSet       int32
	ccSet        int32
	money        [5]int64 // unblended, blended, net unblended, amortized, net amortized (×1e-10)
	usage, normd float64
}

// fitsLineMoney reports whether the row's costs fit line_items (lineMoney).
func (r *lineRow) fitsLineMoney() bool {
	for _, m := range r.money {
		if m > maxLineMoney || m < -maxLineMoney {
			return false
		}
	}
	return true
}

// values returns the row as the appender takes it.
func (r *lineRow) values() []driver.Value {
	return []driver.Value{r.gen, r.start, r.end, r.combo, r.resource, r.tagSet, r.ccSet,
		r.money[0], r.money[1], r.money[2], r.money[3], r.money[4], r.usage, r.normd}
}

// batchRows is how many rows travel to the appender goroutine at once, and
// queuedBatches how many may wait: enough (about 130k rows) that parsing goes
// on while DuckDB writes a row group out.
const (
	batchRows     = 4096
	queuedBatches = 32
)

// lineAppender feeds line items to a DuckDB appender on its own goroutine,
// so that parsing the export and appending to the table use both cores.
// add and close must be called from one goroutine.
type lineAppender struct {
	app    *duckdb.Appender
	batch  []lineRow
	ch     chan []lineRow
	free   chan []lineRow
	done   chan struct{}
	err    error // written by run before failed is set
	failed atomic.Bool
}

func newLineAppender(app *duckdb.Appender) *lineAppender {
	a := &lineAppender{app: app, ch: make(chan []lineRow, queuedBatches), free: make(chan []lineRow, queuedBatches+2), done: make(chan struct{})}
	a.batch = make([]lineRow, 0, batchRows)
	go a.run()
	return a
}

// add queues one row; it reports an error the appender met earlier.
func (a *lineAppender) add(r lineRow) error {
	if a.failed.Load() {
		return a.err
	}
	a.batch = append(a.batch, r)
	if len(a.batch) == batchRows {
		a.ch <- a.batch
		select {
		case b := <-a.free:
			a.batch = b[:0]
		default:
			a.batch = make([]lineRow, 0, batchRows)
		}
	}
	return nil
}

func (a *lineAppender) run() {
	defer close(a.done)
	vals := make([]driver.Value, 14)
	n := 0
	var prev lineRow
	for b := range a.ch {
		if a.failed.Load() {
			continue // drain
		}
		for i := range b {
			r := &b[i]
			// Boxing a value allocates; a value equal to the previous row's
			// keeps its box (most columns repeat from line to line).
			first := n == 0
			box(vals, 0, first, r.gen, prev.gen)
			box(vals, 1, first, r.start, prev.start)
			box(vals, 2, first, r.end, prev.end)
			box(vals, 3, first, r.combo, prev.combo)
			box(vals, 4, first, r.resource, prev.resource)
			box(vals, 5, first, r.tagSet, prev.tagSet)
			box(vals, 6, first, r.ccSet, prev.ccSet)
			for j, m := range r.money {
				box(vals, 7+j, first, m, prev.money[j])
			}
			// Floats by their bits: 0 == -0.
			if first || math.Float64bits(r.usage) != math.Float64bits(prev.usage) {
				vals[12] = r.usage
			}
			if first || math.Float64bits(r.normd) != math.Float64bits(prev.normd) {
				vals[13] = r.normd
			}
			prev = *r
			if err := a.app.AppendRow(vals...); err != nil {
				a.fail(fmt.Errorf("duckdb: append line item: %w", err))
				break
			}
			if n++; n%flushEvery == 0 {
				if err := a.app.Flush(); err != nil {
					a.fail(fmt.Errorf("duckdb: flush line items: %w", err))
					break
				}
			}
		}
		select {
		case a.free <- b:
		default:
		}
	}
}

// box sets vals[i] to v unless it already holds v, the previous row's value
// (ignored for the first row). Times compare by their instant and location
// pointer alike, as == does.
func box[T comparable](vals []driver.Value, i int, first bool, v, prev T) {
	if first || v != prev {
		vals[i] = v
	}
}

func (a *lineAppender) fail(err error) {
	a.err = err
	a.failed.Store(true)
}

// close sends what is queued, waits for the goroutine and closes the
// appender, flushing the last rows.
func (a *lineAppender) close() error {
	if len(a.batch) > 0 {
		a.ch <- a.batch
		a.batch = nil
	}
	close(a.ch)
	<-a.done
	cerr := a.app.Close()
	if a.failed.Load() {
		return a.err
	}
	if cerr != nil {
		return fmt.Errorf("duckdb: flush line items: %w", cerr)
	}
	return nil
}
