package costexplorer

import (
	"fmt"
	"testing"
)

// TestAnswerCacheBound: the cache never holds more bytes than its bound,
// evicts the least recently used entry first and drops everything older
// when the store version moves on.
func TestAnswerCacheBound(t *testing.T) {
	c := &answerCache{max: 10_000}
	val := make([]byte, 1000)
	for i := range 50 {
		c.put(fmt.Sprint("k", i), 1, val, int64(len(val)))
		if _, ok := c.get("k0", 1); !ok && i < 50 {
			t.Fatalf("after %d puts: the most recently read entry k0 was evicted", i+1)
		}
		if used, _ := c.stats(); used > c.max {
			t.Fatalf("after %d puts: %d bytes held, bound %d", i+1, used, c.max)
		}
	}
	used, n := c.stats()
	if n < 5 || used < c.max/2 {
		t.Errorf("%d entries, %d bytes: the bound should be used", n, used)
	}
	if _, ok := c.get("k1", 1); ok {
		t.Error("k1, the least recently used, still held")
	}
	if _, ok := c.get("k49", 1); !ok {
		t.Error("k49, the newest, evicted")
	}
	c.put("huge", 1, make([]byte, 20_000), 20_000)
	if _, ok := c.get("huge", 1); ok {
		t.Error("an entry larger than the bound was kept")
	}
	// A newer version drops every entry; an answer of an older one is not kept.
	if _, ok := c.get("k49", 2); ok {
		t.Error("k49 of version 1 served under version 2")
	}
	if used, n := c.stats(); used != 0 || n != 0 {
		t.Errorf("after version 2: %d bytes in %d entries, want none", used, n)
	}
	c.put("old", 1, val, 1000)
	if _, ok := c.get("old", 1); ok {
		t.Error("an answer of a superseded version was kept")
	}
}

// TestSizeOf: the estimate counts strings, slices and pointers.
func TestSizeOf(t *testing.T) {
	type inner struct{ s string }
	type outer struct {
		items []inner
		p     *inner
	}
	small := approxSize(outer{})
	big := approxSize(outer{items: []inner{{string(make([]byte, 5000))}}, p: &inner{"abc"}})
	if big < small+5000 {
		t.Errorf("size %d, want at least %d", big, small+5000)
	}
}
