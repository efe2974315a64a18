package billing

import "testing"

func TestServiceName(t *testing.T) {
	for _, tc := range []struct {
		name                                                 string
		code, product, family, usageType, lineItemType, want string
	}{
		{"ec2 instance", "AmazonEC2", "", "Amazon Elastic Compute Cloud", "USW2-BoxUsage:m5.large", "Usage", ServiceEC2Compute},
		{"ec2 us-east-1 instance", "AmazonEC2", "", "Amazon Elastic Compute Cloud", "BoxUsage:t2.micro", "DiscountedUsage", ServiceEC2Compute},
		{"ec2 spot", "AmazonEC2", "", "Amazon Elastic Compute Cloud", "SpotUsage:c5.large", "Usage", ServiceEC2Compute},
		{"ec2 ri fee", "AmazonEC2", "", "Amazon Elastic Compute Cloud", "HeavyUsage:t2.micro", "RIFee", ServiceEC2Compute},
		{"ebs", "AmazonEC2", "", "Amazon Elastic Compute Cloud", "EBS:VolumeUsage.gp2", "Usage", ServiceEC2Other},
		{"nat", "AmazonEC2", "", "Amazon Elastic Compute Cloud", "USE2-NatGateway-Hours", "Usage", ServiceEC2Other},
		{"eip", "AmazonEC2", "", "Amazon Elastic Compute Cloud", "ElasticIP:IdleAddress", "Usage", ServiceEC2Other},
		{"ec2 tax", "AmazonEC2", "", "Amazon Elastic Compute Cloud", "", "Tax", ServiceTax},
		{"elb renamed", "AWSELB", "", "Elastic Load Balancing", "LoadBalancerUsage", "Usage", "Amazon Elastic Load Balancing"},
		{"product name kept", "AmazonCloudWatch", "", "AmazonCloudWatch", "CW:Requests", "Usage", "AmazonCloudWatch"},
		{"name from code", "AmazonS3", "", "", "TimedStorage-ByteHrs", "Usage", "Amazon Simple Storage Service"},
		{"unknown code", "AcmeThing", "", "", "", "Usage", "AcmeThing"},
		{"focus ec2 without code", "", "Amazon Elastic Compute Cloud", "", "", "Usage", ServiceEC2Other},
		{"instance hours under a new prefix", "AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance", "USE1-NewUsage:x9.large", "Usage", ServiceEC2Compute},
		{"bare metal", "AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance (bare metal)", "USE1-MetalUsage:i3.metal", "Usage", ServiceEC2Compute},
		{"ebs optimized stays other", "AmazonEC2", "Amazon Elastic Compute Cloud", "Compute Instance", "EBSOptimized:c5.large", "Usage", ServiceEC2Other},
		{"spot without family", "AmazonEC2", "Amazon Elastic Compute Cloud", "", "USE1-SpotUsage:m5.large", "Usage", ServiceEC2Compute},
		{"cpu credits", "AmazonEC2", "Amazon Elastic Compute Cloud", "CPU Credits", "USE1-CPUCredits:t3", "Usage", ServiceEC2Other},
		{"snapshot family", "AmazonEC2", "Amazon Elastic Compute Cloud", "Storage Snapshot", "EBS:SnapshotUsage", "Usage", ServiceEC2Other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ServiceName(tc.code, tc.product, tc.family, tc.usageType, tc.lineItemType); got != tc.want {
				t.Errorf("ServiceName = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestStripRegionPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"USW2-BoxUsage:m5.large": "BoxUsage:m5.large",
		"BoxUsage:t2.micro":      "BoxUsage:t2.micro",
		"EU-AWS-In-Bytes":        "AWS-In-Bytes",
		"APN1-AWS-In-Bytes":      "AWS-In-Bytes",
		"AWS-In-Bytes":           "AWS-In-Bytes",
		"DataTransfer-In-Bytes":  "DataTransfer-In-Bytes",
		"EBS:VolumeUsage.gp2":    "EBS:VolumeUsage.gp2",
		"":                       "",
	} {
		if got := StripRegionPrefix(in); got != want {
			t.Errorf("StripRegionPrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecordType(t *testing.T) {
	for _, tc := range []struct{ lit, code, arn, want string }{
		{"Usage", "AmazonEC2", "", "Usage"},
		{"DiscountedUsage", "AmazonEC2", "arn:ri", "DiscountedUsage"},
		{"RIFee", "AmazonEC2", "arn:ri", "Recurring"},
		{"Fee", "AmazonEC2", "arn:ri", "Upfront"},
		{"Fee", "AWSSupportBusiness", "", "Support"},
		{"Fee", "AmazonRoute53", "", "Other out-of-cycle charges"},
		{"Tax", "AmazonS3", "", "Tax"},
		{"Credit", "", "", "Credit"},
		{"Refund", "", "", "Refund"},
		{"SavingsPlanCoveredUsage", "AmazonEC2", "", "SavingsPlanCoveredUsage"},
		{"SavingsPlanNegation", "AmazonEC2", "", "SavingsPlanNegation"},
		{"EdpDiscount", "AmazonEC2", "", "Enterprise Discount Program Discount"},
		{"SppDiscount", "AmazonEC2", "", "Solution Provider Program Discount"},
		{"BundledDiscount", "AmazonEC2", "", "BundledDiscount"},
	} {
		if got := RecordType(tc.lit, tc.code, tc.arn); got != tc.want {
			t.Errorf("RecordType(%q, %q, %q) = %q, want %q", tc.lit, tc.code, tc.arn, got, tc.want)
		}
	}
}

func TestPurchaseType(t *testing.T) {
	for _, tc := range []struct{ lit, usage, sp, ri, class, want string }{
		{"Usage", "BoxUsage:t2.micro", "", "", "", PurchaseOnDemand},
		{"Usage", "USW2-SpotUsage:c5.large", "", "", "", PurchaseSpot},
		{"DiscountedUsage", "BoxUsage:t2.micro", "", "arn", "standard", PurchaseStandardRI},
		{"DiscountedUsage", "BoxUsage:t2.micro", "", "arn", "convertible", PurchaseConvertible},
		{"RIFee", "HeavyUsage:t2.micro", "", "arn", "", PurchaseStandardRI},
		{"Fee", "", "", "arn", "", PurchaseStandardRI},
		{"SavingsPlanCoveredUsage", "BoxUsage:t2.micro", "arn:sp", "", "", PurchaseSavingsPlan},
		{"Tax", "", "", "", "", PurchaseOnDemand},
	} {
		if got := PurchaseType(tc.lit, tc.usage, tc.sp, tc.ri, tc.class); got != tc.want {
			t.Errorf("PurchaseType(%q, %q, ...) = %q, want %q", tc.lit, tc.usage, got, tc.want)
		}
	}
}

func TestUsageTypeGroup(t *testing.T) {
	for _, tc := range []struct{ code, usage, want string }{
		{"AmazonEC2", "USW2-BoxUsage:m5.large", "EC2: Running Hours"},
		{"AmazonEC2", "EBS:VolumeUsage.gp2", "EC2: EBS - SSD(gp2)"},
		{"AmazonEC2", "EBS:VolumeUsage.gp3", "EC2: EBS - SSD(gp3)"},
		{"AmazonEC2", "EBS:VolumeUsage", "EC2: EBS - Magnetic"},
		{"AmazonEC2", "DataTransfer-Out-Bytes", "EC2: Data Transfer - Internet (Out)"},
		{"AmazonS3", "USE2-TimedStorage-ByteHrs", "S3: Storage - Standard"},
		{"AmazonRDS", "InstanceUsage:db.r4.large", "RDS: Running Hours"},
		{"AmazonRDS", "USE2-RDS:GP2-Storage", "RDS: Storage"},
		{"AmazonRDS", "USE2-RDS:ChargedBackupUsage", ""},
		{"AmazonEC2", "EBS:VolumeUsage.piops", "EC2: EBS - SSD(io1)"},
		{"AmazonEC2", "USE1-USW2-AWS-Out-Bytes", "EC2: Data Transfer - Region to Region (Out)"},
		{"AmazonEC2", "USE1-UnusedDed:m5.large", ""},
		{"AmazonCloudWatch", "USE1-CW:AlarmMonitorUsage", "EC2: CloudWatch - Alarms"},
		{"AmazonDynamoDB", "USE1-ReadCapacityUnit-Hrs", "DDB: Provisioned Throughput Capacity - Read"},
		{"AWSELB", "USE1-LoadBalancerUsage", "EC2: ELB - Running Hours"},
		{"AmazonElastiCache", "USE1-NodeUsage:cache.t3.micro", "ElastiCache: Running Hours"},
		{"AmazonRedshift", "USE1-Node:dc2.large", "Redshift: Running Hours"},
		{"AmazonS3", "BoxUsage:m5.large", ""},
		{"AWSGlue", "USE1-ETL-DPU-Hour", ""},
	} {
		if got := UsageTypeGroup(tc.code, tc.usage); got != tc.want {
			t.Errorf("UsageTypeGroup(%q, %q) = %q, want %q", tc.code, tc.usage, got, tc.want)
		}
	}
}

func TestPlatform(t *testing.T) {
	for _, tc := range []struct{ code, family, usage, op, os, desc, want string }{
		{"AmazonEC2", "Compute Instance", "BoxUsage:t2.micro", "RunInstances", "Linux", "", "Linux/UNIX"},
		{"AmazonEC2", "Compute Instance", "BoxUsage:m5.large", "RunInstances:0002", "Windows", "", "Windows"},
		{"AmazonEC2", "", "SpotUsage:c5.large", "RunInstances:SV001", "", "c5.large Linux/UNIX Spot Instance-hour", "Linux/UNIX"},
		{"AmazonEC2", "Compute Instance", "USE1-NewUsage:x9.large", "RunInstances:0002", "Windows", "", "Windows"},
		{"AmazonEC2", "Storage", "EBS:VolumeUsage.gp2", "CreateVolume-Gp2", "", "", ""},
		{"AmazonRDS", "Database Instance", "InstanceUsage:db.r4.large", "CreateDBInstance", "", "", ""},
	} {
		if got := Platform(tc.code, tc.family, tc.usage, tc.op, tc.os, tc.desc); got != tc.want {
			t.Errorf("Platform(%q, %q, %q) = %q, want %q", tc.code, tc.usage, tc.op, got, tc.want)
		}
	}
}

func TestEC2UsageTypeFromDescription(t *testing.T) {
	for desc, want := range map[string]string{
		"$0.0116 per On Demand Linux t2.micro Instance Hour":           "BoxUsage",
		"$0.045 per NAT Gateway Hour":                                  "",
		"$0.00 for 175 Mbps per t3a.small instance-hour (or partial h": "",
		"$0.10 per GB-month of General Purpose SSD (gp2) provisioned":  "",
	} {
		if got := EC2UsageTypeFromDescription(desc); got != want {
			t.Errorf("EC2UsageTypeFromDescription(%q) = %q, want %q", desc, got, want)
		}
	}
}

func TestInstanceTypeFamily(t *testing.T) {
	for in, want := range map[string]string{"m5.large": "m5", "db.r4.large": "db.r4", "": "", "m5": ""} {
		if got := InstanceTypeFamily(in); got != want {
			t.Errorf("InstanceTypeFamily(%q) = %q, want %q", in, got, want)
		}
	}
}
