package synth

// region is an AWS Region as billing data spells it.
type region struct {
	code, prefix, location string
	azs                    []string
	priceFactor            float64
}

// regions are the Regions the synthetic organisation runs in; the first is
// its home Region.
var regions = []region{
	{"us-east-1", "USE1", "US East (N. Virginia)", []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"}, 1},
	{"us-west-2", "USW2", "US West (Oregon)", []string{"us-west-2a", "us-west-2b", "us-west-2c"}, 1},
	{"eu-west-1", "EU", "EU (Ireland)", []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}, 1.08},
	{"eu-central-1", "EUC1", "EU (Frankfurt)", []string{"eu-central-1a", "eu-central-1b", "eu-central-1c"}, 1.15},
	{"ap-southeast-2", "APS2", "Asia Pacific (Sydney)", []string{"ap-southeast-2a", "ap-southeast-2b", "ap-southeast-2c"}, 1.22},
}

// usagePrefix returns the usage type prefix of a Region: us-east-1 has none
// for the older usage types and "USE1-" for newer ones, as real exports show.
func (r *region) usagePrefix(use1 bool) string {
	if r.code == "us-east-1" && !use1 {
		return ""
	}
	return r.prefix + "-"
}

// instanceType is an EC2 (or RDS/ElastiCache) size with its on-demand Linux
// price in us-east-1.
type instanceType struct {
	name, family  string
	vcpu          int
	memory        string
	rate          float64
	normalization float64
}

var instanceTypes = []instanceType{
	{"t3.medium", "t3", 2, "4 GiB", 0.0416, 2},
	{"t3.large", "t3", 2, "8 GiB", 0.0832, 4},
	{"m5.large", "m5", 2, "8 GiB", 0.096, 4},
	{"m5.xlarge", "m5", 4, "16 GiB", 0.192, 8},
	{"m6i.2xlarge", "m6i", 8, "32 GiB", 0.384, 16},
	{"c6g.xlarge", "c6g", 4, "8 GiB", 0.136, 8},
	{"c5.2xlarge", "c5", 8, "16 GiB", 0.34, 16},
	{"r6g.large", "r6g", 2, "16 GiB", 0.1008, 4},
	{"r5.xlarge", "r5", 4, "32 GiB", 0.252, 8},
	{"g4dn.xlarge", "g4dn", 4, "16 GiB", 0.526, 8},
}

// operatingSystem is an EC2 platform: its RunInstances operation code and
// price uplift over Linux.
type operatingSystem struct {
	name, op, license, platform string
	uplift                      float64
}

var operatingSystems = []operatingSystem{
	{"Linux", "RunInstances", "No License required", "Linux/UNIX", 0},
	{"Windows", "RunInstances:0002", "License Included", "Windows", 0.046},
	{"RHEL", "RunInstances:0010", "No License required", "Red Hat Enterprise Linux", 0.06},
}
