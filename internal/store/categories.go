package store

import (
	"context"
	"time"
)

// CostCategoryVersion is the definition of one cost category over a run of
// billing months: from Start (the first day of a month) up to End (the
// first day of a later month; zero while the version is current). Doc is
// the definition itself (name, rules, default value, split charge rules),
// encoded by the costexplorer package and opaque to the store.
type CostCategoryVersion struct {
	ARN string
	// Payer is the management account that owns the category.
	Payer string
	Name  string
	Start time.Time
	End   time.Time
	Doc   []byte
}

// ResourceTag is a tag on a Cost Explorer resource such as a cost category.
type ResourceTag struct {
	Key, Value string
}

// CostCategoryStore keeps cost category definitions by month and the tags
// of Cost Explorer resources. Every method MUST be safe for concurrent use
// and MUST persist what it changes before returning.
type CostCategoryStore interface {
	// CostCategories returns the versions of payer's categories, or of
	// every payer's when payer is "", ordered by ARN and Start.
	CostCategories(ctx context.Context, payer string) ([]CostCategoryVersion, error)

	// PutCostCategory makes v the version of v.ARN from v.Start on, in one
	// transaction: the versions that start on or after v.Start are removed,
	// the one that covers v.Start ends there, and v, which MUST have a zero
	// End, is added. Earlier months keep their versions.
	PutCostCategory(ctx context.Context, v CostCategoryVersion) error

	// DeleteCostCategory ends a category at end (the first day of a
	// month) and removes its resource tags, in one transaction: versions
	// that start on or after end are removed and the current one ends at
	// end; earlier months keep theirs. It reports whether the category had
	// a current version.
	DeleteCostCategory(ctx context.Context, arn string, end time.Time) (bool, error)

	// ResourceTags returns the tags of a resource ordered by key.
	ResourceTags(ctx context.Context, arn string) ([]ResourceTag, error)

	// SetResourceTags replaces the tags of a resource.
	SetResourceTags(ctx context.Context, arn string, tags []ResourceTag) error
}
