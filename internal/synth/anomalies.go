package synth

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Labelled anomalies (Config.Anomalies). They change the usage of chosen
// resources, so the bill carries them as real spend, and anomalies.csv
// beside the bill says where they are and what they cost:
//
//   - spike: one (account, service) bills 3 to 5 times its usage for one
//     or two days;
//   - level_shift: one (account, service) bills 1.8 times its usage from a
//     day to the end of the data;
//   - new_service: a service bills nothing before a day (its first week
//     is labelled);
//   - runaway_account: an account's usage grows by a quarter of its level
//     each day for ten days, then returns to normal.
//
// impact_usd is the unblended cost the anomaly added over the labelled
// days. Only resources billed at list price without commitments are
// changed (no auto scaling fleets, nothing a Savings Plan covers, nothing
// billed monthly), so that the added cost is exactly the cost of the added
// usage. When anomalies are on, the organisation's own unlabelled changes
// are left out — its spike days, resources created during the data and
// commitments bought during it — so that the labels are all the anomalies
// in the bill.

// label is one injected anomaly.
type label struct {
	kind     string
	acct     *account // nil: every account
	svc      int      // service index; -1: every service
	from, to int64    // the changed usage, [from, to), unix seconds
	end      int64    // the last labelled day
	factor   float64  // usage multiplier (growth per day for runaway_account)
}

// eligible reports whether labels may change res.
func eligible(res *resource) bool {
	return res.sku.off.prof != fleet && res.sku.off.prof != batch && !res.sku.computeSP && res.sku.off.cad != monthly && res.sku.svc.code != "AmazonEC2"
}

const day = 86400

// buildLabels chooses the anomalies from their own generator, so the rest
// of the organisation is the same with or without them.
func (o *org) buildLabels() {
	r := &rng{s: uint64(o.cfg.Seed) ^ 0xa5a5_0f0f_1234_5678}
	start, stop := o.cfg.Start.Unix(), o.cfg.End.Unix()
	first := start - start%day + 42*day // six weeks of history first
	lastDay := (stop - 1) - (stop-1)%day
	if lastDay-first < 28*day {
		return
	}
	// The (account, service) pairs with the most daily spend from
	// resources that live through the whole data are the candidates, so
	// that the anomalies are material.
	type pair struct{ acct, svc int }
	spend := map[pair]float64{}
	for _, res := range o.resources {
		if eligible(res) && res.from <= start && res.to == 1<<63-1 {
			perDay := res.base * res.sku.rate
			if res.sku.off.cad == hourly {
				perDay *= 24
			}
			spend[pair{res.acct.idx, res.sku.svcIndex}] += perDay
		}
	}
	var pairs []pair
	for p := range spend {
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, func(a, b pair) int {
		if spend[a] != spend[b] {
			return cmp.Compare(spend[b], spend[a])
		}
		return (a.acct*1000 + a.svc) - (b.acct*1000 + b.svc)
	})
	pairs = pairs[:min(len(pairs), 12)]
	usedSvc := map[int]bool{}
	takePair := func() (pair, bool) {
		for range 100 {
			p := pairs[r.intn(len(pairs))]
			if !usedSvc[p.svc] {
				usedSvc[p.svc] = true
				return p, true
			}
		}
		return pair{}, false
	}
	span := int((lastDay - first) / day)
	dayAt := func(lo, hi float64) int64 { return first + int64(lo*float64(span)+r.float()*(hi-lo)*float64(span))*day }
	if len(pairs) == 0 {
		return
	}
	for i, f := range []float64{5, 3, 4, 3.5} {
		p, ok := takePair()
		if !ok {
			break
		}
		from := dayAt(float64(i)*0.2, float64(i)*0.2+0.15)
		days := int64(1 + i%2)
		o.labels = append(o.labels, &label{kind: "spike", acct: o.accounts[p.acct], svc: p.svc, from: from, to: from + days*day,
			end: from + (days-1)*day, factor: f})
	}
	if p, ok := takePair(); ok {
		from := dayAt(0.85, 0.9)
		o.labels = append(o.labels, &label{kind: "level_shift", acct: o.accounts[p.acct], svc: p.svc, from: from, to: stop,
			end: lastDay, factor: 1.8})
	}
	if p, ok := takePair(); ok {
		from := dayAt(0.45, 0.55)
		o.labels = append(o.labels, &label{kind: "new_service", svc: p.svc, from: from, to: from + 7*day, end: from + 6*day})
	}
	acct := o.accounts[1+r.intn(len(o.accounts)-1)]
	from := dayAt(0.65, 0.75)
	o.labels = append(o.labels, &label{kind: "runaway_account", acct: acct, svc: -1, from: from, to: from + 10*day,
		end: from + 9*day, factor: 0.25})
	o.spikes = nil
	// Nor does it carry unlabelled new recurring charges: the commitments
	// run from the start of the data.
	for _, ri := range o.ris {
		ri.from = min(ri.from, start)
	}
	for _, sp := range o.sps {
		sp.from = min(sp.from, start)
	}
}

// labelFactor returns the usage multiplier of res in the hour (or day)
// starting at h, and the index of the label that sets it (-1 for none).
func (o *org) labelFactor(res *resource, h int64) (float64, int) {
	if len(o.labels) == 0 || !eligible(res) {
		return 1, -1
	}
	for i, l := range o.labels {
		if l.svc >= 0 && l.svc != res.sku.svcIndex || l.acct != nil && l.acct != res.acct {
			continue
		}
		switch l.kind {
		case "new_service":
			if h < l.from {
				return 0, i
			}
			if h < l.to {
				return 1, i
			}
		case "runaway_account":
			if h >= l.from && h < l.to {
				return 1 + l.factor*float64((h-l.from)/day+1), i
			}
		default:
			if h >= l.from && h < l.to {
				return l.factor, i
			}
		}
	}
	return 1, -1
}

// addedCost returns the cost a label added to a line of cost c billed with
// factor f.
func addedCost(l *label, f, c float64) float64 {
	if l.kind == "new_service" {
		return c
	}
	return c * (1 - 1/f)
}

// writeLabels writes anomalies.csv into the export folder.
func (o *org) writeLabels(impact []int64) error {
	var b strings.Builder
	b.WriteString("start_date,end_date,service,account,impact_usd\n")
	for i, l := range o.labels {
		svc, acct := "", ""
		if l.svc >= 0 {
			svc = o.svcList[l.svc].name
		}
		if l.acct != nil {
			acct = l.acct.idStr
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,%.2f\n", unixUTC(l.from).Format("2006-01-02"), unixUTC(l.end).Format("2006-01-02"),
			csvField(svc), acct, fromMoney(impact[i]))
	}
	return os.WriteFile(filepath.Join(o.cfg.Out, "anomalies.csv"), []byte(b.String()), 0o644)
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}
