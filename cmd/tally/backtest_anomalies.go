package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/anomaly"
	"github.com/tallyhq/tally/internal/app"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/costexplorer"
	"github.com/tallyhq/tally/internal/profile"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/synth"
)

// minImpact is the impact at which the anomaly backtest counts: labels and
// detections below it are left out, as an alert threshold would.
const minImpact = 100

// found is one anomaly a detector reported: on a SERVICE or LINKED_ACCOUNT
// series, its days and impact.
type found struct {
	dim, value string
	start, end time.Time
	impact     float64
	cause      [2]string // service and account of the top root cause
}

// truth is one labelled anomaly of anomalies.csv.
type truth struct {
	start, end       time.Time
	service, account string
	impact           float64
}

// tally of one detector over labelled data.
type tally struct {
	tp, fp, labels, recalled int
	delays                   []int
	causeRight, causeAsked   int
	found                    int
}

// backtestAnomalies runs anomaly detection on synthetic organisations with
// labelled anomalies (one per seed) and on real billing files, next to a
// rolling z-score baseline, and returns the Markdown tables.
func backtestAnomalies(ctx context.Context, tmp string, seeds []int64, rows int64, samples string) (string, error) {
	now := time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)
	var model, base tally
	for _, seed := range seeds {
		out := filepath.Join(tmp, fmt.Sprintf("anomalies-%d", seed))
		exports := filepath.Join(out, "exports")
		if _, err := synth.Generate(ctx, synth.Config{Out: exports, Format: synth.FormatCUR2, Seed: seed, Rows: rows,
			Months: 6, Now: now, Anomalies: true}); err != nil {
			return "", err
		}
		labels, err := readLabels(filepath.Join(exports, "anomalies.csv"))
		if err != nil {
			return "", err
		}
		m, b, err := detectBoth(ctx, filepath.Join(out, "data"), exports, now)
		if err != nil {
			return "", err
		}
		score(&model, m, labels, true)
		score(&base, b, labels, false)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "### Anomalies: synthetic organisations with labelled anomalies (%d seeds, %d rows, 6 months each)\n\n", len(seeds), rows)
	fmt.Fprintf(&sb, "Counted at impact >= $%d: labels %d. Monitors: SERVICE and LINKED_ACCOUNT; UnblendedCost. "+
		"A detection is true when a label on its series overlaps it; a label is recalled when such a detection exists. "+
		"Both detectors score a day only from the days before it, so a detection is known the day its first anomalous day is ingested; "+
		"the delay column is the days from a label's start to that first anomalous day.\n\n", minImpact, model.labels)
	sb.WriteString("| detector | detections | true | false | precision | recall | days start to detection (mean / max) | top root cause right |\n|---|---:|---:|---:|---:|---:|---|---:|\n")
	for _, r := range []struct {
		name string
		t    tally
	}{{"Tally (seasonal median/MAD, level shifts)", model}, {"rolling z-score (28 days, z >= 3)", base}} {
		causes := "n/a"
		if r.t.causeAsked > 0 {
			causes = fmt.Sprintf("%d/%d", r.t.causeRight, r.t.causeAsked)
		}
		fmt.Fprintf(&sb, "| %s | %d | %d | %d | %.2f | %.2f | %s | %s |\n", r.name, r.t.found, r.t.tp, r.t.fp,
			ratio(r.t.tp, r.t.tp+r.t.fp), ratio(r.t.recalled, r.t.labels), delays(r.t.delays), causes)
	}
	if samples != "" {
		m, b, err := detectBoth(ctx, filepath.Join(tmp, "anomalies-samples"), samples, time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&sb, "\n### Anomalies: Workshop CUR (Oct-Dec 2018), no labels\n\n| detector | detections >= $%d |\n|---|---:|\n", minImpact)
		fmt.Fprintf(&sb, "| Tally | %d |\n| rolling z-score | %d |\n", countOver(m), countOver(b))
		for _, f := range m {
			if f.impact >= minImpact {
				fmt.Fprintf(&sb, "\n- Tally: %s %q %s to %s, impact $%.2f", f.dim, f.value, f.start.Format(time.DateOnly), f.end.Format(time.DateOnly), f.impact)
			}
		}
		sb.WriteString("\n")
	}
	return sb.String(), nil
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func delays(d []int) string {
	if len(d) == 0 {
		return "n/a"
	}
	sum := 0
	for _, v := range d {
		sum += v
	}
	within := 0
	for _, v := range d {
		if v <= 1 {
			within++
		}
	}
	return fmt.Sprintf("%.2f / %d (%d of %d within 1 day)", float64(sum)/float64(len(d)), slices.Max(d), within, len(d))
}

func countOver(fs []found) int {
	n := 0
	for _, f := range fs {
		if f.impact >= minImpact {
			n++
		}
	}
	return n
}

func readLabels(path string) ([]truth, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var out []truth
	for _, r := range recs[1:] {
		s, _ := time.Parse(time.DateOnly, r[0])
		e, _ := time.Parse(time.DateOnly, r[1])
		imp, err := strconv.ParseFloat(r[4], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, truth{start: s, end: e, service: r[2], account: r[3], impact: imp})
	}
	return out, nil
}

// explains reports whether a label is on the series of a detection and
// overlaps it in time: a SERVICE series of its service, or a
// LINKED_ACCOUNT series of its account (a label that names no service or no
// account explains every series of that kind).
func explains(l truth, f found) bool {
	if f.start.After(l.end) || f.end.Before(l.start) {
		return false
	}
	if f.dim == "SERVICE" {
		return l.service == "" || l.service == f.value
	}
	return l.account == "" || l.account == f.value
}

func score(t *tally, fs []found, labels []truth, causes bool) {
	for _, f := range fs {
		if f.impact < minImpact {
			continue
		}
		t.found++
		i := slices.IndexFunc(labels, func(l truth) bool { return explains(l, f) })
		if i < 0 {
			t.fp++
			continue
		}
		t.tp++
		if causes {
			l := labels[i]
			t.causeAsked++
			if (l.service == "" || l.service == f.cause[0]) && (l.account == "" || l.account == f.cause[1]) {
				t.causeRight++
			}
		}
	}
	for _, l := range labels {
		if l.impact < minImpact {
			continue
		}
		t.labels++
		best := -1
		for _, f := range fs {
			if f.impact < minImpact || !explains(l, f) {
				continue
			}
			if l.service != "" && l.account != "" && f.dim == "SERVICE" && f.value != l.service {
				continue
			}
			d := max(0, int(f.start.Sub(l.start).Hours()/24))
			if best < 0 || d < best {
				best = d
			}
		}
		if best >= 0 {
			t.recalled++
			t.delays = append(t.delays, best)
		}
	}
}

// detectBoth ingests paths into a store in dir, runs Tally's SERVICE and
// LINKED_ACCOUNT monitors through the Cost Explorer operations and the
// baseline over the same daily series, and returns both detectors' finds.
func detectBoth(ctx context.Context, dir, path string, now time.Time) (model, base []found, err error) {
	a, err := app.Open(ctx, app.Config{Data: dir, Profile: profile.Unlimited, Now: func() time.Time { return now }})
	if err != nil {
		return nil, nil, err
	}
	defer a.Close()
	if _, err := a.Ingest(ctx, []string{path}); err != nil {
		return nil, nil, err
	}
	ctx = auth.WithCaller(ctx, auth.Account{All: true})
	ce := a.CostExplorer
	for _, dim := range []costexplorer.MonitorDimension{costexplorer.MonitorDimensionService, costexplorer.MonitorDimensionLinkedAccount} {
		mon, err := ce.CreateAnomalyMonitor(ctx, &costexplorer.CreateAnomalyMonitorRequest{AnomalyMonitor: &costexplorer.AnomalyMonitor{
			MonitorName: ptrTo(string(dim)), MonitorType: ptrTo(costexplorer.MonitorTypeDimensional), MonitorDimension: ptrTo(dim)}})
		if err != nil {
			return nil, nil, err
		}
		var token *string
		for {
			out, err := ce.GetAnomalies(ctx, &costexplorer.GetAnomaliesRequest{MonitorArn: mon.MonitorArn,
				DateInterval: &costexplorer.AnomalyDateInterval{StartDate: ptrTo("2000-01-01")}, NextPageToken: token})
			if err != nil {
				return nil, nil, err
			}
			for _, an := range out.Anomalies {
				s, _ := time.Parse(time.DateOnly, *an.AnomalyStartDate)
				e, _ := time.Parse(time.DateOnly, *an.AnomalyEndDate)
				f := found{dim: string(dim), value: *an.DimensionValue, start: s, end: e, impact: *an.Impact.TotalImpact}
				if len(an.RootCauses) > 0 {
					f.cause = [2]string{*an.RootCauses[0].Service, *an.RootCauses[0].LinkedAccount}
				}
				model = append(model, f)
			}
			if token = out.NextPageToken; token == nil {
				break
			}
		}
		series, first, err := dailySeries(ctx, a, billing.Dimension(dim))
		if err != nil {
			return nil, nil, err
		}
		for v, x := range series {
			for _, ep := range anomaly.ZScore(x, anomaly.Options{}) {
				base = append(base, found{dim: string(dim), value: v, start: first.AddDate(0, 0, ep.Start),
					end: first.AddDate(0, 0, ep.End), impact: ep.Impact()})
			}
		}
	}
	return model, base, nil
}

// dailySeries returns the daily UnblendedCost of every value of a
// dimension from the rollups, from the first day with data.
func dailySeries(ctx context.Context, a *app.App, dim billing.Dimension) (map[string][]float64, time.Time, error) {
	rows, err := a.Store.Aggregate(ctx, &query.Aggregate{Period: billing.Period{Start: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		End: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}, Granularity: query.Daily, Metrics: []billing.Metric{billing.UnblendedCost},
		GroupBy: []query.GroupKey{{Kind: query.KindDimension, Key: string(dim)}},
		// The same spend as Tally's monitors: no credits or refunds.
		Filter: query.Not{X: &query.Match{Kind: query.KindDimension, Key: "RECORD_TYPE", Values: []string{"Credit", "Refund"}}}})
	if err != nil || len(rows) == 0 {
		return nil, time.Time{}, err
	}
	first, last := rows[0].Bucket, rows[len(rows)-1].Bucket
	days := int(last.Sub(first).Hours()/24) + 1
	out := map[string][]float64{}
	for _, r := range rows {
		x := out[r.Keys[0]]
		if x == nil {
			x = make([]float64, days)
			out[r.Keys[0]] = x
		}
		f, _ := strconv.ParseFloat(r.Values[0].String(), 64)
		x[int(r.Bucket.Sub(first).Hours()/24)] += f
	}
	return out, first, nil
}
