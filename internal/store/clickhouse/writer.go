package clickhouse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/columns"
)

var _ store.Writer = (*writer)(nil)

// flushEvery is how many lines a shard's block holds before it is sent: it
// bounds the memory of an ingest of any size (two blocks per shard). A
// variable so that tests send many blocks.
var flushEvery = 1 << 15

// writer appends one ingest's lines under new generations on each
// period's shard. Nothing is visible until Commit switches the generations
// in PostgreSQL.
//
// Lines are gathered per shard column by column in native Go slices
// (no boxing per value), and every flushEvery lines those slices are handed
// to one long-lived INSERT per shard as a block (batch.Flush keeps the
// driver's column buffers, so they do not grow again for every block),
// in a goroutine while the next block fills the other set of slices.
type writer struct {
	s       *Store
	ctx     context.Context
	gens    map[billing.BillingPeriod]*genStats
	batches []driver.Batch // per shard, nil until a line goes there
	filling []*block       // per shard, the block being filled
	spare   []*block       // per shard, the block being sent (or free)
	// inflight[i] receives the outcome of shard i's block being flushed
	// while the next one fills; nil when none is.
	inflight []chan error
	agg      *aggregator
	done     bool
}

// block is one shard's lines, column by column, in lineColumns' order.
type block struct {
	gen        []uint64
	month      []time.Time
	start, end []time.Time
	strs       [][]string          // dimensions, extras, resource_id
	arrays     [][][]string        // tag_keys, tag_values, cc_keys, cc_values
	money      [][]int64           // columns.Money in units of 10^-billing.Scale
	decs       [][]decimal.Decimal // usage, normalized
	commit     commitCols          // commitLineColumns
}

func newBlock() *block {
	n := flushEvery
	b := &block{gen: make([]uint64, 0, n), month: make([]time.Time, 0, n), start: make([]time.Time, 0, n), end: make([]time.Time, 0, n),
		strs:   make([][]string, len(columns.Dimensions)+len(columns.Extra)+1),
		arrays: make([][][]string, 4), money: make([][]int64, len(columns.Money)), decs: make([][]decimal.Decimal, 2),
		commit: newCommitCols(n)}
	for i := range b.strs {
		b.strs[i] = make([]string, 0, n)
	}
	for i := range b.arrays {
		b.arrays[i] = make([][]string, 0, n)
	}
	for i := range b.money {
		b.money[i] = make([]int64, 0, n)
	}
	for i := range b.decs {
		b.decs[i] = make([]decimal.Decimal, 0, n)
	}
	return b
}

func (b *block) len() int { return len(b.gen) }

func (b *block) reset() {
	b.gen, b.month, b.start, b.end = b.gen[:0], b.month[:0], b.start[:0], b.end[:0]
	for i := range b.strs {
		clear(b.strs[i])
		b.strs[i] = b.strs[i][:0]
	}
	for i := range b.arrays {
		clear(b.arrays[i])
		b.arrays[i] = b.arrays[i][:0]
	}
	for i := range b.money {
		b.money[i] = b.money[i][:0]
	}
	for i := range b.decs {
		clear(b.decs[i])
		b.decs[i] = b.decs[i][:0]
	}
	b.commit.reset()
}

// columns returns the block's columns in lineColumns' order.
func (b *block) columns() []any {
	cols := []any{b.gen, b.month, b.start, b.end}
	for _, c := range b.strs {
		cols = append(cols, c)
	}
	for _, c := range b.arrays {
		cols = append(cols, c)
	}
	for _, c := range b.money {
		cols = append(cols, c)
	}
	for _, c := range b.decs {
		cols = append(cols, c)
	}
	return append(cols, b.commit.columns()...)
}

// genStats is what an ingest learns of one period's new generation.
type genStats struct {
	gen        int64
	shard      int
	month      time.Time
	hourly     bool // the generation gets an hourly rollup
	rows       int64
	currencies map[string]int64
}

// NewWriter starts an ingest. Several may run at once, on any node.
func (s *Store) NewWriter(ctx context.Context) (store.Writer, error) {
	n := len(s.shards)
	return &writer{s: s, ctx: context.WithoutCancel(ctx), gens: map[billing.BillingPeriod]*genStats{},
		batches: make([]driver.Batch, n), filling: make([]*block, n), spare: make([]*block, n),
		inflight: make([]chan error, n), agg: newAggregator()}, nil
}

// gen returns the new generation of p, recording it as pending first.
func (w *writer) gen(p billing.BillingPeriod) (*genStats, error) {
	if g, ok := w.gens[p]; ok {
		return g, nil
	}
	ctx, cancel := context.WithTimeout(w.ctx, 30*time.Second)
	defer cancel()
	n, err := w.s.newGen(ctx, p)
	if err != nil {
		return nil, err
	}
	g := &genStats{gen: n, shard: w.s.shardOf(p), month: p.Month, hourly: w.recent(p), currencies: map[string]int64{}}
	w.gens[p] = g
	return g, nil
}

// Append adds one line to the new generation of its period.
func (w *writer) Append(p billing.BillingPeriod, li *billing.LineItem) error {
	if w.done {
		return errors.New("clickhouse: append after commit or abort")
	}
	g, err := w.gen(p)
	if err != nil {
		return err
	}
	// Everything that can fail comes before the line's first column.
	var amounts [len(amountCols)]i128
	for i, a := range [...]billing.Amount{li.Unblended, li.Blended, li.NetUnblended, li.Amortized, li.NetAmortized} {
		amounts[i] = i128Of(int64(a))
	}
	for i, f := range [...]float64{li.UsageQuantity, li.NormalizedUsage} {
		if amounts[len(columns.Money)+i], err = quantity(f); err != nil {
			return err
		}
	}
	id, c := w.agg.intern(li)
	counted := slices.Contains(columns.UsageLineTypes, li.LineItemType)
	start := li.UsageStart.Unix()
	k := rollupKey{g: g, ts: start - mod(start, 86400), combo: id}
	if err := w.agg.add(k, &amounts, counted); err != nil {
		return err
	}
	g.rows++
	g.currencies[li.Currency]++
	b := w.filling[g.shard]
	if b == nil {
		b = newBlock()
		w.filling[g.shard] = b
	}
	b.gen = append(b.gen, uint64(g.gen))
	b.month = append(b.month, p.Month)
	b.start = append(b.start, li.UsageStart.UTC())
	b.end = append(b.end, li.UsageEnd.UTC())
	for i, v := range c.strs {
		b.strs[i] = append(b.strs[i], v)
	}
	b.strs[len(c.strs)] = append(b.strs[len(c.strs)], li.ResourceID)
	for i, v := range c.arrays {
		b.arrays[i] = append(b.arrays[i], v)
	}
	for i := range b.money {
		b.money[i] = append(b.money[i], int64(amounts[i].lo))
	}
	for i, a := range amounts[len(b.money):] {
		b.decs[i] = append(b.decs[i], a.decimal())
	}
	if w.agg.full() {
		if err := w.insertRollups(w.ctx); err != nil {
			return err
		}
	}
	b.commit.add(li)
	if b.len() >= flushEvery {
		return w.flushAsync(g.shard)
	}
	return nil
}

// flushAsync sends shard's full block while the next one fills, after the
// previous one has gone: at most two blocks per shard are in memory.
func (w *writer) flushAsync(shard int) error {
	if err := w.wait(shard); err != nil {
		return err
	}
	if w.batches[shard] == nil {
		b, err := w.s.shards[shard].PrepareBatch(w.ctx, w.insertSQL())
		if err != nil {
			return w.s.shardErr(shard, "insert lines", err)
		}
		w.batches[shard] = b
	}
	full := w.filling[shard]
	w.filling[shard], w.spare[shard] = w.spare[shard], full
	done := make(chan error, 1)
	w.inflight[shard] = done
	batch := w.batches[shard]
	go func() { done <- w.s.shardErr(shard, "insert lines", flush(batch, full)) }()
	return nil
}

// flush hands a block's columns to the batch and sends them.
func flush(batch driver.Batch, b *block) error {
	defer b.reset()
	for i, c := range b.columns() {
		if err := appendColumn(batch.Column(i), c); err != nil {
			return fmt.Errorf("append column %d: %w", i, err)
		}
	}
	return batch.Flush()
}

// appendColumn hands a column's values to a batch. Arrays go row by row:
// the driver appends a []string row without reflection, a whole
// [][]string column through reflection, value by value.
func appendColumn(col driver.BatchColumn, c any) error {
	rows, ok := c.([][]string)
	if !ok {
		return col.Append(c)
	}
	for _, r := range rows {
		if err := col.AppendRow(r); err != nil {
			return err
		}
	}
	return nil
}

// wait returns the outcome of shard's block in flight, if any.
func (w *writer) wait(shard int) error {
	if w.inflight[shard] == nil {
		return nil
	}
	err := <-w.inflight[shard]
	w.inflight[shard] = nil
	return err
}

// send sends shard's last block and ends its INSERT, so that every line
// of it is stored.
func (w *writer) send(shard int) error {
	if b := w.filling[shard]; b != nil && b.len() > 0 {
		if err := w.flushAsync(shard); err != nil {
			return err
		}
	}
	if err := w.wait(shard); err != nil {
		return err
	}
	b := w.batches[shard]
	if b == nil {
		return nil
	}
	w.batches[shard] = nil
	return w.s.shardErr(shard, "insert lines", b.Send())
}

// insertSQL names the columns: 18.16 needs the explicit list.
func (w *writer) insertSQL() string {
	var names []string
	for _, c := range lineColumns() {
		names = append(names, c[0])
	}
	return "INSERT INTO " + w.s.addr.Database + ".line_items_local (" + strings.Join(names, ", ") + ")"
}

// pairs returns a map's keys in order and their values.
func pairs(m map[string]string) ([]string, []string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	return keys, vals
}

// Commit sends the lines, builds the rollups of the new generations on
// their shards, and switches every period to its
// new generation in one PostgreSQL transaction.
func (w *writer) Commit(ctx context.Context, periods []store.PeriodInfo) error {
	if w.done {
		return errors.New("clickhouse: commit after commit or abort")
	}
	w.done = true
	if err := w.commit(ctx, periods); err != nil {
		w.discard()
		return err
	}
	w.s.changed()
	// Replaced generations are invisible from here on; removing them is
	// housekeeping that a later ingest redoes if this one fails.
	if err := w.s.collect(ctx); err != nil {
		w.s.log.Warn("clickhouse: collecting old generations failed; a later ingest retries", "err", err)
	}
	return nil
}

func (w *writer) commit(ctx context.Context, periods []store.PeriodInfo) error {
	// Every shard's last block is sent and its INSERT ended at once.
	sent := make(chan error, len(w.batches))
	for i := range w.batches {
		go func() { sent <- w.send(i) }()
	}
	var err error
	for range w.batches {
		err = cmp.Or(err, <-sent)
	}
	if err != nil {
		return err
	}
	var out []pendingGen
	for _, pi := range periods {
		g, err := w.gen(pi.Period) // a period without rows still replaces what was stored
		if err != nil {
			return err
		}
		out = append(out, pendingGen{gen: g.gen, info: pi, rows: g.rows, currency: mode(g.currencies), hourly: w.recent(pi.Period)})
	}
	// The daily rows gathered in the client go in; each shard then builds
	// its monthly rollup from its daily one, and its hourly one from the
	// lines of recent months.
	if err := w.insertRollups(ctx); err != nil {
		return err
	}
	byShard, hourly := map[int][]int64{}, map[int][]int64{}
	for _, g := range w.gens {
		byShard[g.shard] = append(byShard[g.shard], g.gen)
		if g.hourly {
			hourly[g.shard] = append(hourly[g.shard], g.gen)
		}
	}
	errs := make(chan error, len(byShard))
	for shard, gens := range byShard {
		go func() {
			err := w.s.buildMonthRollup(ctx, shard, gens)
			if len(hourly[shard]) > 0 && err == nil {
				err = w.s.buildHourRollup(ctx, shard, hourly[shard])
			}
			errs <- err
		}()
	}
	for range byShard {
		err = cmp.Or(err, <-errs)
	}
	if err != nil {
		return err
	}
	return w.s.activate(ctx, out)
}

// recent reports whether p is recent enough for an hourly rollup.
func (w *writer) recent(p billing.BillingPeriod) bool {
	return !p.Month.Before(billing.MonthStart(w.s.now()).AddDate(0, -hourlyMonths, 0))
}

// mode is the most frequent currency, the least of equals.
func mode(counts map[string]int64) string {
	best, n := "", int64(-1)
	for c, k := range counts {
		if k > n || (k == n && c < best) {
			best, n = c, k
		}
	}
	return best
}

// Abort discards everything appended.
func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.discard()
	return nil
}

// discard drops the pending generations' rows. If a shard is down they
// stay pending, invisible, until collect removes them.
func (w *writer) discard() {
	for i := range w.inflight {
		_ = w.wait(i)
	}
	for i, b := range w.batches {
		if b != nil {
			_ = b.Abort()
			w.batches[i] = nil
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	byShard := map[int][]int64{}
	for _, g := range w.gens {
		byShard[g.shard] = append(byShard[g.shard], g.gen)
	}
	for shard, gens := range byShard {
		if err := w.s.dropGens(ctx, shard, gens); err != nil {
			w.s.log.Warn("clickhouse: discarding an aborted ingest failed; it is collected later", "err", err)
		}
	}
}
