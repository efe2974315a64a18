package billing

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSpellAsCostExplorer(t *testing.T) {
	li := LineItem{
		Service: "Tax", UsageAccountID: "111122223333", LineItemType: "Tax",
		DeploymentOption: "Multi-AZ", Tenancy: "NA",
	}
	SpellAsCostExplorer(&li)
	want := LineItem{
		Service: "Tax", UsageAccountID: "111122223333", LineItemType: "Tax",
		AZ: "NoAZ", Region: "NoRegion", InstanceType: "NoInstanceType", InstanceTypeFamily: "NoInstanceTypeFamily",
		DatabaseEngine: "NoDatabaseEngine", DeploymentOption: "MultiAZ", UsageType: "NoUsageType",
		OperatingSystem: "NoOperatingSystem", Platform: "NoOperatingSystem", ResourceID: "NoResourceId",
		Tenancy: "NoTenancy", CacheEngine: "NoCacheEngine", UsageTypeGroup: "NoUsageTypeGroup",
		Operation: "NoOperation", LegalEntity: "NoLegalEntityName", InvoicingEntity: "NoInvoicingEntity",
		BillingEntity: "NoBillingEntity", ReservationID: "NoReservationId", SubscriptionID: "NoSubscriptionId",
		Scope: "NoScope", SavingsPlanARN: "NoSavingsPlanArn", SavingsPlansType: "NoSavingsPlansType",
		PaymentOption: "NoPaymentOption",
	}
	if diff := cmp.Diff(want, li); diff != "" {
		t.Errorf("SpellAsCostExplorer (-want +got):\n%s", diff)
	}
	// Every dimension with a no-value spelling is filled, so a new one in
	// noValues cannot be forgotten in SpellAsCostExplorer.
	for d, nv := range noValues {
		if v, _ := d.Value(&li); v != nv && d != DimDeploymentOption {
			t.Errorf("%s = %q after SpellAsCostExplorer, want %q", d, v, nv)
		}
	}
	kept := LineItem{Region: "us-east-1", AZ: "us-east-1a", DeploymentOption: "Single-AZ", Tenancy: "Shared"}
	SpellAsCostExplorer(&kept)
	if kept.Region != "us-east-1" || kept.AZ != "us-east-1a" || kept.DeploymentOption != "SingleAZ" || kept.Tenancy != "Shared" {
		t.Errorf("values changed: %+v", kept)
	}
}

func TestDeploymentOption(t *testing.T) {
	for in, want := range map[string]string{
		"Single-AZ": "SingleAZ", "Multi-AZ": "MultiAZ",
		"Multi-AZ (SQL Server Mirror)": "MultiAZ (SQL Server Mirror)", "": "", "MultiAZ": "MultiAZ",
	} {
		if got := DeploymentOption(in); got != want {
			t.Errorf("DeploymentOption(%q) = %q, want %q", in, got, want)
		}
	}
}
