package billing

import "strings"

// noValues gives, per dimension, the value Cost Explorer shows for a line
// that has none (a tax line has no region, an S3 line no instance type). AWS
// answers these in GroupBy keys and GetDimensionValues, and a filter on them
// selects those lines, so Tally stores them instead of "". NOVALUE.md beside
// this file lists the evidence for each spelling.
var noValues = map[Dimension]string{
	DimAZ:                 "NoAZ",
	DimRegion:             "NoRegion",
	DimInstanceType:       "NoInstanceType",
	DimInstanceTypeFamily: "NoInstanceTypeFamily",
	DimDatabaseEngine:     "NoDatabaseEngine",
	DimDeploymentOption:   "NoDeploymentOption",
	DimUsageType:          "NoUsageType",
	DimOperatingSystem:    "NoOperatingSystem",
	DimPlatform:           "NoOperatingSystem",
	DimResourceID:         "NoResourceId",
	DimTenancy:            "NoTenancy",
	DimCacheEngine:        "NoCacheEngine",
	DimUsageTypeGroup:     "NoUsageTypeGroup",
	DimOperation:          "NoOperation",
	DimLegalEntityName:    "NoLegalEntityName",
	DimInvoicingEntity:    "NoInvoicingEntity",
	DimBillingEntity:      "NoBillingEntity",
	DimReservationID:      "NoReservationId",
	DimSubscriptionID:     "NoSubscriptionId",
	DimScope:              "NoScope",
	DimSavingsPlanARN:     "NoSavingsPlanArn",
	DimSavingsPlansType:   "NoSavingsPlansType",
	DimPaymentOption:      "NoPaymentOption",
}

// NoValue returns the value Cost Explorer shows for a line without a value
// for d, or "" when d always has one (SERVICE, LINKED_ACCOUNT, ...).
func NoValue(d Dimension) string { return noValues[d] }

// IsNoValue reports whether v is the no-value spelling of d.
func IsNoValue(d Dimension, v string) bool {
	nv, ok := noValues[d]
	return ok && v == nv
}

// deploymentOptions maps the CUR's product/deploymentOption to the spelling
// of the Cost Explorer API reference ("Valid values are SingleAZ and
// MultiAZ"); variants with a suffix keep it ("Multi-AZ (SQL Server Mirror)"
// becomes "MultiAZ (SQL Server Mirror)").
var deploymentOptions = []struct{ cur, api string }{
	{"Single-AZ", "SingleAZ"},
	{"Multi-AZ", "MultiAZ"},
}

// DeploymentOption returns the Cost Explorer DEPLOYMENT_OPTION of a CUR
// product/deploymentOption value.
func DeploymentOption(v string) string {
	for _, d := range deploymentOptions {
		if rest, ok := strings.CutPrefix(v, d.cur); ok {
			return d.api + rest
		}
	}
	return v
}

// Tenancy returns the Cost Explorer TENANCY of a CUR product/tenancy value:
// the price list's "NA" (not applicable: no instance) is no tenancy.
func Tenancy(v string) string {
	if v == "NA" {
		return ""
	}
	return v
}

// SpellAsCostExplorer puts the line's dimension values in Cost Explorer's
// spelling: API spellings for values the CUR spells otherwise, and the
// no-value spelling of each dimension the line has no value for. Every
// ingest path calls it last, so stores keep the values users filter on.
func SpellAsCostExplorer(li *LineItem) {
	li.DeploymentOption = DeploymentOption(li.DeploymentOption)
	li.Tenancy = Tenancy(li.Tenancy)
	for i, v := range [len(spelledDims)]*string{
		&li.AZ, &li.Region, &li.InstanceType,
		&li.InstanceTypeFamily, &li.DatabaseEngine,
		&li.DeploymentOption, &li.UsageType,
		&li.OperatingSystem, &li.Platform,
		&li.ResourceID, &li.Tenancy, &li.CacheEngine,
		&li.UsageTypeGroup, &li.Operation,
		&li.LegalEntity, &li.InvoicingEntity,
		&li.BillingEntity, &li.ReservationID,
		&li.SubscriptionID, &li.Scope,
		&li.SavingsPlanARN, &li.SavingsPlansType,
		&li.PaymentOption,
	} {
		if *v == "" {
			*v = spelledNoValues[i]
		}
	}
}

// spelledDims are the dimensions SpellAsCostExplorer fills, in the order of
// its fields, and spelledNoValues their no-value spellings: it runs for every
// line, so it reads them from an array rather than from noValues.
var (
	spelledDims = [...]Dimension{
		DimAZ, DimRegion, DimInstanceType,
		DimInstanceTypeFamily, DimDatabaseEngine,
		DimDeploymentOption, DimUsageType,
		DimOperatingSystem, DimPlatform,
		DimResourceID, DimTenancy, DimCacheEngine,
		DimUsageTypeGroup, DimOperation,
		DimLegalEntityName, DimInvoicingEntity,
		DimBillingEntity, DimReservationID,
		DimSubscriptionID, DimScope,
		DimSavingsPlanARN, DimSavingsPlansType,
		DimPaymentOption,
	}
	spelledNoValues = func() (vs [len(spelledDims)]string) {
		for i, d := range spelledDims {
			vs[i] = noValues[d]
		}
		return vs
	}()
)
