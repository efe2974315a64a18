package costexplorer

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/query"
)

// The wire handlers of GetCostAndUsage and GetCostAndUsageWithResources
// write their JSON straight from the page of the answer (appendCostAndUsage)
// instead of building maps of typed values and encoding them by reflection:
// a page of 5,000 groups cost a map, two pointers and a string per value
// before. The bytes are those encoding/json writes for the typed response
// (TestAppendCostAndUsage compares them).

// costAndUsageWire is the handler of GetCostAndUsage: the generated one,
// rendering the answer itself.
func (s *Service) costAndUsageWire(shape *awsjson.Shape) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(GetCostAndUsageRequest)
		if err := awsjson.Decode(body, shape, in); err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		a, err := s.costAndUsagePage(ctx, in)
		if err != nil {
			return nil, err
		}
		return appendCostAndUsage(nil, in.GroupBy, a)
	}
}

// costAndUsageWithResourcesWire is the handler of
// GetCostAndUsageWithResources, as costAndUsageWire.
func (s *Service) costAndUsageWithResourcesWire(shape *awsjson.Shape) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(GetCostAndUsageWithResourcesRequest)
		if err := awsjson.Decode(body, shape, in); err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		a, err := s.costAndUsageWithResourcesPage(ctx, in)
		if err != nil {
			return nil, err
		}
		return appendCostAndUsage(nil, in.GroupBy, a)
	}
}

// appendCostAndUsage appends the JSON of a GetCostAndUsage (or
// GetCostAndUsageWithResources) response carrying page a, whose request
// grouped by defs, exactly as encoding/json renders the typed response
// costAndUsageResponse builds: the same members in the same order, map keys
// sorted, the same string escapes and no white space.
func appendCostAndUsage(b []byte, defs []GroupDefinition, a *costAnswer) (awsjson.Encoded, error) {
	if b == nil {
		size := 256 + 160*len(a.page.Buckets)
		for _, bk := range a.page.Buckets {
			size += len(bk.Total) * 64
			for _, g := range bk.Groups {
				size += 24 + 64*len(g.Values)
				for _, k := range g.Keys {
					size += len(k) + 3
				}
			}
		}
		b = make([]byte, 0, size)
	}
	b = append(b, '{')
	if a.next != nil {
		b = append(b, `"NextPageToken":`...)
		b = appendString(b, *a.next)
		b = append(b, ',')
	}
	if defs != nil {
		j, err := json.Marshal(defs)
		if err != nil {
			return nil, err
		}
		b = append(b, `"GroupDefinitions":`...)
		b = append(b, j...)
		b = append(b, ',')
	}
	// Cost Explorer's maps of metrics are encoded in the order of their
	// names.
	order := make([]int, len(a.q.Metrics))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(i, j int) int {
		if a.q.Metrics[i] < a.q.Metrics[j] {
			return -1
		}
		return 1
	})
	b = append(b, `"ResultsByTime":[`...)
	for i, bk := range a.page.Buckets {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"TimePeriod":{"Start":`...)
		b = appendString(b, formatDate(bk.Period.Start, a.withTime))
		b = append(b, `,"End":`...)
		b = appendString(b, formatDate(bk.Period.End, a.withTime))
		b = append(b, `},"Total":`...)
		b = appendMetrics(b, a.q, order, bk.Total)
		b = append(b, `,"Groups":[`...)
		for j, g := range bk.Groups {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			if g.Keys != nil {
				b = append(b, `"Keys":[`...)
				for k, key := range g.Keys {
					if k > 0 {
						b = append(b, ',')
					}
					b = appendString(b, key)
				}
				b = append(b, "],"...)
			}
			b = append(b, `"Metrics":`...)
			b = appendMetrics(b, a.q, order, g.Values)
			b = append(b, '}')
		}
		b = append(b, `],"Estimated":`...)
		b = strconv.AppendBool(b, bk.Estimated)
		b = append(b, '}')
	}
	b = append(b, ']')
	if a.attrs != nil {
		j, err := json.Marshal(a.attrs)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"DimensionValueAttributes":`...)
		b = append(b, j...)
	}
	return append(b, '}'), nil
}

// appendMetrics appends a map of metric name to MetricValue; values holds
// one value per q.Metrics entry, or none (an empty map). order lists the
// metrics by name.
func appendMetrics(b []byte, q *query.Aggregate, order []int, values []query.Value) []byte {
	b = append(b, '{')
	if len(values) == 0 {
		return append(b, '}')
	}
	for n, i := range order {
		if n > 0 {
			b = append(b, ',')
		}
		b = appendString(b, string(q.Metrics[i]))
		b = append(b, `:{"Amount":"`...)
		b = values[i].AppendAmount(b) // digits, a point and a sign: nothing to escape
		b = append(b, `","Unit":`...)
		b = appendString(b, values[i].DisplayUnit())
		b = append(b, '}')
	}
	return append(b, '}')
}

// appendString appends s as a JSON string the way encoding/json writes it:
// strings of printable ASCII other than `"`, `\`, `<`, `>` and `&` (nearly
// all keys) are copied; any other string is encoded by encoding/json.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s) // a string always encodes
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}
