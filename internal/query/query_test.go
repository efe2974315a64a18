package query

import (
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
)

func ts(s string) time.Time {
	for _, layout := range []string{"2006-01-02", "2006-01-02T15"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	panic(s)
}

func TestBuckets(t *testing.T) {
	for _, tc := range []struct {
		name       string
		start, end string
		g          Granularity
		want       []string
	}{
		{"monthly clipped at both ends", "2024-09-15", "2024-11-10", Monthly, []string{"2024-09-15/2024-10-01", "2024-10-01/2024-11-01", "2024-11-01/2024-11-10"}},
		{"daily", "2024-02-28", "2024-03-02", Daily, []string{"2024-02-28/2024-02-29", "2024-02-29/2024-03-01", "2024-03-01/2024-03-02"}},
		{"hourly", "2024-01-01T22", "2024-01-02T01", Hourly, []string{"2024-01-01T22/2024-01-01T23", "2024-01-01T23/2024-01-02T00", "2024-01-02T00/2024-01-02T01"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			layout := "2006-01-02"
			if tc.g == Hourly {
				layout = "2006-01-02T15"
			}
			var got []string
			for _, b := range Buckets(billing.Period{Start: ts(tc.start), End: ts(tc.end)}, tc.g) {
				got = append(got, b.Start.Format(layout)+"/"+b.End.Format(layout))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func groups(n int) []Group {
	out := make([]Group, n)
	for i := range out {
		out[i] = Group{Keys: []string{string(rune('a' + i))}}
	}
	return out
}

func TestPaginate(t *testing.T) {
	r := &Result{Buckets: []Bucket{{Groups: groups(3)}, {}, {Groups: groups(4)}, {Groups: groups(1)}}}
	var pages []string
	pos := Position{}
	for i := 0; i < 10; i++ {
		p := Paginate(r, pos, 3)
		var s []string
		for _, b := range p.Buckets {
			s = append(s, strings.Repeat("g", len(b.Groups)))
		}
		pages = append(pages, strings.Join(s, "|"))
		if p.Next == nil {
			break
		}
		pos = *p.Next
	}
	// Buckets without groups travel with their page; a bucket with more
	// groups than fit is split.
	want := []string{"ggg|", "ggg", "g|g"}
	if diff := cmp.Diff(want, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
}

func TestValidate(t *testing.T) {
	dim := func(k string, v ...string) *Match { return &Match{Kind: KindDimension, Key: k, Values: v} }
	deep := Expr(dim("SERVICE", "x"))
	for i := 0; i < 20; i++ {
		deep = Not{X: deep}
	}
	for _, tc := range []struct {
		name string
		e    Expr
		want string // substring of the error; "" for valid
	}{
		{"valid", And{dim("SERVICE", "x"), Not{X: &Match{Kind: KindTag, Key: "Env", Op: OpAbsent}}}, ""},
		{"and of one", And{dim("SERVICE", "x")}, "at least two"},
		{"cost category rule dimension", dim("SERVICE_CODE", "AmazonEC2"), "not allowed"},
		{"no values", dim("SERVICE"), "at least one value"},
		{"match option", &Match{Kind: KindDimension, Key: "SERVICE", Values: []string{"x"}, Op: OpContains}, "MatchOption CONTAINS"},
		{"case insensitive", &Match{Kind: KindTag, Key: "Env", Values: []string{"x"}, CaseInsensitive: true}, "CASE_INSENSITIVE"},
		{"too deep", deep, "nested"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.e, CostAndUsageRules, DefaultLimits)
			if tc.want == "" {
				if err != nil {
					t.Errorf("unexpected error %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a ValidationError containing %q", err, tc.want)
			}
		})
	}
}

type wireExpr struct {
	or, and []wireExpr
	not     *wireExpr
	tags    *WireLeaf
	dims    *WireLeaf
}

func parts(e *wireExpr) WireNode[wireExpr] {
	return WireNode[wireExpr]{Or: e.or, And: e.and, Not: e.not, Tags: e.tags, Dimensions: e.dims}
}

func TestFromWire(t *testing.T) {
	if _, err := FromWire(&wireExpr{not: &wireExpr{}, dims: &WireLeaf{Key: "SERVICE"}}, parts); err == nil ||
		!strings.Contains(err.Error(), "more than one roots") {
		t.Errorf("two roots: %v", err)
	}
	if _, err := FromWire(&wireExpr{and: []wireExpr{{}, {dims: &WireLeaf{Key: "SERVICE", Values: []string{"x"}}}}}, parts); err == nil {
		t.Error("an empty expression inside And was accepted")
	}
	got, err := FromWire(&wireExpr{tags: &WireLeaf{Key: "Env"}}, parts)
	if err != nil || got.(*Match).Op != OpAbsent {
		t.Errorf("a tag key without values is ABSENT: %#v, %v", got, err)
	}
	got, err = FromWire(&wireExpr{dims: &WireLeaf{Key: "SERVICE", Values: []string{"x"}, MatchOptions: []string{"EQUALS", "CASE_INSENSITIVE"}}}, parts)
	if m, ok := got.(*Match); err != nil || !ok || !m.CaseInsensitive || m.Op != OpEquals {
		t.Errorf("match options: %#v, %v", got, err)
	}
	if got, err := FromWire[wireExpr](nil, parts); got != nil || err != nil {
		t.Errorf("no filter: %v, %v", got, err)
	}
}

func TestAssembleFillsEveryBucket(t *testing.T) {
	q := &Aggregate{Period: billing.Period{Start: ts("2024-01-01"), End: ts("2024-01-04")}, Granularity: Daily,
		Metrics: []billing.Metric{billing.UnblendedCost, billing.UsageQuantity}}
	rows := []Row{{Bucket: ts("2024-01-02"), Values: []Value{{Amount: big.NewInt(15_000_000_000), Unit: "USD"}, {Amount: big.NewInt(0), Unit: ""}}}}
	res := Assemble(q, rows, Units{}, func(p billing.Period) bool { return p.Start.Equal(ts("2024-01-03")) })
	var got []string
	for _, b := range res.Buckets {
		got = append(got, b.Period.Start.Format("01-02")+" "+b.Total[0].String()+" "+b.Total[0].Unit+" "+b.Total[1].DisplayUnit()+" "+map[bool]string{true: "estimated", false: "final"}[b.Estimated])
	}
	want := []string{"01-01 0 USD N/A final", "01-02 1.5 USD N/A final", "01-03 0 USD N/A estimated"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// tampered changes the first character of a token's payload.
