package store

import "context"

// Kinds of anomaly detection objects.
const (
	AnomalyMonitor      = "monitor"
	AnomalySubscription = "subscription"
)

// AnomalyObject is an anomaly monitor or alert subscription of one
// account. Doc is its definition, encoded by the costexplorer package and
// opaque to the store.
type AnomalyObject struct {
	ARN string
	// Kind is AnomalyMonitor or AnomalySubscription.
	Kind    string
	Account string
	Doc     []byte
}

// AnomalyStore keeps anomaly monitors and subscriptions. Every method MUST
// be safe for concurrent use and MUST persist what it changes before
// returning.
type AnomalyStore interface {
	// AnomalyObjects returns the objects of kind that belong to account,
	// or to every account when account is "", ordered by ARN.
	AnomalyObjects(ctx context.Context, kind, account string) ([]AnomalyObject, error)

	// PutAnomalyObject adds o or replaces the object with its ARN.
	PutAnomalyObject(ctx context.Context, o AnomalyObject) error

	// DeleteAnomalyObject removes an object and its resource tags (see
	// CostCategoryStore.ResourceTags) in one transaction, and reports
	// whether it existed.
	DeleteAnomalyObject(ctx context.Context, arn string) (bool, error)
}
