package postgres

import (
	"context"
	"sync"
	"time"

	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// CostBackend is a CostStore whose questions apply tag statuses it is
// given (store.TagLines), such as duckdb.DB.
type CostBackend interface {
	store.CostStore
	store.TagLines
}

// Costs is a cost backend whose tag statuses are those kept in
// PostgreSQL, which several nodes share:
//   - after an ingest commits (and when it is opened), the (payer, key,
//     month) of its lines go to PostgreSQL (Discover), which gives new keys
//     and months their statuses;
//   - before a question is answered, and when Version is read, the
//     statuses go to the backend if PostgreSQL's meta_version moved since
//     they last did, so a status one node changes is what every node
//     answers with.
//
// Its Version adds meta_version to the backend's, so that cached answers
// are dropped when statuses or cost categories change on any node.
type Costs struct {
	CostBackend
	db *DB

	mu      sync.Mutex
	applied int64 // meta_version last handed to the backend; -1 none
	meta    int64 // meta_version last read
	seen    int64 // backend Version whose tag uses were last discovered; -1 none
}

// Costs attaches cost, the backend of this node's cost data, to db: db's
// tag questions about lines go to it and it gets db's tag statuses. It
// hands the current statuses over before it returns.
func (db *DB) Costs(ctx context.Context, cost CostBackend) (*Costs, error) {
	var lines store.TagLines = cost
	db.lines.Store(&lines)
	c := &Costs{CostBackend: cost, db: db, applied: -1, seen: -1}
	if err := c.sync(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// sync discovers the backend's tag uses when its data changed, then hands
// PostgreSQL's statuses to it when they changed.
func (c *Costs) sync(ctx context.Context) error {
	// The common case, nothing moved, takes one query and no wait on
	// other readers.
	meta, err := c.db.MetaVersion(ctx)
	if err != nil {
		return err
	}
	v := c.CostBackend.Version()
	c.mu.Lock()
	defer c.mu.Unlock()
	if v == c.seen && meta == c.applied {
		c.meta = meta
		return nil
	}
	if v != c.seen {
		uses, err := c.CostBackend.TagUses(ctx)
		if err != nil {
			return err
		}
		if _, err := c.db.Discover(ctx, uses); err != nil {
			return err
		}
		c.seen = v
	}
	if meta, err = c.db.MetaVersion(ctx); err != nil {
		return err
	}
	c.meta = meta
	if meta == c.applied {
		return nil
	}
	rows, version, err := c.db.TagStatuses(ctx)
	if err != nil {
		return err
	}
	if err := c.CostBackend.ReplaceTagStatuses(ctx, rows); err != nil {
		return err
	}
	// Handing statuses over changes the backend's Version, so the next
	// sync looks for tag uses again: cheap, and it cannot miss those of an
	// ingest that committed meanwhile.
	c.applied, c.meta = version, version
	return nil
}

// Version changes whenever an answer may change, on this node or another.
// When PostgreSQL cannot be read it returns a number never returned
// before, so that nothing is answered from a cache; the question itself
// then fails with the outage.
func (c *Costs) Version() int64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.sync(ctx); err != nil {
		return -time.Now().UnixNano()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.CostBackend.Version() + c.meta
}

// NewWriter starts an ingest whose Commit also records its tag keys in
// PostgreSQL.
func (c *Costs) NewWriter(ctx context.Context) (store.Writer, error) {
	w, err := c.CostBackend.NewWriter(ctx)
	if err != nil {
		return nil, err
	}
	return &writer{Writer: w, c: c}, nil
}

type writer struct {
	store.Writer
	c *Costs
}

// Commit commits the ingest, then records its tag keys. The ingest stands
// when PostgreSQL fails: questions fail until it is back, and the next sync
// records the keys.
func (w *writer) Commit(ctx context.Context, periods []store.PeriodInfo) error {
	if err := w.Writer.Commit(ctx, periods); err != nil {
		return err
	}
	w.c.sync(ctx)
	return nil
}

// Aggregate answers with the shared tag statuses.
func (c *Costs) Aggregate(ctx context.Context, q *query.Aggregate) ([]query.Row, error) {
	if err := c.sync(ctx); err != nil {
		return nil, err
	}
	return c.CostBackend.Aggregate(ctx, q)
}

// DimensionValues answers with the shared tag statuses.
func (c *Costs) DimensionValues(ctx context.Context, q *query.DimensionValues) ([]query.DimensionValue, error) {
	if err := c.sync(ctx); err != nil {
		return nil, err
	}
	return c.CostBackend.DimensionValues(ctx, q)
}

// Tags answers with the shared tag statuses.
func (c *Costs) Tags(ctx context.Context, q *query.Tags) ([]string, error) {
	if err := c.sync(ctx); err != nil {
		return nil, err
	}
	return c.CostBackend.Tags(ctx, q)
}

// Sync hands the shared tag statuses to the backend now, for a question
// asked of the backend outside CostStore (commitments, say).
func (c *Costs) Sync(ctx context.Context) error { return c.sync(ctx) }
