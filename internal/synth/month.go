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
	edpRate   = 0.05 // Enterprise Discount Program discount on usage
	taxRate   = 0.06
	microUSD  = 1e10 // aggregates are kept in 1e-10 USD to be exact
	growthPct = 0.03 // monthly usage growth
)

// monthGen accumulates what the month-level lines need.
type monthGen struct {
	o      *org
	m      *monthPlan
	emit   func(*line) error
	l      line
	cost   [][]int64 // [account][service] net cost
	gross  [][]int64 // [account][service] gross on-demand cost of Usage lines
	edp    [][]int64
	riUsed []float64
	spUsed []float64
}

// generateMonth emits every line of one billing period in a fixed order:
// hourly usage first, then the month's fees, credits, discounts and tax.
func (o *org) generateMonth(m *monthPlan, emit func(*line) error) error {
	g := &monthGen{o: o, m: m, emit: emit, riUsed: make([]float64, len(o.ris)), spUsed: make([]float64, len(o.sps))}
	n := len(o.services())
	for range o.accounts {
		g.cost = append(g.cost, make([]int64, n))
		g.gross = append(g.gross, make([]int64, n))
		g.edp = append(g.edp, make([]int64, n))
	}
	riLeft := make([]int, len(o.ris))
	spLeft := make([]float64, len(o.sps))
	for h := m.from; h < m.to; h += 3600 {
		for i, ri := range o.ris {
			riLeft[i] = 0
			if h >= ri.from && h < ri.to {
				riLeft[i] = ri.count
			}
		}
		for i, sp := range o.sps {
			spLeft[i] = 0
			if h >= sp.from && h < sp.to {
				spLeft[i] = sp.commit
			}
		}
		for _, res := range o.resources {
			if err := g.usage(res, h, riLeft, spLeft); err != nil {
				return err
			}
		}
	}
	return g.monthLines()
}

// usage emits the lines of one resource for the hour starting at h.
func (g *monthGen) usage(res *resource, h int64, riLeft []int, spLeft []float64) error {
	if h < res.from || h >= res.to {
		return nil
	}
	off := res.sku.off
	start, end, mult := h, h+3600, 1.0
	switch {
	case off.cad == monthly:
		if h != g.m.from {
			return nil
		}
		start, end = g.m.start, g.m.end
	case off.cad == daily || res.size < 0:
		if (h-g.m.from)%86400 != 0 {
			return nil
		}
		end = min(h+86400, g.m.end)
		if off.cad == hourly {
			mult = 24
		}
	}
	amount := g.amount(res, h)
	if amount <= 0 {
		return nil
	}
	amount = round10(amount * mult)
	l := &g.l
	*l = line{typ: ltUsage, start: start, end: end, acct: res.acct, res: res, sku: res.sku, usageType: res.sku.usageType,
		op: res.sku.op, desc: res.sku.desc, az: res.az, billType: g.o.fees.anniversary, amount: amount, rate: res.sku.rate,
		odRate: res.sku.rate, norm: res.sku.norm}
	l.odCost = round10(amount * res.sku.rate)
	l.cost = l.odCost
	if off.prof == fleet && res.size > 0 {
		for i, ri := range g.o.ris {
			if riLeft[i] > 0 && ri.sku == res.sku {
				riLeft[i]--
				g.riUsed[i] += amount
				return g.emitLine(g.discounted(l, ri))
			}
		}
	}
	if res.sku.computeSP {
		for i, sp := range g.o.sps {
			spCost := round10(l.odCost * (1 - sp.discount))
			if spLeft[i] >= spCost && spCost > 0 {
				spLeft[i] -= spCost
				g.spUsed[i] += spCost
				return g.covered(l, sp, spCost)
			}
		}
	}
	l.net = round10(l.cost * (1 - edpRate))
	a, s := g.o.acctIndex(l.acct), res.sku.svcIndex
	g.gross[a][s] += money(l.cost)
	g.edp[a][s] += money(l.net) - money(l.cost)
	return g.emitLine(l)
}

// amount shapes a resource's base usage by weekly seasonality, time of day,
// growth, spikes and noise. Fleet instances run (amount 1) while the group's
// capacity reaches them.
func (g *monthGen) amount(res *resource, h int64) float64 {
	t := time.Unix(h, 0).UTC()
	load := 1.0
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		load = 0.55
	}
	hod := float64(t.Hour())
	load *= 0.75 + 0.25*math.Sin((hod-9)/24*2*math.Pi)
	spike := 1.0
	for _, d := range g.o.spikes {
		if h >= d && h < d+86400 {
			spike = 3.5
		}
	}
	noise := 0.85 + 0.3*unit(hash2(res.seed, uint64(h)))
	growth := 1 + growthPct*float64(g.m.index)
	switch res.sku.off.prof {
	case fleet:
		if res.size <= 0 {
			return res.base
		}
		capacity := math.Ceil(float64(res.size) * min(1, load*min(spike, 1.6)*growth*0.9))
		if res.slot > 0 && float64(res.slot) >= capacity {
			return 0
		}
		return 1
	case flat:
		return res.base * growth * (0.97 + 0.06*unit(hash2(res.seed, uint64(h/86400))))
	case batch:
		if t.Hour() < 1 || t.Hour() > 4 {
			return 0
		}
		return res.base * growth * noise
	case bursty:
		return res.base * growth * load * spike * noise
	}
	return res.base * growth * load * min(spike, 1.5) * noise
}

func money(x float64) int64 { return int64(math.Round(x * microUSD)) }

func fromMoney(v int64) float64 { return float64(v) / microUSD }

func (g *monthGen) emitLine(l *line) error {
	if l.typ != ltEdpDiscount && l.typ != ltSPNegation && l.typ != ltSPCovered {
		a := g.o.acctIndex(l.acct)
		if l.sku != nil {
			g.cost[a][l.sku.svcIndex] += money(l.net)
		}
	}
	return g.emit(l)
}

// discounted turns an on-demand instance hour into Reserved Instance usage.
func (g *monthGen) discounted(l *line, ri *reservation) *line {
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
