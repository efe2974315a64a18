package synth

import (
	"strconv"
	"time"
)

// reservation is a Reserved Instance purchase: count instances of one sku.
type reservation struct {
	sku                                                     *sku
	acct                                                    *account
	arn, subscription                                       sym
	count                                                   int
	from, to                                                int64
	upfrontHourly, recurHr                                  float64 // per instance-hour
	upfront                                                 float64
	option, class, lease                                    sym
	startStr, endStr                                        sym
	usageDesc, feeUsage, feeDesc, upfrontUsage, upfrontDesc sym
	normUnits, countStr                                     sym
}

// savingsPlan is a Compute or EC2 Instance Savings Plan with an hourly
// commitment. An EC2 Instance Savings Plan (family set) covers only
// instances of one family in one Region.
type savingsPlan struct {
	family, region                     sym
	acct                               *account
	arn                                sym
	commit                             float64 // USD per hour
	upfrontShare                       float64
	discount                           float64 // off on-demand rates
	from, to                           int64
	offering, payment                  sym
	term                               sym
	startStr, endStr                   sym
	negationDesc, feeDesc, upfrontDesc sym
}

// feeSyms holds the strings of lines that are not usage.
type feeSyms struct {
	anniversary, purchase, refund, invoicing, legal, billing, usd sym
	onDemand, reserved, spTerm, taxType                           sym
	supportCode, supportName, dollar, supportDesc                 sym
	spCode, spName                                                sym
	creditDesc, refundDesc                                        sym
}

func newFeeSyms(t *symtab) feeSyms {
	return feeSyms{
		anniversary: t.intern("Anniversary"), purchase: t.intern("Purchase"), refund: t.intern("Refund"),
		invoicing: t.intern("Amazon Web Services, Inc."), legal: t.intern("Amazon Web Services, Inc."),
		billing: t.intern("AWS"), usd: t.intern("USD"), onDemand: t.intern("OnDemand"), reserved: t.intern("Reserved"),
		spTerm: t.intern("Savings Plan"), taxType: t.intern("USSalesTax"),
		supportCode: t.intern("AWSSupportBusiness"), supportName: t.intern("AWS Support (Business)"),
		dollar: t.intern("Dollar"), supportDesc: t.intern("AWS Support (Business)"),
		spCode: t.intern("ComputeSavingsPlans"), spName: t.intern("Savings Plans for AWS Compute usage"),
		creditDesc: t.intern("AWS Promotional Credit"), refundDesc: t.intern("Refund for Amazon S3 storage overcharge"),
	}
}

const riDiscount = 0.38 // effective discount of the Reserved Instances

// buildCommitments buys two Reserved Instances and one Savings Plan for the
// home fleet, starting a few months into the period so the purchase fees
// appear in the data.
func (o *org) buildCommitments() {
	t := o.syms
	start := monthStart(o.cfg.Start)
	var fleetSku *sku
	for _, res := range o.resources {
		if res.size > 1 && res.acct == o.accounts[1] && res.sku.reg == &regions[0] && res.sku.off.prof == fleet {
			fleetSku = res.sku
			break
		}
	}
	if fleetSku == nil {
		return
	}
	mkRI := func(n int, at time.Time, option, class string, upShare float64) {
		eff := fleetSku.rate * (1 - riDiscount)
		ri := &reservation{sku: fleetSku, acct: o.accounts[1], count: n, from: at.Unix(), to: at.AddDate(1, 0, 0).Unix(),
			upfrontHourly: round10(eff * upShare), recurHr: round10(eff * (1 - upShare))}
		id := hexDigits(hash2(uint64(o.cfg.Seed), uint64(at.Unix())), 8)
		ri.arn = t.intern("arn:aws:ec2:us-east-1:" + o.accounts[1].idStr + ":reserved-instances/" + id + "-" + hexDigits(uint64(n)*7919, 4) + "-4a2b-9c1d-" + hexDigits(uint64(at.Unix()), 12))
		ri.subscription = t.intern(strconv.FormatUint(hash2(uint64(n), uint64(at.Unix()))%9_000_000_000+1_000_000_000, 10))
		ri.upfront = round10(ri.upfrontHourly * float64(n) * 8760)
		ri.option, ri.class, ri.lease = t.intern(option), t.intern(class), t.intern("1yr")
		ri.startStr = t.intern(at.Format("2006-01-02T15:04:05.000Z"))
		ri.endStr = t.intern(at.AddDate(1, 0, 0).Format("2006-01-02T15:04:05.000Z"))
		price := strconv.FormatFloat(ri.recurHr, 'f', -1, 64)
		ri.usageDesc = t.intern("USD " + price + " hourly fee per Linux/UNIX (Amazon VPC), " + t.str(fleetSku.attr[paInstanceType]) + " instance")
		ri.feeUsage = t.intern("HeavyUsage:" + t.str(fleetSku.attr[paInstanceType]))
		ri.feeDesc = ri.usageDesc
		ri.upfrontUsage = ri.feeUsage
		ri.upfrontDesc = t.intern("Sign up charge for subscription: " + t.str(ri.subscription) + ", planId: " + id)
		ri.countStr = t.intern(strconv.Itoa(n))
		ri.normUnits = t.intern(strconv.FormatFloat(fleetSku.norm, 'f', -1, 64))
		o.ris = append(o.ris, ri)
	}
	mkRI(2, start.AddDate(0, 1, 0), "Partial Upfront", "standard", 0.5)
	mkRI(1, start.AddDate(0, 3, 0), "All Upfront", "standard", 1)
	// A convertible reservation bought mid-month, larger than the fleet
	// needs (under-used), and one bought before the data starts that
	// expires mid-month in the second month.
	mkRI(6, start.AddDate(0, 1, 14).Add(9*time.Hour), "Partial Upfront", "convertible", 0.3)
	mkRI(1, start.AddDate(-1, 1, 9).Add(13*time.Hour), "All Upfront", "standard", 1)
	at := start.AddDate(0, 2, 0)
	sp := &savingsPlan{acct: o.payer, commit: round10(fleetSku.rate * 1.6 * 0.72), upfrontShare: 0.5, discount: 0.28,
		from: at.Unix(), to: at.AddDate(1, 0, 0).Unix()}
	sp.arn = t.intern("arn:aws:savingsplans::" + o.payer.idStr + ":savingsplan/" + hexDigits(hash2(7, uint64(at.Unix())), 8) + "-1b2c-4d5e-8f90-" + hexDigits(uint64(o.cfg.Seed)+1, 12))
	sp.offering, sp.payment, sp.term = t.intern("ComputeSavingsPlans"), t.intern("Partial Upfront"), t.intern("1yr")
	sp.startStr = t.intern(at.Format("2006-01-02T15:04:05.000Z"))
	sp.endStr = t.intern(at.AddDate(1, 0, 0).Format("2006-01-02T15:04:05.000Z"))
	sp.negationDesc = t.intern("SavingsPlanNegation used by AccountId : " + o.accounts[1].idStr + " and UsageSku : " + t.str(fleetSku.attr[paSku]))
	sp.feeDesc = t.intern("1 year Partial Upfront Compute Savings Plan with " + strconv.FormatFloat(sp.commit, 'f', -1, 64) + " USD hourly commitment")
	sp.upfrontDesc = t.intern("Savings Plan upfront fee for " + t.str(sp.arn))
	o.sps = append(o.sps, sp)

	// An EC2 Instance Savings Plan for the fleet's family and Region,
	// without upfront payment, bought mid-month.
	at = start.AddDate(0, 2, 17).Add(6 * time.Hour)
	ec2 := &savingsPlan{acct: o.payer, commit: round10(fleetSku.rate * 0.5 * 0.65), discount: 0.35,
		from: at.Unix(), to: at.AddDate(1, 0, 0).Unix(), family: fleetSku.attr[paInstanceTypeFamily], region: fleetSku.attr[paRegionCode]}
	ec2.arn = t.intern("arn:aws:savingsplans::" + o.payer.idStr + ":savingsplan/" + hexDigits(hash2(9, uint64(at.Unix())), 8) + "-2c3d-4e5f-9a01-" + hexDigits(uint64(o.cfg.Seed)+2, 12))
	ec2.offering, ec2.payment, ec2.term = t.intern("EC2InstanceSavingsPlans"), t.intern("No Upfront"), t.intern("1yr")
	ec2.startStr = t.intern(at.Format("2006-01-02T15:04:05.000Z"))
	ec2.endStr = t.intern(at.AddDate(1, 0, 0).Format("2006-01-02T15:04:05.000Z"))
	ec2.negationDesc = sp.negationDesc
	ec2.feeDesc = t.intern("1 year No Upfront EC2 Instance Savings Plan with " + strconv.FormatFloat(ec2.commit, 'f', -1, 64) + " USD hourly commitment")
	ec2.upfrontDesc = t.intern("Savings Plan upfront fee for " + t.str(ec2.arn))
	o.sps = append(o.sps, ec2)
}

// covers reports whether a Savings Plan may cover usage of s: a Compute
// Savings Plan any eligible usage, an EC2 Instance Savings Plan instances
// of its family in its Region.
func (sp *savingsPlan) covers(s *sku) bool {
	return sp.family == 0 || s.attr[paInstanceTypeFamily] == sp.family && s.attr[paRegionCode] == sp.region
}
