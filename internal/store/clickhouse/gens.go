package clickhouse

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

// collectAfter is how long a retired generation's rows are kept: a query
// that read the active list before the switch may still be reading them.
// abandonAfter is how old a pending generation must be before it counts as
// left behind by an ingest that died.
const (
	collectAfter = time.Minute
	abandonAfter = 24 * time.Hour
)

// newGen records a pending generation of p on its shard and returns its
// number, unique across every node.
func (s *Store) newGen(ctx context.Context, p billing.BillingPeriod) (int64, error) {
	var gen int64
	err := s.meta.QueryRow(ctx, s.sql(`INSERT INTO tally_ch_generations (gen, source, month, shard, state, created_at)
		VALUES (nextval('tally_ch_gen_seq'), $1, $2, $3, 'pending', $4) RETURNING gen`),
		p.Source, p.Month.Format("2006-01-02"), s.shardOf(p), s.now().UTC()).Scan(&gen)
	return gen, metaErr("new generation of "+p.String(), err)
}

// pendingGen is a generation an ingest wrote, ready to be switched to.
type pendingGen struct {
	gen      int64
	info     store.PeriodInfo
	rows     int64
	currency string
	hourly   bool
}

// activate makes the new generations active and retires the ones they
// replace, in one PostgreSQL transaction: every reader sees all periods of
// the ingest old or all new.
func (s *Store) activate(ctx context.Context, gens []pendingGen) error {
	tx, err := s.meta.Begin(ctx)
	if err != nil {
		return metaErr("switch generations", err)
	}
	defer tx.Rollback(ctx)
	now := s.now().UTC()
	// Ingests of the same period from two nodes switch one after the other.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7364202)`); err != nil {
		return metaErr("switch generations", err)
	}
	for _, g := range gens {
		p := g.info.Period
		if _, err := tx.Exec(ctx, s.sql(`UPDATE tally_ch_generations SET state = 'retired', retired_at = $3
			WHERE source = $1 AND month = $2 AND state = 'active'`), p.Source, p.Month.Format("2006-01-02"), now); err != nil {
			return metaErr("switch generations", err)
		}
		files := g.info.Files
		if files == nil {
			files = []string{}
		}
		tag, err := tx.Exec(ctx, s.sql(`UPDATE tally_ch_generations SET state = 'active', format = $2, final = $3, invoice_id = $4,
			files = $5, rows = $6, currency = $7, ingested_at = $8, hourly = $9 WHERE gen = $1 AND state = 'pending'`),
			g.gen, string(g.info.Format), g.info.Final, g.info.InvoiceID, files, g.rows, g.currency, now, g.hourly)
		if err != nil {
			return metaErr("switch generations", err)
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("clickhouse: generation %d of %s is no longer pending", g.gen, p)
		}
	}
	if _, err := tx.Exec(ctx, s.sql(`UPDATE tally_ch_state SET version = version + 1 WHERE id = 1`)); err != nil {
		return metaErr("switch generations", err)
	}
	return metaErr("switch generations", tx.Commit(ctx))
}

// activeGens returns the active generation of every billing period. A query
// reads it once and names the generations in its SQL.
func (s *Store) activeGens(ctx context.Context) ([]int64, error) {
	gens, _, err := s.activeGenSet(ctx)
	return gens, err
}

// activeGenSet returns the active generations and the billing months of
// those without an hourly rollup.
func (s *Store) activeGenSet(ctx context.Context) (gens []int64, coarse []time.Time, err error) {
	rows, err := s.meta.Query(ctx, s.sql(`SELECT gen, month, hourly FROM tally_ch_generations WHERE state = 'active' ORDER BY gen`))
	if err != nil {
		return nil, nil, metaErr("active generations", err)
	}
	defer rows.Close()
	for rows.Next() {
		var g int64
		var m time.Time
		var hourly bool
		if err := rows.Scan(&g, &m, &hourly); err != nil {
			return nil, nil, metaErr("active generations", err)
		}
		gens = append(gens, g)
		if !hourly {
			coarse = append(coarse, time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, time.UTC))
		}
	}
	return gens, coarse, metaErr("active generations", rows.Err())
}

// genList renders generation numbers for an IN list; they are ours, never
// user text. An empty list matches nothing.
func genList(gens []int64) string {
	if len(gens) == 0 {
		return "0"
	}
	parts := make([]string, len(gens))
	for i, g := range gens {
		parts[i] = fmt.Sprint(g)
	}
	return strings.Join(parts, ", ")
}

// Periods lists the active billing periods.
func (s *Store) Periods(ctx context.Context) ([]store.PeriodStatus, error) {
	rows, err := s.meta.Query(ctx, s.sql(`SELECT source, month, format, final, invoice_id, files, rows, ingested_at, currency
		FROM tally_ch_generations WHERE state = 'active' ORDER BY month, source`))
	if err != nil {
		return nil, metaErr("periods", err)
	}
	defer rows.Close()
	var out []store.PeriodStatus
	for rows.Next() {
		var p store.PeriodStatus
		if err := rows.Scan(&p.Period.Source, &p.Period.Month, &p.Format, &p.Final, &p.InvoiceID, &p.Files,
			&p.Rows, &p.IngestedAt, &p.Currency); err != nil {
			return nil, metaErr("periods", err)
		}
		p.Period.Month = time.Date(p.Period.Month.Year(), p.Period.Month.Month(), 1, 0, 0, 0, 0, time.UTC)
		p.IngestedAt = p.IngestedAt.UTC()
		if len(p.Files) == 0 {
			p.Files = nil
		}
		out = append(out, p)
	}
	return out, metaErr("periods", rows.Err())
}

// collect drops the rows of generations retired long enough ago and of
// pending ones abandoned by an ingest that died, then forgets them.
func (s *Store) collect(ctx context.Context) error {
	now := s.now().UTC()
	rows, err := s.meta.Query(ctx, s.sql(`SELECT gen, shard FROM tally_ch_generations
		WHERE (state = 'retired' AND retired_at < $1) OR (state = 'pending' AND created_at < $2)`),
		now.Add(-collectAfter), now.Add(-abandonAfter))
	if err != nil {
		return metaErr("collect generations", err)
	}
	byShard := map[int][]int64{}
	for rows.Next() {
		var g int64
		var shard int
		if err := rows.Scan(&g, &shard); err != nil {
			rows.Close()
			return metaErr("collect generations", err)
		}
		byShard[shard] = append(byShard[shard], g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return metaErr("collect generations", err)
	}
	for shard, gens := range byShard {
		if err := s.dropGens(ctx, shard, gens); err != nil {
			return err
		}
	}
	return nil
}

// dropGens removes generations' rows from a shard, then their records.
func (s *Store) dropGens(ctx context.Context, shard int, gens []int64) error {
	if shard >= len(s.shards) || len(gens) == 0 {
		return nil
	}
	slices.Sort(gens)
	for _, g := range gens {
		for _, t := range s.tables() {
			q := fmt.Sprintf(`ALTER TABLE %s.%s_local DROP PARTITION %d`, s.addr.Database, t[0], g)
			if err := s.shards[shard].Exec(ctx, q); err != nil {
				return s.shardErr(shard, "drop generation", err)
			}
		}
	}
	_, err := s.meta.Exec(ctx, s.sql(`DELETE FROM tally_ch_generations WHERE gen = ANY($1) AND state <> 'active'`), gens)
	return metaErr("forget generations", err)
}
