package budgets

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// budgetARNPattern is the ARN of a budget, arn:aws:budgets::AccountId:budget/budgetName;
// an action's ARN continues with /action/ActionId.
var budgetARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:budgets::(\d{12}):budget/(.+)$`)

// resource finds the budget an ARN names and checks the caller may use it.
func (s *Service) resource(ctx context.Context, arn string) (*record, error) {
	m := budgetARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return nil, invalidf("%q is not the ARN of a budget, arn:aws:budgets::AccountId:budget/budgetName", arn)
	}
	account, name := m[1], m[2]
	if _, err := caller(ctx, account); err != nil {
		return nil, err
	}
	if strings.Contains(name, "/action/") {
		return nil, fail(errNotFound, fmt.Sprintf("tags of budget actions (%s) are not supported: Tally keeps the ResourceTags given to CreateBudgetAction only", arn))
	}
	return s.load(ctx, account, name)
}

// ListTagsForResource implements the AWS Budgets operation
// ListTagsForResource for budgets.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	r, err := s.resource(ctx, deref(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceResponse{ResourceTags: []ResourceTag{}}
	for _, t := range r.Tags {
		out.ResourceTags = append(out.ResourceTags, ResourceTag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out, nil
}

// TagResource implements the AWS Budgets operation TagResource: tags are
// added or their values replaced, up to 50 per budget.
func (s *Service) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	return &TagResourceResponse{}, s.retag(ctx, deref(in.ResourceARN), func(r *record) error {
		tags, err := defineTags(r.Tags, in.ResourceTags)
		r.Tags = tags
		return err
	})
}

// UntagResource implements the AWS Budgets operation UntagResource; keys
// the budget does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	return &UntagResourceResponse{}, s.retag(ctx, deref(in.ResourceARN), func(r *record) error {
		drop := map[string]bool{}
		for _, k := range in.ResourceTagKeys {
			drop[k] = true
		}
		var kept []tag
		for _, t := range r.Tags {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		r.Tags = kept
		return nil
	})
}

// retag changes a budget's tags, which touch nothing else.
func (s *Service) retag(ctx context.Context, arn string, fn func(r *record) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.resource(ctx, arn)
	if err != nil {
		return err
	}
	if err := fn(r); err != nil {
		return err
	}
	return s.save(ctx, r, nil)
}
