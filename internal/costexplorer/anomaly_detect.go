package costexplorer

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"sort"
	"time"

	"github.com/tallyhq/tally/internal/anomaly"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// anomalyMetric is the cost anomalies are measured in.
const anomalyMetric = billing.UnblendedCost

// notSpend are the record types anomaly detection leaves out: credits and
// refunds are not spend behaviour, and a one-off credit would otherwise
// make the same day of the next month look anomalous.
var notSpend = []string{"Credit", "Refund"}

// spendOnly restricts filter to spend, without credits and refunds.
func spendOnly(filter query.Expr) query.Expr {
	not := query.Not{X: &query.Match{Kind: query.KindDimension, Key: string(billing.DimRecordType), Values: notSpend, Op: query.OpEquals}}
	if filter == nil {
		return not
	}
	return query.And{filter, not}
}

// maxRootCauses is how many root causes an anomaly lists, largest
// contribution first.
const maxRootCauses = 10

// storedAnomaly is a detected anomaly as stored: the API shape and the
// series it belongs to.
type storedAnomaly struct {
	Anomaly
	// Series names the monitor's series: the monitor ARN and the
	// dimension value.
	Series string
	// DetectedOn is the day (business clock) a detection first found
	// the anomaly, kept across re-detection; "" for the anomalies a new
	// monitor finds in the history, which are never alerted.
	DetectedOn string `json:",omitempty"`
}

// DetectAnomalies runs every monitor of every account over the daily
// rollups (see package anomaly), replaces the anomalies each found and
// queues the alerts of the subscriptions. It is run after every ingest and
// on a timer; the same data always gives the same anomalies.
func (s *Service) DetectAnomalies(ctx context.Context) error {
	if err := s.detect(ctx, ""); err != nil {
		return err
	}
	return s.alertAnomalies(ctx)
}

// detect runs the monitor arn, or every monitor for "".
func (s *Service) detect(ctx context.Context, arn string) error {
	s.detectMu.Lock()
	defer s.detectMu.Unlock()
	objs, err := s.cfg.Store.AnomalyObjects(ctx, store.AnomalyMonitor, "")
	if err != nil {
		return err
	}
	for _, o := range objs {
		if arn != "" && o.ARN != arn {
			continue
		}
		var m AnomalyMonitor
		if err := json.Unmarshal(o.Doc, &m); err != nil {
			return fmt.Errorf("costexplorer: monitor %s: %w", o.ARN, err)
		}
		found, count, err := s.detectMonitor(ctx, o.Account, &m)
		if err != nil {
			return fmt.Errorf("costexplorer: detect anomalies of %s: %w", o.ARN, err)
		}
		if err := s.keepDetectedOn(ctx, o.ARN, arn == "", found); err != nil {
			return err
		}
		if err := s.cfg.Store.ReplaceDetected(ctx, o.ARN, found); err != nil {
			return err
		}
		today := s.cfg.Now().UTC().Format("2006-01-02")
		if deref(m.LastEvaluatedDate) != today || deref(m.DimensionalValueCount) != count {
			m.LastEvaluatedDate, m.DimensionalValueCount = ptr(today), ptr(count)
			if err := s.putAnomalyObject(ctx, o.ARN, store.AnomalyMonitor, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// keepDetectedOn sets the DetectedOn of each found anomaly: the day it was
// first found, today for a new one when alerting (every monitor's run),
// none for the history a new monitor finds.
func (s *Service) keepDetectedOn(ctx context.Context, monitor string, alerting bool, found []store.Detected) error {
	old, err := s.anomalies(ctx, "")
	if err != nil {
		return err
	}
	was := map[string]string{}
	for _, a := range old {
		if deref(a.MonitorArn) == monitor {
			was[deref(a.AnomalyId)] = a.DetectedOn
		}
	}
	today := s.cfg.Now().UTC().Format(time.DateOnly)
	for i, d := range found {
		on, seen := was[d.ID]
		if !seen && alerting {
			on = today
		}
		var a storedAnomaly
		if err := json.Unmarshal(d.Doc, &a); err != nil {
			return err
		}
		a.DetectedOn = on
		if found[i].Doc, err = json.Marshal(a); err != nil {
			return err
		}
	}
	return nil
}

// monitorContext returns ctx acting as the monitor's owner, so that the
// monitor sees what its account sees.
func monitorContext(ctx context.Context, owner string) context.Context {
	if owner == auth.TestAccountID {
		return auth.WithCaller(ctx, auth.Account{AccountID: owner, All: true})
	}
	return auth.WithCaller(ctx, auth.Account{AccountID: owner})
}

// monitorQuery returns the group key and filter of a monitor's series: one
// series per value of the key, or one series (no key) for a CUSTOM
// monitor.
func monitorQuery(m *AnomalyMonitor) (*query.GroupKey, query.Expr, error) {
	if deref(m.MonitorType) == MonitorTypeCustom {
		f, err := expression(m.MonitorSpecification)
		return nil, f, err
	}
	switch deref(m.MonitorDimension) {
	case MonitorDimensionService:
		return &query.GroupKey{Kind: query.KindDimension, Key: string(billing.DimService)}, nil, nil
	case MonitorDimensionLinkedAccount:
		return &query.GroupKey{Kind: query.KindDimension, Key: string(billing.DimLinkedAccount)}, nil, nil
	case MonitorDimensionTag:
		return &query.GroupKey{Kind: query.KindTag, Key: deref(m.MonitorSpecification.Tags.Key)}, nil, nil
	case MonitorDimensionCostCategory:
		return &query.GroupKey{Kind: query.KindCostCategory, Key: deref(m.MonitorSpecification.CostCategories.Key)}, nil, nil
	}
	return nil, nil, fmt.Errorf("monitor of unknown kind %s %s", deref(m.MonitorType), deref(m.MonitorDimension))
}

// dataRange returns the days the stored billing periods cover, up to the
// last day with cost; ok is false when there is none.
func (s *Service) dataRange(ctx context.Context) (billing.Period, bool, error) {
	periods, err := s.cfg.Store.Periods(ctx)
	if err != nil || len(periods) == 0 {
		return billing.Period{}, false, err
	}
	p := billing.Period{Start: periods[0].Period.Month, End: periods[0].Period.Month}
	for _, ps := range periods {
		p.Start = minTime(p.Start, ps.Period.Month)
		p.End = maxTime(p.End, ps.Period.Month.AddDate(0, 1, 0))
	}
	return p, true, nil
}

// detectMonitor scores a monitor's series and returns its anomalies and
// how many series it has.
func (s *Service) detectMonitor(ctx context.Context, owner string, m *AnomalyMonitor) ([]store.Detected, int32, error) {
	ctx = monitorContext(ctx, owner)
	p, ok, err := s.dataRange(ctx)
	if err != nil || !ok {
		return nil, 0, err
	}
	key, filter, err := monitorQuery(m)
	if err != nil {
		return nil, 0, err
	}
	cats, err := s.queryCategories(ctx)
	if err != nil {
		return nil, 0, err
	}
	q := &query.Aggregate{Period: p, Granularity: query.Daily, Metrics: []billing.Metric{anomalyMetric},
		Filter: spendOnly(filter), Scope: scope(ctx), Categories: cats}
	if key != nil {
		q.GroupBy = []query.GroupKey{*key}
	}
	rows, err := s.cfg.Store.Aggregate(ctx, q)
	if err != nil {
		return nil, 0, err
	}
	first, last := time.Time{}, time.Time{}
	series := map[string]map[time.Time]float64{}
	for _, r := range rows {
		v := ""
		if key != nil {
			v = r.Keys[0]
			if v == "" && key.Kind != query.KindDimension {
				continue // untagged or uncategorised spend is no series
			}
		}
		if series[v] == nil {
			series[v] = map[time.Time]float64{}
		}
		series[v][r.Bucket] += dollars(r.Values[0])
		if first.IsZero() || r.Bucket.Before(first) {
			first = r.Bucket
		}
		last = maxTime(last, r.Bucket)
	}
	if first.IsZero() {
		return nil, 0, nil
	}
	days := int(last.Sub(first).Hours()/24) + 1
	values := slices.Sorted(maps.Keys(series))
	var out []store.Detected
	for _, v := range values {
		x := make([]float64, days)
		for d, a := range series[v] {
			x[int(d.Sub(first).Hours()/24)] = a
		}
		dim := v
		if key == nil {
			dim = deref(m.MonitorName)
		}
		for _, ep := range anomaly.Detect(first, x, anomaly.Options{}) {
			d, err := s.detected(ctx, owner, m, key, filter, cats, first, dim, v, ep)
			if err != nil {
				return nil, 0, err
			}
			out = append(out, d)
		}
	}
	return out, int32(len(values)), nil
}

// dollars is an amount as a float, for scoring series.
func dollars(v query.Value) float64 {
	if v.Amount == nil {
		return 0
	}
	f, _ := new(big.Rat).SetFrac(v.Amount, big.NewInt(1e10)).Float64()
	return f
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// detected turns an episode of the series of value v into a stored
// anomaly with its root causes.
func (s *Service) detected(ctx context.Context, owner string, m *AnomalyMonitor, key *query.GroupKey, filter query.Expr,
	cats query.Categories, first time.Time, dim, v string, ep anomaly.Episode) (store.Detected, error) {
	arn := deref(m.MonitorArn)
	start, end := first.AddDate(0, 0, ep.Start), first.AddDate(0, 0, ep.End)
	id := notify.MessageID(arn, dim, start.Format("2006-01-02"))
	a := Anomaly{
		AnomalyId:        ptr(id),
		AnomalyStartDate: ptr(start.Format("2006-01-02")),
		AnomalyEndDate:   ptr(end.Format("2006-01-02")),
		DimensionValue:   ptr(dim),
		MonitorArn:       ptr(arn),
		AnomalyScore:     &AnomalyScore{MaxScore: ptr(round2(ep.MaxScore())), CurrentScore: ptr(round2(ep.CurrentScore()))},
		Impact: &Impact{MaxImpact: ptr(round2(ep.MaxImpact())), TotalImpact: ptr(round2(ep.Impact())),
			TotalActualSpend: ptr(round2(ep.Actual())), TotalExpectedSpend: ptr(round2(ep.Expected()))},
	}
	if exp := ep.Expected(); exp > 0 {
		a.Impact.TotalImpactPercentage = ptr(round2(ep.Impact() / exp * 100))
	}
	series := filter
	if key != nil {
		series = &query.Match{Kind: key.Kind, Key: key.Key, Values: []string{v}, Op: query.OpEquals}
		if v == "" {
			series = &query.Match{Kind: key.Kind, Key: key.Key, Op: query.OpAbsent}
		}
	}
	causes, err := s.rootCauses(ctx, series, cats, first.AddDate(0, 0, ep.Start), first.AddDate(0, 0, ep.End+1))
	if err != nil {
		return store.Detected{}, err
	}
	a.RootCauses = causes
	doc, err := json.Marshal(storedAnomaly{Anomaly: a, Series: arn + "\x00" + dim})
	if err != nil {
		return store.Detected{}, err
	}
	return store.Detected{ID: id, Monitor: arn, Account: owner, End: *a.AnomalyEndDate, Doc: doc}, nil
}

// rootCauseKeys are what a root cause names.
var rootCauseKeys = []query.GroupKey{
	{Kind: query.KindDimension, Key: string(billing.DimService)},
	{Kind: query.KindDimension, Key: string(billing.DimLinkedAccount)},
	{Kind: query.KindDimension, Key: string(billing.DimRegion)},
	{Kind: query.KindDimension, Key: string(billing.DimUsageType)},
}

// rootCauses splits an anomaly over [from, to) by service, account, Region
// and usage type: each combination contributes its actual spend in the
// anomaly less its mean daily spend over the baseline weeks before it
// times the anomaly's days. The largest positive contributions come first.
func (s *Service) rootCauses(ctx context.Context, series query.Expr, cats query.Categories, from, to time.Time) ([]RootCause, error) {
	const baseDays = 28
	sum := func(p billing.Period) (map[string]float64, error) {
		rows, err := s.cfg.Store.Aggregate(ctx, &query.Aggregate{Period: p, Granularity: query.Monthly,
			Metrics: []billing.Metric{anomalyMetric}, GroupBy: rootCauseKeys, Filter: spendOnly(series), Scope: scope(ctx), Categories: cats})
		if err != nil {
			return nil, err
		}
		out := map[string]float64{}
		for _, r := range rows {
			k, _ := json.Marshal(r.Keys)
			out[string(k)] += dollars(r.Values[0])
		}
		return out, nil
	}
	actual, err := sum(billing.Period{Start: from, End: to})
	if err != nil {
		return nil, err
	}
	base, err := sum(billing.Period{Start: from.AddDate(0, 0, -baseDays), End: from})
	if err != nil {
		return nil, err
	}
	days := to.Sub(from).Hours() / 24
	type cause struct {
		keys []string
		c    float64
	}
	var list []cause
	for k, a := range actual {
		c := a - base[k]/baseDays*days
		if round2(c) <= 0 {
			continue
		}
		var keys []string
		json.Unmarshal([]byte(k), &keys)
		list = append(list, cause{keys, c})
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].c != list[j].c {
			return list[i].c > list[j].c
		}
		return slices.Compare(list[i].keys, list[j].keys) < 0
	})
	names, err := s.cfg.Store.AccountNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []RootCause
	for _, c := range list[:min(len(list), maxRootCauses)] {
		rc := RootCause{Service: ptr(c.keys[0]), LinkedAccount: ptr(c.keys[1]), Region: ptr(c.keys[2]), UsageType: ptr(c.keys[3]),
			Impact: &RootCauseImpact{Contribution: ptr(round2(c.c))}}
		if n := names[c.keys[1]]; n != "" {
			rc.LinkedAccountName = ptr(n)
		}
		out = append(out, rc)
	}
	return out, nil
}
