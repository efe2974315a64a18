package app

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/store/postgres"
)

// stores are the repositories the services use: all in the DuckDB file by
// default, the metadata in PostgreSQL with Config.Meta.
type stores struct {
	ce      costexplorer.Store
	budgets store.BudgetStore
	outbox  store.Outbox
	key     []byte
}

func (a *App) openStores(ctx context.Context) (stores, error) {
	db := a.Store
	if a.cfg.Meta == "" {
		key, err := pageTokenKey(a.cfg.Data)
		return stores{ce: db, budgets: db, outbox: db.Outbox(), key: key}, err
	}
	meta, err := postgres.Open(ctx, a.cfg.Meta, postgres.Options{})
	if err != nil {
		return stores{}, fmt.Errorf("metadata store: %w", err)
	}
	costs, err := meta.Costs(ctx, a.Costs)
	if err != nil {
		meta.Close()
		return stores{}, fmt.Errorf("metadata store: %w", err)
	}
	// Nodes sharing the metadata share the page token key, so that a page
	// token one node signs is accepted by every other.
	key, err := meta.PageTokenKey(ctx)
	if err != nil {
		meta.Close()
		return stores{}, fmt.Errorf("metadata store: %w", err)
	}
	a.Meta = meta
	return stores{ce: split{costs, meta, a.Costs}, budgets: meta, outbox: meta.Outbox(), key: key}, nil
}

// split is the Cost Explorer's store with the cost data in the DuckDB file
// or ClickHouse (through postgres.Costs, which applies the shared tag
// statuses) and the metadata in PostgreSQL.
type split struct {
	*postgres.Costs
	*postgres.DB
	data CostData
}

// AccountNames come with the cost data.
func (s split) AccountNames(ctx context.Context) (map[string]string, error) {
	return s.data.AccountNames(ctx)
}

// UsageRecords counts records of the cost data.
func (s split) UsageRecords(ctx context.Context, q store.UsageRecordsQuery) (map[string]int64, error) {
	return s.data.UsageRecords(ctx, q)
}

// Close is the App's to call, on each store.
func (s split) Close() error { return nil }

// TagPayer and FirstPayer are the metadata store's (which asks the cost
// data).
func (s split) TagPayer(ctx context.Context, account string) (string, bool, error) {
	return s.DB.TagPayer(ctx, account)
}

func (s split) FirstPayer(ctx context.Context) (string, error) { return s.DB.FirstPayer(ctx) }

// health is /healthz's check of the stores: with --meta, that PostgreSQL
// answers, so that a load balancer takes a node that lost it out.
func (a *App) health() func(context.Context) error {
	if a.Meta == nil {
		return nil
	}
	return a.Meta.Ping
}

// Commitments come with the cost data, with the shared tag statuses.
func (s split) Commitments(ctx context.Context, q *store.CommitmentQuery) (*store.CommitmentAnswer, error) {
	if err := s.Costs.Sync(ctx); err != nil {
		return nil, err
	}
	return s.data.Commitments(ctx, q)
}
