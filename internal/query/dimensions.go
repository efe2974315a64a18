package query

import "github.com/tallyhq/tally/internal/billing"

// AllDimensions lists the Cost Explorer dimensions in the model's order.
var AllDimensions = []billing.Dimension{
	billing.DimAZ, billing.DimInstanceType, billing.DimLinkedAccount, billing.DimPayerAccount,
	billing.DimLinkedAccountName, billing.DimOperation, billing.DimPurchaseType, billing.DimRegion,
	billing.DimService, billing.DimServiceCode, billing.DimUsageType, billing.DimUsageTypeGroup,
	billing.DimRecordType, billing.DimOperatingSystem, billing.DimTenancy, billing.DimScope,
	billing.DimPlatform, billing.DimSubscriptionID, billing.DimLegalEntityName,
	billing.DimDeploymentOption, billing.DimDatabaseEngine, billing.DimCacheEngine,
	billing.DimInstanceTypeFamily, billing.DimBillingEntity, billing.DimReservationID,
	billing.DimResourceID, billing.DimRightsizingType, billing.DimSavingsPlansType,
	billing.DimSavingsPlanARN, billing.DimPaymentOption, billing.DimAgreementEndDateTimeAfter,
	billing.DimAgreementEndDateTimeBefore, billing.DimInvoicingEntity,
	billing.DimAnomalyTotalImpactAbsolute, billing.DimAnomalyTotalImpactPercent,
}

func dimSet(ds ...billing.Dimension) map[billing.Dimension]bool {
	m := make(map[billing.Dimension]bool, len(ds))
	for _, d := range ds {
		m[d] = true
	}
	return m
}

// without returns the dimensions billing data carries, less the given ones.
func without(ds ...billing.Dimension) map[billing.Dimension]bool {
	skip := dimSet(ds...)
	m := map[billing.Dimension]bool{}
	var li billing.LineItem
	for _, d := range AllDimensions {
		if _, ok := d.Value(&li); ok && !skip[d] {
			m[d] = true
		}
	}
	return m
}

// CostAndUsageFilterDimensions are the dimensions a GetCostAndUsage filter
// accepts: every dimension billing data carries except LINKED_ACCOUNT_NAME and
// SERVICE_CODE, which AWS reserves for cost category rules, and RESOURCE_ID,
// which is GetCostAndUsageWithResources's.
var CostAndUsageFilterDimensions = without(billing.DimLinkedAccountName, billing.DimServiceCode, billing.DimResourceID)

// WithResourcesFilterDimensions and WithResourcesGroupByDimensions add
// RESOURCE_ID for GetCostAndUsageWithResources.
var (
	WithResourcesFilterDimensions  = without(billing.DimLinkedAccountName, billing.DimServiceCode)
	WithResourcesGroupByDimensions = without(billing.DimLinkedAccountName, billing.DimServiceCode)
)

// GroupByDimensions are the dimensions GetCostAndUsage groups by. AWS
// documents twelve (AZ, INSTANCE_TYPE, LEGAL_ENTITY_NAME, INVOICING_ENTITY,
// LINKED_ACCOUNT, OPERATION, PLATFORM, PURCHASE_TYPE, SERVICE, TENANCY,
// RECORD_TYPE, USAGE_TYPE) and accepts more in practice (REGION,
// USAGE_TYPE_GROUP, ...); Tally accepts every dimension billing data carries
// except RESOURCE_ID (GetCostAndUsageWithResources only) and the two
// cost-category-rule dimensions.
var GroupByDimensions = without(billing.DimLinkedAccountName, billing.DimServiceCode, billing.DimResourceID)

// DimensionValuesContexts lists, per GetDimensionValues context, the
// dimensions it accepts (from the API documentation). SCOPE belongs to
// RESERVATIONS and PAYMENT_OPTION to SAVINGS_PLANS only, as the reference
// lists them.
var DimensionValuesContexts = map[string]map[billing.Dimension]bool{
	"COST_AND_USAGE": dimSet(billing.DimAZ, billing.DimBillingEntity, billing.DimCacheEngine,
		billing.DimDeploymentOption, billing.DimDatabaseEngine, billing.DimInstanceType,
		billing.DimInstanceTypeFamily, billing.DimInvoicingEntity, billing.DimLegalEntityName,
		billing.DimLinkedAccount, billing.DimOperatingSystem, billing.DimOperation, billing.DimPlatform,
		billing.DimPurchaseType, billing.DimReservationID, billing.DimSavingsPlanARN,
		billing.DimSavingsPlansType, billing.DimService, billing.DimTenancy, billing.DimUsageType,
		billing.DimUsageTypeGroup, billing.DimRegion, billing.DimRecordType, billing.DimResourceID,
		billing.DimPayerAccount, billing.DimServiceCode, billing.DimSubscriptionID),
	"RESERVATIONS": dimSet(billing.DimAZ, billing.DimCacheEngine, billing.DimDeploymentOption,
		billing.DimInstanceType, billing.DimLinkedAccount, billing.DimPlatform, billing.DimRegion,
		billing.DimScope, billing.DimTenancy, billing.DimDatabaseEngine, billing.DimOperatingSystem),
	"SAVINGS_PLANS": dimSet(billing.DimSavingsPlansType, billing.DimPaymentOption, billing.DimRegion,
		billing.DimInstanceTypeFamily, billing.DimLinkedAccount, billing.DimSavingsPlanARN),
}

// CostAndUsageRules are the filter rules of GetCostAndUsage: dimensions match
// with EQUALS only, tags and cost categories also with ABSENT.
var CostAndUsageRules = Rules{
	Operation:  "GetCostAndUsage",
	Dimensions: CostAndUsageFilterDimensions,
	Ops: map[Kind][]MatchOp{
		KindDimension:    {OpEquals},
		KindTag:          {OpEquals, OpAbsent},
		KindCostCategory: {OpEquals, OpAbsent},
	},
}

// WithResourcesRules are CostAndUsageRules with RESOURCE_ID allowed.
var WithResourcesRules = func() Rules {
	r := CostAndUsageRules
	r.Operation = "GetCostAndUsageWithResources"
	r.Dimensions = WithResourcesFilterDimensions
	return r
}()
