package ingest

import "strings"

// curField names a CUR column the mapping reads. Legacy CSV, Athena Parquet
// and CUR 2.0 files all resolve to these fields: the CSV name is converted to
// the snake_case name the other two use (see snakeName).
type curField int

const (
	cPayerAccountID curField = iota
	cPayerAccountName
	cBillingPeriodStart
	cInvoiceID
	cInvoicingEntity
	cBillingEntity
	cUsageAccountID
	cUsageAccountName
	cLineItemType
	cUsageStart
	cUsageEnd
	cProductCode
	cUsageType
	cOperation
	cAvailabilityZone
	cResourceID
	cUsageAmount
	cNormalizationFactor
	cNormalizedUsageAmount
	cCurrencyCode
	cUnblendedCost
	cBlendedCost
	cNetUnblendedCost
	cLegalEntity
	cDescription
	cProductName
	cProductFamily
	cRegion
	cRegionCode
	cInstanceType
	cInstanceTypeFamily
	cOperatingSystem
	cTenancy
	cDeploymentOption
	cDatabaseEngine
	cCacheEngine
	cPricingUnit
	cOfferingClass
	cPurchaseOption
	cReservationARN
	cRIEffectiveCost
	cRINetEffectiveCost
	cRIUnusedAmortizedUpfront
	cRINetUnusedAmortizedUpfront
	cRIUnusedRecurringFee
	cRINetUnusedRecurringFee
	cRISubscriptionID
	cRIAvailabilityZone
	cSavingsPlanARN
	cSPEffectiveCost
	cSPNetEffectiveCost
	cSPTotalCommitmentToDate
	cSPUsedCommitment
	cSPAmortizedUpfrontCommitment
	cSPNetAmortizedUpfrontCommitment
	cSPRecurringCommitment
	cSPOfferingType
	cSPPaymentOption
	cRIStart
	cRIEnd
	cRINumberOfReservations
	cRINormalizedUnitsPerReservation
	cLeaseLength
	cRIAmortizedUpfrontForUsage
	cRIRecurringForUsage
	cRIAmortizedUpfrontFee
	cRIUnusedQuantity
	cRIUnusedNormalized
	cSPStart
	cSPEnd
	cSPPurchaseTerm
	cPublicOnDemandCost
	numCURFields
)

// curColumns gives each curField its legacy CSV column name and whether a
// file without it is rejected.
var curColumns = [numCURFields]struct {
	csv      string
	required bool
}{
	cPayerAccountID:                  {"bill/PayerAccountId", true},
	cPayerAccountName:                {"bill/PayerAccountName", false},
	cBillingPeriodStart:              {"bill/BillingPeriodStartDate", true},
	cInvoiceID:                       {"bill/InvoiceId", false},
	cInvoicingEntity:                 {"bill/InvoicingEntity", false},
	cBillingEntity:                   {"bill/BillingEntity", false},
	cUsageAccountID:                  {"lineItem/UsageAccountId", true},
	cUsageAccountName:                {"lineItem/UsageAccountName", false},
	cLineItemType:                    {"lineItem/LineItemType", true},
	cUsageStart:                      {"lineItem/UsageStartDate", true},
	cUsageEnd:                        {"lineItem/UsageEndDate", true},
	cProductCode:                     {"lineItem/ProductCode", true},
	cUsageType:                       {"lineItem/UsageType", false},
	cOperation:                       {"lineItem/Operation", false},
	cAvailabilityZone:                {"lineItem/AvailabilityZone", false},
	cResourceID:                      {"lineItem/ResourceId", false},
	cUsageAmount:                     {"lineItem/UsageAmount", false},
	cNormalizationFactor:             {"lineItem/NormalizationFactor", false},
	cNormalizedUsageAmount:           {"lineItem/NormalizedUsageAmount", false},
	cCurrencyCode:                    {"lineItem/CurrencyCode", false},
	cUnblendedCost:                   {"lineItem/UnblendedCost", true},
	cBlendedCost:                     {"lineItem/BlendedCost", false},
	cNetUnblendedCost:                {"lineItem/NetUnblendedCost", false},
	cLegalEntity:                     {"lineItem/LegalEntity", false},
	cDescription:                     {"lineItem/LineItemDescription", false},
	cProductName:                     {"product/ProductName", false},
	cProductFamily:                   {"product/productFamily", false},
	cRegion:                          {"product/region", false},
	cRegionCode:                      {"product/regionCode", false},
	cInstanceType:                    {"product/instanceType", false},
	cInstanceTypeFamily:              {"product/instanceTypeFamily", false},
	cOperatingSystem:                 {"product/operatingSystem", false},
	cTenancy:                         {"product/tenancy", false},
	cDeploymentOption:                {"product/deploymentOption", false},
	cDatabaseEngine:                  {"product/databaseEngine", false},
	cCacheEngine:                     {"product/cacheEngine", false},
	cPricingUnit:                     {"pricing/unit", false},
	cOfferingClass:                   {"pricing/OfferingClass", false},
	cPurchaseOption:                  {"pricing/PurchaseOption", false},
	cReservationARN:                  {"reservation/ReservationARN", false},
	cRIEffectiveCost:                 {"reservation/EffectiveCost", false},
	cRINetEffectiveCost:              {"reservation/NetEffectiveCost", false},
	cRIUnusedAmortizedUpfront:        {"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", false},
	cRINetUnusedAmortizedUpfront:     {"reservation/NetUnusedAmortizedUpfrontFeeForBillingPeriod", false},
	cRIUnusedRecurringFee:            {"reservation/UnusedRecurringFee", false},
	cRINetUnusedRecurringFee:         {"reservation/NetUnusedRecurringFee", false},
	cRISubscriptionID:                {"reservation/SubscriptionId", false},
	cRIAvailabilityZone:              {"reservation/AvailabilityZone", false},
	cSavingsPlanARN:                  {"savingsPlan/SavingsPlanARN", false},
	cSPEffectiveCost:                 {"savingsPlan/SavingsPlanEffectiveCost", false},
	cSPNetEffectiveCost:              {"savingsPlan/NetSavingsPlanEffectiveCost", false},
	cSPTotalCommitmentToDate:         {"savingsPlan/TotalCommitmentToDate", false},
	cSPUsedCommitment:                {"savingsPlan/UsedCommitment", false},
	cSPAmortizedUpfrontCommitment:    {"savingsPlan/AmortizedUpfrontCommitmentForBillingPeriod", false},
	cSPNetAmortizedUpfrontCommitment: {"savingsPlan/NetAmortizedUpfrontCommitmentForBillingPeriod", false},
	cSPRecurringCommitment:           {"savingsPlan/RecurringCommitmentForBillingPeriod", false},
	cSPOfferingType:                  {"savingsPlan/OfferingType", false},
	cSPPaymentOption:                 {"savingsPlan/PaymentOption", false},
	cRIStart:                         {"reservation/StartTime", false},
	cRIEnd:                           {"reservation/EndTime", false},
	cRINumberOfReservations:          {"reservation/NumberOfReservations", false},
	cRINormalizedUnitsPerReservation: {"reservation/NormalizedUnitsPerReservation", false},
	cLeaseLength:                     {"pricing/LeaseContractLength", false},
	cRIAmortizedUpfrontForUsage:      {"reservation/AmortizedUpfrontCostForUsage", false},
	cRIRecurringForUsage:             {"reservation/RecurringFeeForUsage", false},
	cRIAmortizedUpfrontFee:           {"reservation/AmortizedUpfrontFeeForBillingPeriod", false},
	cRIUnusedQuantity:                {"reservation/UnusedQuantity", false},
	cRIUnusedNormalized:              {"reservation/UnusedNormalizedUnitQuantity", false},
	cSPStart:                         {"savingsPlan/StartTime", false},
	cSPEnd:                           {"savingsPlan/EndTime", false},
	cSPPurchaseTerm:                  {"savingsPlan/PurchaseTerm", false},
	cPublicOnDemandCost:              {"pricing/publicOnDemandCost", false},
}

// productMapKey returns the key under which CUR 2.0 keeps a product/*
// attribute in its product map ("product/ProductName" -> "product_name"),
// or "" for a field that is not a product attribute.
func productMapKey(f curField) string {
	return strings.TrimPrefix(snakeName(curColumns[f].csv), "product_")
}

// isProductField reports whether f is a product/* column.
func isProductField(f curField) bool {
	return strings.HasPrefix(curColumns[f].csv, "product/")
}

// awsTagKeys maps the normalized suffix of an AWS-generated tag column
// (resource_tags_aws_<suffix>, CUR 2.0 map key aws_<suffix>) back to the
// tag's real key. Suffixes not listed become "aws:" + suffix.
var awsTagKeys = map[string]string{
	"created_by":                           "aws:createdBy",
	"cloudformation_stack_name":            "aws:cloudformation:stack-name",
	"cloudformation_stack_id":              "aws:cloudformation:stack-id",
	"cloudformation_logical_id":            "aws:cloudformation:logical-id",
	"autoscaling_group_name":               "aws:autoscaling:groupName",
	"ec2spot_fleet_request_id":             "aws:ec2spot:fleet-request-id",
	"ec2launchtemplate_id":                 "aws:ec2launchtemplate:id",
	"ec2launchtemplate_version":            "aws:ec2launchtemplate:version",
	"ec2_fleet_id":                         "aws:ec2:fleet-id",
	"ecs_cluster_name":                     "aws:ecs:clusterName",
	"ecs_service_name":                     "aws:ecs:serviceName",
	"eks_cluster_name":                     "aws:eks:cluster-name",
	"elasticmapreduce_job_flow_id":         "aws:elasticmapreduce:job-flow-id",
	"elasticmapreduce_instance_group_role": "aws:elasticmapreduce:instance-group-role",
	"backup_source_resource":               "aws:backup:source-resource",
}

// normalizedTagKey turns a normalized tag name (the part after
// "resource_tags_" in a Parquet column, or a CUR 2.0 resource_tags map key)
// into a Cost Explorer tag key: "user_cost_center" -> "cost_center",
// "aws_created_by" -> "aws:createdBy".
func normalizedTagKey(name string) string {
	if rest, ok := strings.CutPrefix(name, "user_"); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(name, "aws_"); ok {
		if k, ok := awsTagKeys[rest]; ok {
			return k
		}
		return "aws:" + rest
	}
	return name
}

// legacyTagKey turns the part after "resourceTags/" of a legacy CSV column or
// a CUR 2.0 tags map key into a tag key: "user:Environment" ->
// "Environment", "aws:createdBy" stays.
func legacyTagKey(name string) string {
	if rest, ok := strings.CutPrefix(name, "user:"); ok {
		return rest
	}
	return name
}
