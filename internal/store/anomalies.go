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

// Detected is one anomaly found by a monitor. ID derives from the monitor,
// the dimension value and the start date, so detecting the same data again
// gives the same IDs.
type Detected struct {
	ID      string
	Monitor string // the monitor's ARN
	Account string // the monitor's account
	// End is the anomaly's last day, yyyy-mm-dd (GetAnomalies filters on it).
	End string
	// Doc is the anomaly, encoded by the costexplorer package and opaque
	// to the store.
	Doc []byte
	// Feedback is the feedback given on the anomaly ("" when none). It is
	// kept by ID, apart from the detection, so it survives re-detection.
	Feedback string
}

// DetectedStore keeps detected anomalies and the feedback on them. Every
// method MUST be safe for concurrent use and MUST persist what it changes
// before returning.
type DetectedStore interface {
	// ReplaceDetected replaces every anomaly of monitor with list in one
	// transaction; feedback given on an ID stays with it.
	ReplaceDetected(ctx context.Context, monitor string, list []Detected) error

	// DetectedAnomalies returns the anomalies of account's monitors (every
	// account's for ""), with their feedback, ordered by End then ID.
	DetectedAnomalies(ctx context.Context, account string) ([]Detected, error)

	// SetFeedback records feedback on an anomaly and reports whether the
	// anomaly exists; the latest feedback wins.
	SetFeedback(ctx context.Context, id, feedback string) (bool, error)
}
