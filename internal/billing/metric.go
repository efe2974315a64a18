package billing

// Metric is a GetCostAndUsage metric name as it appears on the wire
// (UnblendedCost, UsageQuantity, ...).
type Metric string

// The seven Cost Explorer metrics.
const (
	AmortizedCost         Metric = "AmortizedCost"
	BlendedCost           Metric = "BlendedCost"
	NetAmortizedCost      Metric = "NetAmortizedCost"
	NetUnblendedCost      Metric = "NetUnblendedCost"
	NormalizedUsageAmount Metric = "NormalizedUsageAmount"
	UnblendedCost         Metric = "UnblendedCost"
	UsageQuantity         Metric = "UsageQuantity"
)

// Metrics lists every metric in the order Cost Explorer documents them.
var Metrics = []Metric{AmortizedCost, BlendedCost, NetAmortizedCost, NetUnblendedCost,
	NormalizedUsageAmount, UnblendedCost, UsageQuantity}

// IsCost reports whether the metric is money (its unit is the currency) rather
// than a usage quantity.
func (m Metric) IsCost() bool {
	return m != UsageQuantity && m != NormalizedUsageAmount
}

// Valid reports whether m is one of the seven metrics.
func (m Metric) Valid() bool {
	for _, x := range Metrics {
		if m == x {
			return true
		}
	}
	return false
}
