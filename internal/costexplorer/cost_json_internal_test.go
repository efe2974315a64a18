package costexplorer

import (
	"bytes"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// TestAppendCostAndUsage compares the JSON written straight from a page
// with encoding/json's rendering of the typed response costAndUsageResponse builds
// from the same page, byte for byte, over random pages: keys that need
// escaping (quotes, <, &, control characters, non-ASCII, invalid UTF-8),
// amounts of every size and sign, missing amounts, several metrics in any
// order, with and without groups, tokens and account names.
func TestAppendCostAndUsage(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	keys := []string{"AmazonEC2", "USE1-BoxUsage:m5.large", "", "a\"b", `back\slash`, "<tag>&co", "a<b", "x>y", "p&q", "tab\tnew\nline",
		"caf\u00e9 \u2028", "bad\xffutf8", "Environment$prod", "Team$"}
	units := []string{"USD", "", "N/A", "Hrs", "GB-Mo", "EUR"}
	amount := func() *big.Int {
		switch rnd.IntN(6) {
		case 0:
			return nil
		case 1:
			v, _ := new(big.Int).SetString("-123456789012345678901234567890", 10)
			return v.Rsh(v, uint(rnd.IntN(90)))
		}
		return big.NewInt(rnd.Int64() >> rnd.IntN(64) * int64(1-2*rnd.IntN(2)))
	}
	for n := range 500 {
		ms := append([]billing.Metric(nil), billing.Metrics...)
		rnd.Shuffle(len(ms), func(i, j int) { ms[i], ms[j] = ms[j], ms[i] })
		ms = ms[:1+rnd.IntN(len(ms))]
		q := &query.Aggregate{Metrics: ms}
		var defs []GroupDefinition
		ngroup := rnd.IntN(3)
		if ngroup > 0 || rnd.IntN(2) == 0 {
			defs = []GroupDefinition{}
		}
		for range ngroup {
			defs = append(defs, GroupDefinition{Type: ptr(GroupDefinitionTypeDimension), Key: ptr("SERVICE")})
			q.GroupBy = append(q.GroupBy, query.GroupKey{Kind: query.KindDimension, Key: "SERVICE"})
		}
		values := func() []query.Value {
			out := make([]query.Value, len(ms))
			for i := range out {
				out[i] = query.Value{Amount: amount(), Unit: units[rnd.IntN(len(units))]}
			}
			return out
		}
		a := &costAnswer{q: q, withTime: rnd.IntN(2) == 0}
		start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
		for b := range rnd.IntN(4) {
			bk := query.Bucket{Period: billing.Period{Start: start.AddDate(0, 0, b), End: start.AddDate(0, 0, b+1)},
				Estimated: rnd.IntN(2) == 0}
			if ngroup == 0 {
				bk.Total = values()
			}
			for range rnd.IntN(4) * min(ngroup, 1) {
				g := query.Group{Keys: make([]string, ngroup), Values: values()}
				for k := range g.Keys {
					g.Keys[k] = keys[rnd.IntN(len(keys))]
				}
				bk.Groups = append(bk.Groups, g)
			}
			a.page.Buckets = append(a.page.Buckets, bk)
		}
		if rnd.IntN(2) == 0 {
			a.next = ptr("AAEC+/=token<&>")
		}
		if rnd.IntN(3) > 0 {
			a.attrs = []DimensionValuesWithAttributes{}
			if rnd.IntN(2) == 0 {
				a.attrs = append(a.attrs, DimensionValuesWithAttributes{Value: ptr("111122223333"), Attributes: map[string]string{"description": "A & <B>"}})
			}
		}
		typed := &GetCostAndUsageResponse{NextPageToken: a.next, GroupDefinitions: defs,
			ResultsByTime: make([]ResultByTime, 0, len(a.page.Buckets)), DimensionValueAttributes: a.attrs}
		for _, b := range a.page.Buckets {
			typed.ResultsByTime = append(typed.ResultsByTime, resultByTime(q, b, a.withTime))
		}
		want, err := json.Marshal(typed)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendCostAndUsage(nil, defs, a)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n got %s\nwant %s", n, got, want)
		}
		if !json.Valid(got) {
			t.Fatalf("case %d: invalid JSON %s", n, got)
		}
	}
}
