package costexplorer

import (
	"context"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/backfill"
	"github.com/tallyhq/tally/internal/pager"
)

// TagStore is what the cost allocation tag operations need from storage.
// Tag statuses are kept per key and billing month (DESIGN.md §6); the
// queries of the Store honour them.
type TagStore interface {
	// TagKeys lists the tag keys ordered by key: all of them when payer is
	// "", else those on lines paid by payer.
	TagKeys(ctx context.Context, payer string) ([]backfill.TagKey, error)

	// SetTagStatus changes the current status of keys and their status in
	// the billing month of at and every later month; earlier months keep
	// theirs. Setting the status a key has does nothing. It MUST apply all
	// the changes or none, and returns the keys it does not know.
	SetTagStatus(ctx context.Context, changes []backfill.Change, at time.Time) (unknown []string, err error)

	// LinkedOnly reports whether account appears in the data only as a
	// linked account of other payers.
	LinkedOnly(ctx context.Context, account string) (bool, error)

	// Backfills lists the backfill requests, newest first.
	Backfills(ctx context.Context) ([]backfill.Request, error)
}

// Backfiller accepts StartCostAllocationTagBackfill requests and runs them in
// the background; *backfill.Runner is the implementation.
type Backfiller interface {
	// Submit starts a backfill from the month from, or returns the last
	// successful request (started false) when no tag status changed since.
	// It fails with backfill.ErrInProgress or a *backfill.TooSoonError.
	Submit(ctx context.Context, from time.Time) (req backfill.Request, started bool, err error)
}

// Page sizes of the two list operations. ListCostAllocationTags returns at
// most 100 tags a page whatever MaxResults says, because its response list is
// modelled with at most 100 items.
const (
	defaultTagsPageSize      = 100
	maxTagsPageSize          = 100
	defaultBackfillsPageSize = 100
)

// tagKeyNotFound is the Code AWS puts in UpdateCostAllocationTagsStatus's
// Errors for a key it has never seen (API reference, example 2).
const tagKeyNotFound = "TagKeysNotFoundException"

// tagManager returns the payer whose tag keys the caller manages ("" for
// every key), or AccessDeniedException for a linked account. The test
// identity manages every key, as a management account over all the data does.
func (s *Service) tagManager(ctx context.Context, action string) (string, error) {
	a, ok := auth.Caller(ctx)
	if !ok || a.All {
		return "", nil
	}
	linked, err := s.cfg.Store.LinkedOnly(ctx, a.AccountID)
	if err != nil {
		return "", err
	}
	if linked {
		// Only the management account manages cost allocation tags.
		return "", fail(errDenied, action+": Linked account doesn't have access to cost allocation tags.")
	}
	return a.AccountID, nil
}

// zoned formats a time as a Cost Explorer ZonedDateTime.
func zoned(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return ptr(t.UTC().Format("2006-01-02T15:04:05Z"))
}

// ListCostAllocationTags implements the AWS Cost Explorer operation of that
// name: the tag keys seen in the data with their status and type, filtered
// by Status, Type and TagKeys. A payer account sees the keys of the lines it
// pays for; a linked account is refused, as in AWS.
func (s *Service) ListCostAllocationTags(ctx context.Context, in *ListCostAllocationTagsRequest) (*ListCostAllocationTagsResponse, error) {
	payer, err := s.tagManager(ctx, "Failed to list Cost Allocation Tags")
	if err != nil {
		return nil, err
	}
	keys, err := s.cfg.Store.TagKeys(ctx, payer)
	if err != nil {
		return nil, err
	}
	wanted := map[string]bool{}
	for _, k := range in.TagKeys {
		wanted[k] = true
	}
	var match []CostAllocationTag
	for _, k := range keys {
		tag := wireTag(k)
		if (in.Status != nil && *in.Status != *tag.Status) || (in.Type != nil && *in.Type != *tag.Type) ||
			(len(wanted) > 0 && !wanted[k.Key]) {
			continue
		}
		match = append(match, tag)
	}
	size := defaultTagsPageSize
	if in.MaxResults != nil {
		size = min(int(*in.MaxResults), maxTagsPageSize)
	}
	page, next, err := pager.Slice(pages[int](ctx, s, "ListCostAllocationTags", in), match, size)
	if err != nil {
		return nil, err
	}
	return &ListCostAllocationTagsResponse{CostAllocationTags: append([]CostAllocationTag{}, page...), NextToken: next}, nil
}

func wireTag(k backfill.TagKey) CostAllocationTag {
	typ, status := CostAllocationTagTypeUserDefined, CostAllocationTagStatusInactive
	if k.AWSGenerated {
		typ = CostAllocationTagTypeAWSGenerated
	}
	if k.Active {
		status = CostAllocationTagStatusActive
	}
	return CostAllocationTag{TagKey: ptr(k.Key), Type: &typ, Status: &status,
		LastUpdatedDate: zoned(k.LastUpdated), LastUsedDate: zoned(k.LastUsed)}
}

// UpdateCostAllocationTagsStatus implements the AWS Cost Explorer operation
// of that name: it activates or deactivates up to 20 keys from the current
// month on; earlier months keep the status they had until a backfill. Keys
// Tally has not seen in the caller's data come back in Errors, and the
// others are applied.
func (s *Service) UpdateCostAllocationTagsStatus(ctx context.Context, in *UpdateCostAllocationTagsStatusRequest) (*UpdateCostAllocationTagsStatusResponse, error) {
	payer, err := s.tagManager(ctx, "Failed to update Cost Allocation Tag")
	if err != nil {
		return nil, err
	}
	var visible map[string]bool
	if payer != "" {
		keys, err := s.cfg.Store.TagKeys(ctx, payer)
		if err != nil {
			return nil, err
		}
		visible = map[string]bool{}
		for _, k := range keys {
			visible[k.Key] = true
		}
	}
	failed := map[string]bool{}
	var changes []backfill.Change
	for _, e := range in.CostAllocationTagsStatus {
		key := deref(e.TagKey)
		if visible != nil && !visible[key] {
			failed[key] = true
			continue
		}
		changes = append(changes, backfill.Change{Key: key, Active: *e.Status == CostAllocationTagStatusActive})
	}
	unknown, err := s.cfg.Store.SetTagStatus(ctx, changes, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	for _, k := range unknown {
		failed[k] = true
	}
	out := &UpdateCostAllocationTagsStatusResponse{Errors: []UpdateCostAllocationTagsStatusError{}}
	for _, e := range in.CostAllocationTagsStatus {
		key := deref(e.TagKey)
		if failed[key] {
			delete(failed, key)
			out.Errors = append(out.Errors, UpdateCostAllocationTagsStatusError{TagKey: ptr(key),
				Code: ptr(tagKeyNotFound), Message: ptr("Failed to update Cost Allocation Tag: " + key)})
		}
	}
	return out, nil
}
