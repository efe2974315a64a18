package synth

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
)

// account is the payer or a linked account.
type account struct {
	idx      int // position in org.accounts
	id, name sym
	env      string // the Environment most of its resources carry
	unit     sym    // BusinessUnit cost category value
	idStr    string
	nameStr  string
}

var accountNames = []string{"prod-web", "data-platform", "staging", "dev-sandbox", "ml-research",
	"shared-services", "security-audit", "prod-payments", "log-archive", "network-hub", "analytics", "mobile-backend"}

var businessUnits = []string{"Retail", "Platform", "Data", "Corporate"}

// sku is one priced product in one Region: every string a line needs, as
// syms, plus the on-demand rate.
type sku struct {
	svc                             *service
	off                             *offer
	reg                             *region
	code, usageType, op, unit, desc sym
	rateCode, rateID                sym
	rate, norm                      float64
	attr                            [numProductAttrs]sym
	product                         []kvKey // CUR 2.0 product map entries
	it                              *instanceType
	svcIndex                        int
	rateStr, negRateStr, netRateStr sym
	zeroRate                        sym
	computeSP                       bool // eligible for a Compute Savings Plan
}

// resource is one billed thing: an instance, a bucket, a function.
type resource struct {
	acct       *account
	sku        *sku
	id, az     sym
	tags       [numTags]sym
	tagKV      []kvKey // CUR 2.0 resource_tags entries
	allTags    []kvKey // CUR 2.0 tags entries, with the cost category
	base       float64 // usage per line before shaping
	from, to   int64   // lifetime, unix seconds
	slot, size int     // position and size of its auto scaling group
	seed       uint64
}

// The tag keys the organisation uses: user tags with partial coverage and
// an AWS-generated one.
const (
	tagEnvironment = iota
	tagTeam
	tagCostCenter
	tagApplication
	tagCreatedBy
	numTags
)

var tagKeys = [numTags]struct{ legacy, cur2, focus string }{
	{"user:Environment", "user_environment", "Environment"},
	{"user:Team", "user_team", "Team"},
	{"user:CostCenter", "user_cost_center", "CostCenter"},
	{"user:Application", "user_application", "Application"},
	{"aws:createdBy", "aws_created_by", "aws:createdBy"},
}

// org is the synthetic organisation; it is read-only once built, except
// for the pool of Parquet writers its periods share.
type org struct {
	cfg       Config
	pqWriters sync.Pool // *pqWriter with the CUR 2.0 schema
	syms      *symtab
	payer     *account
	accounts  []*account // payer first
	skus      []*sku
	resources []*resource
	fees      feeSyms
	ris       []*reservation
	sps       []*savingsPlan
	spikes    []int64  // start of spike days
	labels    []*label // injected anomalies (Config.Anomalies)

	svcList           []*service // catalog, then support and Savings Plans
	svcSkus           []*sku     // per service: product columns of fee, credit and tax lines
	taxDesc           []sym
	edpDesc           sym
	supportSku, spSku *sku
	lineTypeSyms      [numLineTypes]sym
	riOriginal        sym
	edpKey            sym
	costCats          [][]kvKey // per account
	acctTags          [][]kvKey // per account: the tags map of lines without a resource
	costCategoryName  sym
}

// buildOrg creates the organisation for a validated, defaulted config.
func buildOrg(cfg Config) *org {
	o := &org{cfg: cfg, syms: newSymtab()}
	r := &rng{s: uint64(cfg.Seed)}
	o.buildAccounts(r)
	o.fees = newFeeSyms(o.syms)
	o.buildServices()
	o.buildResources(r)
	o.buildCommitments()
	for i := 0; i < 3; i++ {
		d := cfg.Start.Unix() + int64(r.intn(int(max(1, cfg.End.Sub(cfg.Start).Hours()/24))))*86400
		o.spikes = append(o.spikes, d-d%86400)
	}
	if cfg.Anomalies {
		o.buildLabels()
	}
	return o
}

func (o *org) buildAccounts(r *rng) {
	mk := func(name string, leadingZero bool) *account {
		id := fmt.Sprintf("%012d", r.next()%1_000_000_000_000)
		if leadingZero {
			id = "0" + id[1:]
		} else if id[0] == '0' {
			id = "4" + id[1:]
		}
		env := "prod"
		switch {
		case strings.Contains(name, "staging"):
			env = "staging"
		case strings.Contains(name, "dev") || strings.Contains(name, "sandbox") || strings.Contains(name, "research"):
			env = "dev"
		}
		return &account{idx: len(o.accounts), id: o.syms.intern(id), name: o.syms.intern(name), env: env, idStr: id, nameStr: name,
			unit: o.syms.intern(businessUnits[len(o.accounts)%len(businessUnits)])}
	}
	o.payer = mk("acme-management", false)
	o.accounts = append(o.accounts, o.payer)
	for i := 0; i < o.cfg.Accounts; i++ {
		name := fmt.Sprintf("team-%03d", i+1)
		if i < len(accountNames) {
			name = accountNames[i]
		}
		o.accounts = append(o.accounts, mk(name, i == 1))
	}
}

// skuFor returns the sku of an offer in a Region, for an instance type and
// operating system when the offer is priced per instance.
func (o *org) skuFor(svc *service, off *offer, reg *region, it *instanceType, os *operatingSystem) *sku {
	for _, s := range o.skus {
		if s.off == off && s.reg == reg && s.it == it && (os == nil || s.attr[paOperatingSystem] == o.syms.intern(os.name)) {
			return s
		}
	}
	t := o.syms
	rate := off.rate * reg.priceFactor
	usage := off.usage
	if svc.global {
		reg = &region{code: "global", location: "Global", priceFactor: 1}
	}
	switch {
	case strings.HasPrefix(usage, "{region}"):
		usage = strings.Replace(usage, "{region}", reg.code, 1)
	case strings.HasPrefix(usage, "{prefix}"):
		usage = strings.Replace(usage, "{prefix}", regions[0].prefix, 1)
	case svc.global:
	default:
		usage = reg.usagePrefix(off.use1) + usage
	}
	s := &sku{svc: svc, off: off, reg: reg, it: it, code: t.intern(svc.code), unit: t.intern(off.unit), norm: 1,
		svcIndex: o.serviceIndex(svc)}
	op := off.op
	desc := off.desc
	if it != nil {
		rate = (it.rate + os.uplift*float64(it.vcpu)/2) * reg.priceFactor
		if strings.HasPrefix(off.usage, "SpotUsage") {
			rate = math.Round(rate*0.34*1e4) / 1e4
			op = "RunInstances:SV001"
		} else {
			op = os.op
		}
		usage = strings.Replace(usage, "{it}", it.name, 1)
		desc = strings.NewReplacer("{it}", it.name, "{os}", os.name).Replace(desc)
		s.norm = it.normalization
		s.computeSP = !strings.HasPrefix(off.usage, "SpotUsage")
		s.attr[paInstanceType] = t.intern(it.name)
		s.attr[paInstanceFamily] = t.intern("General purpose")
		s.attr[paInstanceTypeFamily] = t.intern(it.family)
		s.attr[paVcpu] = t.intern(strconv.Itoa(it.vcpu))
		s.attr[paMemory] = t.intern(it.memory)
		s.attr[paOperatingSystem] = t.intern(os.name)
		s.attr[paTenancy] = t.intern("Shared")
		s.attr[paLicenseModel] = t.intern(os.license)
		s.attr[paPreInstalledSw] = t.intern("NA")
		s.attr[paCapacitystatus] = t.intern("Used")
		s.attr[paNormalizationSizeFactor] = t.intern(strconv.FormatFloat(it.normalization, 'f', -1, 64))
	}
	if strings.HasPrefix(svc.code, "AmazonECS") || svc.code == "AWSLambda" {
		s.computeSP = true
	}
	s.rate = round10(rate)
	s.rateStr = t.intern(strconv.FormatFloat(s.rate, 'f', -1, 64))
	s.negRateStr = t.intern(strconv.FormatFloat(-s.rate, 'f', -1, 64))
	s.netRateStr = t.intern(strconv.FormatFloat(round10(s.rate*(1-edpRate)), 'f', -1, 64))
	s.zeroRate = t.intern("0.0")
	s.usageType, s.op = t.intern(usage), t.intern(op)
	s.desc = t.intern(strings.Replace(desc, "{rate}", strconv.FormatFloat(s.rate, 'f', -1, 64), 1))
	h := hash2(uint64(len(o.skus)), hashString(usage+reg.code+op))
	skuID := strings.ToUpper(base32(h, 16))
	s.attr[paSku] = t.intern(skuID)
	s.rateCode = t.intern(skuID + ".JRTCKXETXF." + strings.ToUpper(base32(h>>7, 10)))
	s.rateID = t.intern(strconv.FormatUint(h%90_000_000_000+10_000_000_000, 10))
	s.attr[paProductName] = t.intern(svc.name)
	s.attr[paServicecode] = s.code
	s.attr[paServicename] = s.attr[paProductName]
	s.attr[paProductFamily] = t.intern(off.family)
	s.attr[paUsagetype] = s.usageType
	s.attr[paOperation] = s.op
	s.attr[paRegion] = t.intern(reg.code)
	if !svc.global {
		s.attr[paRegionCode] = s.attr[paRegion]
	}
	s.attr[paLocation] = t.intern(reg.location)
	s.attr[paLocationType] = t.intern("AWS Region")
	for i := 0; i+1 < len(off.attrs); i += 2 {
		if a := productAttrIndex(off.attrs[i]); a >= 0 {
			s.attr[a] = t.intern(off.attrs[i+1])
		}
	}
	if s.attr[paNormalizationSizeFactor] != 0 && it == nil {
		s.norm, _ = strconv.ParseFloat(t.str(s.attr[paNormalizationSizeFactor]), 64)
	}
	for a, v := range s.attr {
		if v != 0 && !productAttrs[a].static {
			s.product = append(s.product, kvKey{uint64(t.intern(productAttrs[a].cur2)), uint64(v)})
		}
	}
	o.skus = append(o.skus, s)
	return s
}

func round10(x float64) float64 { return math.Round(x*1e10) / 1e10 }

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 1099511628211
	}
	return h
}

const b32 = "abcdefghijklmnopqrstuvwxyz234567"

// base32 renders n lowercase base32 digits from h (re-mixed as needed).
func base32(h uint64, n int) string {
	b := make([]byte, n)
	for i := range b {
		if i%12 == 11 {
			h = mix(h)
		}
		b[i] = b32[h&31]
		h >>= 5
	}
	return string(b)
}

func hexDigits(h uint64, n int) string {
	const hx = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		if i%16 == 15 {
			h = mix(h)
		}
		b[i] = hx[h&15]
		h >>= 4
	}
	return string(b)
}

// hourlyResourcesPerAccount sizes the organisation when Rows is zero.
const hourlyResourcesPerAccount = 20

func (o *org) buildResources(r *rng) {
	hours := float64(o.cfg.End.Sub(o.cfg.Start) / time.Hour)
	// One resource of every offer's service first, so that every service
	// appears; then hourly resources until the row target is met.
	var est float64
	target := float64(o.cfg.Rows)
	if target == 0 {
		target = hours * hourlyResourcesPerAccount * float64(o.cfg.Accounts) * 0.8
	}
	small := target < float64(len(catalog))*hours*0.9
	for si := range catalog {
		svc := &catalog[si]
		off := &svc.offers[0]
		acct := o.accounts[1+si%o.cfg.Accounts]
		if si == 0 {
			acct = o.accounts[1]
		}
		est += o.addResource(r, acct, svc, off, &regions[0], small)
	}
	// The home fleet: what the Reserved Instances and Savings Plan cover.
	ec2 := &catalog[0]
	est += o.addFleet(r, o.accounts[1], &ec2.offers[0], &regions[0], &instanceTypes[2], &operatingSystems[0], 6)
	for i := 0; est < target && i < 1_000_000; i++ {
		acct := o.accounts[1+r.intn(o.cfg.Accounts)]
		svc := &catalog[r.intn(len(catalog))]
		if r.float() < 0.3 {
			svc = ec2
		}
		off := &svc.offers[r.intn(len(svc.offers))]
		reg := &regions[0]
		if r.float() < 0.35 {
			reg = &regions[1+r.intn(len(regions)-1)]
		}
		if off.instances && off.prof == fleet {
			it := &instanceTypes[r.intn(len(instanceTypes))]
			os := &operatingSystems[0]
			if x := r.float(); x > 0.85 {
				os = &operatingSystems[1+r.intn(2)]
			}
			est += o.addFleet(r, acct, off, reg, it, os, 2+r.intn(5))
			continue
		}
		est += o.addResource(r, acct, svc, off, reg, false)
	}
	// A second, smaller fleet of the home account, of another family: what
	// the convertible reservation covers (added last so that the resources
	// above do not change with it).
	est += o.addFleet(r, o.accounts[1], &ec2.offers[0], &regions[0], &instanceTypes[1], &operatingSystems[0], 3)
}

// addFleet adds an auto scaling group of instances and returns its expected
// line count.
func (o *org) addFleet(r *rng, acct *account, off *offer, reg *region, it *instanceType, os *operatingSystem, n int) float64 {
	var est float64
	for k := 0; k < n; k++ {
		s := o.skuFor(&catalog[0], off, reg, it, os)
		res := o.newResource(r, acct, s, 1)
		res.slot, res.size = k, n
		res.from = o.cfg.Start.Unix()
		est += o.expectedLines(res) * (1 - float64(k)/float64(n)*0.6)
	}
	return est
}

func (o *org) addResource(r *rng, acct *account, svc *service, off *offer, reg *region, small bool) float64 {
	var it *instanceType
	var os *operatingSystem
	if off.instances {
		it, os = &instanceTypes[r.intn(len(instanceTypes))], &operatingSystems[0]
	}
	s := o.skuFor(svc, off, reg, it, os)
	res := o.newResource(r, acct, s, r.between(off.lo, off.hi))
	if small && off.cad == hourly {
		res.size = -1 // aggregated to one line a day
	}
	return o.expectedLines(res)
}

func (o *org) newResource(r *rng, acct *account, s *sku, base float64) *resource {
	t := o.syms
	res := &resource{acct: acct, sku: s, base: base, seed: r.next(), size: 1, to: math.MaxInt64}
	span := o.cfg.End.Unix() - o.cfg.Start.Unix()
	switch x := r.float(); {
	case x < 0.2: // created during the period: growth in resource count
		res.from = o.cfg.Start.Unix() + int64(r.float()*float64(span)*0.8)
		if o.cfg.Anomalies {
			// Labelled data has no unlabelled level shifts.
			res.from = o.cfg.Start.Unix()
		}
	case x < 0.25: // retired during the period
		res.to = o.cfg.Start.Unix() + int64((0.3+0.6*r.float())*float64(span))
	}
	if s.off.zonal && s.reg.code != "global" {
		res.az = t.intern(pick(r, s.reg.azs))
	}
	name := t.str(acct.name)
	if s.off.res != "" {
		res.id = t.intern(o.resourceID(r, s, acct, name))
	}
	o.tagResource(r, res, name)
	for k, v := range res.tags {
		if v != 0 {
			res.allTags = append(res.allTags, kvKey{uint64(t.intern("resourceTags/" + tagKeys[k].legacy)), uint64(v)})
		}
	}
	res.allTags = append(res.allTags, o.acctTags[acct.idx]...)
	o.resources = append(o.resources, res)
	return res
}

func (o *org) resourceID(r *rng, s *sku, acct *account, name string) string {
	h := r.next()
	repl := strings.NewReplacer(
		"{r}", s.reg.code, "{a}", acct.idStr, "{n}", name, "{rl}", strings.ToLower(s.reg.prefix)+"-"+base32(h, 4),
		"{h17}", hexDigits(h, 16), "{h16}", hexDigits(h, 16), "{h32}", hexDigits(h, 32), "{h6}", base32(h, 6),
		"{h9}", base32(h, 9), "{h10}", base32(h, 10), "{H13}", strings.ToUpper(base32(h, 13)),
		"{H19}", strings.ToUpper(base32(h, 19)),
		"{uuid}", hexDigits(h, 8)+"-"+hexDigits(h>>3, 4)+"-4"+hexDigits(h>>5, 3)+"-a"+hexDigits(h>>7, 3)+"-"+hexDigits(mix(h), 12))
	return repl.Replace(s.off.res)
}

var (
	teams        = []string{"checkout", "search", "platform", "data-eng", "ml", "sre", "identity"}
	costCenters  = []string{"CC-1001", "CC-1002", "CC-2040", "CC-3100", "CC-4200"}
	applications = []string{"storefront", "orders-api", "recommendations", "etl", "billing", "auth", "observability"}
	creators     = []string{"IAMUser:AIDAQ3EGUMR5ZL2KX7T4V:alice", "AssumedRole:AROAQ3EGUMR5X4JTRW8KP:terraform-ci",
		"AssumedRole:AROAQ3EGUMR5NF2EJ6QZA:eks-node-manager", "IAMUser:AIDAQ3EGUMR5WB7PH3CSD:bob"}
	envValues = map[string][]string{"prod": {"prod", "production"}, "staging": {"staging"}, "dev": {"dev", "sandbox"}}
)

// tagResource gives a resource its tags with realistic partial coverage:
// each key is missing on a share of resources.
func (o *org) tagResource(r *rng, res *resource, name string) {
	t := o.syms
	if res.id == 0 && res.sku.off.prof != fleet {
		return // tags only attach to resources
	}
	vals := [numTags]string{}
	if r.float() < 0.85 {
		vals[tagEnvironment] = pick(r, envValues[res.acct.env])
	}
	if r.float() < 0.75 {
		vals[tagTeam] = pick(r, teams)
	}
	if r.float() < 0.62 {
		vals[tagCostCenter] = pick(r, costCenters)
	}
	if r.float() < 0.7 {
		vals[tagApplication] = pick(r, applications)
	}
	if r.float() < 0.55 {
		vals[tagCreatedBy] = pick(r, creators)
	}
	for k, v := range vals {
		if v == "" {
			continue
		}
		res.tags[k] = t.intern(v)
		res.tagKV = append(res.tagKV, kvKey{uint64(t.intern(tagKeys[k].cur2)), uint64(res.tags[k])})
	}
}

// expectedLines estimates how many lines a resource produces.
func (o *org) expectedLines(res *resource) float64 {
	from := max(res.from, o.cfg.Start.Unix())
	to := min(res.to, o.cfg.End.Unix())
	if to <= from {
		return 0
	}
	hours := float64(to-from) / 3600
	switch {
	case res.size < 0 || res.sku.off.cad == daily:
		return hours / 24
	case res.sku.off.cad == monthly:
		return hours / 730
	case res.sku.off.prof == batch:
		return hours * 0.3
	}
	return hours
}

var (
	supportService = service{code: "AWSSupportBusiness", name: "AWS Support (Business)", category: "Management and Governance", subcategory: "Support"}
	spService      = service{code: "ComputeSavingsPlans", name: "Savings Plans for AWS Compute usage", category: "Compute", subcategory: "Other (Compute)"}
)

// buildServices prepares the product columns of lines that belong to a
// service but not to a priced offer: tax, credits, discounts and fees.
func (o *org) buildServices() {
	t := o.syms
	for i := range catalog {
		o.svcList = append(o.svcList, &catalog[i])
	}
	o.svcList = append(o.svcList, &supportService, &spService)
	for i, svc := range o.svcList {
		s := &sku{svc: svc, off: &offer{}, reg: &region{}, code: t.intern(svc.code), svcIndex: i, norm: 1}
		s.attr[paProductName] = t.intern(svc.name)
		s.attr[paServicecode] = s.code
		s.product = []kvKey{{uint64(t.intern(productAttrs[paProductName].cur2)), uint64(s.attr[paProductName])}}
		o.svcSkus = append(o.svcSkus, s)
		o.taxDesc = append(o.taxDesc, t.intern("Tax for product code "+svc.code))
	}
	o.edpDesc = t.intern("Enterprise Discount Program Discount")
	for i, n := range lineTypeNames {
		o.lineTypeSyms[i] = t.intern(n)
	}
	o.riOriginal = t.intern("Original")
	o.edpKey = t.intern("edp_discount")
	o.costCategoryName = t.intern("BusinessUnit")
	for _, a := range o.accounts {
		o.costCats = append(o.costCats, []kvKey{{uint64(o.costCategoryName), uint64(a.unit)}})
		o.acctTags = append(o.acctTags, []kvKey{{uint64(t.intern("costCategory/" + t.str(o.costCategoryName))), uint64(a.unit)}})
	}
	o.supportSku = o.svcSkus[len(o.svcList)-2]
	o.supportSku.attr[paProductFamily] = t.intern("AWS Support")
	o.supportSku.usageType = t.intern("Dollar")
	o.spSku = o.svcSkus[len(o.svcList)-1]
	o.spSku.usageType = t.intern("ComputeSP:1yrPartialUpfront")
	o.spSku.attr[paProductFamily] = t.intern("Savings Plans")
	o.spSku.attr[paUsagetype] = o.spSku.usageType
}

func (o *org) serviceIndex(svc *service) int {
	for i, s := range o.svcList {
		if s == svc {
			return i
		}
	}
	return 0
}

// allTags is the CUR 2.0 tags map of a line: the resource's tags and the
// account's cost category under their legacy names, which keep the
// original keys ("resourceTags/user:Environment").
func (o *org) allTags(l *line) []kvKey {
	if l.res != nil {
		return l.res.allTags
	}
	return o.acctTags[l.acct.idx]
}
