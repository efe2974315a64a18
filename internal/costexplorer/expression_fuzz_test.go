package costexplorer

import (
	"encoding/json"
	"testing"

	"github.com/tallyhq/tally/internal/query"
)

// FuzzExpression feeds arbitrary filter JSON through the conversion and the
// validation of a GetCostAndUsage filter: whatever the input, they return a
// value or an error and never panic; an accepted filter respects the limits.
func FuzzExpression(f *testing.F) {
	for _, s := range []string{
		`{"Dimensions":{"Key":"SERVICE","Values":["Amazon Simple Storage Service"]}}`,
		`{"And":[{"Dimensions":{"Key":"REGION","Values":["us-east-1"]}},{"Not":{"Tags":{"Key":"Env","Values":["prod"]}}}]}`,
		`{"Or":[{"Tags":{"Key":"Team","MatchOptions":["ABSENT"]}},{"CostCategories":{"Key":"BU","Values":["a"]}}]}`,
		`{"Not":{"Not":{"Not":{"Dimensions":{"Key":"AZ","Values":[""]}}}}}`,
		`{"Dimensions":{"Key":"SERVICE","Values":["x"]},"Tags":{"Key":"a","Values":["b"]}}`,
		`{"Tags":{}}`,
		`{"And":[]}`,
		`{"Dimensions":{"Key":"SERVICE","Values":["x"],"MatchOptions":["CONTAINS","CASE_INSENSITIVE"]}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Expression
		if json.Unmarshal(b, &e) != nil {
			return
		}
		x, err := expression(&e)
		if err != nil || x == nil {
			return
		}
		if err := query.Validate(x, query.CostAndUsageRules, query.DefaultLimits); err != nil {
			return
		}
		if d := depth(x); d > query.DefaultLimits.MaxDepth {
			t.Fatalf("accepted a filter %d levels deep", d)
		}
	})
}

func depth(e query.Expr) int {
	switch x := e.(type) {
	case query.And:
		return 1 + maxDepth(x)
	case query.Or:
		return 1 + maxDepth(x)
	case query.Not:
		return 1 + depth(x.X)
	}
	return 1
}

func maxDepth(xs []query.Expr) int {
	m := 0
	for _, x := range xs {
		m = max(m, depth(x))
	}
	return m
}
