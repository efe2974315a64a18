package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

var _ store.CommitmentStore = (*DB)(nil)

// commitSumColumns name the summed columns of rollup_commitment, in
// store.CommitmentSum order. They hold integers of 10^-billing.Scale, so
// sums are exact.
var commitSumColumns = [store.NumCommitmentSums]string{
	"usage", "normalized", "unblended", "public_on_demand",
	"ri_purchased_hours", "ri_purchased_units", "ri_recurring_fee", "ri_amortized_upfront_fee",
	"ri_effective_cost", "ri_unused_quantity", "ri_unused_normalized", "ri_unused_upfront", "ri_unused_recurring",
	"sp_effective_cost", "sp_total_commitment", "sp_used_commitment", "sp_recurring_commitment", "sp_amortized_upfront",
}

// commitInfoColumns are the columns of the commitments dictionary after id,
// in store.CommitmentInfo field order.
var commitInfoColumns = []string{"kind", "arn", "subscription_id", "start_time", "end_time", "number_of_reservations",
	"normalized_units_per_reservation", "lease_length", "purchase_option", "offering_class", "savings_plans_type",
	"payment_option", "purchase_term"}

// commitmentSchema holds the commitment rollup: one row per day, combo, tag
// and cost category set, commitment and eligibility, with the sums of the
// lines of commitments and of on-demand usage they could cover
// (store.CommitmentStore). commitment is -1 for on-demand usage.
func commitmentSchema() []string {
	var sums, info strings.Builder
	for _, c := range commitSumColumns {
		sums.WriteString(", " + c + " BIGINT NOT NULL")
	}
	for _, c := range commitInfoColumns {
		info.WriteString(", " + c + " VARCHAR NOT NULL")
	}
	return []string{
		`CREATE TABLE IF NOT EXISTS commitments (id INTEGER NOT NULL` + info.String() + `)`,
		`CREATE TABLE IF NOT EXISTS rollup_commitment (gen BIGINT NOT NULL, month DATE NOT NULL, ts TIMESTAMP NOT NULL,
			combo INTEGER NOT NULL, tag_set INTEGER NOT NULL, cc_set INTEGER NOT NULL, commitment INTEGER NOT NULL,
			eligible UTINYINT NOT NULL` + sums.String() + `, lines BIGINT NOT NULL)`,
	}
}

// commitInfoKey is one distinct store.CommitmentInfo.
type commitInfoKey [13]string

func commitInfoOf(li *billing.LineItem, kind string) commitInfoKey {
	c := &li.Commitment
	// Dimension values carry Cost Explorer's no-value spellings; the
	// dictionary keeps what the bill says.
	value := func(d billing.Dimension, v string) string {
		if billing.IsNoValue(d, v) {
			return ""
		}
		return v
	}
	payment := value(billing.DimPaymentOption, li.PaymentOption)
	if kind == billing.CommitmentSP {
		return commitInfoKey{kind, li.SavingsPlanARN, "", c.SPStart, c.SPEnd, "", "", "", "", "",
			value(billing.DimSavingsPlansType, li.SavingsPlansType), payment, c.PurchaseTerm}
	}
	return commitInfoKey{kind, c.ReservationARN, value(billing.DimSubscriptionID, li.SubscriptionID), c.RIStart, c.RIEnd,
		c.NumberOfReservations, c.NormalizedUnitsPerReservation, c.LeaseLength, c.PurchaseOption, c.OfferingClass, "", payment, ""}
}

// commitDict interns commitment attribute sets.
type commitDict struct {
	ids  map[commitInfoKey]int32
	next int32
}

func loadCommitDict(ctx context.Context, db *sql.DB) (*commitDict, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, `+strings.Join(commitInfoColumns, ", ")+` FROM commitments`)
	if err != nil {
		return nil, fmt.Errorf("duckdb: load commitments: %w", err)
	}
	defer rows.Close()
	d := &commitDict{ids: map[commitInfoKey]int32{}}
	for rows.Next() {
		var id int32
		var k commitInfoKey
		dest := []any{&id}
		for i := range k {
			dest = append(dest, &k[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("duckdb: load commitments: %w", err)
		}
		d.ids[k] = id
		d.next = max(d.next, id+1)
	}
	return d, rows.Err()
}

// commitCell is the key of one rollup_commitment row being built.
type commitCell struct {
	gen                  int64
	day                  int64 // unix seconds of the day
	combo, tagSet, ccSet int32
	commitment           int32
	eligible             uint8
}

// commitAcc sums one cell.
type commitAcc struct {
	sums  [store.NumCommitmentSums]int64
	lines int64
}

// quantityUnits rounds a quantity to 10^-billing.Scale, as the rollups do.
func quantityUnits(q float64) int64 { return int64(math.Round(q * 1e10)) }

// addCommitment books a line in the commitment rollup when it belongs to a
// commitment or is on-demand usage one could cover.
func (w *writer) addCommitment(gen int64, li *billing.LineItem, combo, tagSet, ccSet int32) {
	kind := billing.CommitmentKind(li)
	eligible := billing.Eligible(li)
	if kind == "" && eligible == 0 {
		return
	}
	id := int32(-1)
	if kind != "" {
		id = w.commitID(commitInfoOf(li, kind))
	}
	day := li.UsageStart.UTC().Truncate(24 * time.Hour).Unix()
	cell := commitCell{gen, day, combo, tagSet, ccSet, id, eligible}
	acc := w.commits[cell]
	if acc == nil {
		if w.commits == nil {
			w.commits = map[commitCell]*commitAcc{}
		}
		acc = &commitAcc{}
		w.commits[cell] = acc
	}
	c := &li.Commitment
	s := &acc.sums
	s[store.SumUsage] += quantityUnits(li.UsageQuantity)
	s[store.SumNormalized] += quantityUnits(li.NormalizedUsage)
	s[store.SumUnblended] += int64(li.Unblended)
	s[store.SumPublicOnDemand] += int64(c.PublicOnDemandCost)
	s[store.SumRIPurchasedHours] += quantityUnits(c.RIPurchasedHours)
	s[store.SumRIPurchasedUnits] += quantityUnits(c.RIPurchasedUnits)
	s[store.SumRIRecurringFee] += int64(c.RIRecurringFee)
	s[store.SumRIAmortizedUpfrontFee] += int64(c.RIAmortizedUpfrontFee)
	s[store.SumRIEffectiveCost] += int64(c.RIEffectiveCost)
	s[store.SumRIUnusedQuantity] += quantityUnits(c.RIUnusedQuantity)
	s[store.SumRIUnusedNormalized] += quantityUnits(c.RIUnusedNormalized)
	s[store.SumRIUnusedUpfront] += int64(c.RIUnusedUpfront)
	s[store.SumRIUnusedRecurring] += int64(c.RIUnusedRecurring)
	s[store.SumSPEffectiveCost] += int64(c.SPEffectiveCost)
	s[store.SumSPTotalCommitment] += int64(c.SPTotalCommitment)
	s[store.SumSPUsedCommitment] += int64(c.SPUsedCommitment)
	s[store.SumSPRecurringCommitment] += int64(c.SPRecurringCommitment)
	s[store.SumSPAmortizedUpfront] += int64(c.SPAmortizedUpfront)
	acc.lines++
}

func (w *writer) commitID(k commitInfoKey) int32 {
	w.db.mu.Lock()
	defer w.db.mu.Unlock()
	d := w.db.commits
	if id, ok := d.ids[k]; ok {
		return id
	}
	id := d.next
	d.next++
	d.ids[k] = id
	w.newCommits = append(w.newCommits, k)
	row := []any{id}
	for _, v := range k {
		row = append(row, v)
	}
	w.newRows["commitments"] = append(w.newRows["commitments"], row)
	return id
}

// maxCommitCells bounds the commitment rollup an ingest holds in memory
// (about 250 bytes a cell), so that its memory stays flat in the size of
// the bills: beyond it the cells are written out at once (spillCommitments).
var maxCommitCells = 1 << 16

// spillCommitments writes the commitment rollup held so far and forgets it.
// Readers sum the rows of a cell, so a cell written twice counts once; rows
// of generations not yet active are invisible to them, and are deleted with
// the rest of the ingest if it fails. The line appender owns the writer's
// connection, so the rows go through a connection of their own.
func (w *writer) spillCommitments(ctx context.Context) error {
	conn, err := w.db.h().Conn(ctx)
	if err != nil {
		return fmt.Errorf("duckdb: commitment rollup: %w", err)
	}
	defer conn.Close()
	if err := w.writeCommitments(ctx, conn, w.months()); err != nil {
		return err
	}
	clear(w.commits)
	return nil
}

// months maps each generation of this ingest to its billing month.
func (w *writer) months() map[int64]time.Time {
	months := make(map[int64]time.Time, len(w.pending))
	for p, g := range w.pending {
		months[g] = p.Month
	}
	return months
}

// writeCommitments appends the commitment rollup of this ingest held in
// memory through conn.
func (w *writer) writeCommitments(ctx context.Context, conn *sql.Conn, months map[int64]time.Time) error {
	if len(w.commits) == 0 {
		return nil
	}
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "rollup_commitment")
		if err != nil {
			return fmt.Errorf("duckdb: commitment appender: %w", err)
		}
		vals := make([]driver.Value, 8+int(store.NumCommitmentSums)+1)
		for cell, acc := range w.commits {
			vals[0], vals[1], vals[2] = cell.gen, months[cell.gen], time.Unix(cell.day, 0).UTC()
			vals[3], vals[4], vals[5], vals[6], vals[7] = cell.combo, cell.tagSet, cell.ccSet, cell.commitment, cell.eligible
			for i, v := range acc.sums {
				vals[8+i] = v
			}
			vals[len(vals)-1] = acc.lines
			if err := app.AppendRow(vals...); err != nil {
				app.Close()
				return fmt.Errorf("duckdb: append commitment rollup: %w", err)
			}
		}
		if err := app.Close(); err != nil {
			return fmt.Errorf("duckdb: flush commitment rollup: %w", err)
		}
		return nil
	})
}

// Commitments answers a store.CommitmentQuery from rollup_commitment.
func (db *DB) Commitments(ctx context.Context, q *store.CommitmentQuery) (*store.CommitmentAnswer, error) {
	out, err := db.commitments(ctx, q)
	return out, db.recoverFrom(err)
}

func (db *DB) commitments(ctx context.Context, q *store.CommitmentQuery) (*store.CommitmentAnswer, error) {
	text, args, err := commitmentSQL(q)
	if err != nil {
		return nil, err
	}
	// The dictionary is small (one entry per attribute set of a
	// commitment): reading it whole keeps the rollup query narrow.
	dict := map[int32]commitInfoKey{}
	db.mu.Lock()
	for k, id := range db.commits.ids {
		dict[id] = k
	}
	db.mu.Unlock()
	rows, err := db.h().QueryContext(ctx, text, args...)
	if err != nil {
		return nil, fmt.Errorf("duckdb: commitments: %w", err)
	}
	defer rows.Close()
	ans := &store.CommitmentAnswer{}
	index := map[int32]int{}
	for rows.Next() {
		var r store.CommitmentRow
		var id int32
		var sums [store.NumCommitmentSums]any
		dest := []any{&r.Bucket, &r.LineItemType, &id, &r.Eligible}
		r.Keys = make([]string, len(q.GroupBy))
		for i := range r.Keys {
			dest = append(dest, &r.Keys[i])
		}
		for i := range sums {
			dest = append(dest, &sums[i])
		}
		dest = append(dest, &r.Lines)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("duckdb: commitments: %w", err)
		}
		r.Bucket = r.Bucket.UTC()
		r.Commitment = -1
		if id >= 0 {
			i, ok := index[id]
			if !ok {
				info, ok := dict[id]
				if !ok {
					return nil, fmt.Errorf("duckdb: commitments: unknown commitment %d", id)
				}
				i = len(ans.Commitments)
				index[id] = i
				ans.Commitments = append(ans.Commitments, store.CommitmentInfo{Kind: info[0], ARN: info[1], SubscriptionID: info[2],
					Start: info[3], End: info[4], NumberOfReservations: info[5], NormalizedUnitsPerReservation: info[6],
					LeaseLength: info[7], PurchaseOption: info[8], Class: info[9], SavingsPlansType: info[10],
					PaymentOption: info[11], PurchaseTerm: info[12]})
			}
			r.Commitment = i
		}
		for i, v := range sums {
			r.Sums[i] = hugeint(v)
		}
		ans.Rows = append(ans.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Ids follow ingest order, groups DuckDB's: the answer's order is
	// every backend's.
	store.SortCommitments(ans)
	return ans, nil
}

// hugeint converts a scanned sum (HUGEINT or smaller) to a big.Int.
func hugeint(v any) *big.Int {
	switch x := v.(type) {
	case *big.Int:
		return x
	case int64:
		return big.NewInt(x)
	case int32:
		return big.NewInt(int64(x))
	}
	return new(big.Int)
}

// commitmentSQL compiles a CommitmentQuery.
func commitmentSQL(q *store.CommitmentQuery) (string, []any, error) {
	src := source{from: withCombos("rollup_commitment"),
		month: "r.month", ts: "r.ts", usage: "r.usage", normalized: "r.normalized", counted: "true"}
	bucket := "r.ts"
	if q.Monthly {
		bucket = "date_trunc('month', r.ts)"
	}
	var from sqlBuilder
	from.WriteString(" FROM " + src.from)
	var groups []query.GroupKey
	for _, d := range q.GroupBy {
		groups = append(groups, query.GroupKey{Kind: query.KindDimension, Key: string(d)})
	}
	if err := from.categoryJoin(usedCategories(q.Categories, groups, q.Filter), src, rowsIn(q.Period, src)); err != nil {
		return "", nil, err
	}
	keys := make([]string, len(groups))
	for i, g := range groups {
		k, err := from.groupJoin(i, g, src)
		if err != nil {
			return "", nil, err
		}
		keys[i] = k
	}
	var b sqlBuilder
	b.WriteString("SELECT " + bucket + " AS b, c.line_item_type AS lt, r.commitment AS cm, r.eligible AS el")
	for i, k := range keys {
		fmt.Fprintf(&b, ", %s AS k%d", k, i)
	}
	for i, c := range commitSumColumns {
		if q.Sums != nil && !slices.Contains(q.Sums, store.CommitmentSum(i)) {
			b.WriteString(", 0")
			continue
		}
		b.WriteString(", sum(r." + c + ")")
	}
	b.WriteString(", sum(r.lines)")
	b.WriteString(from.String())
	b.args = append(b.args, from.args...)
	b.cats = from.cats
	if err := b.where(q.Period, q.Scope, q.Filter, src); err != nil {
		return "", nil, err
	}
	var kinds []string
	if len(q.Kinds) > 0 {
		// On the rollup's own column, so that DuckDB skips on-demand rows
		// before joining.
		kinds = append(kinds, "r.commitment IN (SELECT id FROM commitments WHERE kind IN ("+b.argList(q.Kinds, false)+"))")
	}
	if q.Eligible != 0 {
		kinds = append(kinds, fmt.Sprintf("(r.commitment < 0 AND (r.eligible & %d) <> 0)", q.Eligible))
	}
	if len(kinds) == 0 {
		kinds = []string{"false"}
	}
	b.WriteString(" AND (" + strings.Join(kinds, " OR ") + ")")
	group := "b, lt, cm, el"
	for i := range keys {
		group += fmt.Sprintf(", k%d", i)
	}
	b.WriteString(" GROUP BY " + group)
	return b.String(), b.args, nil
}
