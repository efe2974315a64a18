package costexplorer

import (
	"context"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/store"
)

// Backfiller accepts StartCostAllocationTagBackfill requests and runs them in
// the background; *backfill.Runner is the implementation.
type Backfiller interface {
	// Submit starts a backfill of payer from the month from, or returns
	// payer's last successful request (started false) when none of its tag
	// statuses changed since. It fails with backfill.ErrInProgress or a
	// *backfill.TooSoonError.
	Submit(ctx context.Context, payer string, from time.Time) (req store.Backfill, started bool, err error)
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

// tagOwner is whose cost allocation tag settings a caller works with.
type tagOwner struct {
	// Payer is the management account the settings belong to.
	Payer string
	// Manager is set when the caller is that payer and may change them.
	Manager bool
	// Member is the caller's account when it is a member of Payer: it reads
	// the keys of its own lines only.
	Member string
}

// tagOwnerOf returns whose tag settings the caller works with. A payer
// account manages its own; a member reads its payer's; an account that
// appears nowhere is a payer of nothing. The test identity acts as its
// account when that is a payer, else as the first payer ingested.
func (s *Service) tagOwnerOf(ctx context.Context) (tagOwner, error) {
	a, ok := auth.Caller(ctx)
	payer, isPayer, err := s.cfg.Store.TagPayer(ctx, a.AccountID)
	if err != nil {
		return tagOwner{}, err
	}
	switch {
	case isPayer:
		return tagOwner{Payer: payer, Manager: true}, nil
	case !ok || a.All:
		first, err := s.cfg.Store.FirstPayer(ctx)
		return tagOwner{Payer: first, Manager: true}, err
	case payer != "":
		return tagOwner{Payer: payer, Member: a.AccountID}, nil
	}
	return tagOwner{Payer: a.AccountID}, nil
}

// tagManager returns the payer whose tag settings the caller manages, or
// AccessDeniedException for an account that is no payer in the data.
func (s *Service) tagManager(ctx context.Context, action string) (string, error) {
	o, err := s.tagOwnerOf(ctx)
	switch {
	case err != nil:
		return "", err
	case o.Member != "":
		// Only the management account manages cost allocation tags.
		return "", fail(errDenied, action+": Linked account doesn't have access to cost allocation tags.")
	case !o.Manager:
		return "", fail(errDenied, action+": only a management (payer) account manages cost allocation tags, and account "+
			o.Payer+" pays for no billing data")
	}
	return o.Payer, nil
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
// pays for with the statuses it set; a member account sees the keys of its
// own lines with its payer's statuses.
func (s *Service) ListCostAllocationTags(ctx context.Context, in *ListCostAllocationTagsRequest) (*ListCostAllocationTagsResponse, error) {
	o, err := s.tagOwnerOf(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := s.cfg.Store.TagKeys(ctx, o.Payer, o.Member)
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

func wireTag(k store.TagKey) CostAllocationTag {
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
// the caller's lines do not carry come back in Errors, and the others are
// applied to the caller's lines only: statuses belong to the payer
// (management) account, and other accounts get AccessDeniedException.
func (s *Service) UpdateCostAllocationTagsStatus(ctx context.Context, in *UpdateCostAllocationTagsStatusRequest) (*UpdateCostAllocationTagsStatusResponse, error) {
	payer, err := s.tagManager(ctx, "Failed to update Cost Allocation Tag")
	if err != nil {
		return nil, err
	}
	var changes []store.TagChange
	for _, e := range in.CostAllocationTagsStatus {
		changes = append(changes, store.TagChange{Key: deref(e.TagKey), Active: *e.Status == CostAllocationTagStatusActive})
	}
	unknown, err := s.cfg.Store.SetTagStatus(ctx, payer, changes, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	failed := map[string]bool{}
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
