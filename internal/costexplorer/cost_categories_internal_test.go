package costexplorer

import (
	"testing"

	"github.com/tallyhq/tally/internal/query"
)

func TestNamesCategory(t *testing.T) {
	cc := &query.Match{Kind: query.KindCostCategory, Key: "Teams", Values: []string{"a"}}
	dim := &query.Match{Kind: query.KindDimension, Key: "SERVICE", Values: []string{"x"}}
	for _, tc := range []struct {
		name   string
		groups []query.GroupKey
		filter query.Expr
		want   bool
	}{
		{"nothing", nil, nil, false},
		{"dimension group and filter", []query.GroupKey{{Kind: query.KindDimension, Key: "SERVICE"}}, dim, false},
		{"category group", []query.GroupKey{{Kind: query.KindTag, Key: "Team"}, {Kind: query.KindCostCategory, Key: "Teams"}}, nil, true},
		{"category deep in the filter", nil, query.And{dim, query.Or{dim, query.Not{X: cc}}}, true},
		{"tags only", nil, query.Not{X: &query.Match{Kind: query.KindTag, Key: "Teams"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := namesCategory(tc.groups, tc.filter); got != tc.want {
				t.Errorf("namesCategory = %v, want %v", got, tc.want)
			}
		})
	}
}
