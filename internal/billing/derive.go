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
//   - USAGE_TYPE_GROUP and PLATFORM: curated from the Cost Explorer console's
//     group names and the EC2 "usage operation" codes; unknown usage types
//     have no group.

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
// instances, RI fees of instances and unused capacity reservations.
var ec2ComputeUsagePrefixes = []string{
	"BoxUsage", "SpotUsage", "DedicatedUsage", "HostUsage", "HostBoxUsage",
	"ReservedHostUsage", "SchedUsage", "UnusedBox", "UnusedDed", "UnusedHost",
	"DedicatedRes", "HeavyUsage", "MediumUsage", "LightUsage", "Reservation:",
}

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
// AmazonEC2 split into instance usage and "EC2 - Other".
func ServiceName(productCode, productName, usageType, lineItemType string) string {
	if lineItemType == "Tax" {
		return ServiceTax
	}
	if productCode == "AmazonEC2" || (productCode == "" && productName == "Amazon Elastic Compute Cloud") {
		if IsEC2InstanceUsage(usageType) {
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
	u := StripRegionPrefix(usageType)
	for _, p := range ec2ComputeUsagePrefixes {
		if strings.HasPrefix(u, p) {
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

// usageTypeGroup is one row of the USAGE_TYPE_GROUP table: usage types of
// the product code whose name (after the region prefix) starts with Prefix,
// or equals it when Exact is set, belong to Group.
type usageTypeGroup struct {
	ProductCode string
	Prefix      string
	Exact       bool
	Group       string
}

// usageTypeGroups is matched in order; the first match wins.
var usageTypeGroups = []usageTypeGroup{
	{"AmazonEC2", "BoxUsage", false, "EC2: Running Hours"},
	{"AmazonEC2", "SpotUsage", false, "EC2: Running Hours"},
	{"AmazonEC2", "DedicatedUsage", false, "EC2: Running Hours"},
	{"AmazonEC2", "HostBoxUsage", false, "EC2: Running Hours"},
	{"AmazonEC2", "HostUsage", false, "EC2: Running Hours"},
	{"AmazonEC2", "ReservedHostUsage", false, "EC2: Running Hours"},
	{"AmazonEC2", "SchedUsage", false, "EC2: Running Hours"},
	{"AmazonEC2", "UnusedBox", false, "EC2: Running Hours"},
	{"AmazonEC2", "UnusedDed", false, "EC2: Running Hours"},
	{"AmazonEC2", "EBS:VolumeUsage.gp2", true, "EC2: EBS - SSD(gp2)"},
	{"AmazonEC2", "EBS:VolumeUsage.gp3", true, "EC2: EBS - SSD(gp3)"},
	{"AmazonEC2", "EBS:VolumeUsage.piops", true, "EC2: EBS - Provisioned IOPS"},
	{"AmazonEC2", "EBS:VolumeUsage.io2", true, "EC2: EBS - Provisioned IOPS"},
	{"AmazonEC2", "EBS:VolumeP-IOPS", false, "EC2: EBS - Provisioned IOPS"},
	{"AmazonEC2", "EBS:VolumeUsage.st1", true, "EC2: EBS - Throughput Optimized HDD"},
	{"AmazonEC2", "EBS:VolumeUsage.sc1", true, "EC2: EBS - Cold HDD"},
	{"AmazonEC2", "EBS:VolumeUsage", true, "EC2: EBS - Magnetic"},
	{"AmazonEC2", "EBS:VolumeIOUsage", false, "EC2: EBS - I/O Requests"},
	{"AmazonEC2", "EBS:SnapshotUsage", false, "EC2: EBS - Snapshots"},
	{"AmazonEC2", "EBSOptimized", false, "EC2: EBS Optimized"},
	{"AmazonEC2", "ElasticIP:IdleAddress", true, "EC2: Elastic IP - Idle Address"},
	{"AmazonEC2", "ElasticIP:AdditionalAddress", true, "EC2: Elastic IP - Additional Address"},
	{"AmazonEC2", "NatGateway-Hours", true, "EC2: NAT Gateway - Running Hours"},
	{"AmazonEC2", "NatGateway-Bytes", true, "EC2: NAT Gateway - Data Processed"},
	{"AmazonEC2", "CPUCredits", false, "EC2: CPU Credits"},
	{"AmazonEC2", "DataTransfer-Out-Bytes", true, "EC2: Data Transfer - Internet (Out)"},
	{"AmazonEC2", "DataTransfer-In-Bytes", true, "EC2: Data Transfer - Internet (In)"},
	{"AmazonEC2", "DataTransfer-Regional-Bytes", true, "EC2: Data Transfer - Inter AZ"},
	{"AmazonEC2", "AWS-Out-Bytes", true, "EC2: Data Transfer - Region to Region (Out)"},
	{"AmazonEC2", "AWS-In-Bytes", true, "EC2: Data Transfer - Region to Region (In)"},
	{"AmazonS3", "TimedStorage-ByteHrs", true, "S3: Storage - Standard"},
	{"AmazonS3", "TimedStorage-SIA-ByteHrs", true, "S3: Storage - Standard Infrequent Access"},
	{"AmazonS3", "TimedStorage-ZIA-ByteHrs", true, "S3: Storage - One Zone Infrequent Access"},
	{"AmazonS3", "TimedStorage-GlacierByteHrs", true, "S3: Storage - Glacier"},
	{"AmazonS3", "TimedStorage-GDA-ByteHrs", true, "S3: Storage - Glacier Deep Archive"},
	{"AmazonS3", "TimedStorage-INT", false, "S3: Storage - Intelligent-Tiering"},
	{"AmazonS3", "Requests-Tier1", true, "S3: API Requests - Standard"},
	{"AmazonS3", "Requests-Tier2", true, "S3: API Requests - Standard"},
	{"AmazonS3", "DataTransfer-Out-Bytes", true, "S3: Data Transfer - Internet (Out)"},
	{"AmazonS3", "DataTransfer-In-Bytes", true, "S3: Data Transfer - Internet (In)"},
	{"AmazonS3", "AWS-Out-Bytes", true, "S3: Data Transfer - Region to Region (Out)"},
	{"AmazonS3", "AWS-In-Bytes", true, "S3: Data Transfer - Region to Region (In)"},
	{"AmazonRDS", "InstanceUsage", false, "RDS: Running Hours"},
	{"AmazonRDS", "Multi-AZUsage", false, "RDS: Running Hours"},
	{"AmazonRDS", "BoxUsage", false, "RDS: Running Hours"},
	{"AmazonRDS", "RDS:GP2-Storage", true, "RDS: Storage"},
	{"AmazonRDS", "RDS:GP3-Storage", true, "RDS: Storage"},
	{"AmazonRDS", "RDS:Multi-AZ-GP2-Storage", true, "RDS: Storage"},
	{"AmazonRDS", "RDS:Multi-AZ-GP3-Storage", true, "RDS: Storage"},
	{"AmazonRDS", "RDS:StorageUsage", true, "RDS: Storage"},
	{"AmazonRDS", "RDS:Multi-AZ-StorageUsage", true, "RDS: Storage"},
	{"AmazonRDS", "RDS:PIOPS-Storage", true, "RDS: Storage"},
	{"AmazonRDS", "RDS:Multi-AZ-PIOPS-Storage", true, "RDS: Storage"},
	{"AmazonRDS", "Aurora:StorageUsage", true, "RDS: Storage"},
	{"AmazonRDS", "RDS:PIOPS", true, "RDS: Provisioned IOPS"},
	{"AmazonRDS", "RDS:Multi-AZ-PIOPS", true, "RDS: Provisioned IOPS"},
	{"AmazonRDS", "RDS:StorageIOUsage", true, "RDS: I/O Requests"},
	{"AmazonRDS", "Aurora:StorageIOUsage", true, "RDS: I/O Requests"},
	{"AmazonRDS", "RDS:ChargedBackupUsage", true, "RDS: Backup Storage"},
	{"AmazonRDS", "DataTransfer-Out-Bytes", true, "RDS: Data Transfer - Internet (Out)"},
	{"AmazonRDS", "DataTransfer-In-Bytes", true, "RDS: Data Transfer - Internet (In)"},
}

// UsageTypeGroup returns the Cost Explorer USAGE_TYPE_GROUP of a usage type
// of a product code, or "" when the table has no group for it.
func UsageTypeGroup(productCode, usageType string) string {
	u := StripRegionPrefix(usageType)
	for _, g := range usageTypeGroups {
		if g.ProductCode != productCode {
			continue
		}
		if (g.Exact && u == g.Prefix) || (!g.Exact && strings.HasPrefix(u, g.Prefix)) {
			return g.Group
		}
	}
	return ""
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

// Platform returns the Cost Explorer PLATFORM of an EC2 instance line, or ""
// for any other line.
func Platform(productCode, usageType, operation, operatingSystem, description string) string {
	if productCode != "AmazonEC2" || !IsEC2InstanceUsage(usageType) {
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
