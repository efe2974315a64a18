package costexplorer

import (
	"sync"

	"github.com/tallyhq/tally/internal/query"
)

// resultCache keeps the few most recent multi-page results, so that fetching
// page after page does not recompute the whole answer each time. Entries are
// keyed by request digest and store version: new data is never served stale.
type resultCache struct {
	mu      sync.Mutex
	entries []cacheEntry // most recent last
}

type cacheEntry struct {
	digest  string
	version int64
	result  *query.Result
}

// cacheSize bounds the cache; a page walk needs one entry.
const cacheSize = 8

func (c *resultCache) get(digest string, version int64) *query.Result {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.digest == digest && e.version == version {
			c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
			return e.result
		}
	}
	return nil
}

func (c *resultCache) put(digest string, version int64, r *query.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) == cacheSize {
		c.entries = c.entries[1:]
	}
	c.entries = append(c.entries, cacheEntry{digest, version, r})
}
