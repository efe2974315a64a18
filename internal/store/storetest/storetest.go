// Package storetest is the conformance suite every store backend runs: small
// text cases of line items in, a question, and the rows expected out, in the
// spirit of Prometheus's promqltest. A backend's test calls Run with a
// function that opens an empty store.
//
// A case file holds blocks separated by blank lines:
//
//	load cur:111111111111 2024-01          # source and billing month
//	2024-01-01T00 account=222 service=S3 unblended=1.5 usage=2 unit=GB tag.Team=a
//
//	aggregate DAILY 2024-01-01 2024-01-03  # granularity, start, end
//	metrics UnblendedCost UsageQuantity
//	group TAG:Team DIMENSION:SERVICE
//	filter {"Dimensions":{"Key":"SERVICE","Values":["S3"]}}
//	scope 222
//	expect
//	2024-01-01 Team$a S3 | 1.5 USD | 2 GB
//
// A line item starts with its usage hour and sets fields by name (see
// setField); amounts are decimals. Expected rows list the bucket, the
// formatted group keys, then each metric's amount and unit after a bar.
// "values DIMENSION" and "tags [KEY]" blocks expect one value per line;
// "records HOURLY|DAILY SERVICE|RESOURCE" blocks expect "SERVICE count"
// lines (store.UsageRecordCounter).
//
// RunRepositories checks the metadata repositories (budgets, tag statuses
// by month, backfill requests, the alert outbox) the same way for every
// backend, including that what they change survives reopening the store.
package storetest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// Open returns an empty store for one case.
type Open func(t *testing.T) store.CostStore

// Run runs every case file in dir (testdata of this package by default)
// against stores made by open: every backend answers every case.
func Run(t *testing.T, dir string, open Open) {
	files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no case files in %s: %v", dir, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runFile(t, f, open(t)) })
	}
}

func runFile(t *testing.T, path string, st store.CostStore) {
	blocks, err := readBlocks(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, b := range blocks {
		head := strings.Fields(b.lines[0])
		var err error
		switch head[0] {
		case "load":
			err = load(ctx, st, head, b.lines[1:])
		case "aggregate":
			err = aggregate(ctx, t, st, b)
		case "values":
			err = values(ctx, t, st, b)
		case "tags":
			err = tags(ctx, t, st, b)
		case "records":
			err = records(ctx, t, st, b)
		case "commitments":
			err = commitments(ctx, t, st, b)
		default:
			err = fmt.Errorf("unknown block %q", head[0])
		}
		if err != nil {
			t.Fatalf("%s:%d: %v", path, b.line, err)
		}
	}
}

type block struct {
	line  int
	lines []string
}

func readBlocks(path string) ([]block, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []block
	var cur *block
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "#"):
		case line == "":
			cur = nil
		case cur == nil || startsBlock(line):
			out = append(out, block{line: n, lines: []string{line}})
			cur = &out[len(out)-1]
		default:
			cur.lines = append(cur.lines, line)
		}
	}
	return out, sc.Err()
}

// startsBlock reports whether a line opens a block even without a blank
// line before it.
func startsBlock(line string) bool {
	word, _, _ := strings.Cut(line, " ")
	switch word {
	case "load", "aggregate", "values", "tags", "commitments":
		return true
	}
	return false
}

func load(ctx context.Context, st store.CostStore, head, items []string) error {
	if len(head) != 3 {
		return fmt.Errorf("want: load SOURCE YYYY-MM")
	}
	month, err := time.Parse("2006-01", head[2])
	if err != nil {
		return err
	}
	p := billing.BillingPeriod{Source: head[1], Month: month}
	w, err := st.NewWriter(ctx)
	if err != nil {
		return err
	}
	for _, line := range items {
		li, err := parseItem(line)
		if err != nil {
			w.Abort()
			return err
		}
		if err := w.Append(p, li); err != nil {
			w.Abort()
			return err
		}
	}
	return w.Commit(ctx, []store.PeriodInfo{{Period: p, Format: "storetest", Final: true}})
}

func parseItem(line string) (*billing.LineItem, error) {
	fields := strings.Fields(line)
	start, err := time.Parse("2006-01-02T15", fields[0])
	if err != nil {
		return nil, fmt.Errorf("line item must start with its usage hour: %v", err)
	}
	li := &billing.LineItem{UsageStart: start, UsageEnd: start.Add(time.Hour), PayerAccountID: "111111111111",
		UsageAccountID: "111111111111", LineItemType: "Usage", RecordType: "Usage", Currency: "USD"}
	for _, f := range fields[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("field %q is not name=value", f)
		}
		if err := setField(li, k, strings.ReplaceAll(v, "_", " ")); err != nil {
			return nil, err
		}
	}
	return li, nil
}

// setField sets one named field; underscores in values stand for spaces.
func setField(li *billing.LineItem, k, v string) error {
	amount := func(dst *billing.Amount) error {
		a, err := billing.ParseAmount(v)
		*dst = a
		return err
	}
	switch {
	case strings.HasPrefix(k, "tag."):
		if li.Tags == nil {
			li.Tags = map[string]string{}
		}
		li.Tags[k[4:]] = v
	case strings.HasPrefix(k, "cc."):
		if li.CostCategories == nil {
			li.CostCategories = map[string]string{}
		}
		li.CostCategories[k[3:]] = v
	case k == "unblended":
		// Unless set separately, every cost metric equals unblended.
		if err := amount(&li.Unblended); err != nil {
			return err
		}
		li.Blended, li.NetUnblended, li.Amortized, li.NetAmortized = li.Unblended, li.Unblended, li.Unblended, li.Unblended
	case k == "amortized":
		return amount(&li.Amortized)
	case k == "usage":
		_, err := fmt.Sscan(v, &li.UsageQuantity)
		return err
	case k == "unit":
		li.UsageUnit = v
	case k == "type":
		li.LineItemType, li.RecordType = v, v
	case k == "payer":
		li.PayerAccountID = v
	case k == "account":
		li.UsageAccountID = v
	case k == "accountname":
		li.UsageAccountName = v
	case k == "service":
		li.Service = v
	case k == "region":
		li.Region = v
	case k == "usagetype":
		li.UsageType = v
	case k == "resource":
		li.ResourceID = v
	case k == "servicecode":
		li.ServiceCode = v
	case k == "riarn":
		li.Commitment.ReservationARN = v
	case k == "subscription":
		li.SubscriptionID = v
	case k == "sparn":
		li.SavingsPlanARN = v
	case k == "ristart":
		li.Commitment.RIStart = v
	case k == "ondemand":
		return amount(&li.Commitment.PublicOnDemandCost)
	case k == "purchasedhours":
		_, err := fmt.Sscan(v, &li.Commitment.RIPurchasedHours)
		return err
	case k == "unusedhours":
		_, err := fmt.Sscan(v, &li.Commitment.RIUnusedQuantity)
		return err
	case k == "ricost":
		return amount(&li.Commitment.RIEffectiveCost)
	case k == "spused":
		return amount(&li.Commitment.SPUsedCommitment)
	case k == "sptotal":
		return amount(&li.Commitment.SPTotalCommitment)
	default:
		return fmt.Errorf("unknown field %q", k)
	}
	return nil
}

// question parses the lines every query block shares.
type question struct {
	period  billing.Period
	gran    query.Granularity
	metrics []billing.Metric
	groups  []query.GroupKey
	filter  query.Expr
	scope   query.Scope
	expect  []string
	search  string
	sort    []query.SortKey
	// services are the SERVICE values a records block counts.
	services []string
}

func parseQuestion(b block, head []string) (*question, error) {
	q := &question{gran: query.Daily}
	var err error
	if len(head) < 3 {
		return nil, fmt.Errorf("want: %s ... START END", head[0])
	}
	if q.period.Start, err = parseTime(head[len(head)-2]); err != nil {
		return nil, err
	}
	if q.period.End, err = parseTime(head[len(head)-1]); err != nil {
		return nil, err
	}
	for i, line := range b.lines[1:] {
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "metrics":
			for _, m := range strings.Fields(rest) {
				q.metrics = append(q.metrics, billing.Metric(m))
			}
		case "group":
			for _, g := range strings.Fields(rest) {
				kind, key, _ := strings.Cut(g, ":")
				q.groups = append(q.groups, query.GroupKey{Kind: map[string]query.Kind{"DIMENSION": query.KindDimension,
					"TAG": query.KindTag, "COST_CATEGORY": query.KindCostCategory}[kind], Key: key})
			}
		case "filter":
			if q.filter, err = parseFilter(rest); err != nil {
				return nil, err
			}
		case "scope":
			q.scope = query.Scope{Account: rest}
		case "search":
			q.search = rest
		case "services":
			q.services = strings.Split(strings.ReplaceAll(rest, "_", " "), ",")
		case "sort":
			m, dir, _ := strings.Cut(rest, " ")
			q.sort = append(q.sort, query.SortKey{Metric: billing.Metric(m), Descending: dir == "DESC"})
		case "expect":
			q.expect = b.lines[i+2:]
			return q, nil
		default:
			return nil, fmt.Errorf("unknown line %q", line)
		}
	}
	return nil, fmt.Errorf("block has no expect line")
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15", s)
}

func aggregate(ctx context.Context, t *testing.T, st store.CostStore, b block) error {
	head := strings.Fields(b.lines[0])
	q, err := parseQuestion(b, head)
	if err != nil {
		return err
	}
	q.gran = query.Granularity(head[1])
	agg := &query.Aggregate{Period: q.period, Granularity: q.gran, Metrics: q.metrics, GroupBy: q.groups, Filter: q.filter, Scope: q.scope}
	rows, err := st.Aggregate(ctx, agg)
	if err != nil {
		return err
	}
	var got []string
	for _, r := range rows {
		parts := []string{r.Bucket.Format(bucketFormat(q.gran))}
		for i, k := range r.Keys {
			parts = append(parts, query.FormatKey(q.groups[i], k))
		}
		line := strings.Join(parts, " ")
		for _, v := range r.Values {
			line += " | " + v.String() + " " + v.DisplayUnit()
		}
		got = append(got, line)
	}
	check(t, b, q.expect, got)
	return nil
}

func bucketFormat(g query.Granularity) string {
	if g == query.Hourly {
		return "2006-01-02T15"
	}
	return "2006-01-02"
}

func values(ctx context.Context, t *testing.T, st store.CostStore, b block) error {
	head := strings.Fields(b.lines[0])
	q, err := parseQuestion(b, head)
	if err != nil {
		return err
	}
	vals, err := st.DimensionValues(ctx, &query.DimensionValues{Period: q.period, Dimension: billing.Dimension(head[1]),
		Search: q.search, Filter: q.filter, Scope: q.scope, SortBy: q.sort})
	if err != nil {
		return err
	}
	var got []string
	for _, v := range vals {
		line := v.Value
		keys := make([]string, 0, len(v.Attributes))
		for k := range v.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			line += " " + k + "=" + v.Attributes[k]
		}
		got = append(got, line)
	}
	check(t, b, q.expect, got)
	return nil
}

func tags(ctx context.Context, t *testing.T, st store.CostStore, b block) error {
	head := strings.Fields(b.lines[0])
	q, err := parseQuestion(b, head)
	if err != nil {
		return err
	}
	key := ""
	if len(head) == 4 {
		key = head[1]
	}
	got, err := st.Tags(ctx, &query.Tags{Period: q.period, Key: key, Search: q.search, Filter: q.filter, Scope: q.scope, SortBy: q.sort})
	if err != nil {
		return err
	}
	for i, v := range got {
		if v == "" {
			got[i] = `""`
		}
	}
	check(t, b, q.expect, got)
	return nil
}

func check(t *testing.T, b block, want, got []string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got == nil {
		got = []string{}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("block at line %d (%s) (-want +got):\n%s", b.line, b.lines[0], diff)
	}
}

// parseFilter reads a filter in Cost Explorer's JSON Expression form.
func parseFilter(s string) (query.Expr, error) {
	var e jsonExpr
	if err := json.Unmarshal([]byte(s), &e); err != nil {
		return nil, fmt.Errorf("filter: %v", err)
	}
	return e.expr()
}

type jsonExpr struct {
	And, Or        []jsonExpr
	Not            *jsonExpr
	Dimensions     *jsonMatch
	Tags           *jsonMatch
	CostCategories *jsonMatch
}

type jsonMatch struct {
	Key          string
	Values       []string
	MatchOptions []string
}

func (e jsonExpr) expr() (query.Expr, error) {
	list := func(xs []jsonExpr) ([]query.Expr, error) {
		var out []query.Expr
		for _, x := range xs {
			q, err := x.expr()
			if err != nil {
				return nil, err
			}
			out = append(out, q)
		}
		return out, nil
	}
	switch {
	case e.And != nil:
		l, err := list(e.And)
		return query.And(l), err
	case e.Or != nil:
		l, err := list(e.Or)
		return query.Or(l), err
	case e.Not != nil:
		x, err := e.Not.expr()
		return query.Not{X: x}, err
	case e.Dimensions != nil:
		return e.Dimensions.match(query.KindDimension)
	case e.Tags != nil:
		return e.Tags.match(query.KindTag)
	case e.CostCategories != nil:
		return e.CostCategories.match(query.KindCostCategory)
	}
	return nil, fmt.Errorf("empty expression")
}

func (m jsonMatch) match(k query.Kind) (query.Expr, error) {
	out := &query.Match{Kind: k, Key: m.Key, Values: m.Values}
	for _, o := range m.MatchOptions {
		switch o {
		case "CASE_INSENSITIVE":
			out.CaseInsensitive = true
		case "CASE_SENSITIVE":
		default:
			op, ok := query.ParseMatchOp(o)
			if !ok {
				return nil, fmt.Errorf("unknown match option %s", o)
			}
			out.Op = op
		}
	}
	return out, nil
}

func records(ctx context.Context, t *testing.T, st store.CostStore, b block) error {
	head := strings.Fields(b.lines[0])
	if len(head) != 5 {
		return fmt.Errorf("want: records HOURLY|DAILY SERVICE|RESOURCE START END")
	}
	q, err := parseQuestion(b, head)
	if err != nil {
		return err
	}
	c, ok := st.(store.UsageRecordCounter)
	if !ok {
		return fmt.Errorf("the store does not count usage records (store.UsageRecordCounter)")
	}
	counts, err := c.UsageRecords(ctx, store.UsageRecordsQuery{Period: q.period, Hourly: head[1] == "HOURLY",
		Resources: head[2] == "RESOURCE", Services: q.services, Scope: q.scope})
	if err != nil {
		return err
	}
	var got []string
	for s, n := range counts {
		got = append(got, fmt.Sprintf("%s %d", strings.ReplaceAll(s, " ", "_"), n))
	}
	sort.Strings(got)
	check(t, b, q.expect, got)
	return nil
}
