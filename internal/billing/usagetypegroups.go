package billing

import "strings"

// Sources of the USAGE_TYPE_GROUP rows (the Source column of
// usageTypeGroups):
//
//   - srcDoc: the AWS Billing user guide, "Filter and group options" →
//     "Usage type group" (ce-filtering.html). It names every group below
//     marked srcDoc and says groups exist "for DynamoDB, Amazon EC2,
//     ElastiCache, Amazon RDS, Amazon Redshift, and Amazon S3"; it lists the
//     usage types of "EC2: Running Hours" (BoxUsage, DedicatedUsage,
//     HostBoxUsage, HostUsage, ReservedHostUsage, SchedUsage, SpotUsage,
//     UnusedBox) and "RDS: Running Hours" (AlwaysOnUsage, BoxUsage,
//     DedicatedUsage, HighUsage, InstanceUsage, MirrorUsage, Multi-AZUsage,
//     SpotUsage) explicitly. The RDS data transfer names are spelled there
//     with en dashes ("RDS: Data Transfer – Internet – Out") and are kept so.
//   - srcCode: group names that public Cost Explorer clients send as
//     USAGE_TYPE_GROUP filter values and the guide does not list
//     (cloud-carbon-footprint: "EC2: EBS - HDD(sc1)", "EC2: EBS - HDD(st1)";
//     a storage report lambda: "EC2: EBS - SSD(io2)", "EC2: EBS -
//     Provisioned IOPS(io2)"; qaware cloud-cost-exporter: "EC2: ELB - LCU
//     Running Hours", "Elasticsearch: Running Hours").
//   - srcInf: our inference where neither names the group; kept to a few
//     rows whose name follows an evidenced sibling ("EC2: EBS - SSD(gp3)"
//     beside "SSD(gp2)").
//
// Which usage types fall in a group is not published beyond the two lists
// above; the usage types here are the CUR usage types whose price-list
// description matches the group's description in the guide.
const (
	srcDoc  = "doc"
	srcCode = "code"
	srcInf  = "inf"
)

// Match kinds of a usageTypeGroup row, applied to the usage type after its
// region prefix.
const (
	matchExact  = iota // equal to Pattern
	matchPrefix        // starts with Pattern ("BoxUsage" matches "BoxUsage:m5.large")
	matchSuffix        // ends with Pattern (inter-region "USE1-USW2-AWS-Out-Bytes")
)

// usageTypeGroup is one row of the USAGE_TYPE_GROUP table: usage types of
// ProductCode that match Pattern belong to Group.
type usageTypeGroup struct {
	ProductCode string
	Match       int
	Pattern     string
	Group       string
	Source      string
}

// usageTypeGroups is matched in order; the first match wins.
var usageTypeGroups = []usageTypeGroup{
	// Amazon EC2.
	{"AmazonEC2", matchPrefix, "BoxUsage", "EC2: Running Hours", srcDoc},
	{"AmazonEC2", matchPrefix, "DedicatedUsage", "EC2: Running Hours", srcDoc},
	{"AmazonEC2", matchPrefix, "HostBoxUsage", "EC2: Running Hours", srcDoc},
	{"AmazonEC2", matchPrefix, "HostUsage", "EC2: Running Hours", srcDoc},
	{"AmazonEC2", matchPrefix, "ReservedHostUsage", "EC2: Running Hours", srcDoc},
	{"AmazonEC2", matchPrefix, "SchedUsage", "EC2: Running Hours", srcDoc},
	{"AmazonEC2", matchPrefix, "SpotUsage", "EC2: Running Hours", srcDoc},
	{"AmazonEC2", matchPrefix, "UnusedBox", "EC2: Running Hours", srcDoc},
	{"AmazonEC2", matchExact, "EBS:VolumeUsage", "EC2: EBS - Magnetic", srcDoc},
	{"AmazonEC2", matchExact, "EBS:VolumeUsage.gp2", "EC2: EBS - SSD(gp2)", srcDoc},
	{"AmazonEC2", matchExact, "EBS:VolumeUsage.piops", "EC2: EBS - SSD(io1)", srcDoc},
	{"AmazonEC2", matchExact, "EBS:VolumeUsage.gp3", "EC2: EBS - SSD(gp3)", srcInf},
	{"AmazonEC2", matchExact, "EBS:VolumeUsage.io2", "EC2: EBS - SSD(io2)", srcCode},
	{"AmazonEC2", matchExact, "EBS:VolumeUsage.st1", "EC2: EBS - HDD(st1)", srcCode},
	{"AmazonEC2", matchExact, "EBS:VolumeUsage.sc1", "EC2: EBS - HDD(sc1)", srcCode},
	{"AmazonEC2", matchPrefix, "EBS:VolumeP-IOPS.io2", "EC2: EBS - Provisioned IOPS(io2)", srcCode},
	{"AmazonEC2", matchPrefix, "EBS:VolumeP-IOPS", "EC2: EBS - Provisioned IOPS", srcDoc},
	{"AmazonEC2", matchPrefix, "EBS:VolumeIOUsage", "EC2: EBS - I/O Requests", srcDoc},
	{"AmazonEC2", matchPrefix, "EBS:SnapshotUsage", "EC2: EBS - Snapshots", srcDoc},
	{"AmazonEC2", matchPrefix, "EBSOptimized", "EC2: EBS - Optimized", srcDoc},
	{"AmazonEC2", matchExact, "ElasticIP:AdditionalAddress", "EC2: Elastic IP - Additional Address", srcDoc},
	{"AmazonEC2", matchExact, "ElasticIP:IdleAddress", "EC2: Elastic IP - Idle Address", srcDoc},
	{"AmazonEC2", matchExact, "NatGateway-Hours", "EC2: NAT Gateway - Running Hours", srcDoc},
	{"AmazonEC2", matchExact, "NatGateway-Bytes", "EC2: NAT Gateway - Data Processed", srcDoc},
	{"AmazonEC2", matchExact, "DataTransfer-Out-Bytes", "EC2: Data Transfer - Internet (Out)", srcDoc},
	{"AmazonEC2", matchExact, "DataTransfer-In-Bytes", "EC2: Data Transfer - Internet (In)", srcDoc},
	{"AmazonEC2", matchExact, "DataTransfer-Regional-Bytes", "EC2: Data Transfer - Inter AZ", srcDoc},
	{"AmazonEC2", matchSuffix, "AWS-Out-Bytes", "EC2: Data Transfer - Region to Region (Out)", srcDoc},
	{"AmazonEC2", matchSuffix, "AWS-In-Bytes", "EC2: Data Transfer - Region to Region (In)", srcDoc},
	{"AmazonEC2", matchExact, "CloudFront-Out-Bytes", "EC2: Data Transfer - CloudFront (Out)", srcDoc},
	{"AmazonEC2", matchExact, "CloudFront-In-Bytes", "EC2: Data Transfer - CloudFront (In)", srcDoc},
	// Amazon CloudWatch: the guide files its groups under "EC2:".
	{"AmazonCloudWatch", matchPrefix, "CW:AlarmMonitorUsage", "EC2: CloudWatch - Alarms", srcDoc},
	{"AmazonCloudWatch", matchPrefix, "CW:HighResAlarmMonitorUsage", "EC2: CloudWatch - Alarms", srcDoc},
	{"AmazonCloudWatch", matchPrefix, "CW:MetricMonitorUsage", "EC2: CloudWatch - Metrics", srcDoc},
	{"AmazonCloudWatch", matchPrefix, "CW:Requests", "EC2: CloudWatch - Requests", srcDoc},
	// Elastic Load Balancing: filed under "EC2:" as well.
	{"AWSELB", matchPrefix, "LoadBalancerUsage", "EC2: ELB - Running Hours", srcDoc},
	{"AWSELB", matchPrefix, "LCUUsage", "EC2: ELB - LCU Running Hours", srcCode},
	// Amazon DynamoDB.
	{"AmazonDynamoDB", matchExact, "DataTransfer-In-Bytes", "DDB: Data Transfer - Internet (In)", srcDoc},
	{"AmazonDynamoDB", matchExact, "DataTransfer-Out-Bytes", "DDB: Data Transfer - Internet (Out)", srcDoc},
	{"AmazonDynamoDB", matchExact, "TimedStorage-ByteHrs", "DDB: Indexed Data Storage", srcDoc},
	{"AmazonDynamoDB", matchExact, "ReadCapacityUnit-Hrs", "DDB: Provisioned Throughput Capacity - Read", srcDoc},
	{"AmazonDynamoDB", matchExact, "WriteCapacityUnit-Hrs", "DDB: Provisioned Throughput Capacity - Write", srcDoc},
	// Amazon ElastiCache.
	{"AmazonElastiCache", matchPrefix, "NodeUsage", "ElastiCache: Running Hours", srcDoc},
	// Amazon RDS.
	{"AmazonRDS", matchPrefix, "AlwaysOnUsage", "RDS: Running Hours", srcDoc},
	{"AmazonRDS", matchPrefix, "BoxUsage", "RDS: Running Hours", srcDoc},
	{"AmazonRDS", matchPrefix, "DedicatedUsage", "RDS: Running Hours", srcDoc},
	{"AmazonRDS", matchPrefix, "HighUsage", "RDS: Running Hours", srcDoc},
	{"AmazonRDS", matchPrefix, "InstanceUsage", "RDS: Running Hours", srcDoc},
	{"AmazonRDS", matchPrefix, "MirrorUsage", "RDS: Running Hours", srcDoc},
	{"AmazonRDS", matchPrefix, "Multi-AZUsage", "RDS: Running Hours", srcDoc},
	{"AmazonRDS", matchPrefix, "SpotUsage", "RDS: Running Hours", srcDoc},
	{"AmazonRDS", matchExact, "RDS:PIOPS", "RDS: Provisioned IOPS", srcDoc},
	{"AmazonRDS", matchExact, "RDS:Multi-AZ-PIOPS", "RDS: Provisioned IOPS", srcDoc},
	{"AmazonRDS", matchExact, "RDS:StorageIOUsage", "RDS: I/O Requests", srcDoc},
	{"AmazonRDS", matchExact, "Aurora:StorageIOUsage", "RDS: I/O Requests", srcDoc},
	{"AmazonRDS", matchSuffix, "Storage", "RDS: Storage", srcDoc},
	{"AmazonRDS", matchExact, "RDS:StorageUsage", "RDS: Storage", srcDoc},
	{"AmazonRDS", matchExact, "RDS:Multi-AZ-StorageUsage", "RDS: Storage", srcDoc},
	{"AmazonRDS", matchExact, "Aurora:StorageUsage", "RDS: Storage", srcDoc},
	{"AmazonRDS", matchExact, "DataTransfer-Out-Bytes", "RDS: Data Transfer – Internet – Out", srcDoc},
	{"AmazonRDS", matchExact, "DataTransfer-In-Bytes", "RDS: Data Transfer – Internet – In", srcDoc},
	{"AmazonRDS", matchExact, "DataTransfer-Regional-Bytes", "RDS: Data Transfer – InterAZ", srcDoc},
	{"AmazonRDS", matchSuffix, "AWS-Out-Bytes", "RDS: Data Transfer – Region to Region – Out", srcDoc},
	{"AmazonRDS", matchSuffix, "AWS-In-Bytes", "RDS: Data Transfer – Region to Region – In", srcDoc},
	{"AmazonRDS", matchExact, "CloudFront-Out-Bytes", "RDS: Data Transfer – CloudFront – Out", srcDoc},
	{"AmazonRDS", matchExact, "CloudFront-In-Bytes", "RDS: Data Transfer – CloudFront – In", srcDoc},
	// Amazon Redshift.
	{"AmazonRedshift", matchPrefix, "Node:", "Redshift: Running Hours", srcDoc},
	{"AmazonRedshift", matchPrefix, "DataScanned", "Redshift: DataScanned", srcDoc},
	// Amazon S3.
	{"AmazonS3", matchExact, "TimedStorage-ByteHrs", "S3: Storage - Standard", srcDoc},
	{"AmazonS3", matchExact, "Requests-Tier1", "S3: API Requests - Standard", srcDoc},
	{"AmazonS3", matchExact, "Requests-Tier2", "S3: API Requests - Standard", srcDoc},
	{"AmazonS3", matchExact, "DataTransfer-Out-Bytes", "S3: Data Transfer - Internet (Out)", srcDoc},
	{"AmazonS3", matchExact, "DataTransfer-In-Bytes", "S3: Data Transfer - Internet (In)", srcDoc},
	{"AmazonS3", matchExact, "DataTransfer-Regional-Bytes", "S3: Data Transfer - Inter AZ", srcDoc},
	{"AmazonS3", matchSuffix, "AWS-Out-Bytes", "S3: Data Transfer - Region to Region (Out)", srcDoc},
	{"AmazonS3", matchSuffix, "AWS-In-Bytes", "S3: Data Transfer - Region to Region (In)", srcDoc},
	{"AmazonS3", matchExact, "CloudFront-Out-Bytes", "S3: Data Transfer - CloudFront (Out)", srcDoc},
	{"AmazonS3", matchExact, "CloudFront-In-Bytes", "S3: Data Transfer - CloudFront (In)", srcDoc},
	// Amazon OpenSearch Service (formerly Elasticsearch).
	{"AmazonES", matchPrefix, "ESInstance", "Elasticsearch: Running Hours", srcCode},
}

// UsageTypeGroup returns the Cost Explorer USAGE_TYPE_GROUP of a usage type
// of a product code, or "" when no group has it (stores then keep
// NoValue(DimUsageTypeGroup)).
func UsageTypeGroup(productCode, usageType string) string {
	u := StripRegionPrefix(usageType)
	for _, g := range usageTypeGroups {
		if g.ProductCode != productCode {
			continue
		}
		var ok bool
		switch g.Match {
		case matchExact:
			ok = u == g.Pattern
		case matchPrefix:
			ok = strings.HasPrefix(u, g.Pattern)
		case matchSuffix:
			ok = strings.HasSuffix(u, g.Pattern)
		}
		if ok {
			return g.Group
		}
	}
	return ""
}
