package clickhouse

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sqldriver "database/sql/driver"
	ch "github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/store"
)

var _ store.CostStore = (*Store)(nil)

// Options configure a Store.
type Options struct {
	// Meta is the PostgreSQL address (postgres://…) that holds the active
	// generations.
	Meta string
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Address is a parsed clickhouse://HOST:PORT[,HOST:PORT…]/DB?cluster=NAME.
type Address struct {
	Shards   []string
	Database string
	Cluster  string
	User     string
	Password string
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseAddress reads a ClickHouse store address. PORT is the native TCP
// port (9000 when left out); the database defaults to tally and the cluster
// to tally.
func ParseAddress(s string) (Address, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "clickhouse" {
		return Address{}, fmt.Errorf("clickhouse: %q is not clickhouse://HOST:PORT[,HOST:PORT…]/DB[?cluster=NAME]", s)
	}
	a := Address{Database: strings.Trim(u.Path, "/"), Cluster: u.Query().Get("cluster")}
	if a.Database == "" {
		a.Database = "tally"
	}
	if a.Cluster == "" {
		a.Cluster = "tally"
	}
	if u.User != nil {
		a.User = u.User.Username()
		a.Password, _ = u.User.Password()
	}
	for _, h := range strings.Split(u.Host, ",") {
		if h == "" {
			continue
		}
		if _, _, err := net.SplitHostPort(h); err != nil {
			h = net.JoinHostPort(h, "9000")
		}
		a.Shards = append(a.Shards, h)
	}
	switch {
	case len(a.Shards) == 0:
		return Address{}, fmt.Errorf("clickhouse: %q names no server", s)
	case !identifier.MatchString(a.Database):
		return Address{}, fmt.Errorf("clickhouse: database name %q is not a plain identifier", a.Database)
	case !identifier.MatchString(a.Cluster):
		return Address{}, fmt.Errorf("clickhouse: cluster name %q is not a plain identifier", a.Cluster)
	}
	return a, nil
}

// Store is the ClickHouse cost store. It is safe for concurrent use.
type Store struct {
	addr   Address
	shards []driver.Conn // one per shard, in address order
	meta   *pgxpool.Pool
	now    func() time.Time
	log    *slog.Logger

	mu sync.Mutex // guards version, versionAt, local and tagStatus
	// version is the last version read from PostgreSQL, at versionAt.
	version   int64
	versionAt time.Time
	// local counts changes this process made, so that Version moves at once
	// after them whatever PostgreSQL answered last.
	local int64
	// tagStatus is what ReplaceTagStatuses handed over; nil counts every
	// tag key as active.
	tagStatus *tagState
	// next picks the shard the next question is sent to.
	next atomic.Uint64
}

// Open connects to the shards of addr and to PostgreSQL, and creates the
// tables that are missing.
func Open(ctx context.Context, addr string, opts Options) (*Store, error) {
	a, err := ParseAddress(addr)
	if err != nil {
		return nil, err
	}
	if opts.Meta == "" {
		return nil, errors.New("clickhouse: the ClickHouse store needs PostgreSQL for its generations (--meta postgres://…)")
	}
	s := &Store{addr: a, now: opts.Now, log: opts.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.meta, err = pgxpool.New(ctx, opts.Meta); err != nil {
		return nil, fmt.Errorf("clickhouse: PostgreSQL address: %w", err)
	}
	for _, h := range a.Shards {
		conn, err := ch.Open(&ch.Options{
			Addr:        []string{h},
			Auth:        ch.Auth{Database: "default", Username: a.User, Password: a.Password},
			DialTimeout: 5 * time.Second,
			// A query of a down shard must fail, never answer with the
			// shards that are up.
			Settings:     ch.Settings{"skip_unavailable_shards": 0},
			MaxOpenConns: 8,
		})
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("clickhouse %s: %w", h, err)
		}
		s.shards = append(s.shards, conn)
	}
	if err := s.createMeta(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.createTables(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the connections.
func (s *Store) Close() error {
	for _, c := range s.shards {
		c.Close()
	}
	if s.meta != nil {
		s.meta.Close()
	}
	return nil
}

// shardOf is the shard that keeps a billing period's rows.
func (s *Store) shardOf(p billing.BillingPeriod) int {
	h := fnv.New32a()
	h.Write([]byte(p.Source + "\x00" + p.Month.Format("2006-01")))
	return int(h.Sum32() % uint32(len(s.shards)))
}

// Version changes whenever an answer may change: when any node commits an
// ingest (read from PostgreSQL at most every versionTTL). It answers the
// last known version while PostgreSQL is down.
func (s *Store) Version() int64 {
	s.mu.Lock()
	fresh := s.now().Sub(s.versionAt) < versionTTL
	v := s.version + s.local
	s.mu.Unlock()
	if fresh {
		return v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var pv int64
	if err := s.meta.QueryRow(ctx, s.sql(`SELECT version FROM tally_ch_state WHERE id = 1`)).Scan(&pv); err != nil {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version, s.versionAt = pv, s.now()
	return s.version + s.local
}

// versionTTL is how long Version trusts the version it read: a change
// another node commits shows within it.
const versionTTL = 200 * time.Millisecond

// changed records a change this process made.
func (s *Store) changed() {
	s.mu.Lock()
	s.local++
	s.versionAt = time.Time{}
	s.mu.Unlock()
}

// shardErr wraps an error of a ClickHouse query sent to shard i: failures to
// reach a server (that one, or another that a Distributed query needed) are
// unavailable errors naming it.
func (s *Store) shardErr(i int, what string, err error) error {
	if err == nil {
		return nil
	}
	if backend, ok := s.unreachable(i, err); ok {
		return &store.UnavailableError{Backend: backend, Err: fmt.Errorf("%s: %w", what, err)}
	}
	return fmt.Errorf("clickhouse %s: %s: %w", s.addr.Shards[i], what, err)
}

// unreachable reports whether err says a server could not be reached, and
// names it: ClickHouse reports a remote shard it cannot reach with its
// address in the text of exception 279 (ALL_CONNECTION_TRIES_FAILED) or 210
// (NETWORK_ERROR).
func (s *Store) unreachable(i int, err error) (string, bool) {
	var ne net.Error
	var op *net.OpError
	if errors.As(err, &op) || errors.As(err, &ne) || errors.Is(err, sqldriver.ErrBadConn) ||
		strings.Contains(err.Error(), "connection refused") || strings.Contains(err.Error(), "EOF") {
		return "ClickHouse shard " + s.addr.Shards[i], true
	}
	var ex *ch.Exception
	if errors.As(err, &ex) && (ex.Code == 279 || ex.Code == 210 || ex.Code == 209 || ex.Code == 159) {
		for _, h := range s.addr.Shards {
			if strings.Contains(ex.Message, h) {
				return "ClickHouse shard " + h, true
			}
		}
		return "ClickHouse cluster " + s.addr.Cluster, true
	}
	return "", false
}

// metaErr wraps an error of PostgreSQL.
func metaErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var op *net.OpError
	var ne net.Error
	if errors.As(err, &op) || errors.As(err, &ne) || strings.Contains(err.Error(), "connect") {
		return &store.UnavailableError{Backend: "PostgreSQL", Err: fmt.Errorf("%s: %w", what, err)}
	}
	return fmt.Errorf("clickhouse: PostgreSQL: %s: %w", what, err)
}
