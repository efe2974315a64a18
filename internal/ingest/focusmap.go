package ingest

import (
	"fmt"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// focusField names a FOCUS column the mapping reads.
type focusField int

const (
	fBilledCost focusField = iota
	fEffectiveCost
	fBillingAccountID
	fBillingAccountName
	fBillingCurrency
	fBillingPeriodStart
	fChargeCategory
	fChargeFrequency
	fChargeDescription
	fChargePeriodStart
	fChargePeriodEnd
	fCommitmentDiscountID
	fCommitmentDiscountStatus
	fCommitmentDiscountType
	fConsumedQuantity
	fConsumedUnit
	fPricingQuantity
	fPricingUnit
	fPricingCategory
	fProviderName
	fPublisherName
	fInvoiceIssuerName
	fInvoiceID
	fRegionID
	fAvailabilityZone
	fResourceID
	fServiceName
	fSubAccountID
	fSubAccountName
	fTags
	fSkuMeter
	fServiceCode
	fUsageType
	fOperation
	fCostCategories
	fAllocatedTags
	fCommitmentDiscountQuantity
	fListCost
	numFOCUSFields
)

// FOCUS 1.3 (FinOps Foundation, FinOps-Open-Cost-and-Usage-Spec/FOCUS_Spec,
// specification/datasets/cost_and_usage/columns/*.md and
// specification/attributes/provider_calculated_split_cost_allocation_handling.md)
// changes what this mapping reads as follows:
//
//   - ServiceProviderName and HostProviderName replace the deprecated
//     ProviderName and PublisherName. ServiceProviderName is the seller (in a
//     marketplace, the vendor, not the marketplace), so it becomes the legal
//     entity, as PublisherName did. The period key's provider stays
//     ProviderName while a file has it (so a 1.3 export restates the same
//     periods as the 1.2 one); without it, InvoiceIssuerName (mandatory since
//     1.0, the entity whose invoice the period is), then ServiceProviderName.
//     HostProviderName is not read: it is "Not Applicable" for tax and
//     software rows.
//   - Split cost allocation (AllocatedMethodId, AllocatedMethodDetails,
//     AllocatedResourceId, AllocatedResourceName, AllocatedTags): the origin
//     charge is replaced by allocated charges whose metrics sum to it, with
//     the origin's dimensions. So costs are summed as usual; RESOURCE_ID stays
//     the origin ResourceId (Cost Explorer has no dimension for the allocated
//     resource); AllocatedTags, which must not repeat keys of Tags, are added
//     to the tags, so the allocated charges can be grouped by them.
//   - ContractApplied (contract commitments applied to a charge) is a JSON
//     object Cost Explorer has no dimension or metric for: not read. The
//     commitment discount columns are unchanged from 1.2.
//
// focusColumns gives each field its FOCUS column names (the first is the
// current name, later ones are older or newer spellings) and whether a file
// without it is rejected.
var focusColumns = [numFOCUSFields]struct {
	names    []string
	required bool
}{
	fBilledCost:                 {[]string{"BilledCost"}, true},
	fEffectiveCost:              {[]string{"EffectiveCost"}, true},
	fBillingAccountID:           {[]string{"BillingAccountId"}, true},
	fBillingAccountName:         {[]string{"BillingAccountName"}, false},
	fBillingCurrency:            {[]string{"BillingCurrency"}, false},
	fBillingPeriodStart:         {[]string{"BillingPeriodStart"}, true},
	fChargeCategory:             {[]string{"ChargeCategory", "ChargeType"}, true},
	fChargeFrequency:            {[]string{"ChargeFrequency"}, false},
	fChargeDescription:          {[]string{"ChargeDescription"}, false},
	fChargePeriodStart:          {[]string{"ChargePeriodStart"}, true},
	fChargePeriodEnd:            {[]string{"ChargePeriodEnd"}, true},
	fCommitmentDiscountID:       {[]string{"CommitmentDiscountId"}, false},
	fCommitmentDiscountStatus:   {[]string{"CommitmentDiscountStatus"}, false},
	fCommitmentDiscountType:     {[]string{"CommitmentDiscountType"}, false},
	fConsumedQuantity:           {[]string{"ConsumedQuantity", "UsageQuantity"}, false},
	fConsumedUnit:               {[]string{"ConsumedUnit", "UsageUnit"}, false},
	fPricingQuantity:            {[]string{"PricingQuantity"}, false},
	fPricingUnit:                {[]string{"PricingUnit"}, false},
	fPricingCategory:            {[]string{"PricingCategory"}, false},
	fProviderName:               {[]string{"ProviderName", "Provider", "InvoiceIssuerName", "ServiceProviderName"}, true},
	fPublisherName:              {[]string{"ServiceProviderName", "PublisherName", "Publisher"}, false},
	fInvoiceIssuerName:          {[]string{"InvoiceIssuerName", "InvoiceIssuer"}, false},
	fInvoiceID:                  {[]string{"InvoiceId"}, false},
	fRegionID:                   {[]string{"RegionId", "Region"}, false},
	fAvailabilityZone:           {[]string{"AvailabilityZone"}, false},
	fResourceID:                 {[]string{"ResourceId"}, false},
	fServiceName:                {[]string{"ServiceName"}, true},
	fSubAccountID:               {[]string{"SubAccountId"}, false},
	fSubAccountName:             {[]string{"SubAccountName"}, false},
	fTags:                       {[]string{"Tags"}, false},
	fSkuMeter:                   {[]string{"SkuMeter"}, false},
	fServiceCode:                {[]string{"x_ServiceCode"}, false},
	fUsageType:                  {[]string{"x_UsageType"}, false},
	fOperation:                  {[]string{"x_Operation"}, false},
	fCostCategories:             {[]string{"x_CostCategories"}, false},
	fAllocatedTags:              {[]string{"AllocatedTags"}, false},
	fCommitmentDiscountQuantity: {[]string{"CommitmentDiscountQuantity"}, false},
	fListCost:                   {[]string{"ListCost"}, false},
}

// focusChargeKey selects a CUR line item type for a FOCUS charge.
type focusChargeKey struct {
	category   string // ChargeCategory
	commitment string // "sp", "ri" or "" (CommitmentDiscountType)
	status     string // CommitmentDiscountStatus
	frequency  string // ChargeFrequency
}

// focusLineItemTypes maps FOCUS charges to the nearest CUR line item type.
// Lookups try the full key, then without frequency, then without status,
// then the category alone.
var focusLineItemTypes = map[focusChargeKey]string{
	{category: "Usage"}: "Usage",
	{category: "Usage", commitment: "sp", status: "Used"}:            "SavingsPlanCoveredUsage",
	{category: "Usage", commitment: "ri", status: "Used"}:            "DiscountedUsage",
	{category: "Usage", commitment: "sp", status: "Unused"}:          "SavingsPlanRecurringFee",
	{category: "Usage", commitment: "ri", status: "Unused"}:          "RIFee",
	{category: "Purchase"}:                                           "Fee",
	{category: "Purchase", commitment: "sp", frequency: "Recurring"}: "SavingsPlanRecurringFee",
	{category: "Purchase", commitment: "sp", frequency: "One-Time"}:  "SavingsPlanUpfrontFee",
	{category: "Purchase", commitment: "ri", frequency: "Recurring"}: "RIFee",
	{category: "Purchase", commitment: "ri", frequency: "One-Time"}:  "Fee",
	{category: "Tax"}:        "Tax",
	{category: "Credit"}:     "Credit",
	{category: "Adjustment"}: "Refund",
}

func focusLineItemType(k focusChargeKey) string {
	for _, key := range []focusChargeKey{
		k,
		{k.category, k.commitment, k.status, ""},
		{k.category, k.commitment, "", k.frequency},
		{category: k.category},
	} {
		if t, ok := focusLineItemTypes[key]; ok {
			return t
		}
	}
	return k.category
}

// commitmentKind classifies a CommitmentDiscountType ("Savings Plan",
// "Reserved Instance", "ComputeSavingsPlans", "Reservation"...).
func commitmentKind(t string) string {
	l := strings.ToLower(t)
	switch {
	case strings.Contains(l, "saving"):
		return "sp"
	case strings.Contains(l, "reserv"):
		return "ri"
	}
	return ""
}

// focusMapper maps rows of a FOCUS file to line items.
type focusMapper struct {
	src    source
	col    [numFOCUSFields]int
	names  [numFOCUSFields]string
	li     billing.LineItem
	period periodCache
}

func newFOCUSMapper(src source) (*focusMapper, error) {
	m := &focusMapper{src: src}
	index := map[string]int{}
	for i, name := range src.columns() {
		if _, dup := index[name]; !dup {
			index[name] = i
		}
	}
	var missing []string
	for f := focusField(0); f < numFOCUSFields; f++ {
		m.col[f] = -1
		m.names[f] = focusColumns[f].names[0]
		for _, n := range focusColumns[f].names {
			if c, ok := index[n]; ok {
				m.col[f], m.names[f] = c, n
				break
			}
		}
		if m.col[f] < 0 && focusColumns[f].required {
			missing = append(missing, m.names[f])
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("missing required columns: %s", strings.Join(missing, ", "))
	}
	return m, nil
}

func (m *focusMapper) projection() []int {
	var cols []int
	for _, c := range m.col {
		if c >= 0 {
			cols = append(cols, c)
		}
	}
	return cols
}

func (m *focusMapper) s(f focusField) string { return m.src.str(m.col[f]) }

func (m *focusMapper) amt(f focusField) (billing.Amount, error) {
	a, err := m.src.amount(m.col[f])
	if err != nil {
		return 0, &fieldError{m.names[f], err}
	}
	return a, nil
}

func (m *focusMapper) ts(f focusField) (time.Time, error) {
	t, err := m.src.timestamp(m.col[f])
	if err == nil && t.IsZero() {
		err = fmt.Errorf("empty timestamp")
	}
	if err != nil {
		return time.Time{}, &fieldError{m.names[f], err}
	}
	return t, nil
}

func (m *focusMapper) mapRow() (billing.BillingPeriod, *billing.LineItem, string, error) {
	li := &m.li
	tags, ccs := li.Tags, li.CostCategories
	if tags == nil {
		tags, ccs = map[string]string{}, map[string]string{}
	}
	clear(tags)
	clear(ccs)
	*li = billing.LineItem{Tags: tags, CostCategories: ccs}
	fail := func(err error) (billing.BillingPeriod, *billing.LineItem, string, error) {
		return billing.BillingPeriod{}, nil, "", err
	}
	var err error
	if li.UsageStart, err = m.ts(fChargePeriodStart); err != nil {
		return fail(err)
	}
	if li.UsageEnd, err = m.ts(fChargePeriodEnd); err != nil {
		return fail(err)
	}
	bps, err := m.ts(fBillingPeriodStart)
	if err != nil {
		return fail(err)
	}
	provider := m.s(fProviderName)
	li.PayerAccountID = m.s(fBillingAccountID)
	li.PayerAccountName = m.s(fBillingAccountName)
	li.UsageAccountID = m.s(fSubAccountID)
	if li.UsageAccountID == "" {
		li.UsageAccountID = li.PayerAccountID
	}
	li.UsageAccountName = m.s(fSubAccountName)
	commitType := m.s(fCommitmentDiscountType)
	kind := commitmentKind(commitType)
	li.LineItemType = focusLineItemType(focusChargeKey{
		category: m.s(fChargeCategory), commitment: kind,
		status: m.s(fCommitmentDiscountStatus), frequency: m.s(fChargeFrequency),
	})
	li.ServiceCode = m.s(fServiceCode)
	li.UsageType = m.s(fUsageType)
	if li.UsageType == "" {
		li.UsageType = m.s(fSkuMeter)
	}
	li.Operation = m.s(fOperation)
	li.AZ = m.s(fAvailabilityZone)
	li.Region = m.s(fRegionID)
	li.ResourceID = m.s(fResourceID)
	li.Currency = m.s(fBillingCurrency)
	li.UsageUnit = m.s(fConsumedUnit)
	if li.UsageUnit == "" {
		li.UsageUnit = m.s(fPricingUnit)
	}
	li.LegalEntity = m.s(fPublisherName)
	li.InvoicingEntity = m.s(fInvoiceIssuerName)
	commitID := m.s(fCommitmentDiscountID)
	switch kind {
	case "sp":
		li.SavingsPlanARN = commitID
	case "ri":
		li.ReservationID = commitID[strings.LastIndexByte(commitID, '/')+1:]
		li.Commitment.ReservationARN = commitID
	}
	serviceName := m.s(fServiceName)
	if isAWSName(provider) {
		// BILLING_ENTITY: a seller other than AWS (ServiceProviderName, or
		// PublisherName before 1.3) sells through AWS Marketplace.
		li.BillingEntity = "AWS"
		if li.LegalEntity != "" && !isAWSName(li.LegalEntity) {
			li.BillingEntity = "AWS Marketplace"
		}
		usageType := li.UsageType
		if usageType == "" && li.ServiceCode == "" && serviceName == "Amazon Elastic Compute Cloud" {
			usageType = billing.EC2UsageTypeFromDescription(m.s(fChargeDescription))
		}
		li.Service = billing.ServiceName(li.ServiceCode, serviceName, "", usageType, li.LineItemType)
		li.UsageTypeGroup = billing.UsageTypeGroup(li.ServiceCode, li.UsageType)
	} else {
		li.Service = serviceName
	}
	li.RecordType = billing.RecordType(li.LineItemType, li.ServiceCode, li.ReservationID)
	li.PurchaseType = focusPurchaseType(m.s(fPricingCategory), kind, commitType)
	if err := m.metrics(li); err != nil {
		return fail(err)
	}
	if err := m.commitment(li, kind); err != nil {
		return fail(err)
	}
	// AWS's FOCUS 1.2 export moved cost categories from x_CostCategories
	// into Tags, under a costCategory/ prefix. FOCUS 1.3 AllocatedTags add
	// to Tags; should a key repeat, Tags wins.
	for _, f := range []focusField{fAllocatedTags, fTags} {
		if err := m.src.pairs(m.col[f], func(k, v string) {
			if name, ok := strings.CutPrefix(k, "costCategory/"); ok {
				li.CostCategories[name] = v
				return
			}
			li.Tags[k] = v
		}); err != nil {
			return fail(&fieldError{m.names[f], err})
		}
	}
	if err := m.src.pairs(m.col[fCostCategories], func(k, v string) { li.CostCategories[k] = v }); err != nil {
		return fail(&fieldError{m.names[fCostCategories], err})
	}
	billing.SpellAsCostExplorer(li)
	return m.period.get("focus", provider, li.PayerAccountID, bps), li, m.s(fInvoiceID), nil
}

func (m *focusMapper) metrics(li *billing.LineItem) error {
	billed, err := m.amt(fBilledCost)
	if err != nil {
		return err
	}
	effective, err := m.amt(fEffectiveCost)
	if err != nil {
		return err
	}
	li.Unblended, li.Blended, li.NetUnblended = billed, billed, billed
	li.Amortized, li.NetAmortized = effective, effective
	qf := fConsumedQuantity
	if m.col[qf] < 0 || m.s(qf) == "" {
		qf = fPricingQuantity
	}
	if li.UsageQuantity, err = m.src.quantity(m.col[qf]); err != nil {
		return &fieldError{m.names[qf], err}
	}
	return nil
}

// isAWSName reports whether a FOCUS provider name is AWS's.
func isAWSName(name string) bool {
	return name == "AWS" || strings.HasPrefix(name, "Amazon Web Services")
}

// focusPurchaseType maps FOCUS PricingCategory and commitment type to a
// PURCHASE_TYPE.
func focusPurchaseType(pricingCategory, kind, commitType string) string {
	switch {
	case kind == "sp":
		return billing.PurchaseSavingsPlan
	case kind == "ri" && strings.Contains(strings.ToLower(commitType), "convertible"):
		return billing.PurchaseConvertible
	case kind == "ri":
		return billing.PurchaseStandardRI
	case pricingCategory == "Dynamic":
		return billing.PurchaseSpot
	}
	return billing.PurchaseOnDemand
}
