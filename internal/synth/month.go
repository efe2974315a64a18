package synth

import (
	"math"
	"time"
)

// monthPlan is one billing period to generate.
type monthPlan struct {
	index      int   // months since the first generated month
	start, end int64 // billing period, unix seconds
	from, to   int64 // usage window inside it
	closed     bool  // final: carries an invoice id
	invoice    sym
	seed       uint64
}

// planMonths splits [Start, End) into billing periods.
func (o *org) planMonths() []*monthPlan {
	var ms []*monthPlan
	now := monthStart(o.cfg.Now)
	for m, i := monthStart(o.cfg.Start), 0; m.Before(o.cfg.End); m, i = m.AddDate(0, 1, 0), i+1 {
		next := m.AddDate(0, 1, 0)
		p := &monthPlan{index: i, start: m.Unix(), end: next.Unix(),
			from: max(m.Unix(), o.cfg.Start.Unix()), to: min(next.Unix(), o.cfg.End.Unix()),
			closed: !next.After(now), seed: hash2(uint64(o.cfg.Seed), uint64(m.Unix()))}
		if p.closed {
			p.invoice = o.syms.intern(itoa(int64(p.seed%8_000_000_000 + 1_000_000_000)))
		}
		ms = append(ms, p)
	}
	return ms
}

const (
	edpRate   = 0.05 // Enterprise Discount Program discount
	taxRate   = 0.06
	microUSD  = 1e10 // aggregates are kept in 1e-10 USD to be exact
	growthPct = 0.03 // monthly usage growth
)

// monthGen generates one billing period. Lines come out resource by
// resource, each resource's hours in order, then the month-level lines. The
// Reserved Instances and Savings Plans are shared per hour in the fixed
// order of the resources, so which line a commitment covers does not
// depend on the output order.
type monthGen struct {
	o     *org
	m     *monthPlan
	emit  func(*line) error
	l     line
	hours int

	// Per hour of the window: the usage shape and what the commitments
	// have left, [hour*len(ris)+i] and [hour*len(sps)+i].
	load, spike []float64
	hod         []uint8
	riLeft      []int32
	spLeft      []float64
	spUsed      []float64
	riUsed      []float64
	growth      float64

	cost [][]int64 // [account][service] net cost, the base of tax
	edp  [][]int64 // [account][service] EDP discount
}

// generateMonth emits every line of one billing period.
func (o *org) generateMonth(m *monthPlan, emit func(*line) error) error {
	g := &monthGen{o: o, m: m, emit: emit, hours: int((m.to - m.from) / 3600),
		growth: 1 + growthPct*float64(m.index), riUsed: make([]float64, len(o.ris))}
	n := len(o.services())
	for range o.accounts {
		g.cost = append(g.cost, make([]int64, n))
		g.edp = append(g.edp, make([]int64, n))
	}
	g.planHours()
	for _, res := range o.resources {
		if err := g.resource(res); err != nil {
			return err
		}
	}
	return g.monthLines()
}

// planHours precomputes the load of every hour and the commitments
// available in it.
func (g *monthGen) planHours() {
	o, n := g.o, g.hours
	g.load, g.spike, g.hod = make([]float64, n), make([]float64, n), make([]uint8, n)
	g.riLeft = make([]int32, n*len(o.ris))
	g.spLeft = make([]float64, n*len(o.sps))
	g.spUsed = make([]float64, n*len(o.sps))
	for hi := range n {
		h := g.m.from + int64(hi)*3600
		t := time.Unix(h, 0).UTC()
		load := 1.0
		if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
			load = 0.55
		}
		g.hod[hi] = uint8(t.Hour())
		g.load[hi] = load * (0.75 + 0.25*math.Sin((float64(t.Hour())-9)/24*2*math.Pi))
		g.spike[hi] = 1
		for _, d := range o.spikes {
			if h >= d && h < d+86400 {
				g.spike[hi] = 3.5
			}
		}
		for i, ri := range o.ris {
			if h >= ri.from && h < ri.to {
				g.riLeft[hi*len(o.ris)+i] = int32(ri.count)
			}
		}
		for i, sp := range o.sps {
			if h >= sp.from && h < sp.to {
				g.spLeft[hi*len(o.sps)+i] = sp.commit
			}
		}
	}
}

// resource emits the lines of one resource for the whole window.
func (g *monthGen) resource(res *resource) error {
	m := g.m
	from, to := max(m.from, res.from), min(m.to, res.to)
	if from >= to {
		return nil
	}
	off := res.sku.off
	switch {
	case off.cad == monthly:
		if res.from > m.from {
			return nil
		}
		return g.usage(res, m.from, 0, m.start, m.end, 1)
	case off.cad == daily || res.size < 0:
		mult := 1.0
		if off.cad == hourly {
			mult = 24
		}
		for h := m.from; h < to; h += 86400 {
			if h < from {
				continue
			}
			if err := g.usage(res, h, int((h-m.from)/3600), h, min(h+86400, m.end), mult); err != nil {
				return err
			}
		}
		return nil
	}
	// Hourly resources start on the hour.
	first := from + (3600-(from-m.from)%3600)%3600
	for h := first; h < to; h += 3600 {
		if err := g.usage(res, h, int((h-m.from)/3600), h, h+3600, 1); err != nil {
			return err
		}
	}
	return nil
}

// usage emits the line of one resource for the period starting at hour h
// (index hi in the window).
func (g *monthGen) usage(res *resource, h int64, hi int, start, end int64, mult float64) error {
	amount := g.amount(res, h, hi)
	if amount <= 0 {
		return nil
	}
	amount = round10(amount * mult)
	s := res.sku
	l := &g.l
	*l = line{typ: ltUsage, start: start, end: end, acct: res.acct, res: res, sku: s, usageType: s.usageType,
		op: s.op, desc: s.desc, az: res.az, billType: g.o.fees.anniversary, amount: amount, rate: s.rate,
		odRate: s.rate, norm: s.norm}
	l.odCost = round10(amount * s.rate)
	l.cost = l.odCost
	o := g.o
	if s.off.prof == fleet && res.size > 0 {
		left := g.riLeft[hi*len(o.ris) : (hi+1)*len(o.ris)]
		for i, ri := range o.ris {
			if left[i] > 0 && ri.sku == s {
				left[i]--
				g.riUsed[i] += amount
				return g.emitLine(g.discountedUsage(l, ri))
			}
		}
	}
	if s.computeSP {
		left := g.spLeft[hi*len(o.sps) : (hi+1)*len(o.sps)]
		for i, sp := range o.sps {
			spCost := round10(l.odCost * (1 - sp.discount))
			if left[i] >= spCost && spCost > 0 && sp.covers(s) {
				left[i] -= spCost
				g.spUsed[hi*len(o.sps)+i] += spCost
				return g.covered(l, sp, spCost)
			}
		}
	}
	return g.emitLine(l)
}

// amount shapes a resource's base usage by weekly seasonality, time of day,
// growth, spikes and noise. Fleet instances run (amount 1) while the group's
// capacity reaches them.
func (g *monthGen) amount(res *resource, h int64, hi int) float64 {
	load, spike := g.load[hi], g.spike[hi]
	switch res.sku.off.prof {
	case fleet:
		if res.size <= 0 {
			return res.base
		}
		capacity := math.Ceil(float64(res.size) * min(1, load*min(spike, 1.6)*g.growth*0.9))
		if res.slot > 0 && float64(res.slot) >= capacity {
			return 0
		}
		return 1
	case flat:
		return res.base * g.growth * (0.97 + 0.06*unit(hash2(res.seed, uint64(h/86400))))
	}
	noise := 0.85 + 0.3*unit(hash2(res.seed, uint64(h)))
	switch res.sku.off.prof {
	case batch:
		if hod := g.hod[hi]; hod < 1 || hod > 4 {
			return 0
		}
		return res.base * g.growth * noise
	case bursty:
		return res.base * g.growth * load * spike * noise
	}
	return res.base * g.growth * load * min(spike, 1.5) * noise
}

func money(x float64) int64 { return int64(math.Round(x * microUSD)) }

func fromMoney(v int64) float64 { return float64(v) / microUSD }

// emitLine applies the EDP discount to a discounted line, books its net
// cost for tax and hands it to the writer.
func (g *monthGen) emitLine(l *line) error {
	if l.typ == ltEdpDiscount || l.typ == ltSPNegation || l.typ == ltSPCovered || l.sku == nil {
		return g.emit(l)
	}
	a, s := l.acct.idx, l.sku.svcIndex
	if discounted(l) {
		l.net = round10(l.cost * edpKeep)
		d := money(l.net) - money(l.cost)
		l.discount = fromMoney(d)
		g.edp[a][s] += d
	}
	g.cost[a][s] += money(l.net)
	return g.emit(l)
}

// discountedUsage turns an on-demand instance hour into Reserved Instance
// usage.
func (g *monthGen) discountedUsage(l *line, ri *reservation) *line {
	l.typ = ltDiscountedUsage
	l.ri = ri
	l.rate, l.cost, l.net = 0, 0, 0
	l.riUpfrontForUsage = round10(ri.upfrontHourly * l.amount)
	l.riRecurringForUsage = round10(ri.recurHr * l.amount)
	l.riEffective = round10(l.riUpfrontForUsage + l.riRecurringForUsage)
	l.desc = ri.usageDesc
	return l
}

// covered emits a Savings Plan covered hour and its negation.
func (g *monthGen) covered(l *line, sp *savingsPlan, spCost float64) error {
	l.typ, l.sp = ltSPCovered, sp
	l.net = l.cost
	l.spEffective = spCost
	l.spRate = round10(l.rate * (1 - sp.discount))
	if err := g.emitLine(l); err != nil {
		return err
	}
	l.typ = ltSPNegation
	l.cost, l.net = -l.cost, -l.cost
	l.rate = -l.rate
	l.desc = sp.negationDesc
	return g.emitLine(l)
}
