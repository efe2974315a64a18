package synth

// productAttr is a product attribute: its legacy CUR column name and its CUR
// 2.0 name, which is a static product_* column or a key of the product map.
type productAttr struct {
	legacy, cur2 string
	static       bool
}

// The product attributes the generator fills, in legacy CUR column order.
const (
	paProductName = iota
	paServicecode
	paServicename
	paProductFamily
	paUsagetype
	paOperation
	paRegion
	paRegionCode
	paLocation
	paLocationType
	paInstanceType
	paInstanceFamily
	paInstanceTypeFamily
	paVcpu
	paMemory
	paOperatingSystem
	paTenancy
	paLicenseModel
	paPreInstalledSw
	paCapacitystatus
	paDatabaseEngine
	paDeploymentOption
	paCacheEngine
	paStorageClass
	paStorageMedia
	paVolumeAPIName
	paVolumeType
	paTransferType
	paFromLocation
	paToLocation
	paToRegionCode
	paGroup
	paNormalizationSizeFactor
	paSku
	paFeeCode
	paFeeDescription
	numProductAttrs
)

var productAttrs = [numProductAttrs]productAttr{
	{"ProductName", "product_name", false},
	{"servicecode", "product_servicecode", true},
	{"servicename", "servicename", false},
	{"productFamily", "product_product_family", true},
	{"usagetype", "product_usagetype", true},
	{"operation", "product_operation", true},
	{"region", "region", false},
	{"regionCode", "product_region_code", true},
	{"location", "product_location", true},
	{"locationType", "product_location_type", true},
	{"instanceType", "product_instance_type", true},
	{"instanceFamily", "product_instance_family", true},
	{"instanceTypeFamily", "instance_type_family", false},
	{"vcpu", "vcpu", false},
	{"memory", "memory", false},
	{"operatingSystem", "operating_system", false},
	{"tenancy", "tenancy", false},
	{"licenseModel", "license_model", false},
	{"preInstalledSw", "pre_installed_sw", false},
	{"capacitystatus", "capacitystatus", false},
	{"databaseEngine", "database_engine", false},
	{"deploymentOption", "deployment_option", false},
	{"cacheEngine", "cache_engine", false},
	{"storageClass", "storage_class", false},
	{"storageMedia", "storage_media", false},
	{"volumeApiName", "volume_api_name", false},
	{"volumeType", "volume_type", false},
	{"transferType", "transfer_type", false},
	{"fromLocation", "product_from_location", true},
	{"toLocation", "product_to_location", true},
	{"toRegionCode", "product_to_region_code", true},
	{"group", "group", false},
	{"normalizationSizeFactor", "normalization_size_factor", false},
	{"sku", "product_sku", true},
	{"feeCode", "product_fee_code", true},
	{"feeDescription", "product_fee_description", true},
}

// productAttrIndex maps a legacy attribute name to its index.
func productAttrIndex(legacy string) int {
	for i, a := range productAttrs {
		if a.legacy == legacy {
			return i
		}
	}
	return -1
}
