package billing

import "strings"

// This file holds the rules that turn billing-export columns into the values
// Cost Explorer shows for derived dimensions (SERVICE, RECORD_TYPE,
// PURCHASE_TYPE, USAGE_TYPE_GROUP, PLATFORM). Each rule is a data table read
// by a small function, so that a wrong value is fixed by editing one row.
//
// Evidence, so that the tables can be checked and corrected:
//
//   - SERVICE: the AWS CLI reference example for `ce get-dimension-values
//     --dimension SERVICE` lists "Amazon ElastiCache", "EC2 - Other", "Amazon
//     Elastic Compute Cloud - Compute", "Amazon Elastic Load Balancing", ... .
//     Cost Explorer output captured by public clients shows "AmazonCloudWatch",
//     "Amazon Relational Database Service", "Tax", "Amazon DynamoDB" (the CUR
//     product names) next to the EC2 split. So SERVICE is the CUR product name
//     except for the rows of serviceNameOverrides and the EC2 split.
//   - RECORD_TYPE: GetCostAndUsage grouped by RECORD_TYPE, as captured in
//     public client output, returns "Usage", "Recurring" (RI recurring fees),
//     "Tax", "Credit", "SavingsPlanCoveredUsage"; AWS's own sample
//     aws-cost-explorer-report filters on "Credit", "Refund", "Upfront" and
//     "Support"; many independent clients filter on "DiscountedUsage",
//     "SavingsPlanNegation", "SavingsPlanRecurringFee",
//     "SavingsPlanUpfrontFee", "BundledDiscount" and on the spelled-out
//     discount labels "Enterprise Discount Program Discount", "Solution
//     Provider Program Discount", "Private Rate Card Discount" and
//     "Distributor Discount". recordTypes follows that evidence; a line item
//     type it does not know is returned unchanged.
//   - PURCHASE_TYPE: the documented examples are "On Demand Instances" and
//     "Standard Reserved Instances"; "Spot Instances", "Convertible Reserved
//     Instances" and "Savings Plans" follow the same pattern.
//   - USAGE_TYPE_GROUP: see usagetypegroups.go, which gives a source per row.
//   - PLATFORM: curated from the EC2 "usage operation" codes.
//   - The EC2 split: AWS does not publish the rule. Its CLI example and the
//     console show the two names; public write-ups of "EC2 - Other" (Vantage
//     cloud cost handbook, "EC2-Other"; getStrake's "What is EC2-Other")
//     list EBS volumes and snapshots, CPU credits, NAT gateways, data
//     transfer and idle Elastic IPs there, and instance hours (on demand,
//     spot, reserved, dedicated) under Compute. So a line is Compute when its
//     usage type is an instance usage type or its price-list product family
//     is instance capacity ("Compute Instance", "Compute Instance (bare
//     metal)", "Dedicated Host"); EBS-optimized and CPU credit usage types
//     stay in "EC2 - Other".

// ServiceEC2Compute and ServiceEC2Other are the two Cost Explorer services
// that AmazonEC2 line items are split into.
const (
	ServiceEC2Compute = "Amazon Elastic Compute Cloud - Compute"
	ServiceEC2Other   = "EC2 - Other"
	ServiceTax        = "Tax"
)

// serviceNameOverrides maps a CUR product name to the name Cost Explorer
// shows when the two differ.
var serviceNameOverrides = map[string]string{
	"Elastic Load Balancing": "Amazon Elastic Load Balancing",
}

// serviceNamesByCode names the service of a product code when a line carries
// no product name (CUR 2.0 rows without product['product_name'], FOCUS rows
// that give only x_ServiceCode).
var serviceNamesByCode = map[string]string{
	"AmazonApiGateway":     "Amazon API Gateway",
	"AmazonAthena":         "Amazon Athena",
	"AmazonCloudFront":     "Amazon CloudFront",
	"AmazonCloudWatch":     "AmazonCloudWatch",
	"AmazonDynamoDB":       "Amazon DynamoDB",
	"AmazonECR":            "Amazon EC2 Container Registry (ECR)",
	"AmazonECS":            "Amazon Elastic Container Service",
	"AmazonEFS":            "Amazon Elastic File System",
	"AmazonEKS":            "Amazon Elastic Container Service for Kubernetes",
	"AmazonElastiCache":    "Amazon ElastiCache",
	"AmazonES":             "Amazon OpenSearch Service",
	"AmazonGlacier":        "Amazon Glacier",
	"AmazonGuardDuty":      "Amazon GuardDuty",
	"AmazonKinesis":        "Amazon Kinesis",
	"AmazonQuickSight":     "Amazon QuickSight",
	"AmazonRDS":            "Amazon Relational Database Service",
	"AmazonRedshift":       "Amazon Redshift",
	"AmazonRoute53":        "Amazon Route 53",
	"AmazonS3":             "Amazon Simple Storage Service",
	"AmazonSageMaker":      "Amazon SageMaker",
	"AmazonSES":            "Amazon Simple Email Service",
	"AmazonSNS":            "Amazon Simple Notification Service",
	"AmazonStates":         "AWS Step Functions",
	"AmazonVPC":            "Amazon Virtual Private Cloud",
	"AWSBudgets":           "AWS Budgets",
	"AWSCloudTrail":        "AWS CloudTrail",
	"AWSConfig":            "AWS Config",
	"AWSCostExplorer":      "AWS Cost Explorer",
	"AWSDataTransfer":      "AWS Data Transfer",
	"AWSELB":               "Amazon Elastic Load Balancing",
	"AWSEvents":            "CloudWatch Events",
	"AWSGlue":              "AWS Glue",
	"AWSLambda":            "AWS Lambda",
	"AWSQueueService":      "Amazon Simple Queue Service",
	"AWSSecretsManager":    "AWS Secrets Manager",
	"AWSSupportBusiness":   "AWS Support (Business)",
	"AWSSupportDeveloper":  "AWS Support (Developer)",
	"AWSSupportEnterprise": "AWS Support (Enterprise)",
	"ComputeSavingsPlans":  "Savings Plans for AWS Compute usage",
	"awskms":               "AWS Key Management Service",
}

// ec2ComputeUsagePrefixes are the usage types (after the region prefix) of
// EC2 instance lines, which Cost Explorer shows as ServiceEC2Compute: running
// instances, RI fees of instances and unused capacity reservations. Spot and
// RI fee lines often carry no product family, so the usage type decides
// them.
var ec2ComputeUsagePrefixes = []string{
	"BoxUsage", "SpotUsage", "DedicatedUsage", "HostUsage", "HostBoxUsage",
	"ReservedHostUsage", "SchedUsage", "UnusedBox", "UnusedDed", "UnusedHost",
	"DedicatedRes", "HeavyUsage", "MediumUsage", "LightUsage", "Reservation:",
}

// ec2ComputeFamilies are the price-list product families of instance
// capacity. A line of one of them is instance usage whatever its usage type
// prefix (new instance-hour usage types appear over time), unless the usage
// type is in ec2OtherUsagePrefixes.
var ec2ComputeFamilies = map[string]bool{
	"Compute Instance": true, "Compute Instance (bare metal)": true, "Dedicated Host": true,
}

// ec2OtherUsagePrefixes are usage types that the price list files under an
// instance family but that are not instance hours: EBS-optimized throughput
// (family "Compute Instance" in the Workshop CUR) and CPU credits, both of
// which the public descriptions of "EC2 - Other" count there.
var ec2OtherUsagePrefixes = []string{"EBSOptimized", "CPUCredits"}

// ec2ComputeDescriptionMarkers identify EC2 instance lines by their charge
// description when no usage type is known (FOCUS 1.0 without x_UsageType).
var ec2ComputeDescriptionMarkers = []string{
	"on demand", "instance hour", "spot instance-hour", "reserved instance applied",
	"hourly fee per",
}

// ec2ComputeDescriptionExclusions win over ec2ComputeDescriptionMarkers.
var ec2ComputeDescriptionExclusions = []string{"mbps", "nat gateway", "elastic ip"}

// ServiceName returns the Cost Explorer SERVICE of a line: the product name
// (or a name looked up from the product code), with tax lines as "Tax" and
// AmazonEC2 split into instance usage and "EC2 - Other" by usage type and
// product family (see IsEC2InstanceLine).
func ServiceName(productCode, productName, productFamily, usageType, lineItemType string) string {
	if lineItemType == "Tax" {
		return ServiceTax
	}
	if productCode == "AmazonEC2" || (productCode == "" && productName == "Amazon Elastic Compute Cloud") {
		if IsEC2InstanceLine(usageType, productFamily) {
			return ServiceEC2Compute
		}
		return ServiceEC2Other
	}
	if n, ok := serviceNameOverrides[productName]; ok {
		return n
	}
	if productName != "" {
		return productName
	}
	if n, ok := serviceNamesByCode[productCode]; ok {
		return n
	}
	return productCode
}

// IsEC2InstanceUsage reports whether an AmazonEC2 usage type is instance
// usage (Cost Explorer's "Amazon Elastic Compute Cloud - Compute").
func IsEC2InstanceUsage(usageType string) bool {
	return hasAnyPrefix(StripRegionPrefix(usageType), ec2ComputeUsagePrefixes)
}

// IsEC2InstanceLine reports whether an AmazonEC2 line is instance usage:
// its usage type is an instance usage type, or its product family is
// instance capacity and its usage type is not one of ec2OtherUsagePrefixes.
func IsEC2InstanceLine(usageType, productFamily string) bool {
	u := StripRegionPrefix(usageType)
	if hasAnyPrefix(u, ec2ComputeUsagePrefixes) {
		return true
	}
	return ec2ComputeFamilies[productFamily] && !hasAnyPrefix(u, ec2OtherUsagePrefixes)
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// EC2UsageTypeFromDescription guesses the usage type class of an EC2 line
// from its description, for sources that carry no usage type: it returns
// "BoxUsage" for instance-hour lines and "" otherwise.
func EC2UsageTypeFromDescription(description string) string {
	d := strings.ToLower(description)
	for _, x := range ec2ComputeDescriptionExclusions {
		if strings.Contains(d, x) {
			return ""
		}
	}
	for _, m := range ec2ComputeDescriptionMarkers {
		if strings.Contains(d, m) {
			return "BoxUsage"
		}
	}
	return ""
}

// StripRegionPrefix removes the region code that prefixes most usage types
// ("USW2-BoxUsage:m5.large" -> "BoxUsage:m5.large"). A prefix is two to four
// capital letters and a digit ("USE1", "APN1", "EUC1") or the legacy "EU".
func StripRegionPrefix(usageType string) string {
	i := strings.IndexByte(usageType, '-')
	if i < 2 || i > 5 {
		return usageType
	}
	p := usageType[:i]
	if p == "EU" {
		return usageType[i+1:]
	}
	last := p[len(p)-1]
	if last < '0' || last > '9' {
		return usageType
	}
	for j := 0; j < len(p)-1; j++ {
		if p[j] < 'A' || p[j] > 'Z' {
			return usageType
		}
	}
	return usageType[i+1:]
}

// Cost Explorer RECORD_TYPE values that are not CUR line item types.
const (
	RecordTypeRecurring = "Recurring"
	RecordTypeUpfront   = "Upfront"
	RecordTypeSupport   = "Support"
	RecordTypeOtherFee  = "Other out-of-cycle charges"
)

// recordTypes maps a CUR line item type to its RECORD_TYPE when the two
// differ. Fee lines are split by RecordType itself.
var recordTypes = map[string]string{
	"RIFee":               RecordTypeRecurring,
	"EdpDiscount":         "Enterprise Discount Program Discount",
	"SppDiscount":         "Solution Provider Program Discount",
	"PrivateRateDiscount": "Private Rate Card Discount",
	"DistributorDiscount": "Distributor Discount",
}

// RecordType returns the Cost Explorer RECORD_TYPE of a CUR line item type.
// Fee lines are "Upfront" when they pay for a reservation, "Support" when the
// product is an AWS Support plan and "Other out-of-cycle charges" otherwise.
func RecordType(lineItemType, productCode, reservationARN string) string {
	if lineItemType == "Fee" {
		switch {
		case reservationARN != "":
			return RecordTypeUpfront
		case strings.HasPrefix(productCode, "AWSSupport") || strings.HasPrefix(productCode, "AWSDeveloperSupport"):
			return RecordTypeSupport
		}
		return RecordTypeOtherFee
	}
	if r, ok := recordTypes[lineItemType]; ok {
		return r
	}
	return lineItemType
}

// The PURCHASE_TYPE values.
const (
	PurchaseOnDemand    = "On Demand Instances"
	PurchaseSpot        = "Spot Instances"
	PurchaseStandardRI  = "Standard Reserved Instances"
	PurchaseConvertible = "Convertible Reserved Instances"
	PurchaseSavingsPlan = "Savings Plans"
)

// reservationLineTypes are the line item types that belong to a reservation.
var reservationLineTypes = map[string]bool{"DiscountedUsage": true, "RIFee": true}

// savingsPlanLineTypes are the line item types that belong to a Savings Plan.
var savingsPlanLineTypes = map[string]bool{
	"SavingsPlanCoveredUsage": true, "SavingsPlanNegation": true,
	"SavingsPlanRecurringFee": true, "SavingsPlanUpfrontFee": true,
}

// PurchaseType returns the Cost Explorer PURCHASE_TYPE of a line: Savings
// Plans for Savings Plan lines, Standard or Convertible Reserved Instances
// (after pricing/OfferingClass) for reservation lines, Spot Instances for
// spot usage and On Demand Instances for everything else.
func PurchaseType(lineItemType, usageType, savingsPlanARN, reservationARN, offeringClass string) string {
	switch {
	case savingsPlanLineTypes[lineItemType] || savingsPlanARN != "":
		return PurchaseSavingsPlan
	case reservationLineTypes[lineItemType] || (lineItemType == "Fee" && reservationARN != ""):
		if strings.EqualFold(offeringClass, "convertible") {
			return PurchaseConvertible
		}
		return PurchaseStandardRI
	case strings.Contains(usageType, "SpotUsage"):
		return PurchaseSpot
	}
	return PurchaseOnDemand
}

// platformsByOperation maps the EC2 usage operation of an instance line to
// its platform.
var platformsByOperation = map[string]string{
	"RunInstances":      "Linux/UNIX",
	"RunInstances:0002": "Windows",
	"RunInstances:0010": "Red Hat Enterprise Linux",
	"RunInstances:000g": "SUSE Linux",
	"RunInstances:0006": "Windows with SQL Server Standard",
	"RunInstances:0102": "Windows with SQL Server Enterprise",
	"RunInstances:0202": "Windows with SQL Server Web",
	"RunInstances:0004": "Linux with SQL Server Standard",
	"RunInstances:0100": "Linux with SQL Server Enterprise",
	"RunInstances:0200": "Linux with SQL Server Web",
	"RunInstances:0800": "Windows BYOL",
	"RunInstances:1010": "Red Hat Enterprise Linux with HA",
	"RunInstances:0g00": "Ubuntu Pro",
}

// platformsByOperatingSystem maps product/operatingSystem to a platform when
// the operation code is not in platformsByOperation (spot lines carry
// "RunInstances:SVnnn").
var platformsByOperatingSystem = map[string]string{
	"Linux":   "Linux/UNIX",
	"Windows": "Windows",
	"RHEL":    "Red Hat Enterprise Linux",
	"SUSE":    "SUSE Linux",
	"Ubuntu":  "Ubuntu Pro",
}

// platformDescriptionMarkers find the platform in a line's description when
// neither the operation nor the operating system names it.
var platformDescriptionMarkers = []struct{ Marker, Platform string }{
	{"Linux/UNIX", "Linux/UNIX"},
	{"Windows", "Windows"},
	{"Red Hat", "Red Hat Enterprise Linux"},
	{"SUSE", "SUSE Linux"},
	{"Linux", "Linux/UNIX"},
}

// Platform returns the Cost Explorer PLATFORM of an EC2 instance line (as
// IsEC2InstanceLine decides it), or "" for any other line.
func Platform(productCode, productFamily, usageType, operation, operatingSystem, description string) string {
	if productCode != "AmazonEC2" || !IsEC2InstanceLine(usageType, productFamily) {
		return ""
	}
	if p, ok := platformsByOperation[operation]; ok {
		return p
	}
	if p, ok := platformsByOperatingSystem[operatingSystem]; ok {
		return p
	}
	for _, m := range platformDescriptionMarkers {
		if strings.Contains(description, m.Marker) {
			return m.Platform
		}
	}
	return ""
}

// InstanceTypeFamily returns the family of an instance type ("m5" for
// "m5.large", "db.r4" for "db.r4.large"), or "" when it has none.
func InstanceTypeFamily(instanceType string) string {
	i := strings.LastIndexByte(instanceType, '.')
	if i <= 0 {
		return ""
	}
	return instanceType[:i]
}
