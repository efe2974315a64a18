package clickhouse

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

var _ store.CommitmentStore = (*Store)(nil)

// Reserved Instances and Savings Plans (store.CommitmentStore): see the
// package doc.

// commitLineStrings are the reservation/ and savingsPlan/ attributes a line
// keeps (billing.Commitment), after commit_kind.
var commitLineStrings = []string{"reservation_arn", "ri_start", "ri_end", "number_of_reservations",
	"normalized_units_per_reservation", "lease_length", "purchase_option", "offering_class",
	"sp_start", "sp_end", "purchase_term"}

// commitLineAmounts are the amounts a line keeps for commitments, as Int64
// counts of 10^-billing.Scale; the last four are quantities (rounded as
// the DuckDB store rounds them).
var commitLineAmounts = []string{"public_on_demand", "ri_recurring_fee", "ri_amortized_upfront_fee", "ri_effective_cost",
	"ri_unused_upfront", "ri_unused_recurring", "sp_effective_cost", "sp_total_commitment", "sp_used_commitment",
	"sp_recurring_commitment", "sp_amortized_upfront",
	"ri_purchased_hours", "ri_purchased_units", "ri_unused_quantity", "ri_unused_normalized"}

// commitLineColumns are the columns line_items_local gained for
// commitments, in the order the writer appends them (after lineColumns'
// others).
func commitLineColumns() [][2]string {
	cols := [][2]string{{"commit_kind", "String"}}
	for _, c := range commitLineStrings {
		cols = append(cols, [2]string{c, "String"})
	}
	cols = append(cols, [2]string{"eligible", "UInt8"})
	for _, c := range commitLineAmounts {
		cols = append(cols, [2]string{c, "Int64"})
	}
	return cols
}

// commitCols is one block's commitment columns (commitLineColumns).
type commitCols struct {
	strs     [][]string // commit_kind, then commitLineStrings
	eligible []uint8
	amounts  [][]int64
}

func newCommitCols(n int) commitCols {
	c := commitCols{strs: make([][]string, 1+len(commitLineStrings)), eligible: make([]uint8, 0, n),
		amounts: make([][]int64, len(commitLineAmounts))}
	for i := range c.strs {
		c.strs[i] = make([]string, 0, n)
	}
	for i := range c.amounts {
		c.amounts[i] = make([]int64, 0, n)
	}
	return c
}

func (c *commitCols) reset() {
	for i := range c.strs {
		clear(c.strs[i])
		c.strs[i] = c.strs[i][:0]
	}
	c.eligible = c.eligible[:0]
	for i := range c.amounts {
		c.amounts[i] = c.amounts[i][:0]
	}
}

func (c *commitCols) columns() []any {
	var cols []any
	for _, s := range c.strs {
		cols = append(cols, s)
	}
	cols = append(cols, c.eligible)
	for _, a := range c.amounts {
		cols = append(cols, a)
	}
	return cols
}

// add appends a line's commitment columns.
func (c *commitCols) add(li *billing.LineItem) {
	m := &li.Commitment
	for i, v := range [...]string{billing.CommitmentKind(li), m.ReservationARN, m.RIStart, m.RIEnd, m.NumberOfReservations,
		m.NormalizedUnitsPerReservation, m.LeaseLength, m.PurchaseOption, m.OfferingClass, m.SPStart, m.SPEnd, m.PurchaseTerm} {
		c.strs[i] = append(c.strs[i], v)
	}
	c.eligible = append(c.eligible, billing.Eligible(li))
	for i, v := range [...]int64{int64(m.PublicOnDemandCost), int64(m.RIRecurringFee), int64(m.RIAmortizedUpfrontFee),
		int64(m.RIEffectiveCost), int64(m.RIUnusedUpfront), int64(m.RIUnusedRecurring), int64(m.SPEffectiveCost),
		int64(m.SPTotalCommitment), int64(m.SPUsedCommitment), int64(m.SPRecurringCommitment), int64(m.SPAmortizedUpfront),
		quantityUnits(m.RIPurchasedHours), quantityUnits(m.RIPurchasedUnits), quantityUnits(m.RIUnusedQuantity),
		quantityUnits(m.RIUnusedNormalized)} {
		c.amounts[i] = append(c.amounts[i], v)
	}
}

// quantityUnits rounds a quantity to 10^-billing.Scale as quantity (and the
// DuckDB store) does.
func quantityUnits(f float64) int64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return int64(math.Round(f * 1e10))
}

// lineAmount reads a money column of line_items_local (columns.Money) as
// an Int64 count of 10^-billing.Scale, and lineQuantity the usage or
// normalized column (Decimal(38, 10)). They are the one place the
// commitment rollup knows those columns' types; line money is already kept
// as such a count (lineMoneyType).
func lineAmount(col string) string { return col }

func lineQuantity(col string) string { return "toInt64(" + col + " * 10000000000)" }

// commitInfo is the attribute set of a commitment as rollup_commitment
// keeps it, in store.CommitmentInfo order after Kind: each from the line
// columns of its kind ("" for the other kind and for on-demand usage),
// with Cost Explorer's no-value spellings read as "".
var commitInfo = []struct{ col, sql string }{
	{"commit_arn", "multiIf(commit_kind = 'SP', savings_plan_arn, commit_kind = 'RI', reservation_arn, '')"},
	{"commit_subscription", riOnly(bare(billing.DimSubscriptionID, "subscription_id"))},
	{"commit_start", "multiIf(commit_kind = 'SP', sp_start, commit_kind = 'RI', ri_start, '')"},
	{"commit_end", "multiIf(commit_kind = 'SP', sp_end, commit_kind = 'RI', ri_end, '')"},
	{"commit_reservations", riOnly("number_of_reservations")},
	{"commit_units_per_reservation", riOnly("normalized_units_per_reservation")},
	{"commit_lease_length", riOnly("lease_length")},
	{"commit_purchase_option", riOnly("purchase_option")},
	{"commit_class", riOnly("offering_class")},
	{"commit_sp_type", spOnly(bare(billing.DimSavingsPlansType, "savings_plans_type"))},
	{"commit_payment_option", "if(commit_kind = '', '', " + bare(billing.DimPaymentOption, "payment_option") + ")"},
	{"commit_purchase_term", spOnly("purchase_term")},
}

func riOnly(x string) string { return "if(commit_kind = 'RI', " + x + ", '')" }
func spOnly(x string) string { return "if(commit_kind = 'SP', " + x + ", '')" }

// bare reads dimension column col without Cost Explorer's no-value
// spelling, as the bill says it.
func bare(d billing.Dimension, col string) string {
	nv := billing.NoValue(d)
	if nv == "" {
		return col
	}
	return "if(" + col + " = '" + nv + "', '', " + col + ")"
}

// commitSums are the sums of rollup_commitment in store.CommitmentSum
// order, as SQL over the lines.
func commitSums() [store.NumCommitmentSums][2]string {
	a := func(c string) string { return "sum(" + c + ")" }
	return [store.NumCommitmentSums][2]string{
		{"usage", "sum(" + lineQuantity("usage") + ")"},
		{"normalized", "sum(" + lineQuantity("normalized") + ")"},
		{"unblended", "sum(" + lineAmount("unblended") + ")"},
		{"public_on_demand", a("public_on_demand")},
		{"ri_purchased_hours", a("ri_purchased_hours")},
		{"ri_purchased_units", a("ri_purchased_units")},
		{"ri_recurring_fee", a("ri_recurring_fee")},
		{"ri_amortized_upfront_fee", a("ri_amortized_upfront_fee")},
		{"ri_effective_cost", a("ri_effective_cost")},
		{"ri_unused_quantity", a("ri_unused_quantity")},
		{"ri_unused_normalized", a("ri_unused_normalized")},
		{"ri_unused_upfront", a("ri_unused_upfront")},
		{"ri_unused_recurring", a("ri_unused_recurring")},
		{"sp_effective_cost", a("sp_effective_cost")},
		{"sp_total_commitment", a("sp_total_commitment")},
		{"sp_used_commitment", a("sp_used_commitment")},
		{"sp_recurring_commitment", a("sp_recurring_commitment")},
		{"sp_amortized_upfront", a("sp_amortized_upfront")},
	}
}

// commitRollupColumns are the columns of rollup_commitment_local.
func commitRollupColumns() [][2]string {
	cols := append(bucketColumns(), [2]string{"commit_kind", "String"})
	for _, c := range commitInfo {
		cols = append(cols, [2]string{c.col, "String"})
	}
	cols = append(cols, [2]string{"eligible", "UInt8"})
	for _, s := range commitSums() {
		cols = append(cols, [2]string{s[0], "Int64"})
	}
	return append(cols, [2]string{"lines", "UInt64"})
}

// addLineColumns adds commitLineColumns to line_items_local and
// line_items on every shard where a store made before them lacks them
// (18.16 has no ADD COLUMN IF NOT EXISTS). Generations ingested before
// have no commitment rollup: re-ingest them for Reserved Instance and
// Savings Plans answers.
func (s *Store) addLineColumns(ctx context.Context) error {
	db := s.addr.Database
	for i, conn := range s.shards {
		for _, table := range []string{"line_items_local", "line_items"} {
			rows, err := conn.Query(ctx, `SELECT name FROM system.columns WHERE database = ? AND table = ?`, db, table)
			if err != nil {
				return s.shardErr(i, "read columns", err)
			}
			have := map[string]bool{}
			for rows.Next() {
				var n string
				if err := rows.Scan(&n); err != nil {
					rows.Close()
					return s.shardErr(i, "read columns", err)
				}
				have[n] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return s.shardErr(i, "read columns", err)
			}
			var add []string
			for _, c := range commitLineColumns() {
				if !have[c[0]] {
					add = append(add, "ADD COLUMN "+c[0]+" "+c[1])
				}
			}
			if len(add) == 0 {
				continue
			}
			if err := conn.Exec(ctx, "ALTER TABLE "+db+"."+table+" "+strings.Join(add, ", ")); err != nil {
				return s.shardErr(i, "add commitment columns", err)
			}
		}
	}
	return nil
}

// buildCommitmentRollup aggregates new generations' lines of commitments
// and of on-demand usage they could cover on their shard.
func (s *Store) buildCommitmentRollup(ctx context.Context, shard int, gens []int64) error {
	db := s.addr.Database
	var names []string
	for _, c := range commitRollupColumns() {
		names = append(names, c[0])
	}
	group := strings.Join(groupColumns(), ", ")
	keys := []string{"gen", "month", "day", group, "commit_kind"}
	var sel strings.Builder
	sel.WriteString("gen, month, toStartOfDay(usage_start) AS day, " + group + ", commit_kind")
	for _, c := range commitInfo {
		sel.WriteString(", " + c.sql + " AS " + c.col)
		keys = append(keys, c.col)
	}
	sel.WriteString(", eligible")
	keys = append(keys, "eligible")
	for _, c := range commitSums() {
		sel.WriteString(", " + c[1])
	}
	sel.WriteString(", count()")
	q := `INSERT INTO ` + db + `.rollup_commitment_local (` + strings.Join(names, ", ") + `)
		SELECT ` + sel.String() + `
		FROM ` + db + `.line_items_local WHERE gen IN (` + genList(gens) + `) AND (commit_kind <> '' OR eligible <> 0)
		GROUP BY ` + strings.Join(keys, ", ")
	return s.shardErr(shard, "build commitment rollup", s.shards[shard].Exec(ctx, q))
}

// Commitments answers a store.CommitmentQuery from rollup_commitment, with
// the DuckDB store's rows, sums and order.
func (s *Store) Commitments(ctx context.Context, q *store.CommitmentQuery) (*store.CommitmentAnswer, error) {
	gens, _, b, err := s.start(ctx)
	if err != nil {
		return nil, err
	}
	b.defs = q.Categories
	src := source{table: "rollup_commitment", ts: "ts"}
	bucket := "ts"
	if q.Monthly {
		bucket = "toDateTime(toStartOfMonth(ts), 'UTC')"
	}
	b.WriteString("SELECT " + bucket + " AS b, line_item_type AS lt, commit_kind AS ck")
	group := []string{"b", "lt", "ck"}
	for i, c := range commitInfo {
		fmt.Fprintf(b, ", %s AS i%d", c.col, i)
		group = append(group, fmt.Sprintf("i%d", i))
	}
	b.WriteString(", eligible AS el")
	group = append(group, "el")
	for i, d := range q.GroupBy {
		k, err := b.groupKey(query.GroupKey{Kind: query.KindDimension, Key: string(d)}, src)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(b, ", %s AS k%d", k, i)
		group = append(group, fmt.Sprintf("k%d", i))
	}
	// Sums as Decimal(38, 0): exact however many rows (DuckDB: HUGEINT).
	for i, c := range commitSums() {
		if q.Sums != nil && !slices.Contains(q.Sums, store.CommitmentSum(i)) {
			b.WriteString(", toDecimal128(0, 0)")
			continue
		}
		b.WriteString(", sum(toDecimal128(" + c[0] + ", 0))")
	}
	b.WriteString(", sum(lines) FROM " + s.addr.Database + "." + src.table)
	if err := b.where(gens, q.Period, q.Scope, q.Filter, src); err != nil {
		return nil, err
	}
	var kinds []string
	if len(q.Kinds) > 0 {
		kinds = append(kinds, "commit_kind IN ("+b.argList(q.Kinds, false)+")")
	}
	if q.Eligible != 0 {
		kinds = append(kinds, fmt.Sprintf("(commit_kind = '' AND bitAnd(eligible, %d) <> 0)", q.Eligible))
	}
	if len(kinds) == 0 {
		kinds = []string{"0"}
	}
	b.WriteString(" AND (" + strings.Join(kinds, " OR ") + ") GROUP BY " + strings.Join(group, ", "))

	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, b.String(), b.args...)
	if err != nil {
		return nil, s.shardErr(shard, "commitments", err)
	}
	defer rows.Close()
	ans := &store.CommitmentAnswer{}
	index := map[store.CommitmentInfo]int{}
	for rows.Next() {
		var r store.CommitmentRow
		var c store.CommitmentInfo
		var lines uint64
		var sums [store.NumCommitmentSums]decimal.Decimal
		dest := []any{&r.Bucket, &r.LineItemType, &c.Kind, &c.ARN, &c.SubscriptionID, &c.Start, &c.End, &c.NumberOfReservations,
			&c.NormalizedUnitsPerReservation, &c.LeaseLength, &c.PurchaseOption, &c.Class, &c.SavingsPlansType, &c.PaymentOption,
			&c.PurchaseTerm, &r.Eligible}
		r.Keys = make([]string, len(q.GroupBy))
		for i := range r.Keys {
			dest = append(dest, &r.Keys[i])
		}
		for i := range sums {
			dest = append(dest, &sums[i])
		}
		dest = append(dest, &lines)
		if err := rows.Scan(dest...); err != nil {
			return nil, s.shardErr(shard, "commitments", err)
		}
		r.Bucket = r.Bucket.UTC()
		r.Lines = int64(lines)
		for i, d := range sums {
			r.Sums[i] = d.BigInt()
		}
		r.Commitment = -1
		if c.Kind != "" {
			i, ok := index[c]
			if !ok {
				i = len(ans.Commitments)
				index[c] = i
				ans.Commitments = append(ans.Commitments, c)
			}
			r.Commitment = i
		}
		ans.Rows = append(ans.Rows, r)
	}
	if err := s.shardErr(shard, "commitments", rows.Err()); err != nil {
		return nil, err
	}
	store.SortCommitments(ans)
	return ans, nil
}
