package synth

import "strconv"

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func (o *org) acctIndex(a *account) int {
	for i, x := range o.accounts {
		if x == a {
			return i
		}
	}
	return 0
}

// services lists the catalog plus the pseudo-services of fees: support and
// Savings Plans.
func (o *org) services() []*service { return o.svcList }

// monthLines emits the month-level lines: Reserved Instance and Savings Plan
// fees, credits, a refund, the support fee, EDP discounts and tax.
func (g *monthGen) monthLines() error {
	o, m, f := g.o, g.m, &g.o.fees
	end := m.to
	hours := float64(m.to-m.from) / 3600
	base := line{start: m.start, end: m.end, billType: f.anniversary}
	for i, ri := range o.ris {
		if ri.from < m.end && ri.to > m.start {
			active := float64(min(end, ri.to)-max(m.from, ri.from)) / 3600
			if active <= 0 {
				continue
			}
			total := active * float64(ri.count)
			unused := max(0, total-g.riUsed[i])
			l := base
			l.typ, l.acct, l.sku, l.ri = ltRIFee, ri.acct, ri.sku, ri
			l.usageType, l.op, l.desc = ri.feeUsage, ri.sku.op, ri.feeDesc
			l.amount, l.rate = total, ri.recurHr
			l.cost = round10(total * ri.recurHr)
			l.net = l.cost
			l.riTotalUnits = total
			l.riUpfrontPeriod = round10(total * ri.upfrontHourly)
			l.riUnusedQuantity = round10(unused)
			l.riUnusedUpfront = round10(unused * ri.upfrontHourly)
			l.riUnusedRecurring = round10(unused * ri.recurHr)
			if err := g.emitLine(&l); err != nil {
				return err
			}
		}
		if ri.from >= m.start && ri.from < m.end && ri.upfront > 0 {
			l := base
			l.typ, l.acct, l.sku, l.ri, l.billType = ltFee, ri.acct, ri.sku, ri, f.purchase
			l.start, l.end = ri.from, ri.from+3600
			l.usageType, l.desc = ri.upfrontUsage, ri.upfrontDesc
			l.amount, l.rate, l.cost, l.net = 1, ri.upfront, ri.upfront, ri.upfront
			if err := g.emitLine(&l); err != nil {
				return err
			}
		}
	}
	for i, sp := range o.sps {
		if sp.from < m.end && sp.to > m.start {
			active := float64(min(end, sp.to)-max(m.from, sp.from)) / 3600
			if active <= 0 {
				continue
			}
			total := round10(active * sp.commit)
			l := base
			l.typ, l.acct, l.sku, l.sp = ltSPRecurringFee, sp.acct, o.spSku, sp
			l.usageType, l.desc = o.spSku.usageType, sp.feeDesc
			l.spTotal, l.spUsed = total, round10(g.spUsed[i])
			l.spUpfront = round10(total * sp.upfrontShare)
			l.spRecurr = round10(total - l.spUpfront)
			l.amount, l.rate = active, round10(sp.commit*(1-sp.upfrontShare))
			l.cost, l.net = l.spRecurr, l.spRecurr
			if err := g.emitLine(&l); err != nil {
				return err
			}
		}
		if sp.from >= m.start && sp.from < m.end {
			l := base
			l.typ, l.acct, l.sku, l.sp, l.billType = ltSPUpfrontFee, sp.acct, o.spSku, sp, f.purchase
			l.start, l.end = sp.from, sp.from+3600
			l.usageType, l.desc = o.spSku.usageType, sp.upfrontDesc
			up := round10(sp.commit * sp.upfrontShare * 8760)
			l.amount, l.rate, l.cost, l.net = 1, up, up, up
			if err := g.emitLine(&l); err != nil {
				return err
			}
		}
	}
	if err := g.adjustments(base); err != nil {
		return err
	}
	_ = hours
	return g.discountsAndTax(base)
}

// adjustments emits credits in the second to fourth month, a refund in the
// sixth and the support fee every month.
func (g *monthGen) adjustments(base line) error {
	o, m, f := g.o, g.m, &g.o.fees
	if m.index >= 1 && m.index <= 3 && len(o.accounts) > 2 {
		a := 2
		for s := range o.svcList[:3] {
			c := fromMoney(g.cost[a][s])
			if c <= 0 {
				continue
			}
			l := base
			l.typ, l.acct, l.sku, l.desc = ltCredit, o.accounts[a], o.svcSkus[s], f.creditDesc
			l.cost = -round10(min(500, c*0.5))
			l.net = l.cost
			if err := g.emitLine(&l); err != nil {
				return err
			}
		}
	}
	if m.index == 5 {
		l := base
		l.typ, l.acct, l.sku, l.desc, l.billType = ltRefund, o.accounts[1], o.svcSkus[1], f.refundDesc, f.refund
		l.cost, l.net = -25, -25
		if err := g.emitLine(&l); err != nil {
			return err
		}
	}
	var total int64
	for a := range g.cost {
		for _, c := range g.cost[a] {
			total += c
		}
	}
	l := base
	l.typ, l.acct, l.sku, l.desc = ltFee, o.payer, o.supportSku, f.supportDesc
	l.usageType = f.dollar
	l.cost = round10(max(100, fromMoney(total)*0.1))
	l.net, l.amount, l.rate = l.cost, l.cost, 1
	return g.emitLine(&l)
}

// discountsAndTax emits one EDP discount line and one tax line per account
// and product code.
func (g *monthGen) discountsAndTax(base line) error {
	o, f := g.o, &g.o.fees
	for a, acct := range o.accounts {
		for s := range o.svcList {
			if d := g.edp[a][s]; d != 0 {
				l := base
				l.typ, l.acct, l.sku, l.desc = ltEdpDiscount, acct, o.svcSkus[s], o.edpDesc
				l.cost, l.discount = fromMoney(d), fromMoney(d)
				if err := g.emitLine(&l); err != nil {
					return err
				}
			}
		}
	}
	for a, acct := range o.accounts {
		for s := range o.svcList {
			c := fromMoney(g.cost[a][s])
			if c <= 0 {
				continue
			}
			l := base
			l.typ, l.acct, l.sku, l.desc, l.taxType = ltTax, acct, o.svcSkus[s], o.taxDesc[s], f.taxType
			l.amount = 1
			l.cost = round10(c * taxRate)
			l.net = l.cost
			if err := g.emit(&l); err != nil {
				return err
			}
		}
	}
	return nil
}
