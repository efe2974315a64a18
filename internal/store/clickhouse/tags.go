package clickhouse

import (
	"context"
	"time"

	"github.com/tallyhq/tally/internal/store"
)

var _ store.TagLines = (*Store)(nil)

// tagState is the tag statuses the store's questions apply, handed over by
// the metadata store (store.TagLines): a key counts on a line when its
// payer had it active in the line's billing month. A month the statuses do
// not list yet (an ingest whose keys the metadata store has not seen)
// takes the key's current status, or Active for a key never seen, as an
// ingest would give it.
type tagState struct {
	current map[[2]string]bool // payer, key
	months  map[[3]string]bool // payer, key, month (2006-01-02)
}

// ReplaceTagStatuses makes rows the statuses the store's questions apply:
// rows with a zero Month are keys' current statuses, the others their
// statuses by month. Keys and months it does not list keep what they had.
// The statuses live in this process; the metadata store hands them to
// every node (postgres.Costs).
func (s *Store) ReplaceTagStatuses(ctx context.Context, rows []store.TagStatusRow) error {
	// Months with lines keep the status they had, as an ingest would have
	// recorded it, when only a key's current status changes.
	uses, err := s.TagUses(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	old := s.tagStatus
	next := &tagState{current: map[[2]string]bool{}, months: map[[3]string]bool{}}
	if old != nil {
		for k, v := range old.current {
			next.current[k] = v
		}
		for k, v := range old.months {
			next.months[k] = v
		}
	}
	for _, u := range uses {
		m := [3]string{u.Payer, u.Key, u.Month.Format("2006-01-02")}
		if _, ok := next.months[m]; !ok {
			active, known := next.current[[2]string{u.Payer, u.Key}]
			next.months[m] = active || !known
		}
	}
	for _, r := range rows {
		if r.Month.IsZero() {
			next.current[[2]string{r.Payer, r.Key}] = r.Active
		} else {
			next.months[[3]string{r.Payer, r.Key, r.Month.UTC().Format("2006-01-02")}] = r.Active
		}
	}
	s.tagStatus = next
	s.mu.Unlock()
	s.changed()
	return nil
}

// activeTags lists, for a question, every (payer, key, month) with lines
// whose key is active; nil when no statuses were handed over (every key
// counts).
func (s *Store) activeTags(ctx context.Context, gens []int64) ([]store.TagUse, error) {
	s.mu.Lock()
	st := s.tagStatus
	s.mu.Unlock()
	if st == nil {
		return nil, nil
	}
	uses, err := s.tagUses(ctx, gens)
	if err != nil {
		return nil, err
	}
	out := []store.TagUse{}
	for _, u := range uses {
		active, ok := st.months[[3]string{u.Payer, u.Key, u.Month.Format("2006-01-02")}]
		if !ok {
			if active, ok = st.current[[2]string{u.Payer, u.Key}]; !ok {
				active = true
			}
		}
		if active {
			out = append(out, u)
		}
	}
	return out, nil
}

// TagUses returns every (payer, key, billing month) with stored lines.
func (s *Store) TagUses(ctx context.Context) ([]store.TagUse, error) {
	gens, err := s.activeGens(ctx)
	if err != nil {
		return nil, err
	}
	return s.tagUses(ctx, gens)
}

func (s *Store) tagUses(ctx context.Context, gens []int64) ([]store.TagUse, error) {
	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, `SELECT DISTINCT payer, arrayJoin(tag_keys) AS k, toString(month) AS m
		FROM `+s.addr.Database+`.rollup_month WHERE gen IN (`+genList(gens)+`) AND payer <> '' ORDER BY payer, k, m`)
	if err != nil {
		return nil, s.shardErr(shard, "tag uses", err)
	}
	defer rows.Close()
	var out []store.TagUse
	for rows.Next() {
		var u store.TagUse
		var m string
		if err := rows.Scan(&u.Payer, &u.Key, &m); err != nil {
			return nil, s.shardErr(shard, "tag uses", err)
		}
		if u.Month, err = time.Parse("2006-01-02", m); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, s.shardErr(shard, "tag uses", rows.Err())
}

// AccountTagKeys returns the tag keys on lines of a usage account.
func (s *Store) AccountTagKeys(ctx context.Context, account string) ([]string, error) {
	gens, err := s.activeGens(ctx)
	if err != nil {
		return nil, err
	}
	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, `SELECT DISTINCT arrayJoin(tag_keys) AS k FROM `+s.addr.Database+
		`.rollup_month WHERE gen IN (`+genList(gens)+`) AND account = ? ORDER BY k`, account)
	if err != nil {
		return nil, s.shardErr(shard, "tag keys of an account", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, s.shardErr(shard, "tag keys of an account", err)
		}
		out = append(out, k)
	}
	return out, s.shardErr(shard, "tag keys of an account", rows.Err())
}

// TagPayer returns the payer whose tag settings govern account: account
// itself when it pays for lines, else the payer of its latest lines, else
// "".
func (s *Store) TagPayer(ctx context.Context, account string) (string, bool, error) {
	gens, err := s.activeGens(ctx)
	if err != nil {
		return "", false, err
	}
	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, `SELECT payer, payer = ? AS own FROM `+s.addr.Database+
		`.rollup_month WHERE gen IN (`+genList(gens)+`) AND (payer = ? OR account = ?)
		ORDER BY own DESC, month DESC, payer LIMIT 1`, account, account, account)
	if err != nil {
		return "", false, s.shardErr(shard, "account role", err)
	}
	defer rows.Close()
	var payer string
	var own uint8
	if rows.Next() {
		if err := rows.Scan(&payer, &own); err != nil {
			return "", false, s.shardErr(shard, "account role", err)
		}
	}
	return payer, own == 1, s.shardErr(shard, "account role", rows.Err())
}

// FirstPayer returns the payer of the first billing period ingested (the
// lowest active generation), "" without data.
func (s *Store) FirstPayer(ctx context.Context) (string, error) {
	gens, err := s.activeGens(ctx)
	if err != nil {
		return "", err
	}
	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, `SELECT payer FROM `+s.addr.Database+
		`.rollup_month WHERE gen IN (`+genList(gens)+`) AND payer <> '' ORDER BY gen, payer LIMIT 1`)
	if err != nil {
		return "", s.shardErr(shard, "first payer", err)
	}
	defer rows.Close()
	var payer string
	if rows.Next() {
		if err := rows.Scan(&payer); err != nil {
			return "", s.shardErr(shard, "first payer", err)
		}
	}
	return payer, s.shardErr(shard, "first payer", rows.Err())
}

// AccountNames maps usage account ids to their names where the data has
// them.
func (s *Store) AccountNames(ctx context.Context) (map[string]string, error) {
	gens, err := s.activeGens(ctx)
	if err != nil {
		return nil, err
	}
	shard := s.reader()
	rows, err := s.shards[shard].Query(ctx, `SELECT account, max(account_name) FROM `+s.addr.Database+
		`.rollup_month WHERE gen IN (`+genList(gens)+`) AND account_name <> '' GROUP BY account`)
	if err != nil {
		return nil, s.shardErr(shard, "account names", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, n string
		if err := rows.Scan(&a, &n); err != nil {
			return nil, s.shardErr(shard, "account names", err)
		}
		out[a] = n
	}
	return out, s.shardErr(shard, "account names", rows.Err())
}
