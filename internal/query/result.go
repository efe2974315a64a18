package query

import (
	"math/big"
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// Result is the answer to an Aggregate, bucket by bucket, before paging.
type Result struct {
	Buckets []Bucket
}

// Bucket is one time bucket of a result. Without GroupBy, Total holds one
// value per metric and Groups is empty; with GroupBy, Total is nil and Groups
// lists the non-empty key combinations in key order.
type Bucket struct {
	Period    billing.Period
	Estimated bool
	Total     []Value
	Groups    []Group
}

// Group is one key combination of a bucket.
type Group struct {
	Keys   []string // formatted keys (FormatKey)
	Values []Value
}

// Units says which units to report for buckets without data.
type Units struct {
	Currency string // for cost metrics; "USD" when empty
}

// Assemble turns store rows into buckets: every bucket of the period appears,
// also when it has no cost; estimated reports whether a bucket touches a
// billing month that is not final.
func Assemble(q *Aggregate, rows []Row, u Units, estimated func(billing.Period) bool) *Result {
	buckets := Buckets(q.Period, q.Granularity)
	idx := make(map[time.Time]int, len(buckets))
	res := &Result{Buckets: make([]Bucket, len(buckets))}
	for i, b := range buckets {
		idx[b.Start] = i
		res.Buckets[i] = Bucket{Period: b, Estimated: estimated(b)}
		if len(q.GroupBy) == 0 {
			res.Buckets[i].Total = zeroValues(q.Metrics, u)
		}
	}
	formatted := false
	for _, g := range q.GroupBy {
		formatted = formatted || g.Kind != KindDimension
	}
	for _, r := range rows {
		i, ok := idx[r.Bucket]
		if !ok {
			continue
		}
		b := &res.Buckets[i]
		if len(q.GroupBy) == 0 {
			b.Total = r.Values
			continue
		}
		keys := r.Keys // dimension values are their own keys
		if formatted {
			keys = make([]string, len(r.Keys))
			for j, k := range r.Keys {
				keys[j] = FormatKey(q.GroupBy[j], k)
			}
		}
		b.Groups = append(b.Groups, Group{Keys: keys, Values: r.Values})
	}
	return res
}

func zeroValues(ms []billing.Metric, u Units) []Value {
	cur := u.Currency
	if cur == "" {
		cur = "USD"
	}
	out := make([]Value, len(ms))
	for i, m := range ms {
		unit := "N/A"
		if m.IsCost() {
			unit = cur
		}
		out[i] = Value{Amount: new(big.Int), Unit: unit}
	}
	return out
}

// Page is the slice of a result one response carries.
type Page struct {
	Buckets []Bucket
	// Next is the position to continue from, or nil on the last page.
	Next *Position
}

// Position is where a page starts: a bucket and a group within it.
type Position struct {
	Bucket int `json:"b"`
	Group  int `json:"g"`
}

// Paginate returns the page starting at pos holding at most size groups.
// A bucket with more groups than fit is split across pages; buckets without
// groups cost nothing and travel with the page they fall in.
func Paginate(r *Result, pos Position, size int) Page {
	var p Page
	n := 0
	for bi := pos.Bucket; bi < len(r.Buckets); bi++ {
		b := r.Buckets[bi]
		start := 0
		if bi == pos.Bucket {
			start = pos.Group
		}
		groups := b.Groups[min(start, len(b.Groups)):]
		room := size - n
		if len(groups) > room {
			if room > 0 {
				b.Groups = groups[:room]
				p.Buckets = append(p.Buckets, b)
			}
			p.Next = &Position{Bucket: bi, Group: start + room}
			return p
		}
		b.Groups = groups
		p.Buckets = append(p.Buckets, b)
		n += len(groups)
	}
	return p
}
