package ingest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// namedCol is a column whose values go into a map under a fixed key (a tag
// or cost category column).
type namedCol struct {
	col int
	key string
}

// curMapper maps rows of a legacy CUR or CUR 2.0 file to line items.
type curMapper struct {
	src   source
	col   [numCURFields]int // column of each field, -1 when absent
	names [numCURFields]string
	// CUR 2.0 map columns, -1 when absent.
	productMap, resourceTagsMap, costCategoryMap, tagsMap int
	// Flat tag and cost category columns.
	tagCols, costCategoryCols []namedCol

	product    [numCURFields]string // per-row values read from the product map
	derived    map[deriveKey]derived
	lastDerive struct {
		key deriveKey
		d   derived
		ok  bool
	}
	// Consecutive rows mostly repeat the product map and the tags: the raw
	// pairs of the previous row are kept, and when a row has the same ones
	// (compared as strings, which the Parquet decoder shares between rows)
	// its product values and tag maps are the previous row's.
	prodRaw, prevProdRaw [][2]string
	prodOK               bool
	addProd              func(k, v string)
	tagRaw, prevTagRaw   []rawTag
	prevTags, prevCCs    map[string]string
	tagsOK               bool
	tagMaps              []usedTagMaps // oldest first; the last are prevTags, prevCCs
	row                  int64         // rows mapped
	addTag               [numRawTagKinds]func(k, v string)
	tagKeys              map[string]string
	productKeys          map[string]curField // product map key -> field without a column
	li                   billing.LineItem
	period               periodCache
}

// newCURMapper resolves the columns of a CUR file. It rejects a file that
// lacks a required column, naming the columns in the file's own spelling.
func newCURMapper(src source, legacyCSV bool) (*curMapper, error) {
	m := &curMapper{src: src, productMap: -1, resourceTagsMap: -1, costCategoryMap: -1, tagsMap: -1, derived: map[deriveKey]derived{}, tagKeys: map[string]string{}}
	bySnake := map[string]int{}
	for i, name := range src.columns() {
		switch {
		case legacyCSV && strings.HasPrefix(name, "resourceTags/"):
			m.tagCols = append(m.tagCols, namedCol{i, legacyTagKey(strings.TrimPrefix(name, "resourceTags/"))})
			continue
		case legacyCSV && strings.HasPrefix(name, "costCategory/"):
			m.costCategoryCols = append(m.costCategoryCols, namedCol{i, strings.TrimPrefix(name, "costCategory/")})
			continue
		}
		switch name {
		case "product":
			m.productMap = i
		case "resource_tags":
			m.resourceTagsMap = i
		case "cost_category":
			m.costCategoryMap = i
		case "tags":
			m.tagsMap = i
		}
		if !legacyCSV {
			if rest, ok := strings.CutPrefix(name, "resource_tags_"); ok {
				m.tagCols = append(m.tagCols, namedCol{i, normalizedTagKey(rest)})
				continue
			}
			if rest, ok := strings.CutPrefix(name, "cost_category_"); ok {
				m.costCategoryCols = append(m.costCategoryCols, namedCol{i, rest})
				continue
			}
		}
		sn := name
		if legacyCSV {
			sn = snakeName(name)
		}
		if _, dup := bySnake[sn]; !dup {
			bySnake[sn] = i
		}
	}
	var missing []string
	for f := curField(0); f < numCURFields; f++ {
		c, ok := bySnake[snakeName(curColumns[f].csv)]
		if !ok {
			c = -1
		}
		m.col[f] = c
		if legacyCSV {
			m.names[f] = curColumns[f].csv
		} else {
			m.names[f] = snakeName(curColumns[f].csv)
		}
		if c < 0 && curColumns[f].required {
			missing = append(missing, m.names[f])
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing required columns: %s", strings.Join(missing, ", "))
	}
	m.productKeys = map[string]curField{}
	for f := curField(0); f < numCURFields; f++ {
		if m.col[f] < 0 && isProductField(f) {
			m.productKeys[productMapKey(f)] = f
		}
	}
	if m.tagsMap >= 0 {
		// The tags map keeps the original keys and carries every tag the
		// normalized columns do.
		m.tagCols, m.resourceTagsMap = nil, -1
	}
	// The callbacks are made once: a closure made per row would escape
	// through the source interface and be allocated every time.
	m.addProd = func(k, v string) { m.prodRaw = append(m.prodRaw, [2]string{k, v}) }
	for kind := range m.addTag {
		m.addTag[kind] = func(k, v string) { m.tagRaw = append(m.tagRaw, rawTag{rawTagKind(kind), k, v}) }
	}
	return m, nil
}

// projection lists every column the mapper reads.
func (m *curMapper) projection() []int {
	var cols []int
	for _, c := range m.col {
		if c >= 0 {
			cols = append(cols, c)
		}
	}
	for _, c := range []int{m.productMap, m.resourceTagsMap, m.costCategoryMap, m.tagsMap} {
		if c >= 0 {
			cols = append(cols, c)
		}
	}
	for _, nc := range m.tagCols {
		cols = append(cols, nc.col)
	}
	for _, nc := range m.costCategoryCols {
		cols = append(cols, nc.col)
	}
	return cols
}

// fieldError is a row error about one field; the caller adds file and row.
type fieldError struct {
	column string
	err    error
}

func (e *fieldError) Error() string { return "column " + e.column + ": " + e.err.Error() }

func (m *curMapper) s(f curField) string {
	if c := m.col[f]; c >= 0 {
		return m.src.str(c)
	}
	return m.product[f] // empty unless a CUR 2.0 product map supplied it
}

func (m *curMapper) amt(f curField) (billing.Amount, error) {
	a, err := m.src.amount(m.col[f])
	if err != nil {
		return 0, &fieldError{m.names[f], err}
	}
	return a, nil
}

// netAmt reads a net_* column, falling back to the gross field when the net
// column is absent or empty on this row (accounts without discounts).
func (m *curMapper) netAmt(net, gross curField) (billing.Amount, error) {
	if m.src.blank(m.col[net]) {
		return m.amt(gross)
	}
	return m.amt(net)
}

func (m *curMapper) qty(f curField) (float64, error) {
	q, err := m.src.quantity(m.col[f])
	if err != nil {
		return 0, &fieldError{m.names[f], err}
	}
	return q, nil
}

func (m *curMapper) ts(f curField, required bool) (time.Time, error) {
	t, err := m.src.timestamp(m.col[f])
	if err != nil {
		return time.Time{}, &fieldError{m.names[f], err}
	}
	if required && t.IsZero() {
		return time.Time{}, &fieldError{m.names[f], fmt.Errorf("empty timestamp")}
	}
	return t, nil
}

// readProductMap fills m.product from a CUR 2.0 product map.
func (m *curMapper) readProductMap() error {
	if m.productMap < 0 {
		return nil
	}
	m.prodRaw = m.prodRaw[:0]
	if err := m.src.pairs(m.productMap, m.addProd); err != nil {
		m.prodOK = false
		return &fieldError{"product", err}
	}
	if m.prodOK && slices.Equal(m.prodRaw, m.prevProdRaw) {
		return nil
	}
	clear(m.product[:])
	for _, kv := range m.prodRaw {
		if f, ok := m.productKeys[kv[0]]; ok {
			m.product[f] = kv[1]
		}
	}
	m.prodRaw, m.prevProdRaw, m.prodOK = m.prevProdRaw, m.prodRaw, true
	return nil
}

// mapRow maps the current row. The returned line item is reused for the
// next row.
func (m *curMapper) mapRow() (billing.BillingPeriod, *billing.LineItem, string, error) {
	li := &m.li
	*li = billing.LineItem{}
	if err := m.readProductMap(); err != nil {
		return billing.BillingPeriod{}, nil, "", err
	}
	var err error
	if li.UsageStart, err = m.ts(cUsageStart, true); err != nil {
		return billing.BillingPeriod{}, nil, "", err
	}
	if li.UsageEnd, err = m.ts(cUsageEnd, false); err != nil {
		return billing.BillingPeriod{}, nil, "", err
	}
	bps, err := m.ts(cBillingPeriodStart, false)
	if err != nil {
		return billing.BillingPeriod{}, nil, "", err
	}
	if bps.IsZero() {
		bps = li.UsageStart
	}
	li.PayerAccountID = m.s(cPayerAccountID)
	li.PayerAccountName = m.s(cPayerAccountName)
	li.UsageAccountID = m.s(cUsageAccountID)
	li.UsageAccountName = m.s(cUsageAccountName)
	li.LineItemType = m.s(cLineItemType)
	li.ServiceCode = m.s(cProductCode)
	li.UsageType = m.s(cUsageType)
	li.Operation = m.s(cOperation)
	li.AZ = m.s(cAvailabilityZone)
	li.Region = m.s(cRegionCode)
	if li.Region == "" {
		li.Region = m.s(cRegion)
	}
	li.InstanceType = m.s(cInstanceType)
	li.InstanceTypeFamily = m.s(cInstanceTypeFamily)
	if li.InstanceTypeFamily == "" {
		li.InstanceTypeFamily = billing.InstanceTypeFamily(li.InstanceType)
	}
	li.OperatingSystem = m.s(cOperatingSystem)
	li.Tenancy = m.s(cTenancy)
	li.DeploymentOption = m.s(cDeploymentOption)
	li.DatabaseEngine = m.s(cDatabaseEngine)
	li.CacheEngine = m.s(cCacheEngine)
	li.LegalEntity = m.s(cLegalEntity)
	li.InvoicingEntity = m.s(cInvoicingEntity)
	li.BillingEntity = m.s(cBillingEntity)
	li.ResourceID = m.s(cResourceID)
	li.Currency = m.s(cCurrencyCode)
	li.UsageUnit = m.s(cPricingUnit)
	li.SubscriptionID = m.s(cRISubscriptionID)
	li.SavingsPlanARN = m.s(cSavingsPlanARN)
	li.SavingsPlansType = m.s(cSPOfferingType)
	riARN := m.s(cReservationARN)
	if riARN != "" {
		li.ReservationID = riARN[strings.LastIndexByte(riARN, '/')+1:]
		li.Scope = "Region"
		if m.s(cRIAvailabilityZone) != "" {
			li.Scope = "Availability Zone"
		}
	}
	li.PaymentOption = m.s(cSPPaymentOption)
	if li.PaymentOption == "" && riARN != "" {
		li.PaymentOption = m.s(cPurchaseOption)
	}
	m.derive(li, riARN)
	if err := m.metrics(li, riARN); err != nil {
		return billing.BillingPeriod{}, nil, "", err
	}
	if err := m.commitment(li, riARN); err != nil {
		return billing.BillingPeriod{}, nil, "", err
	}
	if err := m.readTags(li); err != nil {
		return billing.BillingPeriod{}, nil, "", err
	}
	billing.SpellAsCostExplorer(li)
	return m.period.get("cur", "", li.PayerAccountID, bps), li, m.s(cInvoiceID), nil
}

// deriveKey holds every input of the derived dimensions but the line
// description, which only PLATFORM of some EC2 lines needs.
type deriveKey struct {
	code, name, family, usageType, lineItemType, operation, os, offeringClass string
	reservation, savingsPlan                                                  bool
}

// derived are the Cost Explorer values computed from a deriveKey.
type derived struct {
	service, recordType, purchaseType, group, platform string
	platformNeedsDescription                           bool
}

// maxDerived bounds the cache of derived values.
const maxDerived = 1 << 14

// derive fills SERVICE, RECORD_TYPE, PURCHASE_TYPE, USAGE_TYPE_GROUP and
// PLATFORM. Their inputs repeat across rows, so results are cached.
func (m *curMapper) derive(li *billing.LineItem, riARN string) {
	k := deriveKey{li.ServiceCode, m.s(cProductName), m.s(cProductFamily), li.UsageType, li.LineItemType, li.Operation, li.OperatingSystem,
		m.s(cOfferingClass), riARN != "", li.SavingsPlanARN != ""}
	last := &m.lastDerive
	d, ok := last.d, last.ok && k == last.key
	if !ok {
		d, ok = m.derived[k]
	}
	if !ok {
		d = derived{
			service:      billing.ServiceName(k.code, k.name, k.family, k.usageType, k.lineItemType),
			recordType:   billing.RecordType(k.lineItemType, k.code, riARN),
			purchaseType: billing.PurchaseType(k.lineItemType, k.usageType, li.SavingsPlanARN, riARN, k.offeringClass),
			group:        billing.UsageTypeGroup(k.code, k.usageType),
			platform:     billing.Platform(k.code, k.family, k.usageType, k.operation, k.os, ""),
		}
		d.platformNeedsDescription = d.platform == "" && billing.Platform(k.code, k.family, k.usageType, k.operation, k.os, "Linux") != ""
		if len(m.derived) >= maxDerived {
			clear(m.derived)
		}
		m.derived[k] = d
	}
	last.key, last.d, last.ok = k, d, true
	li.Service, li.RecordType, li.PurchaseType, li.UsageTypeGroup, li.Platform = d.service, d.recordType, d.purchaseType, d.group, d.platform
	if d.platformNeedsDescription {
		li.Platform = billing.Platform(k.code, k.family, k.usageType, k.operation, k.os, m.s(cDescription))
	}
}

// tagKey memoizes normalizedTagKey, which allocates for AWS tags.
func (m *curMapper) tagKey(normalized string) string {
	if k, ok := m.tagKeys[normalized]; ok {
		return k
	}
	if len(m.tagKeys) >= maxDerived {
		clear(m.tagKeys)
	}
	k := normalizedTagKey(normalized)
	m.tagKeys[normalized] = k
	return k
}

// rawTagKind says where a raw tag pair comes from and so how its key
// becomes a tag key or cost category name.
type rawTagKind uint8

const (
	rawFlatTag      rawTagKind = iota // a flat tag column: the key is final
	rawCostCategory                   // a flat or map cost category: the key is final
	rawResourceTag                    // a CUR 2.0 resource_tags key (normalized)
	rawTagsMap                        // a tags map key (resourceTags/…, costCategory/…)
	numRawTagKinds
)

// rawTag is a tag or cost category pair of a row as the file spells it.
type rawTag struct {
	kind rawTagKind
	k, v string
}

// usedTagMaps is a pair of tag and cost category maps and the last row
// (curMapper.row) that was given them.
type usedTagMaps struct {
	tags, ccs map[string]string
	last      int64
}

// rowsInFlight bounds how many rows the mapper has returned that the writer
// may not be done with: the rows of the decoder's batches (see decoder), and
// the row being mapped.
const rowsInFlight = decodeBatches*decodeBatch + 1

// newTagMaps returns an empty pair of maps for the current row: the oldest
// pair when no row in flight uses it any more, or else a new pair.
func (m *curMapper) newTagMaps() (tags, ccs map[string]string) {
	if len(m.tagMaps) > 0 && m.tagMaps[0].last+rowsInFlight < m.row {
		old := m.tagMaps[0]
		m.tagMaps = m.tagMaps[1:]
		clear(old.tags)
		clear(old.ccs)
		tags, ccs = old.tags, old.ccs
	} else {
		tags, ccs = map[string]string{}, map[string]string{}
	}
	m.tagMaps = append(m.tagMaps, usedTagMaps{tags, ccs, m.row})
	return tags, ccs
}

// readTags fills the tags and cost categories of the current row. The maps
// are shared with the previous row when its pairs were the same, and taken
// for another row only once no row in flight has them (newTagMaps).
func (m *curMapper) readTags(li *billing.LineItem) error {
	m.tagRaw = m.tagRaw[:0]
	for _, nc := range m.tagCols {
		if v := m.src.str(nc.col); v != "" {
			m.tagRaw = append(m.tagRaw, rawTag{rawFlatTag, nc.key, v})
		}
	}
	for _, nc := range m.costCategoryCols {
		if v := m.src.str(nc.col); v != "" {
			m.tagRaw = append(m.tagRaw, rawTag{rawCostCategory, nc.key, v})
		}
	}
	for _, mc := range [...]struct {
		col    int
		kind   rawTagKind
		column string
	}{{m.resourceTagsMap, rawResourceTag, "resource_tags"}, {m.costCategoryMap, rawCostCategory, "cost_category"}, {m.tagsMap, rawTagsMap, "tags"}} {
		if mc.col < 0 {
			continue
		}
		if err := m.src.pairs(mc.col, m.addTag[mc.kind]); err != nil {
			m.tagsOK = false
			return &fieldError{mc.column, err}
		}
	}
	m.row++
	if m.tagsOK && slices.Equal(m.tagRaw, m.prevTagRaw) {
		li.Tags, li.CostCategories = m.prevTags, m.prevCCs
		m.tagMaps[len(m.tagMaps)-1].last = m.row
		return nil
	}
	tags, ccs := m.newTagMaps()
	for _, t := range m.tagRaw {
		switch t.kind {
		case rawFlatTag:
			tags[t.k] = t.v
		case rawCostCategory:
			ccs[t.k] = t.v
		case rawResourceTag:
			tags[m.tagKey(t.k)] = t.v
		case rawTagsMap:
			switch {
			case strings.HasPrefix(t.k, "resourceTags/"):
				tags[legacyTagKey(strings.TrimPrefix(t.k, "resourceTags/"))] = t.v
			case strings.HasPrefix(t.k, "costCategory/"):
				ccs[strings.TrimPrefix(t.k, "costCategory/")] = t.v
			}
		}
	}
	li.Tags, li.CostCategories = tags, ccs
	m.prevTags, m.prevCCs = tags, ccs
	m.tagRaw, m.prevTagRaw, m.tagsOK = m.prevTagRaw, m.tagRaw, true
	return nil
}

// periodCache builds BillingPeriods without allocating a source string for
// every row.
type periodCache struct {
	kind, provider, id string
	month, next        time.Time
	p                  billing.BillingPeriod
}

// get returns the period of a row: source "cur:<id>" for kind "cur",
// "focus:<provider>:<id>" for kind "focus", month of t.
func (c *periodCache) get(kind, provider, id string, t time.Time) billing.BillingPeriod {
	if c.p.Source != "" && !t.Before(c.month) && t.Before(c.next) && kind == c.kind && provider == c.provider && id == c.id {
		return c.p
	}
	month := billing.MonthStart(t)
	if c.p.Source == "" || kind != c.kind || provider != c.provider || id != c.id || !month.Equal(c.month) {
		c.kind, c.provider, c.id, c.month, c.next = kind, provider, id, month, month.AddDate(0, 1, 0)
		src := kind + ":" + id
		if kind == "focus" {
			src = kind + ":" + provider + ":" + id
		}
		c.p = billing.BillingPeriod{Source: src, Month: month}
	}
	return c.p
}
