package budgets

import (
	"context"
	"regexp"
	"strings"
)

// budgetARNPattern is the ARN of a budget, arn:aws:budgets::AccountId:budget/budgetName;
// an action's ARN continues with /action/ActionId.
var budgetARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:budgets::(\d{12}):budget/(.+)$`)

// resource finds the budget or budget action an ARN names, checks the
// caller may use it, and returns the budget with the tags of the resource.
func (s *Service) resource(ctx context.Context, arn string) (*record, *[]tag, error) {
	m := budgetARNPattern.FindStringSubmatch(arn)
	if m == nil {
		return nil, nil, invalidf("%q is not the ARN of a budget, arn:aws:budgets::AccountId:budget/budgetName", arn)
	}
	account, name := m[1], m[2]
	if _, err := caller(ctx, account); err != nil {
		return nil, nil, err
	}
	name, id, isAction := strings.Cut(name, "/action/")
	r, err := s.load(ctx, account, name)
	if err != nil {
		return nil, nil, err
	}
	if !isAction {
		return r, &r.Tags, nil
	}
	_, a, err := r.findAction(id)
	if err != nil {
		return nil, nil, err
	}
	return r, &a.Tags, nil
}

// ListTagsForResource implements the AWS Budgets operation
// ListTagsForResource for budgets.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	_, tags, err := s.resource(ctx, deref(in.ResourceARN))
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceResponse{ResourceTags: []ResourceTag{}}
	for _, t := range *tags {
		out.ResourceTags = append(out.ResourceTags, ResourceTag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out, nil
}

// TagResource implements the AWS Budgets operation TagResource: tags are
// added or their values replaced, up to 50 per budget.
func (s *Service) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	return &TagResourceResponse{}, s.retag(ctx, deref(in.ResourceARN), func(tags *[]tag) error {
		t, err := defineTags(*tags, in.ResourceTags)
		*tags = t
		return err
	})
}

// UntagResource implements the AWS Budgets operation UntagResource; keys
// the budget does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	return &UntagResourceResponse{}, s.retag(ctx, deref(in.ResourceARN), func(tags *[]tag) error {
		drop := map[string]bool{}
		for _, k := range in.ResourceTagKeys {
			drop[k] = true
		}
		var kept []tag
		for _, t := range *tags {
			if !drop[t.Key] {
				kept = append(kept, t)
			}
		}
		*tags = kept
		return nil
	})
}

// retag changes the tags of a budget or budget action, which touch nothing
// else.
func (s *Service) retag(ctx context.Context, arn string, fn func(tags *[]tag) error) error {
	unlock, err := s.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	r, tags, err := s.resource(ctx, arn)
	if err != nil {
		return err
	}
	if err := fn(tags); err != nil {
		return err
	}
	return s.save(ctx, r, nil)
}
