package billing

// Dimension is a Cost Explorer dimension name as it appears on the wire
// (SERVICE, LINKED_ACCOUNT, ...).
type Dimension string

// The Cost Explorer dimensions, in the order of the model's enum.
const (
	DimAZ                         Dimension = "AZ"
	DimInstanceType               Dimension = "INSTANCE_TYPE"
	DimLinkedAccount              Dimension = "LINKED_ACCOUNT"
	DimPayerAccount               Dimension = "PAYER_ACCOUNT"
	DimLinkedAccountName          Dimension = "LINKED_ACCOUNT_NAME"
	DimOperation                  Dimension = "OPERATION"
	DimPurchaseType               Dimension = "PURCHASE_TYPE"
	DimRegion                     Dimension = "REGION"
	DimService                    Dimension = "SERVICE"
	DimServiceCode                Dimension = "SERVICE_CODE"
	DimUsageType                  Dimension = "USAGE_TYPE"
	DimUsageTypeGroup             Dimension = "USAGE_TYPE_GROUP"
	DimRecordType                 Dimension = "RECORD_TYPE"
	DimOperatingSystem            Dimension = "OPERATING_SYSTEM"
	DimTenancy                    Dimension = "TENANCY"
	DimScope                      Dimension = "SCOPE"
	DimPlatform                   Dimension = "PLATFORM"
	DimSubscriptionID             Dimension = "SUBSCRIPTION_ID"
	DimLegalEntityName            Dimension = "LEGAL_ENTITY_NAME"
	DimDeploymentOption           Dimension = "DEPLOYMENT_OPTION"
	DimDatabaseEngine             Dimension = "DATABASE_ENGINE"
	DimCacheEngine                Dimension = "CACHE_ENGINE"
	DimInstanceTypeFamily         Dimension = "INSTANCE_TYPE_FAMILY"
	DimBillingEntity              Dimension = "BILLING_ENTITY"
	DimReservationID              Dimension = "RESERVATION_ID"
	DimResourceID                 Dimension = "RESOURCE_ID"
	DimRightsizingType            Dimension = "RIGHTSIZING_TYPE"
	DimSavingsPlansType           Dimension = "SAVINGS_PLANS_TYPE"
	DimSavingsPlanARN             Dimension = "SAVINGS_PLAN_ARN"
	DimPaymentOption              Dimension = "PAYMENT_OPTION"
	DimAgreementEndDateTimeAfter  Dimension = "AGREEMENT_END_DATE_TIME_AFTER"
	DimAgreementEndDateTimeBefore Dimension = "AGREEMENT_END_DATE_TIME_BEFORE"
	DimInvoicingEntity            Dimension = "INVOICING_ENTITY"
	DimAnomalyTotalImpactAbsolute Dimension = "ANOMALY_TOTAL_IMPACT_ABSOLUTE"
	DimAnomalyTotalImpactPercent  Dimension = "ANOMALY_TOTAL_IMPACT_PERCENTAGE"
)

// Value returns the line item's value for a dimension that billing data
// carries, and false for a dimension that no line item has (RIGHTSIZING_TYPE,
// the agreement-end and anomaly dimensions).
func (d Dimension) Value(li *LineItem) (string, bool) {
	switch d {
	case DimAZ:
		return li.AZ, true
	case DimInstanceType:
		return li.InstanceType, true
	case DimLinkedAccount:
		return li.UsageAccountID, true
	case DimPayerAccount:
		return li.PayerAccountID, true
	case DimLinkedAccountName:
		return li.UsageAccountName, true
	case DimOperation:
		return li.Operation, true
	case DimPurchaseType:
		return li.PurchaseType, true
	case DimRegion:
		return li.Region, true
	case DimService:
		return li.Service, true
	case DimServiceCode:
		return li.ServiceCode, true
	case DimUsageType:
		return li.UsageType, true
	case DimUsageTypeGroup:
		return li.UsageTypeGroup, true
	case DimRecordType:
		return li.RecordType, true
	case DimOperatingSystem:
		return li.OperatingSystem, true
	case DimTenancy:
		return li.Tenancy, true
	case DimScope:
		return li.Scope, true
	case DimPlatform:
		return li.Platform, true
	case DimSubscriptionID:
		return li.SubscriptionID, true
	case DimLegalEntityName:
		return li.LegalEntity, true
	case DimDeploymentOption:
		return li.DeploymentOption, true
	case DimDatabaseEngine:
		return li.DatabaseEngine, true
	case DimCacheEngine:
		return li.CacheEngine, true
	case DimInstanceTypeFamily:
		return li.InstanceTypeFamily, true
	case DimBillingEntity:
		return li.BillingEntity, true
	case DimReservationID:
		return li.ReservationID, true
	case DimResourceID:
		return li.ResourceID, true
	case DimSavingsPlansType:
		return li.SavingsPlansType, true
	case DimSavingsPlanARN:
		return li.SavingsPlanARN, true
	case DimPaymentOption:
		return li.PaymentOption, true
	case DimInvoicingEntity:
		return li.InvoicingEntity, true
	}
	return "", false
}
