package billing

import "time"

// LineItem is the canonical form of one billing line, whatever export it came
// from. Ingest fills it; stores keep it and answer Cost Explorer queries from
// it. Strings that a source does not provide are empty.
type LineItem struct {
	// UsageStart and UsageEnd are the UTC half-open usage interval. A line
	// counts in the time bucket of UsageStart.
	UsageStart, UsageEnd time.Time

	PayerAccountID, PayerAccountName string // PAYER_ACCOUNT
	UsageAccountID, UsageAccountName string // LINKED_ACCOUNT, LINKED_ACCOUNT_NAME

	// LineItemType is the CUR line item type (Usage, DiscountedUsage, RIFee,
	// Fee, Tax, Credit, Refund, SavingsPlanCoveredUsage, ...). FOCUS charges
	// are mapped to the nearest CUR type.
	LineItemType string
	RecordType   string // RECORD_TYPE, derived from LineItemType

	ServiceCode    string // SERVICE_CODE: the CUR product code (AmazonEC2)
	Service        string // SERVICE: the Cost Explorer service name
	UsageType      string // USAGE_TYPE
	UsageTypeGroup string // USAGE_TYPE_GROUP
	Operation      string // OPERATION
	AZ             string // AZ
	Region         string // REGION

	InstanceType       string // INSTANCE_TYPE
	InstanceTypeFamily string // INSTANCE_TYPE_FAMILY
	OperatingSystem    string // OPERATING_SYSTEM
	Platform           string // PLATFORM
	Tenancy            string // TENANCY
	DeploymentOption   string // DEPLOYMENT_OPTION
	DatabaseEngine     string // DATABASE_ENGINE
	CacheEngine        string // CACHE_ENGINE
	PurchaseType       string // PURCHASE_TYPE

	LegalEntity     string // LEGAL_ENTITY_NAME
	InvoicingEntity string // INVOICING_ENTITY
	BillingEntity   string // BILLING_ENTITY

	ReservationID    string // RESERVATION_ID
	SubscriptionID   string // SUBSCRIPTION_ID
	Scope            string // SCOPE (RI scope: Region or Availability Zone)
	SavingsPlanARN   string // SAVINGS_PLAN_ARN
	SavingsPlansType string // SAVINGS_PLANS_TYPE
	PaymentOption    string // PAYMENT_OPTION
	ResourceID       string // RESOURCE_ID

	Currency  string // the unit of every cost metric
	UsageUnit string // the unit of UsageQuantity

	Unblended    Amount
	Blended      Amount
	NetUnblended Amount
	Amortized    Amount
	NetAmortized Amount

	// UsageQuantity and NormalizedUsage are quantities, not money; stores
	// round them to Scale digits before summing so sums are exact and
	// deterministic.
	UsageQuantity   float64
	NormalizedUsage float64

	// Commitment holds the reservation and Savings Plan columns of the line.
	Commitment Commitment

	// Tags maps a Cost Explorer tag key (Environment, aws:createdBy) to its
	// value on this line. Absent and empty both mean untagged.
	Tags map[string]string
	// CostCategories maps a cost category name to this line's value.
	CostCategories map[string]string
}
