package costexplorer

import (
	"reflect"
	"testing"
)

// TestReservationServices checks the table of services: every name and
// alias is found, each builds exactly the InstanceDetails member of its
// service, and keys are read back at the positions groupBy puts them.
func TestReservationServices(t *testing.T) {
	k := instance{InstanceType: "db.r6g.large", Region: "eu-west-1", Platform: "a", Tenancy: "b"}
	want := map[string]string{
		"Amazon Elastic Compute Cloud - Compute": "EC2InstanceDetails",
		"Amazon Relational Database Service":     "RDSInstanceDetails",
		"Amazon ElastiCache":                     "ElastiCacheInstanceDetails",
		"Amazon OpenSearch Service":              "ESInstanceDetails",
		"Amazon Elasticsearch Service":           "ESInstanceDetails",
		"Amazon Redshift":                        "RedshiftInstanceDetails",
		"Amazon MemoryDB":                        "MemoryDBInstanceDetails",
	}
	for name, member := range want {
		svc := reservationService(name)
		if svc == nil {
			t.Errorf("%s: not found", name)
			continue
		}
		v := reflect.ValueOf(*svc.Details(k))
		var set []string
		for i := range v.NumField() {
			if !v.Field(i).IsNil() {
				set = append(set, v.Type().Field(i).Name)
			}
		}
		if len(set) != 1 || set[0] != member {
			t.Errorf("%s: members %v, want %s", name, set, member)
		}
		keys := []string{"acct", "db.r6g.large", "eu-west-1", "a", "b", "after"}
		got, after := svc.key(keys, 1)
		if got.InstanceType != "db.r6g.large" || got.Region != "eu-west-1" || after != 3+len(svc.Attrs) ||
			len(svc.groupBy(nil)) != 2+len(svc.Attrs) {
			t.Errorf("%s: key %+v, after %d", name, got, after)
		}
	}
	for _, name := range []string{"", "Amazon DynamoDB", "amazon redshift"} {
		if reservationService(name) != nil {
			t.Errorf("%q found", name)
		}
	}
	es := reservationService("Amazon OpenSearch Service").Details(instance{InstanceType: "r6g.large.search", Region: "us-east-1"}).ESInstanceDetails
	if *es.InstanceClass != "r6g" || *es.InstanceSize != "large" {
		t.Errorf("OpenSearch r6g.large.search: class %s size %s", *es.InstanceClass, *es.InstanceSize)
	}
	rds := reservationService("Amazon Relational Database Service").Details(k).RDSInstanceDetails
	if *rds.Family != "db.r6g" || *rds.DatabaseEngine != "a" || *rds.DeploymentOption != "b" {
		t.Errorf("RDS: %+v", rds)
	}
}
