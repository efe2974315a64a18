package synth

import "strconv"

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// services lists the catalog plus the pseudo-services of fees: support and
// Savings Plans.
func (o *org) services() []*service { return o.svcList }

// monthLines emits the month-level lines: Reserved Instance and Savings Plan
// fees, credits, a refund, the support fee, EDP discounts and tax.
func (g *monthGen) monthLines() error {
	base := line{start: g.m.start, end: g.m.end, billType: g.o.fees.anniversary}
	if err := g.reservationFees(base); err != nil {
		return err
	}
	if err := g.savingsPlanFees(base); err != nil {
		return err
	}
	if err := g.adjustments(base); err != nil {
		return err
	}
	return g.discountsAndTax(base)
}

// reservationFees emits one RIFee line per Reserved Instance and month, with
// the unused part of the period, and the upfront fee in the month of
// purchase.
func (g *monthGen) reservationFees(base line) error {
	o, m := g.o, g.m
	for i, ri := range o.ris {
		if ri.from < m.end && ri.to > m.start {
			active := float64(min(m.to, ri.to)-max(m.from, ri.from)) / 3600
			if active > 0 {
				total := active * float64(ri.count)
				unused := max(0, total-g.riUsed[i])
				l := base
				l.typ, l.acct, l.sku, l.ri = ltRIFee, ri.acct, ri.sku, ri
				l.usageType, l.op, l.desc = ri.feeUsage, ri.sku.op, ri.feeDesc
				l.amount, l.rate, l.norm = total, ri.recurHr, ri.sku.norm
				l.cost = round10(total * ri.recurHr)
				l.riTotalUnits = total
				l.riUpfrontPeriod = round10(total * ri.upfrontHourly)
				l.riUnusedQuantity = round10(unused)
				l.riUnusedUpfront = round10(unused * ri.upfrontHourly)
				l.riUnusedRecurring = round10(unused * ri.recurHr)
				if err := g.emitLine(&l); err != nil {
					return err
				}
			}
		}
		if ri.from >= m.start && ri.from < m.end && ri.upfront > 0 {
			l := base
			l.typ, l.acct, l.sku, l.ri, l.billType = ltFee, ri.acct, ri.sku, ri, o.fees.purchase
			l.start, l.end = ri.from, ri.from+3600
			l.usageType, l.desc = ri.upfrontUsage, ri.upfrontDesc
			l.amount, l.rate, l.cost = 1, ri.upfront, ri.upfront
			if err := g.emitLine(&l); err != nil {
				return err
			}
		}
	}
	return nil
}

// savingsPlanFees emits the hourly SavingsPlanRecurringFee lines, as real
// exports do: each hour carries the hour's commitment, split into its
// amortised upfront and recurring parts, and what the covered usage of
// that hour used of it. The upfront fee comes in the month of purchase.
func (g *monthGen) savingsPlanFees(base line) error {
	o, m := g.o, g.m
	for i, sp := range o.sps {
		upfront := round10(sp.commit * sp.upfrontShare)
		recurring := round10(sp.commit - upfront)
		for hi := range g.hours {
			h := m.from + int64(hi)*3600
			if h < sp.from || h >= sp.to {
				continue
			}
			l := base
			l.typ, l.acct, l.sku, l.sp = ltSPRecurringFee, sp.acct, o.spSku, sp
			l.start, l.end = h, h+3600
			l.usageType, l.desc = o.spSku.usageType, sp.feeDesc
			l.spTotal, l.spUsed = sp.commit, round10(g.spUsed[hi*len(o.sps)+i])
			l.spUpfront, l.spRecurr = upfront, recurring
			l.amount, l.rate, l.cost = 1, recurring, recurring
			if err := g.emitLine(&l); err != nil {
				return err
			}
		}
		if sp.from >= m.start && sp.from < m.end && sp.upfrontShare > 0 {
			l := base
			l.typ, l.acct, l.sku, l.sp, l.billType = ltSPUpfrontFee, sp.acct, o.spSku, sp, o.fees.purchase
			l.start, l.end = sp.from, sp.from+3600
			l.usageType, l.desc = o.spSku.usageType, sp.upfrontDesc
			up := round10(sp.commit * sp.upfrontShare * 8760)
			l.amount, l.rate, l.cost = 1, up, up
			if err := g.emitLine(&l); err != nil {
				return err
			}
		}
	}
	return nil
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

// discountsAndTax emits one EdpDiscount line per account and product code
// with the sum of the discounts on its lines (negative unblended cost; its
// net cost is zero because the discounted lines' net costs carry it), then
// one tax line per account and product code on the net cost.
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
