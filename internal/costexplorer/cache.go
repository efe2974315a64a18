package costexplorer

import (
	"container/list"
	"reflect"
	"sync"

	"github.com/tallyhq/tally/internal/query"
)

// DefaultCacheBytes bounds the answer cache when Config.CacheBytes is 0.
const DefaultCacheBytes = 64 << 20

// answerCache is the Service's one cache of answers, bounded in bytes and
// evicting the least recently used entry first. It holds three kinds of
// entries, told apart by the first byte of their key:
//
//   - 'r' the whole encoded response of a read operation (see hot.go), keyed
//     by the operation, the canonical JSON of its decoded input, the caller,
//     the profile and the minute of the clock;
//   - 'b' the same response under the request's own bytes instead of its
//     canonical input, so that a client repeating itself is answered
//     without decoding;
//   - 'p' the whole result of a GetCostAndUsage request that spans pages,
//     keyed by its page digest (the request without its page token, bound to
//     the caller), so that a page walk computes its answer once;
//   - 'c' the same for the commitment operations that page.
//
// Every entry carries the store Version it was computed under. The store's
// version only grows and changes whenever an answer may change (an ingest,
// a tag status change, a cost category change), so a newer version drops
// every older entry: nothing stale is ever served.
type answerCache struct {
	mu      sync.Mutex
	max     int64 // bytes; set by New
	used    int64
	version int64
	lru     list.List // of *cacheEntry, most recent first
	byKey   map[string]*list.Element
}

type cacheEntry struct {
	key   string
	value any
	size  int64
}

// entryOverhead approximates the bytes of an entry beyond its key and value:
// the list element, the map slot and the entry itself.
const entryOverhead = 160

// advance moves the cache to version v, dropping everything older; it
// reports whether v is current (false for an answer computed under a
// version already superseded). Callers hold mu.
func (c *answerCache) advance(v int64) bool {
	if v < c.version {
		return false
	}
	if v > c.version || c.byKey == nil {
		c.version = v
		c.lru.Init()
		c.byKey = map[string]*list.Element{}
		c.used = 0
	}
	return true
}

// get returns the value kept under key for store version v.
func (c *answerCache) get(key string, v int64) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.advance(v) {
		return nil, false
	}
	e, ok := c.byKey[key]
	if !ok {
		return nil, false
	}
	c.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).value, true
}

// put keeps value (of about size bytes) under key for store version v,
// evicting the least recently used entries to stay within the bound. An
// entry larger than the whole bound is not kept.
func (c *answerCache) put(key string, v int64, value any, size int64) {
	size += int64(len(key)) + entryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	if size > c.max || !c.advance(v) {
		return
	}
	if e, ok := c.byKey[key]; ok {
		c.remove(e)
	}
	for c.used+size > c.max {
		c.remove(c.lru.Back())
	}
	c.byKey[key] = c.lru.PushFront(&cacheEntry{key, value, size})
	c.used += size
}

func (c *answerCache) remove(e *list.Element) {
	ce := c.lru.Remove(e).(*cacheEntry)
	delete(c.byKey, ce.key)
	c.used -= ce.size
}

// stats returns the bytes and entries held.
func (c *answerCache) stats() (bytes int64, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used, c.lru.Len()
}

// resultSize approximates the bytes a result holds in memory.
func resultSize(r *query.Result) int64 {
	n := int64(24)
	for _, b := range r.Buckets {
		n += 96 + valuesSize(b.Total)
		for _, g := range b.Groups {
			n += 48 + 16*int64(len(g.Keys)) + valuesSize(g.Values)
			for _, k := range g.Keys {
				n += int64(len(k))
			}
		}
	}
	return n
}

func valuesSize(vs []query.Value) int64 {
	n := int64(24)
	for _, v := range vs {
		n += 32 + 48 + int64(len(v.Unit)) // the Value, its big.Int and words
	}
	return n
}

// approxSize approximates the bytes an answer of the commitment operations
// holds, walking it: headers, strings, slices, pointers and maps.
func approxSize(v any) int64 { return sizeOf(reflect.ValueOf(v), 0) }

func sizeOf(v reflect.Value, depth int) int64 {
	if !v.IsValid() || depth > 64 {
		return 0
	}
	n := int64(v.Type().Size())
	switch v.Kind() {
	case reflect.String:
		n += int64(v.Len())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			n += sizeOf(v.Elem(), depth+1)
		}
	case reflect.Slice:
		for i := range v.Len() {
			n += sizeOf(v.Index(i), depth+1)
		}
		n += int64(v.Cap()-v.Len()) * int64(v.Type().Elem().Size())
	case reflect.Array:
		n = 0
		for i := range v.Len() {
			n += sizeOf(v.Index(i), depth+1)
		}
	case reflect.Struct:
		n = 0
		for i := range v.NumField() {
			n += sizeOf(v.Field(i), depth+1)
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next(); {
			n += 16 + sizeOf(it.Key(), depth+1) + sizeOf(it.Value(), depth+1)
		}
	}
	return n
}
