package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

var _ store.Writer = (*writer)(nil)

// flushEvery bounds how many appended rows DuckDB buffers before they are
// written out, and so the memory an ingest of any size takes.
const flushEvery = 1 << 19

// writer appends one ingest's line items under fresh generation numbers. The
// rows stay invisible (queries read active generations only) until Commit
// switches each billing period to its new generation.
type writer struct {
	db      *DB
	conn    *sql.Conn
	app     *lineAppender
	pending map[billing.BillingPeriod]int64
	newRows map[string][][]any // dictionary table -> rows to insert on commit
	// newSets and newCombos are the dictionary entries this ingest added:
	// when it fails they are forgotten, or a later ingest would take them
	// for stored and lose its lines.
	newSets   map[string][]string
	newCombos []comboKey
	// commits is the commitment rollup of this ingest and newCommits the
	// commitment dictionary entries it added.
	commits    map[commitCell]*commitAcc
	newCommits []commitInfoKey
	// wide are the lines whose costs do not fit line_items (see
	// allLineItems); they are stored on commit.
	wide []lineRow
	// Consecutive lines usually belong to one resource: remembering the last
	// combo and sets spares the dictionaries' hashing on most rows.
	last struct {
		combo    comboKey
		comboID  int32
		hasCombo bool
		sets     [2]lastSet // tag_sets, cc_sets
		period   billing.BillingPeriod
		gen      int64
		hasGen   bool
	}
	// recent remembers the combos of recent lines (see comboSlot).
	recent *[recentCombos]recentCombo
	// lowered says whether the ingest lowered DuckDB's memory limit (see
	// lowerMemoryLimit).
	lowered bool
	done    bool
}

// NewWriter starts an ingest; it waits for a running one to finish.
func (db *DB) NewWriter(ctx context.Context) (store.Writer, error) {
	db.ingest.Lock()
	conn, err := db.h().Conn(ctx)
	if err != nil {
		db.ingest.Unlock()
		return nil, fmt.Errorf("duckdb: writer connection: %w", err)
	}
	w := &writer{db: db, conn: conn, pending: map[billing.BillingPeriod]int64{},
		newRows: map[string][][]any{}}
	w.lowered = db.lowerMemoryLimit(ctx, conn)
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "line_items")
		if err == nil {
			w.app = newLineAppender(a)
		}
		return err
	})
	if err != nil {
		conn.Close()
		db.ingest.Unlock()
		return nil, fmt.Errorf("duckdb: appender: %w", err)
	}
	return w, nil
}

// Append adds one line item to the pending generation of its period.
func (w *writer) Append(p billing.BillingPeriod, li *billing.LineItem) error {
	if w.done {
		return errors.New("duckdb: append after commit or abort")
	}
	gen, ok := w.last.gen, w.last.hasGen && p == w.last.period
	if !ok {
		gen, ok = w.pending[p]
	}
	if !ok {
		w.db.mu.Lock()
		gen = w.db.nextGen
		w.db.nextGen++
		w.db.mu.Unlock()
		w.pending[p] = gen
	}
	w.last.period, w.last.gen, w.last.hasGen = p, gen, true
	combo, tagSet, ccSet := w.combo(li), w.intern("tag_sets", li.Tags), w.intern("cc_sets", li.CostCategories)
	w.addCommitment(gen, li, combo, tagSet, ccSet)
	if len(w.commits) >= maxCommitCells {
		if err := w.spillCommitments(context.Background()); err != nil {
			return err
		}
	}
	r := lineRow{gen: gen, start: li.UsageStart.UTC(), end: li.UsageEnd.UTC(), combo: combo,
		resource: li.ResourceID, tagSet: tagSet, ccSet: ccSet,
		money: [5]int64{int64(li.Unblended), int64(li.Blended), int64(li.NetUnblended), int64(li.Amortized), int64(li.NetAmortized)},
		usage: li.UsageQuantity, normd: li.NormalizedUsage}
	if !r.fitsLineMoney() {
		w.wide = append(w.wide, r)
		return nil
	}
	return w.app.add(r)
}

// lastSet is the last map interned into a set dictionary, as key-value
// pairs, and its id.
type lastSet struct {
	pairs [][2]string
	id    int32
	ok    bool
}

// matches reports whether m holds the same pairs. It looks the remembered
// keys up in m rather than ranging over m: starting a map iteration costs
// more than the lookups, and this runs for every line.
func (l *lastSet) matches(m map[string]string) bool {
	if !l.ok || len(l.pairs) != len(m) {
		return false
	}
	for _, kv := range l.pairs {
		if v, ok := m[kv[0]]; !ok || v != kv[1] {
			return false
		}
	}
	return true
}

func (w *writer) intern(table string, m map[string]string) int32 {
	if len(m) == 0 {
		return 0
	}
	last := &w.last.sets[0]
	if table == "cc_sets" {
		last = &w.last.sets[1]
	}
	if last.matches(m) {
		return last.id
	}
	w.db.mu.Lock()
	id, rows, key := w.db.sets[table].intern(m)
	w.db.mu.Unlock()
	if len(rows) > 0 {
		if w.newSets == nil {
			w.newSets = map[string][]string{}
		}
		w.newSets[table] = append(w.newSets[table], key)
	}
	for _, kv := range rows {
		w.newRows[table] = append(w.newRows[table], []any{id, kv[0], kv[1]})
	}
	last.pairs = last.pairs[:0]
	for k, v := range m {
		last.pairs = append(last.pairs, [2]string{k, v})
	}
	last.id, last.ok = id, true
	return id
}

// recentCombos is how many combos the writer remembers outside the
// dictionary.
const recentCombos = 1 << 10

type recentCombo struct {
	key comboKey
	id  int32
	ok  bool
}

// comboSlot returns where k is remembered among the recent combos. The slot
// is chosen by the addresses and lengths of k's strings, not their bytes:
// the line items of a file share their strings (the Parquet decoder's
// dictionary values, the mapper's derived names), so this spares hashing
// every byte of some thirty strings as the dictionary does, and a slot is
// only used after comparing the whole key.
func (w *writer) comboSlot(k *comboKey) *recentCombo {
	if w.recent == nil {
		w.recent = new([recentCombos]recentCombo)
	}
	var h uint64
	for _, s := range k {
		h = (h ^ uint64(uintptr(unsafe.Pointer(unsafe.StringData(s))))) * 0x9e3779b97f4a7c15
		h ^= uint64(len(s))
	}
	return &w.recent[(h^h>>29)%recentCombos]
}

func (w *writer) combo(li *billing.LineItem) int32 {
	k := comboKeyOf(li)
	if w.last.hasCombo && k == w.last.combo {
		return w.last.comboID
	}
	slot := w.comboSlot(&k)
	if slot.ok && slot.key == k {
		w.last.combo, w.last.comboID = k, slot.id
		return slot.id
	}
	w.db.mu.Lock()
	id, isNew := w.db.combos.intern(k)
	w.db.mu.Unlock()
	*slot = recentCombo{key: k, id: id, ok: true}
	if isNew {
		w.newCombos = append(w.newCombos, k)
		row := make([]any, 0, 1+len(k))
		row = append(row, id)
		for _, v := range k {
			row = append(row, v)
		}
		w.newRows["combos"] = append(w.newRows["combos"], row)
	}
	w.last.combo, w.last.comboID, w.last.hasCombo = k, id, true
	return id
}

// Commit builds the rollups of the new generations and switches every period
// to its new generation in one transaction, so readers see all old or all new.
func (w *writer) Commit(ctx context.Context, periods []store.PeriodInfo) error {
	if w.done {
		return errors.New("duckdb: commit after commit or abort")
	}
	defer w.finish()
	if err := w.app.close(); err != nil {
		w.fail()
		return w.db.recoverFrom(err)
	}
	w.app = nil
	if err := w.insertWide(ctx); err != nil {
		w.fail()
		return w.db.recoverFrom(err)
	}
	if err := w.commit(ctx, periods); err != nil {
		w.fail()
		return w.db.recoverFrom(err)
	}
	return nil
}

// fail undoes a failed ingest: its rows and its dictionary entries go, and
// its connection is released so that recoverFrom may reopen the database.
func (w *writer) fail() {
	w.discard()
	w.forget()
	w.conn.Close()
}

// forget drops the dictionary entries this ingest added from memory. Their
// ids are not reused; a gap costs nothing.
func (w *writer) forget() {
	w.db.mu.Lock()
	defer w.db.mu.Unlock()
	for table, keys := range w.newSets {
		for _, k := range keys {
			delete(w.db.sets[table].ids, k)
		}
	}
	for _, k := range w.newCombos {
		delete(w.db.combos.ids, k)
	}
	for _, k := range w.newCommits {
		delete(w.db.commits.ids, k)
	}
}

func (w *writer) commit(ctx context.Context, periods []store.PeriodInfo) error {
	if err := w.insertDictionaries(ctx); err != nil {
		return err
	}
	info := map[billing.BillingPeriod]store.PeriodInfo{}
	for _, p := range periods {
		info[p.Period] = p
		if _, ok := w.pending[p.Period]; !ok {
			// A period without rows still replaces what was stored.
			w.db.mu.Lock()
			w.pending[p.Period] = w.db.nextGen
			w.db.nextGen++
			w.db.mu.Unlock()
		}
	}
	gens := make([]int64, 0, len(w.pending))
	for _, g := range w.pending {
		gens = append(gens, g)
	}
	if err := w.db.buildRollups(ctx, w.conn, gens, w.pending, len(w.wide) > 0); err != nil {
		return err
	}
	if err := w.writeCommitments(ctx, w.conn, w.months()); err != nil {
		return err
	}
	if err := w.db.recordTagMonths(ctx, w.conn, gens); err != nil {
		return err
	}
	retired, err := w.activate(ctx, info)
	if err != nil {
		return err
	}
	w.db.changed()
	// Old generations are invisible from here on; removing their rows is
	// housekeeping, which the next start redoes in the background if we crash
	// first.
	if err := w.db.dropGenerations(ctx, w.conn, retired); err != nil {
		w.db.log.Warn("removing replaced billing periods failed; they are removed on the next start", "err", err)
	}
	return nil
}

// insertDictionaries stores the combos and sets this ingest added, through
// an appender: a fresh store gains tens of thousands of combos, which
// multi-row INSERTs would parse and bind value by value.
func (w *writer) insertDictionaries(ctx context.Context) error {
	for table, rows := range w.newRows {
		err := w.conn.Raw(func(dc any) error {
			a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
			if err != nil {
				return err
			}
			vals := make([]driver.Value, len(rows[0]))
			for _, r := range rows {
				for i, v := range r {
					vals[i] = v
				}
				if err := a.AppendRow(vals...); err != nil {
					a.Close()
					return err
				}
			}
			return a.CloseWithCancel(ctx)
		})
		if err != nil {
			return fmt.Errorf("duckdb: insert %s: %w", table, err)
		}
	}
	return nil
}

// insertWide stores the lines whose costs do not fit line_items in
// line_items_wide. Real bills have none, so one appender's per-row
// conversions cost nothing worth avoiding.
func (w *writer) insertWide(ctx context.Context) error {
	if len(w.wide) == 0 {
		return nil
	}
	err := w.conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "line_items_wide")
		if err != nil {
			return err
		}
		for i := range w.wide {
			if err := a.AppendRow(w.wide[i].values()...); err != nil {
				a.Close()
				return err
			}
		}
		return a.CloseWithCancel(ctx)
	})
	if err != nil {
		return fmt.Errorf("duckdb: insert line_items_wide: %w", err)
	}
	return nil
}

// activate records the new generations in one INSERT, which retires the
// generations they replace at the same instant. It returns the retired ones.
func (w *writer) activate(ctx context.Context, info map[billing.BillingPeriod]store.PeriodInfo) ([]int64, error) {
	hourly := w.db.recentGens(w.pending)
	var retired []int64
	var values []string
	var args []any
	now := w.db.now().UTC()
	for p, gen := range w.pending {
		rows, err := w.conn.QueryContext(ctx, `SELECT gen FROM generations WHERE source = ? AND month = ?`, p.Source, p.Month)
		if err != nil {
			return nil, fmt.Errorf("duckdb: find %s: %w", p, err)
		}
		for rows.Next() {
			var g int64
			if err := rows.Scan(&g); err != nil {
				rows.Close()
				return nil, err
			}
			retired = append(retired, g)
		}
		rows.Close()
		var currency string
		var n int64
		if err := w.conn.QueryRowContext(ctx, `SELECT coalesce(mode(c.currency), ''), coalesce(sum(r.lines), 0)
			FROM rollup_month r JOIN combos c ON c.id = r.combo WHERE r.gen = ?`, gen).Scan(&currency, &n); err != nil {
			return nil, fmt.Errorf("duckdb: summarise %s: %w", p, err)
		}
		pi := info[p]
		files := pi.Files
		if files == nil {
			files = []string{}
		}
		values = append(values, "(?, ?, ?, ?, ?, ?, ?::VARCHAR[], ?, ?, ?, ?)")
		args = append(args, gen, p.Source, p.Month, string(pi.Format), pi.Final, pi.InvoiceID, stringList(files), n, currency, now,
			slices.Contains(hourly, gen))
	}
	if len(values) == 0 {
		return nil, nil
	}
	if _, err := w.conn.ExecContext(ctx, `INSERT INTO generations VALUES `+strings.Join(values, ", "), args...); err != nil {
		return nil, fmt.Errorf("duckdb: commit ingest: %w", err)
	}
	return retired, nil
}

// stringList renders a Go slice as a DuckDB list literal parameter.
func stringList(ss []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, s := range ss {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("'" + strings.ReplaceAll(s, "'", "''") + "'")
	}
	b.WriteByte(']')
	return b.String()
}

// Abort discards everything appended.
func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	defer w.finish()
	if w.app != nil {
		w.app.close()
		w.app = nil
	}
	w.discard()
	w.forget()
	return nil
}

// discard removes the rows of the pending generations.
func (w *writer) discard() {
	gens := make([]int64, 0, len(w.pending))
	for _, g := range w.pending {
		gens = append(gens, g)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := w.db.dropGenerations(ctx, w.conn, gens); err != nil {
		w.db.log.Warn("discarding an aborted ingest failed; it is removed on the next start", "err", err)
	}
}

func (w *writer) finish() {
	w.done = true
	if w.lowered {
		w.db.restoreMemoryLimit(w.conn)
	}
	w.conn.Close()
	w.db.ingest.Unlock()
}

// dropGenerations deletes the rows of the given generations everywhere.
func (db *DB) dropGenerations(ctx context.Context, conn *sql.Conn, gens []int64) error {
	if len(gens) == 0 {
		return nil
	}
	list := int64List(gens)
	for _, t := range append(slices.Clone(lineTables), rollupTables...) {
		if _, err := conn.ExecContext(ctx, `DELETE FROM `+t+` WHERE gen IN (`+list+`)`); err != nil {
			return fmt.Errorf("duckdb: delete from %s: %w", t, err)
		}
	}
	_, err := conn.ExecContext(ctx, `DELETE FROM generations WHERE gen IN (`+list+`) AND gen NOT IN (`+activeGenerations+`)`)
	return err
}

// int64List renders integers as SQL literals; they are ours, never user text.
func int64List(xs []int64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}
