package costexplorer

import (
	"strings"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/query"
)

// riService is a service whose reservations GetReservationPurchaseRecommendation
// recommends. Every service goes through the one model (internal/recommend):
// what differs is only which usage a reservation covers and how the bill
// tells reservations apart beyond instance type and Region.
type riService struct {
	// Name is the SERVICE value, as the bill and the request spell it;
	// Aliases are other spellings a request may use.
	Name    string
	Aliases []string
	// Usage are the USAGE_TYPE fragments of the instance or node hours a
	// reservation of the service covers.
	Usage []string
	// Attrs are the dimensions (at most two) besides INSTANCE_TYPE and
	// REGION that a reservation must match: they fill instance.Platform and
	// instance.Tenancy, in order.
	Attrs []billing.Dimension
	// Details builds the recommendation's InstanceDetails member.
	Details func(k instance) *InstanceDetails
}

// family is the instance type up to its last dot: "db.r6g" of
// "db.r6g.large", "m5" of "m5.large".
func family(t string) string {
	if i := strings.LastIndex(t, "."); i > 0 {
		return t[:i]
	}
	return t
}

var ec2Reservations = &riService{Name: computeService, Usage: []string{boxUsage, dedicatedUsage},
	Attrs: []billing.Dimension{billing.DimPlatform, billing.DimTenancy},
	Details: func(k instance) *InstanceDetails {
		return &InstanceDetails{EC2InstanceDetails: &EC2InstanceDetails{
			Family: ptr(strings.SplitN(k.InstanceType, ".", 2)[0]), InstanceType: ptr(k.InstanceType), Region: ptr(k.Region),
			Platform: ptr(k.Platform), Tenancy: ptr(k.Tenancy), CurrentGeneration: ptr(true),
			SizeFlexEligible: ptr(k.Platform == "Linux/UNIX" && k.Tenancy == "Shared")}}
	}}

// riServices are the services of the model's InstanceDetails, with the
// SERVICE names the Cost Explorer documentation gives for
// GetReservationPurchaseRecommendation (OpenSearch is still also billed and
// asked for as "Amazon Elasticsearch Service").
var riServices = []*riService{
	ec2Reservations,
	{Name: "Amazon Relational Database Service", Usage: []string{"InstanceUsage", "Multi-AZUsage"},
		Attrs: []billing.Dimension{billing.DimDatabaseEngine, billing.DimDeploymentOption},
		Details: func(k instance) *InstanceDetails {
			return &InstanceDetails{RDSInstanceDetails: &RDSInstanceDetails{Family: ptr(family(k.InstanceType)), InstanceType: ptr(k.InstanceType),
				Region: ptr(k.Region), DatabaseEngine: ptr(k.Platform), DeploymentOption: ptr(k.Tenancy), CurrentGeneration: ptr(true)}}
		}},
	{Name: "Amazon ElastiCache", Usage: []string{"NodeUsage"}, Attrs: []billing.Dimension{billing.DimCacheEngine},
		Details: func(k instance) *InstanceDetails {
			return &InstanceDetails{ElastiCacheInstanceDetails: &ElastiCacheInstanceDetails{Family: ptr(family(k.InstanceType)),
				NodeType: ptr(k.InstanceType), Region: ptr(k.Region), ProductDescription: ptr(strings.ToLower(k.Platform)), CurrentGeneration: ptr(true)}}
		}},
	{Name: "Amazon OpenSearch Service", Aliases: []string{"Amazon Elasticsearch Service"}, Usage: []string{"ESInstance"},
		Details: func(k instance) *InstanceDetails {
			// r6g.large.search: class r6g, size large.
			parts := strings.Split(k.InstanceType, ".")
			d := &ESInstanceDetails{InstanceClass: ptr(parts[0]), Region: ptr(k.Region), CurrentGeneration: ptr(true)}
			if len(parts) > 1 {
				d.InstanceSize = ptr(parts[1])
			}
			return &InstanceDetails{ESInstanceDetails: d}
		}},
	{Name: "Amazon Redshift", Usage: []string{"Node:"},
		Details: func(k instance) *InstanceDetails {
			return &InstanceDetails{RedshiftInstanceDetails: &RedshiftInstanceDetails{Family: ptr(family(k.InstanceType)),
				NodeType: ptr(k.InstanceType), Region: ptr(k.Region), CurrentGeneration: ptr(true)}}
		}},
	{Name: "Amazon MemoryDB", Usage: []string{"NodeUsage"},
		Details: func(k instance) *InstanceDetails {
			return &InstanceDetails{MemoryDBInstanceDetails: &MemoryDBInstanceDetails{Family: ptr(family(k.InstanceType)),
				NodeType: ptr(k.InstanceType), Region: ptr(k.Region), CurrentGeneration: ptr(true)}}
		}},
}

// reservationService finds a request's Service in riServices.
func reservationService(name string) *riService {
	for _, s := range riServices {
		if s.Name == name {
			return s
		}
		for _, a := range s.Aliases {
			if a == name {
				return s
			}
		}
	}
	return nil
}

// usageFilter keeps the service's lines of the hours a reservation covers.
func (r *riService) usageFilter() query.And {
	names := append([]string{r.Name}, r.Aliases...)
	return query.And{dim(billing.DimService, names...),
		&query.Match{Kind: query.KindDimension, Key: string(billing.DimUsageType), Values: r.Usage, Op: query.OpContains}}
}

// groupBy is before, then INSTANCE_TYPE, REGION and the service's Attrs,
// then after; key reads the instance back from a row's keys at offset
// len(before).
func (r *riService) groupBy(before []billing.Dimension, after ...billing.Dimension) []query.GroupKey {
	ds := append(append(append([]billing.Dimension{}, before...), billing.DimInstanceType, billing.DimRegion), r.Attrs...)
	return groupDims(append(ds, after...)...)
}

// key is the instance of a row grouped by groupBy; after is the offset of
// the keys that follow.
func (r *riService) key(keys []string, offset int) (k instance, after int) {
	k = instance{InstanceType: keys[offset], Region: keys[offset+1]}
	if len(r.Attrs) > 0 {
		k.Platform = keys[offset+2]
	}
	if len(r.Attrs) > 1 {
		k.Tenancy = keys[offset+3]
	}
	return k, offset + 2 + len(r.Attrs)
}
