package clickhouse

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store/columns"
)

// rollupFlushRows bounds the rollup rows an ingest holds in memory: when
// it has gathered this many, they are inserted and gathering starts
// again. A key may then have several rows in a rollup table; every reader
// sums rows, so the answers are the same. A variable so that tests flush
// often.
var rollupFlushRows = 1 << 18

// aggregator builds the daily rollup rows of an ingest in the client
// while the lines stream past, instead of a GROUP BY over the
// stored lines on the shard: the client sees every line anyway, and
// grouping by a small integer here is much cheaper than grouping ~45
// string columns and arrays on the server. The monthly rollup is then
// built from the daily one on the shard (few rows), and the hourly one of
// recent months from their lines on the shard (buildHourRollup).
//
// A line's group columns (dimensions, attributes, tags, cost categories)
// are interned as a combo: the combo's id keys the rollup rows, and its
// tag and category arrays are shared by every line of the combo (no
// arrays built per line).
type aggregator struct {
	ids    map[string]int32
	combos []*combo
	rows   map[rollupKey]int32
	sums   []rollupSums
	buf    []byte   // a line's combo key, reused
	keys   []string // a map's sorted keys, reused
}

// combo is one combination of group columns, in groupColumns' order.
type combo struct {
	strs   []string    // dimensions, then columns.Extra
	arrays [4][]string // tag_keys, tag_values, cc_keys, cc_values
}

// rollupKey is a daily rollup row: its generation, day (Unix seconds)
// and combination of group columns.
type rollupKey struct {
	g     *genStats
	ts    int64
	combo int32
}

// rollupSums are a rollup row's metrics: the five cost columns, usage and
// normalized usage in units of 10^-billing.Scale, then line counts.
type rollupSums struct {
	amounts           [len(amountCols)]i128
	usageLines, lines uint64
}

// amountCols are the summed columns of a line, in the rollup tables'
// order: columns.Money, then usage and normalized.
var amountCols = [...]string{"unblended", "blended", "net_unblended", "amortized", "net_amortized", "usage", "normalized"}

func init() {
	for i, m := range columns.Money {
		if amountCols[i] != m.Col {
			panic("clickhouse: amountCols out of step with columns.Money")
		}
	}
}

func newAggregator() *aggregator {
	return &aggregator{ids: map[string]int32{}, rows: map[rollupKey]int32{}}
}

// intern returns the id and combo of li's group columns.
func (a *aggregator) intern(li *billing.LineItem) (int32, *combo) {
	buf := a.buf[:0]
	for _, d := range columns.Dimensions {
		v, _ := d.Dim.Value(li)
		buf = appendField(buf, v)
	}
	for _, v := range extras(li) {
		buf = appendField(buf, v)
	}
	buf = a.appendMap(buf, li.Tags)
	buf = a.appendMap(buf, li.CostCategories)
	a.buf = buf
	if id, ok := a.ids[string(buf)]; ok {
		return id, a.combos[id]
	}
	c := &combo{}
	for _, d := range columns.Dimensions {
		v, _ := d.Dim.Value(li)
		c.strs = append(c.strs, strings.Clone(v))
	}
	for _, v := range extras(li) {
		c.strs = append(c.strs, strings.Clone(v))
	}
	c.arrays[0], c.arrays[1] = pairs(li.Tags)
	c.arrays[2], c.arrays[3] = pairs(li.CostCategories)
	id := int32(len(a.combos))
	a.ids[string(buf)] = id
	a.combos = append(a.combos, c)
	return id, c
}

// mod is x mod m, never negative.
func mod(x, m int64) int64 {
	if r := x % m; r < 0 {
		return r + m
	} else {
		return r
	}
}

// extras are li's values of columns.Extra, in order.
func extras(li *billing.LineItem) [4]string {
	return [4]string{li.LineItemType, li.Currency, li.UsageUnit, li.PayerAccountName}
}

func appendField(buf []byte, s string) []byte {
	return append(binary.AppendUvarint(buf, uint64(len(s))), s...)
}

// appendMap appends a map's pairs in key order.
func (a *aggregator) appendMap(buf []byte, m map[string]string) []byte {
	a.keys = a.keys[:0]
	for k := range m {
		a.keys = append(a.keys, k)
	}
	slices.Sort(a.keys)
	buf = binary.AppendUvarint(buf, uint64(len(a.keys)))
	for _, k := range a.keys {
		buf = appendField(appendField(buf, k), m[k])
	}
	return buf
}

// add counts a line of combo id in its rollup row.
func (a *aggregator) add(k rollupKey, amounts *[len(amountCols)]i128, counted bool) error {
	i, ok := a.rows[k]
	if !ok {
		i = int32(len(a.sums))
		a.rows[k] = i
		a.sums = append(a.sums, rollupSums{})
	}
	s := &a.sums[i]
	for j := range amounts {
		if j >= len(columns.Money) && !counted {
			break
		}
		if !s.amounts[j].add(amounts[j]) {
			return fmt.Errorf("clickhouse: the sum of %s overflows Decimal(38, 10)", amountCols[j])
		}
	}
	if counted {
		s.usageLines++
	}
	s.lines++
	return nil
}

// full reports whether the gathered rows should be inserted now.
func (a *aggregator) full() bool { return len(a.sums) >= rollupFlushRows }

// insertRollups sends the gathered rows of every shard's daily rollup and
// starts gathering again; combos held by lines not yet sent stay valid.
func (w *writer) insertRollups(ctx context.Context) error {
	a := w.agg
	if len(a.sums) == 0 {
		return nil
	}
	batches := map[int][]rollupKey{}
	for k := range a.rows {
		batches[k.g.shard] = append(batches[k.g.shard], k)
	}
	errs := make(chan error, len(batches))
	for shard, keys := range batches {
		go func() { errs <- w.insertRollupRows(ctx, shard, keys) }()
	}
	var err error
	for range batches {
		err = errors.Join(err, <-errs)
	}
	clear(a.rows)
	a.sums = a.sums[:0]
	clear(a.ids)
	a.combos = a.combos[:0]
	return err
}

// insertRollupRows inserts rows of one shard's daily rollup.
func (w *writer) insertRollupRows(ctx context.Context, shard int, keys []rollupKey) error {
	table := "rollup_day_local"
	var names []string
	for _, c := range rollupColumns() {
		names = append(names, c[0])
	}
	batch, err := w.s.shards[shard].PrepareBatch(ctx, "INSERT INTO "+w.s.addr.Database+"."+table+" ("+strings.Join(names, ", ")+")")
	if err != nil {
		return w.s.shardErr(shard, "insert rollup", err)
	}
	// Column by column, as the lines (no boxing per value), in blocks of
	// flushEvery rows, so that an ingest's rollup never needs a copy of
	// every row at once.
	for len(keys) > 0 {
		n := min(len(keys), flushEvery)
		if err := appendRollupBlock(batch, w.agg, keys[:n]); err != nil {
			_ = batch.Abort()
			return w.s.shardErr(shard, "insert rollup", err)
		}
		if err := batch.Flush(); err != nil {
			_ = batch.Abort()
			return w.s.shardErr(shard, "insert rollup", err)
		}
		keys = keys[n:]
	}
	return w.s.shardErr(shard, "insert rollup", batch.Send())
}

// i128 is a signed 128-bit integer: a sum of amounts in units of
// 10^-billing.Scale, exact as Decimal(38, 10) is.
type i128 struct {
	hi int64
	lo uint64
}

func i128Of(v int64) i128 { return i128{hi: v >> 63, lo: uint64(v)} }

// add adds b and reports false on overflow.
func (a *i128) add(b i128) bool {
	lo, carry := bits.Add64(a.lo, b.lo, 0)
	hi := a.hi + b.hi + int64(carry)
	if (a.hi >= 0) == (b.hi >= 0) && (hi >= 0) != (a.hi >= 0) {
		return false
	}
	a.hi, a.lo = hi, lo
	return true
}

// decimal is a as a Decimal(38, 10) value.
func (a i128) decimal() decimal.Decimal {
	if a.hi == int64(a.lo)>>63 {
		return decimal.New(int64(a.lo), -billing.Scale)
	}
	b := new(big.Int).SetInt64(a.hi)
	b.Lsh(b, 64).Add(b, new(big.Int).SetUint64(a.lo))
	return decimal.NewFromBigInt(b, -billing.Scale)
}

// maxDecimal38 is the largest magnitude a Decimal(38, 10) holds, in units
// of 10^-10.
var maxDecimal38 = new(big.Int).Sub(new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil), big.NewInt(1))

// quantity converts a usage amount to units of 10^-billing.Scale the way
// DuckDB casts a DOUBLE to DECIMAL(38,10) (scale in floating point, then
// round half away from zero: checked on 20,000 values against DuckDB 1.5),
// so that sums match the embedded store's. An amount beyond Decimal(38, 10)
// is an error.
func quantity(f float64) (i128, error) {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return i128{}, nil
	}
	r := math.Round(f * 1e10)
	if math.Abs(r) < 1<<62 {
		return i128Of(int64(r)), nil
	}
	b, _ := new(big.Float).SetFloat64(r).Int(nil)
	if new(big.Int).Abs(b).Cmp(maxDecimal38) > 0 {
		return i128{}, fmt.Errorf("clickhouse: usage amount %g is beyond Decimal(38, 10)", f)
	}
	lo := new(big.Int).And(b, new(big.Int).SetUint64(math.MaxUint64)).Uint64()
	return i128{hi: new(big.Int).Rsh(b, 64).Int64(), lo: lo}, nil
}

// appendRollupBlock hands the rows of keys to batch, column by column.
func appendRollupBlock(batch driver.Batch, a *aggregator, keys []rollupKey) error {
	n := len(keys)
	gens, months, ts := make([]uint64, n), make([]time.Time, n), make([]time.Time, n)
	strs := make([][]string, len(columns.Dimensions)+len(columns.Extra))
	for i := range strs {
		strs[i] = make([]string, n)
	}
	var arrays [4][][]string
	for i := range arrays {
		arrays[i] = make([][]string, n)
	}
	var amounts [len(amountCols)][]decimal.Decimal
	for i := range amounts {
		amounts[i] = make([]decimal.Decimal, n)
	}
	usageLines, lines := make([]uint64, n), make([]uint64, n)
	for r, k := range keys {
		c := a.combos[k.combo]
		s := &a.sums[a.rows[k]]
		gens[r], months[r], ts[r] = uint64(k.g.gen), k.g.month, time.Unix(k.ts, 0).UTC()
		for i, v := range c.strs {
			strs[i][r] = v
		}
		for i, v := range c.arrays {
			arrays[i][r] = v
		}
		for i, v := range s.amounts {
			amounts[i][r] = v.decimal()
		}
		usageLines[r], lines[r] = s.usageLines, s.lines
	}
	cols := []any{gens, months, ts}
	for _, c := range strs {
		cols = append(cols, c)
	}
	for _, c := range arrays {
		cols = append(cols, c)
	}
	for _, c := range amounts {
		cols = append(cols, c)
	}
	cols = append(cols, usageLines, lines)
	for i, c := range cols {
		if err := appendColumn(batch.Column(i), c); err != nil {
			return fmt.Errorf("append column %d: %w", i, err)
		}
	}
	return nil
}
