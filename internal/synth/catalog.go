package synth

// cadence is how often an offer produces a line for one resource.
type cadence uint8

const (
	hourly cadence = iota
	daily
	monthly
)

// profile shapes an offer's usage over time.
type profile uint8

const (
	flat     profile = iota // steady (storage, always-on infrastructure)
	business                // weekday and daytime peaks
	batch                   // nightly jobs
	fleet                   // one instance of an auto scaling group: 1 hour when running
	bursty                  // traffic-driven, follows spikes hardest
)

// offer is one priced usage type of a service. Names follow real exports:
// the usage type gets a Region prefix (none in us-east-1 for older usage
// types), {it} is the instance type, {os} the platform.
type offer struct {
	usage, op, unit, family string
	rate                    float64 // USD per unit in us-east-1
	cad                     cadence
	prof                    profile
	lo, hi                  float64 // usage per line at the offer's cadence
	zonal, use1             bool
	res                     string   // resource id template; "" for none
	desc                    string   // line item description; {rate} {it} {os}
	attrs                   []string // product attribute name/value pairs (legacy names)
	instances               bool     // priced per instance type
}

// service is one AWS product code with its Cost Explorer product name and
// FOCUS service category.
type service struct {
	code, name, category, subcategory string
	global                            bool // billed in no Region
	offers                            []offer
}

// catalog lists the services of the synthetic organisation. Every one gets
// at least one resource, so exports always carry more than forty product
// codes. Prices are list prices rounded; they need to look right, not be
// right.
var catalog = []service{
	{"AmazonEC2", "Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", false, []offer{
		{usage: "BoxUsage:{it}", op: "{op}", unit: "Hrs", family: "Compute Instance", cad: hourly, prof: fleet, lo: 1, hi: 1, zonal: true, res: "i-0{h17}", desc: "${rate} per On Demand {os} {it} Instance Hour", instances: true},
		{usage: "EBS:VolumeUsage.gp3", op: "CreateVolume-Gp3", unit: "GB-Mo", family: "Storage", rate: 0.08, cad: hourly, prof: flat, lo: 0.05, hi: 1.4, zonal: true, res: "vol-0{h17}", desc: "${rate} per GB-month of General Purpose (gp3) provisioned storage - US East (Northern Virginia)", attrs: []string{"volumeApiName", "gp3", "storageMedia", "SSD-backed", "volumeType", "General Purpose"}},
		{usage: "EBS:VolumeUsage.gp2", op: "CreateVolume-Gp2", unit: "GB-Mo", family: "Storage", rate: 0.1, cad: hourly, prof: flat, lo: 0.03, hi: 0.7, zonal: true, res: "vol-0{h17}", desc: "${rate} per GB-month of General Purpose SSD (gp2) provisioned storage", attrs: []string{"volumeApiName", "gp2", "storageMedia", "SSD-backed", "volumeType", "General Purpose"}},
		{usage: "EBS:SnapshotUsage", op: "CreateSnapshot", unit: "GB-Mo", family: "Storage Snapshot", rate: 0.05, cad: daily, prof: flat, lo: 1, hi: 40, res: "arn:aws:ec2:{r}:{a}:snapshot/snap-0{h17}", desc: "${rate} per GB-Month of snapshot data stored"},
		{usage: "NatGateway-Hours", op: "NatGateway", unit: "Hrs", family: "NAT Gateway", rate: 0.045, cad: hourly, prof: flat, lo: 1, hi: 1, res: "arn:aws:ec2:{r}:{a}:natgateway/nat-0{h17}", desc: "${rate} per NAT Gateway Hour"},
		{usage: "NatGateway-Bytes", op: "NatGateway", unit: "GB", family: "NAT Gateway", rate: 0.045, cad: hourly, prof: bursty, lo: 0.2, hi: 9, res: "arn:aws:ec2:{r}:{a}:natgateway/nat-0{h17}", desc: "${rate} per GB Data Processed by NAT Gateways"},
		{usage: "DataTransfer-Regional-Bytes", op: "InterZone-In", unit: "GB", family: "Data Transfer", rate: 0.01, cad: hourly, prof: business, lo: 0.5, hi: 30, zonal: true, res: "i-0{h17}", desc: "${rate} per GB - regional data transfer - in/out/between EC2 AZs or using elastic IPs or ELB", attrs: []string{"transferType", "IntraRegion"}},
		{usage: "SpotUsage:{it}", op: "RunInstances:SV001", unit: "Hrs", family: "Compute Instance", cad: hourly, prof: batch, lo: 1, hi: 1, zonal: true, res: "i-0{h17}", desc: "${rate} per Spot {it} Instance Hour", instances: true},
		{usage: "ElasticIP:IdleAddress", op: "AssociateAddressVPC", unit: "Hrs", family: "IP Address", rate: 0.005, cad: hourly, prof: flat, lo: 1, hi: 1, res: "arn:aws:ec2:{r}:{a}:elastic-ip/eipalloc-0{h17}", desc: "${rate} per Elastic IP address not attached to a running instance per hour (prorated)"},
	}},
	{"AmazonS3", "Amazon Simple Storage Service", "Storage", "Object Storage", false, []offer{
		{usage: "TimedStorage-ByteHrs", op: "StandardStorage", unit: "GB-Mo", family: "Storage", rate: 0.023, cad: daily, prof: flat, lo: 5, hi: 900, res: "{n}-{rl}", desc: "${rate} per GB - first 50 TB / month of storage used", attrs: []string{"storageClass", "General Purpose", "volumeType", "Standard"}},
		{usage: "TimedStorage-INT-FA-ByteHrs", op: "IntelligentTieringFAStorage", unit: "GB-Mo", family: "Storage", rate: 0.023, cad: daily, prof: flat, lo: 2, hi: 300, res: "{n}-archive-{rl}", desc: "${rate} per GB-Month of storage used in Intelligent-Tiering Frequent Access tier", attrs: []string{"storageClass", "Intelligent-Tiering"}},
		{usage: "Requests-Tier1", op: "PutObject", unit: "Requests", family: "API Request", rate: 0.000005, cad: hourly, prof: business, lo: 200, hi: 60000, res: "{n}-{rl}", desc: "${rate} per PUT, COPY, POST, or LIST requests"},
		{usage: "Requests-Tier2", op: "GetObject", unit: "Requests", family: "API Request", rate: 0.0000004, cad: hourly, prof: bursty, lo: 1000, hi: 400000, res: "{n}-{rl}", desc: "${rate} per GET and all other requests"},
		{usage: "DataTransfer-Out-Bytes", op: "GetObject", unit: "GB", family: "Data Transfer", rate: 0.09, cad: hourly, prof: bursty, lo: 0.1, hi: 12, res: "{n}-{rl}", desc: "${rate} per GB - first 10 TB / month data transfer out beyond the global free tier", attrs: []string{"transferType", "AWS Outbound", "toLocation", "External"}},
	}},
	{"AmazonRDS", "Amazon Relational Database Service", "Databases", "Relational Databases", false, []offer{
		{usage: "InstanceUsage:db.r6g.large", op: "CreateDBInstance:0014", unit: "Hrs", family: "Database Instance", rate: 0.225, cad: hourly, prof: flat, lo: 1, hi: 1, zonal: true, res: "arn:aws:rds:{r}:{a}:db:{n}-postgres", desc: "${rate} per RDS db.r6g.large Single-AZ instance hour (or partial hour) running PostgreSQL", attrs: []string{"instanceType", "db.r6g.large", "instanceFamily", "Memory optimized", "databaseEngine", "PostgreSQL", "deploymentOption", "Single-AZ", "licenseModel", "No license required", "vcpu", "2", "memory", "16 GiB", "normalizationSizeFactor", "4"}},
		{usage: "Multi-AZUsage:db.m6g.large", op: "CreateDBInstance:0002", unit: "Hrs", family: "Database Instance", rate: 0.304, cad: hourly, prof: flat, lo: 1, hi: 1, res: "arn:aws:rds:{r}:{a}:db:{n}-mysql", desc: "${rate} per RDS db.m6g.large Multi-AZ instance hour (or partial hour) running MySQL", attrs: []string{"instanceType", "db.m6g.large", "instanceFamily", "General purpose", "databaseEngine", "MySQL", "deploymentOption", "Multi-AZ", "licenseModel", "No license required", "vcpu", "2", "memory", "8 GiB", "normalizationSizeFactor", "4"}},
		{usage: "RDS:GP3-Storage", op: "CreateDBInstance:0014", unit: "GB-Mo", family: "Database Storage", rate: 0.115, cad: hourly, prof: flat, lo: 0.1, hi: 1.5, res: "arn:aws:rds:{r}:{a}:db:{n}-postgres", desc: "${rate} per GB-month of provisioned GP3 storage running PostgreSQL", attrs: []string{"databaseEngine", "PostgreSQL", "deploymentOption", "Single-AZ", "volumeType", "General Purpose-GP3"}},
		{usage: "Aurora:StorageIOUsage", op: "CreateDBInstance:0021", unit: "IOs", family: "System Operation", rate: 0.0000002, cad: hourly, prof: business, lo: 10000, hi: 900000, res: "arn:aws:rds:{r}:{a}:cluster:{n}-aurora", desc: "${rate} per 1 million I/O requests - Amazon Aurora", attrs: []string{"databaseEngine", "Aurora PostgreSQL"}},
	}},
	{"AWSLambda", "AWS Lambda", "Compute", "Serverless Compute", false, []offer{
		{usage: "Lambda-GB-Second", op: "Invoke", unit: "Lambda-GB-Second", family: "Serverless", rate: 0.0000166667, cad: hourly, prof: bursty, lo: 200, hi: 90000, res: "arn:aws:lambda:{r}:{a}:function:{n}-handler", desc: "AWS Lambda - Total Compute - US East (Northern Virginia)", attrs: []string{"group", "AWS-Lambda-Duration"}},
		{usage: "Request", op: "Invoke", unit: "Requests", family: "Serverless", rate: 0.0000002, cad: hourly, prof: bursty, lo: 500, hi: 300000, res: "arn:aws:lambda:{r}:{a}:function:{n}-handler", desc: "AWS Lambda - Total Requests - US East (Northern Virginia)", attrs: []string{"group", "AWS-Lambda-Requests"}},
		{usage: "Lambda-GB-Second-ARM", op: "Invoke", unit: "Lambda-GB-Second", family: "Serverless", rate: 0.0000133334, cad: hourly, prof: business, lo: 100, hi: 30000, use1: true, res: "arn:aws:lambda:{r}:{a}:function:{n}-worker", desc: "AWS Lambda - Total Compute (ARM)", attrs: []string{"group", "AWS-Lambda-Duration-ARM"}},
	}},
	{"AmazonDynamoDB", "Amazon DynamoDB", "Databases", "NoSQL Databases", false, []offer{
		{usage: "TimedStorage-ByteHrs", op: "StandardStorage", unit: "GB-Mo", family: "Database Storage", rate: 0.25, cad: daily, prof: flat, lo: 0.1, hi: 20, res: "arn:aws:dynamodb:{r}:{a}:table/{n}-orders", desc: "${rate} per GB-Month of storage used beyond first 25 free GB-Months"},
		{usage: "ReadRequestUnits", op: "PayPerRequestThroughput", unit: "ReadRequestUnits", family: "Amazon DynamoDB PayPerRequest Throughput", rate: 0.00000025, cad: hourly, prof: business, lo: 10000, hi: 2000000, res: "arn:aws:dynamodb:{r}:{a}:table/{n}-orders", desc: "${rate} per read request unit"},
		{usage: "WriteRequestUnits", op: "PayPerRequestThroughput", unit: "WriteRequestUnits", family: "Amazon DynamoDB PayPerRequest Throughput", rate: 0.00000125, cad: hourly, prof: business, lo: 2000, hi: 400000, res: "arn:aws:dynamodb:{r}:{a}:table/{n}-orders", desc: "${rate} per write request unit"},
	}},
	{"AmazonCloudFront", "Amazon CloudFront", "Networking", "Content Delivery", true, []offer{
		{usage: "US-DataTransfer-Out-Bytes", op: "WebDistribution", unit: "GB", family: "Data Transfer", rate: 0.085, cad: hourly, prof: bursty, lo: 0.5, hi: 40, res: "arn:aws:cloudfront::{a}:distribution/E{H13}", desc: "${rate} per GB - first 10 TB / month data transfer out (United States)", attrs: []string{"transferType", "CloudFront Outbound", "fromLocation", "United States"}},
		{usage: "EU-Requests-Tier2-HTTPS", op: "WebDistribution", unit: "Requests", family: "Request", rate: 0.0000012, cad: hourly, prof: bursty, lo: 1000, hi: 500000, res: "arn:aws:cloudfront::{a}:distribution/E{H13}", desc: "${rate} per 10,000 HTTPS Requests (Europe)", attrs: []string{"fromLocation", "Europe"}},
	}},
	{"AmazonCloudWatch", "AmazonCloudWatch", "Management and Governance", "Observability", false, []offer{
		{usage: "CW:MetricMonitorUsage", op: "MetricStorage", unit: "Metrics", family: "Metric", rate: 0.3, cad: hourly, prof: flat, lo: 0.05, hi: 2, res: "", desc: "${rate} per metric-month - first 10,000 metrics"},
		{usage: "DataProcessing-Bytes", op: "PutLogEvents", unit: "GB", family: "Data Payload", rate: 0.5, cad: hourly, prof: business, lo: 0.05, hi: 4, res: "arn:aws:logs:{r}:{a}:log-group:/aws/{n}", desc: "${rate} per GB custom log data ingested"},
		{usage: "TimedStorage-ByteHrs", op: "HourlyStorageMetering", unit: "GB-Mo", family: "Storage Snapshot", rate: 0.03, cad: hourly, prof: flat, lo: 0.01, hi: 2, res: "arn:aws:logs:{r}:{a}:log-group:/aws/{n}", desc: "${rate} per GB-mo of log storage"},
		{usage: "CW:Requests", op: "GetMetricData", unit: "Requests", family: "API Request", rate: 0.00001, cad: hourly, prof: business, lo: 100, hi: 20000, desc: "${rate} per 1,000 metrics requested using GetMetricData API"},
	}},
	{"AmazonVPC", "Amazon Virtual Private Cloud", "Networking", "Network Connectivity", false, []offer{
		{usage: "VpcEndpoint-Hours", op: "VpcEndpoint", unit: "Hrs", family: "VpcEndpoint", rate: 0.01, cad: hourly, prof: flat, lo: 1, hi: 3, use1: true, res: "arn:aws:ec2:{r}:{a}:vpc-endpoint/vpce-0{h17}", desc: "${rate} per VPC Endpoint Hour"},
		{usage: "PublicIPv4:InUseAddress", op: "AssociateAddressVPC", unit: "Hrs", family: "VPC Public IPv4 Address", rate: 0.005, cad: hourly, prof: flat, lo: 1, hi: 6, res: "arn:aws:ec2:{r}:{a}:ipv4pool-ec2/ipv4pool-ec2-0{h17}", desc: "${rate} per In-use public IPv4 address per hour"},
	}},
	{"AWSELB", "Elastic Load Balancing", "Networking", "Load Balancing", false, []offer{
		{usage: "LoadBalancerUsage", op: "LoadBalancing:Application", unit: "Hrs", family: "Load Balancer-Application", rate: 0.0225, cad: hourly, prof: flat, lo: 1, hi: 1, res: "arn:aws:elasticloadbalancing:{r}:{a}:loadbalancer/app/{n}-alb/{h16}", desc: "${rate} per Application LoadBalancer-hour (or partial hour)"},
		{usage: "LCUUsage", op: "LoadBalancing:Application", unit: "LCU-Hrs", family: "Load Balancer-Application", rate: 0.008, cad: hourly, prof: bursty, lo: 0.5, hi: 25, res: "arn:aws:elasticloadbalancing:{r}:{a}:loadbalancer/app/{n}-alb/{h16}", desc: "${rate} per used Application load balancer capacity unit-hour (or partial hour)"},
	}},
	{"AmazonEKS", "Amazon Elastic Container Service for Kubernetes", "Compute", "Containers", false, []offer{
		{usage: "AmazonEKS-Hours:perCluster", op: "CreateOperation", unit: "Hours", family: "Compute", rate: 0.1, cad: hourly, prof: flat, lo: 1, hi: 1, use1: true, res: "arn:aws:eks:{r}:{a}:cluster/{n}-eks", desc: "Amazon EKS cluster usage"},
	}},
	{"AmazonECS", "Amazon Elastic Container Service", "Compute", "Containers", false, []offer{
		{usage: "Fargate-vCPU-Hours:perCPU", op: "FargateTask", unit: "hours", family: "Compute", rate: 0.04048, cad: hourly, prof: business, lo: 1, hi: 24, use1: true, res: "arn:aws:ecs:{r}:{a}:task/{n}-cluster/{h32}", desc: "AWS Fargate - vCPU - US East (N.Virginia)"},
		{usage: "Fargate-GB-Hours", op: "FargateTask", unit: "hours", family: "Compute", rate: 0.004445, cad: hourly, prof: business, lo: 2, hi: 96, use1: true, res: "arn:aws:ecs:{r}:{a}:task/{n}-cluster/{h32}", desc: "AWS Fargate - Memory - US East (N.Virginia)"},
	}},
	{"AmazonElastiCache", "Amazon ElastiCache", "Databases", "Caching", false, []offer{
		{usage: "NodeUsage:cache.r6g.large", op: "CreateCacheCluster:0002", unit: "Hrs", family: "Cache Instance", rate: 0.206, cad: hourly, prof: flat, lo: 1, hi: 1, zonal: true, res: "arn:aws:elasticache:{r}:{a}:cluster:{n}-redis-001", desc: "${rate} per Cache.r6g.large Node Hour", attrs: []string{"instanceType", "cache.r6g.large", "cacheEngine", "Redis", "instanceFamily", "Memory optimized", "vcpu", "2", "memory", "13.07 GiB"}},
	}},
	{"AmazonES", "Amazon OpenSearch Service", "Analytics", "Search", false, []offer{
		{usage: "ESInstance:r6g.large.search", op: "ESDomain", unit: "Hrs", family: "Amazon OpenSearch Service Instance", rate: 0.167, cad: hourly, prof: flat, lo: 1, hi: 3, res: "arn:aws:es:{r}:{a}:domain/{n}-search", desc: "${rate} per r6g.large.search instance hour (or partial hour)", attrs: []string{"instanceType", "r6g.large.search"}},
		{usage: "ES:GP3-Storage", op: "ESDomain", unit: "GB-Mo", family: "Amazon OpenSearch Service Volume", rate: 0.122, cad: hourly, prof: flat, lo: 0.1, hi: 1, res: "arn:aws:es:{r}:{a}:domain/{n}-search", desc: "${rate} per GB-month of GP3 storage"},
	}},
	{"AmazonRedshift", "Amazon Redshift", "Analytics", "Data Warehouses", false, []offer{
		{usage: "Node:ra3.xlplus", op: "RunComputeNode:0001", unit: "Hrs", family: "Compute Instance", rate: 1.086, cad: hourly, prof: flat, lo: 2, hi: 2, res: "arn:aws:redshift:{r}:{a}:cluster:{n}-dw", desc: "${rate} per RA3 XLPlus Compute Node Hour", attrs: []string{"instanceType", "ra3.xlplus"}},
	}},
	{"AmazonSNS", "Amazon Simple Notification Service", "Integration", "Messaging", false, []offer{
		{usage: "Requests-Tier1", op: "Publish", unit: "Requests", family: "API Request", rate: 0.0000005, cad: hourly, prof: business, lo: 100, hi: 50000, res: "arn:aws:sns:{r}:{a}:{n}-events", desc: "${rate} per request after 1 million requests"},
		{usage: "DeliveryAttempts-SQS", op: "Notification", unit: "Notifications", family: "Message Delivery", rate: 0, cad: hourly, prof: business, lo: 100, hi: 50000, res: "arn:aws:sns:{r}:{a}:{n}-events", desc: "There is no charge for SQS Notifications"},
	}},
	{"AWSQueueService", "Amazon Simple Queue Service", "Integration", "Messaging", false, []offer{
		{usage: "Requests-RBP", op: "SendMessage", unit: "Requests", family: "API Request", rate: 0.0000004, cad: hourly, prof: business, lo: 500, hi: 300000, res: "arn:aws:sqs:{r}:{a}:{n}-jobs", desc: "${rate} per request - Standard queue"},
		{usage: "Requests-FIFO-RBP", op: "SendMessage", unit: "Requests", family: "API Request", rate: 0.0000005, cad: hourly, prof: business, lo: 100, hi: 40000, res: "arn:aws:sqs:{r}:{a}:{n}-orders.fifo", desc: "${rate} per request - FIFO queue"},
	}},
	{"AmazonKinesis", "Amazon Kinesis", "Analytics", "Streaming Analytics", false, []offer{
		{usage: "Storage-ShardHour", op: "shardHourStorage", unit: "ShardHour", family: "Kinesis Streams", rate: 0.015, cad: hourly, prof: flat, lo: 2, hi: 16, res: "arn:aws:kinesis:{r}:{a}:stream/{n}-clicks", desc: "${rate} per shard hour"},
		{usage: "PutRequestPayloadUnits", op: "PutRecord", unit: "PutRequest", family: "Kinesis Streams", rate: 0.000000014, cad: hourly, prof: bursty, lo: 10000, hi: 4000000, res: "arn:aws:kinesis:{r}:{a}:stream/{n}-clicks", desc: "${rate} per 1,000,000 PUT Payload Units"},
	}},
	{"AmazonKinesisFirehose", "Amazon Kinesis Firehose", "Analytics", "Streaming Analytics", false, []offer{
		{usage: "BilledBytes", op: "PutRecordBatch", unit: "GB", family: "Kinesis Firehose", rate: 0.029, cad: hourly, prof: business, lo: 0.5, hi: 20, res: "arn:aws:firehose:{r}:{a}:deliverystream/{n}-logs", desc: "${rate} per GB of data ingested"},
	}},
	{"AmazonRoute53", "Amazon Route 53", "Networking", "Network Infrastructure", true, []offer{
		{usage: "HostedZone", op: "", unit: "HostedZone", family: "DNS Zone", rate: 0.5, cad: monthly, prof: flat, lo: 1, hi: 4, res: "arn:aws:route53:::hostedzone/Z0{H19}", desc: "${rate} per Hosted Zone for the first 25 Hosted Zones"},
		{usage: "DNS-Queries", op: "Query", unit: "Queries", family: "DNS Query", rate: 0.0000004, cad: hourly, prof: bursty, lo: 1000, hi: 200000, res: "arn:aws:route53:::hostedzone/Z0{H19}", desc: "${rate} per 1,000,000 queries for the first 1 Billion queries"},
	}},
	{"awskms", "AWS Key Management Service", "Security", "Secret Management", false, []offer{
		{usage: "{region}-KMS-Keys", op: "CreateKey", unit: "Keys", family: "Encryption Key", rate: 0.00134, cad: hourly, prof: flat, lo: 1, hi: 8, res: "arn:aws:kms:{r}:{a}:key/{uuid}", desc: "${rate} per customer managed key-hour"},
		{usage: "{region}-KMS-Requests", op: "GenerateDataKey", unit: "Requests", family: "API Request", rate: 0.000003, cad: hourly, prof: business, lo: 100, hi: 90000, res: "arn:aws:kms:{r}:{a}:key/{uuid}", desc: "${rate} per 10,000 requests"},
	}},
	{"AWSSecretsManager", "AWS Secrets Manager", "Security", "Secret Management", false, []offer{
		{usage: "AWSSecretsManager-Secrets", op: "StoreSecret", unit: "Secrets", family: "Secret", rate: 0.000556, cad: hourly, prof: flat, lo: 2, hi: 30, use1: true, res: "arn:aws:secretsmanager:{r}:{a}:secret:{n}/db-{h6}", desc: "${rate} per secret-hour"},
		{usage: "AWSSecretsManagerAPIRequest", op: "GetSecretValue", unit: "API Requests", family: "API Request", rate: 0.000005, cad: hourly, prof: business, lo: 10, hi: 5000, use1: true, res: "arn:aws:secretsmanager:{r}:{a}:secret:{n}/db-{h6}", desc: "${rate} per 10,000 API requests"},
	}},
	{"AWSCloudTrail", "AWS CloudTrail", "Management and Governance", "Logging", false, []offer{
		{usage: "PaidEventsRecorded", op: "None", unit: "Events", family: "Management Tools - AWS CloudTrail Paid Events Recorded", rate: 0.000002, cad: hourly, prof: business, lo: 500, hi: 60000, use1: true, res: "arn:aws:cloudtrail:{r}:{a}:trail/{n}-org-trail", desc: "${rate} per 100,000 management events recorded"},
		{usage: "DataEventsRecorded", op: "None", unit: "Events", family: "Management Tools - AWS CloudTrail Data Events Recorded", rate: 0.000001, cad: hourly, prof: bursty, lo: 1000, hi: 500000, use1: true, res: "arn:aws:cloudtrail:{r}:{a}:trail/{n}-org-trail", desc: "${rate} per 100,000 data events recorded"},
	}},
	{"AWSConfig", "AWS Config", "Management and Governance", "Compliance", false, []offer{
		{usage: "ConfigurationItemRecorded", op: "None", unit: "ConfigurationItemRecorded", family: "Management Tools - AWS Config", rate: 0.003, cad: hourly, prof: business, lo: 5, hi: 400, use1: true, desc: "${rate} per Configuration Item recorded"},
		{usage: "ConfigRuleEvaluations", op: "None", unit: "ConfigRuleEvaluations", family: "Management Tools - AWS Config Rules", rate: 0.001, cad: hourly, prof: business, lo: 20, hi: 2000, use1: true, desc: "${rate} per Config rule evaluation for the first 100,000 rule evaluations"},
	}},
	{"AWSGlue", "AWS Glue", "Analytics", "Data Integration", false, []offer{
		{usage: "ETL-DPU-Hour", op: "Jobrun", unit: "DPU-Hour", family: "AWS Glue", rate: 0.44, cad: hourly, prof: batch, lo: 2, hi: 40, use1: true, res: "arn:aws:glue:{r}:{a}:job/{n}-nightly-etl", desc: "${rate} per DPU-Hour for each Apache Spark or Spark Streaming job"},
		{usage: "Catalog-Request", op: "Request", unit: "Request", family: "AWS Glue", rate: 0.000001, cad: hourly, prof: business, lo: 100, hi: 30000, use1: true, desc: "${rate} per 1,000,000 requests"},
	}},
	{"AmazonAthena", "Amazon Athena", "Analytics", "Analytics Platforms", false, []offer{
		{usage: "DataScannedInTB", op: "RunQuery", unit: "Terabytes", family: "Athena Queries", rate: 5, cad: hourly, prof: business, lo: 0.001, hi: 0.4, use1: true, res: "arn:aws:athena:{r}:{a}:workgroup/{n}", desc: "${rate} per TB of data scanned"},
	}},
	{"AmazonECR", "Amazon EC2 Container Registry (ECR)", "Compute", "Containers", false, []offer{
		{usage: "TimedStorage-ByteHrs", op: "", unit: "GB-Mo", family: "EC2 Container Registry", rate: 0.1, cad: daily, prof: flat, lo: 0.2, hi: 15, use1: true, res: "arn:aws:ecr:{r}:{a}:repository/{n}-app", desc: "${rate} per GB-month of data storage"},
	}},
	{"AmazonEFS", "Amazon Elastic File System", "Storage", "File Storage", false, []offer{
		{usage: "TimedStorage-ByteHrs", op: "", unit: "GB-Mo", family: "Storage", rate: 0.3, cad: hourly, prof: flat, lo: 0.01, hi: 0.6, res: "arn:aws:elasticfilesystem:{r}:{a}:file-system/fs-0{h17}", desc: "${rate} per GB-Mo for Standard storage", attrs: []string{"storageClass", "General Purpose"}},
		{usage: "IATimedStorage-ByteHrs", op: "IADataAccess", unit: "GB-Mo", family: "Storage", rate: 0.025, cad: hourly, prof: flat, lo: 0.02, hi: 2, res: "arn:aws:elasticfilesystem:{r}:{a}:file-system/fs-0{h17}", desc: "${rate} per GB-Mo for Infrequent Access storage", attrs: []string{"storageClass", "Infrequent Access"}},
	}},
	{"AmazonSageMaker", "Amazon SageMaker", "AI and Machine Learning", "Machine Learning", false, []offer{
		{usage: "Notebk:ml.t3.medium", op: "RunInstance:Notebook", unit: "Hrs", family: "ML Instance", rate: 0.05, cad: hourly, prof: business, lo: 1, hi: 1, use1: true, res: "arn:aws:sagemaker:{r}:{a}:notebook-instance/{n}-notebook", desc: "${rate} per On-Demand Notebook ml.t3.medium hour in US East (N. Virginia)", attrs: []string{"instanceType", "ml.t3.medium"}},
		{usage: "Host:ml.m5.xlarge", op: "RunInstance", unit: "Hrs", family: "ML Instance", rate: 0.23, cad: hourly, prof: flat, lo: 1, hi: 2, use1: true, res: "arn:aws:sagemaker:{r}:{a}:endpoint/{n}-model", desc: "${rate} per Hosting ml.m5.xlarge hour in US East (N. Virginia)", attrs: []string{"instanceType", "ml.m5.xlarge"}},
	}},
	{"AmazonApiGateway", "Amazon API Gateway", "Networking", "API Management", false, []offer{
		{usage: "ApiGatewayRequest", op: "ApiGatewayRequest", unit: "Requests", family: "API Calls", rate: 0.0000035, cad: hourly, prof: bursty, lo: 500, hi: 200000, use1: true, res: "arn:aws:apigateway:{r}::/restapis/{h10}", desc: "${rate} per request - first 333 million"},
		{usage: "ApiGatewayHttpRequest", op: "ApiGatewayHttpApi", unit: "Requests", family: "API Calls", rate: 0.000001, cad: hourly, prof: bursty, lo: 500, hi: 300000, use1: true, res: "arn:aws:apigateway:{r}::/apis/{h10}", desc: "${rate} per request for the first 300 million requests"},
	}},
	{"AmazonStates", "AWS Step Functions", "Integration", "Workflow Orchestration", false, []offer{
		{usage: "StateTransition", op: "StartExecution", unit: "StateTransitions", family: "AWS Step Functions", rate: 0.000025, cad: hourly, prof: batch, lo: 100, hi: 40000, use1: true, res: "arn:aws:states:{r}:{a}:stateMachine:{n}-pipeline", desc: "${rate} per state transition"},
	}},
	{"AmazonGuardDuty", "Amazon GuardDuty", "Security", "Threat Detection", false, []offer{
		{usage: "PaidEventsAnalyzed", op: "", unit: "Events", family: "Security Services - Amazon GuardDuty", rate: 0.000004, cad: hourly, prof: business, lo: 1000, hi: 60000, use1: true, desc: "${rate} per 1 million CloudTrail management events analyzed"},
		{usage: "PaidS3DataEventsAnalyzed", op: "", unit: "Events", family: "Security Services - Amazon GuardDuty", rate: 0.0000008, cad: hourly, prof: bursty, lo: 10000, hi: 900000, use1: true, desc: "${rate} per million S3 data events analyzed"},
	}},
	{"AWSSecurityHub", "AWS Security Hub", "Security", "Security Posture Management", false, []offer{
		{usage: "PaidComplianceCheck", op: "BatchImportFindings", unit: "ComplianceCheck", family: "AWS Security Hub - Posture Management", rate: 0.001, cad: hourly, prof: flat, lo: 20, hi: 500, use1: true, desc: "${rate} per check for the first 100,000 checks"},
	}},
	{"AmazonInspectorV2", "Amazon Inspector", "Security", "Vulnerability Management", false, []offer{
		{usage: "InspectorEC2InstanceScans", op: "ScanInstance", unit: "Instances", family: "Amazon Inspector", rate: 0.01522, cad: daily, prof: flat, lo: 3, hi: 60, use1: true, desc: "${rate} per EC2 instance per day"},
	}},
	{"AWSBackup", "AWS Backup", "Storage", "Backup", false, []offer{
		{usage: "WarmStorage-ByteHrs-EBS", op: "Storage", unit: "GB-Mo", family: "AWS Backup Storage", rate: 0.05, cad: daily, prof: flat, lo: 2, hi: 120, use1: true, res: "arn:aws:backup:{r}:{a}:backup-vault:{n}-vault", desc: "${rate} per GB-Month of EBS snapshot backup storage"},
	}},
	{"AmazonMSK", "Amazon Managed Streaming for Apache Kafka", "Analytics", "Streaming Analytics", false, []offer{
		{usage: "Kafka.m5.large", op: "RunBroker", unit: "Hrs", family: "Managed Streaming for Apache Kafka (MSK)", rate: 0.21, cad: hourly, prof: flat, lo: 3, hi: 3, use1: true, res: "arn:aws:kafka:{r}:{a}:cluster/{n}-kafka/{uuid}", desc: "${rate} per Kafka.m5.large broker hour", attrs: []string{"instanceType", "kafka.m5.large"}},
		{usage: "Kafka.Storage.GP2", op: "RunVolume", unit: "GB-Mo", family: "Storage", rate: 0.1, cad: hourly, prof: flat, lo: 0.5, hi: 4, use1: true, res: "arn:aws:kafka:{r}:{a}:cluster/{n}-kafka/{uuid}", desc: "${rate} per GB-month of storage"},
	}},
	{"AmazonMQ", "Amazon MQ", "Integration", "Messaging", false, []offer{
		{usage: "mq.m5.large", op: "CreateBroker:0001", unit: "Hrs", family: "Broker Instances", rate: 0.288, cad: hourly, prof: flat, lo: 1, hi: 1, use1: true, res: "arn:aws:mq:{r}:{a}:broker:{n}-broker:b-{uuid}", desc: "${rate} per mq.m5.large broker hour", attrs: []string{"instanceType", "mq.m5.large"}},
	}},
	{"AmazonDocDB", "Amazon DocumentDB (with MongoDB compatibility)", "Databases", "NoSQL Databases", false, []offer{
		{usage: "InstanceUsage:db.r6g.large", op: "CreateDBInstance:0017", unit: "Hrs", family: "Database Instance", rate: 0.269, cad: hourly, prof: flat, lo: 1, hi: 1, res: "arn:aws:rds:{r}:{a}:db:{n}-docdb-1", desc: "${rate} per db.r6g.large instance hour (or partial hour)", attrs: []string{"instanceType", "db.r6g.large", "databaseEngine", "Amazon DocumentDB"}},
	}},
	{"AmazonCognito", "Amazon Cognito", "Security", "Identity", false, []offer{
		{usage: "CognitoUserPoolsMAU", op: "CognitoUserPoolMAU", unit: "MAU", family: "User Pool MAU", rate: 0.0055, cad: monthly, prof: flat, lo: 5000, hi: 120000, use1: true, res: "arn:aws:cognito-idp:{r}:{a}:userpool/{r}_{h9}", desc: "${rate} per MAU for the first 50,000 MAUs after free tier"},
	}},
	{"AmazonSES", "Amazon Simple Email Service", "Business Applications", "Communication", false, []offer{
		{usage: "Recipients", op: "SendEmail", unit: "Count", family: "Sending Email", rate: 0.0001, cad: hourly, prof: business, lo: 10, hi: 8000, use1: true, res: "arn:aws:ses:{r}:{a}:identity/{n}.example.com", desc: "${rate} per message sent"},
	}},
	{"AWSXRay", "AWS X-Ray", "Developer Tools", "Developer Platforms", false, []offer{
		{usage: "XRay-TracesStored", op: "", unit: "Traces", family: "Traces", rate: 0.000005, cad: hourly, prof: bursty, lo: 100, hi: 50000, use1: true, desc: "${rate} per trace stored"},
	}},
	{"AWSDataTransfer", "AWS Data Transfer", "Networking", "Network Connectivity", false, []offer{
		{usage: "DataTransfer-Out-Bytes", op: "PublicIP-Out", unit: "GB", family: "Data Transfer", rate: 0.09, cad: hourly, prof: bursty, lo: 0.2, hi: 30, desc: "${rate} per GB - first 10 TB / month data transfer out beyond the global free tier", attrs: []string{"transferType", "AWS Outbound", "toLocation", "External"}},
		{usage: "{prefix}-USW2-AWS-Out-Bytes", op: "InterRegion", unit: "GB", family: "Data Transfer", rate: 0.02, cad: hourly, prof: business, lo: 0.1, hi: 10, desc: "${rate} per GB - US East (Northern Virginia) data transfer to US West (Oregon)", attrs: []string{"transferType", "InterRegion Outbound", "toLocation", "US West (Oregon)", "toRegionCode", "us-west-2"}},
		{usage: "DataTransfer-xAZ-In-Bytes", op: "InterZone-In", unit: "GB", family: "Data Transfer", rate: 0.01, cad: hourly, prof: business, lo: 0.5, hi: 20, use1: true, desc: "${rate} per GB - data transfer in between Availability Zones"},
	}},
	{"AmazonQuickSight", "Amazon QuickSight", "Analytics", "Business Intelligence", false, []offer{
		{usage: "QS-User-Enterprise-Month", op: "", unit: "User-Month", family: "Business Analytics", rate: 18, cad: monthly, prof: flat, lo: 3, hi: 40, use1: true, desc: "QuickSight Enterprise Edition user monthly subscription"},
	}},
	{"CodeBuild", "CodeBuild", "Developer Tools", "Continuous Integration and Continuous Deployment", false, []offer{
		{usage: "Build-Min:Linux:g1.small", op: "LinuxContainer", unit: "minutes", family: "Compute", rate: 0.005, cad: hourly, prof: business, lo: 5, hi: 600, use1: true, res: "arn:aws:codebuild:{r}:{a}:project/{n}-ci", desc: "${rate} per build-minute for general1.small"},
	}},
	{"AWSWAF", "AWS WAF", "Security", "Network Security", true, []offer{
		{usage: "WebACL", op: "", unit: "WebACL", family: "Web Application Firewall", rate: 5, cad: monthly, prof: flat, lo: 1, hi: 3, use1: true, res: "arn:aws:wafv2:{r}:{a}:regional/webacl/{n}-waf/{uuid}", desc: "${rate} per web ACL per month (prorated hourly)"},
		{usage: "Request", op: "", unit: "Request", family: "Web Application Firewall", rate: 0.0000006, cad: hourly, prof: bursty, lo: 1000, hi: 500000, use1: true, res: "arn:aws:wafv2:{r}:{a}:regional/webacl/{n}-waf/{uuid}", desc: "${rate} per million requests"},
	}},
	{"AmazonTimestream", "Amazon Timestream", "Databases", "Time Series Databases", false, []offer{
		{usage: "MagneticStorage-ByteHrs", op: "Storage", unit: "GB-Mo", family: "Magnetic Storage", rate: 0.03, cad: daily, prof: flat, lo: 1, hi: 80, use1: true, res: "arn:aws:timestream:{r}:{a}:database/{n}", desc: "${rate} per GB-Mo of magnetic store"},
	}},
	{"AmazonLightsail", "Amazon Lightsail", "Compute", "Virtual Machines", false, []offer{
		{usage: "BundleUsage:2GB", op: "CreateInstance", unit: "Hrs", family: "Lightsail Instance", rate: 0.0161, cad: hourly, prof: flat, lo: 1, hi: 1, use1: true, res: "arn:aws:lightsail:{r}:{a}:Instance/{uuid}", desc: "${rate} per hour for Linux 2GB bundle"},
	}},
	{"AWSSystemsManager", "AWS Systems Manager", "Management and Governance", "Operations Management", false, []offer{
		{usage: "PS-Advanced-Param-Tier1", op: "PutParameter", unit: "Parameter-Month", family: "Parameter Store", rate: 0.05, cad: monthly, prof: flat, lo: 5, hi: 80, use1: true, desc: "${rate} per advanced parameter per month"},
	}},
}
