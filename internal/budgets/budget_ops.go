package budgets

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/internal/pager"
)

// CreateBudget implements the AWS Budgets operation CreateBudget: a budget
// with its notifications, subscribers and tags. Its spend is measured and
// its notifications evaluated at once.
func (s *Service) CreateBudget(ctx context.Context, in *CreateBudgetRequest) (*CreateBudgetResponse, error) {
	account := deref(in.AccountId)
	scope, err := caller(ctx, account)
	if err != nil {
		return nil, err
	}
	now := s.now()
	r := &record{Account: account, Name: deref(in.Budget.BudgetName), Scope: scope, Created: now}
	if err := define(r, in.Budget, now); err != nil {
		return nil, err
	}
	for _, nws := range in.NotificationsWithSubscribers {
		n, err := defineNotification(nws.Notification, nws.Subscribers, now)
		if err != nil {
			return nil, err
		}
		if _, dup := r.find(nws.Notification); dup != nil {
			return nil, fail(errDuplicate, "the request lists the same notification twice")
		}
		r.Notifications = append(r.Notifications, n)
	}
	if r.Tags, err = defineTags(nil, in.ResourceTags); err != nil {
		return nil, err
	}

	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	existing, err := s.list(ctx, account)
	if err != nil {
		return nil, err
	}
	for _, e := range existing {
		if e.Name == r.Name {
			return nil, fail(errDuplicate, fmt.Sprintf("Error creating budget: %s - the budget already exists.", r.Name))
		}
	}
	if len(existing) >= MaxBudgetsPerAccount {
		return nil, fail(errQuota, fmt.Sprintf("account %s has %d budgets, the most an account can have", account, MaxBudgetsPerAccount))
	}
	// An expired budget of the same name may still be stored; it is gone.
	return &CreateBudgetResponse{}, s.refresh(ctx, r, nil)
}

// DescribeBudget implements the AWS Budgets operation DescribeBudget.
func (s *Service) DescribeBudget(ctx context.Context, in *DescribeBudgetRequest) (*DescribeBudgetResponse, error) {
	r, err := s.budgetOf(ctx, deref(in.AccountId), deref(in.BudgetName))
	if err != nil {
		return nil, err
	}
	b, err := s.describe(ctx, r, deref(in.ShowFilterExpression))
	if err != nil {
		return nil, err
	}
	return &DescribeBudgetResponse{Budget: &b}, nil
}

// DescribeBudgets implements the AWS Budgets operation DescribeBudgets: the
// account's budgets in name order, 100 a page unless MaxResults says
// otherwise.
func (s *Service) DescribeBudgets(ctx context.Context, in *DescribeBudgetsRequest) (*DescribeBudgetsResponse, error) {
	account := deref(in.AccountId)
	if _, err := caller(ctx, account); err != nil {
		return nil, err
	}
	all, err := s.list(ctx, account)
	if err != nil {
		return nil, err
	}
	page, next, err := pager.After(pages[string](s, "DescribeBudgets", in), all, nameOf, maxResults(in.MaxResults, 100))
	if err != nil {
		return nil, err
	}
	out := &DescribeBudgetsResponse{Budgets: []Budget{}, NextToken: next}
	for _, r := range page {
		b, err := s.describe(ctx, r, deref(in.ShowFilterExpression))
		if err != nil {
			return nil, err
		}
		out.Budgets = append(out.Budgets, b)
	}
	return out, nil
}

// describe renders a budget with the spend of its current period: as last
// evaluated, or measured now when the clock has moved into a new period
// since.
func (s *Service) describe(ctx context.Context, r *record, showFilter bool) (Budget, error) {
	now := s.now()
	spend := r.Spend
	if (r.tracksSpend() || r.tracksCommitment()) && (spend == nil || spend.Period != r.periodAt(now)) {
		var err error
		if spend, err = s.measure(ctx, r, now); err != nil {
			return Budget{}, err
		}
	}
	return r.wire(now, spend, showFilter), nil
}

// UpdateBudget implements the AWS Budgets operation UpdateBudget: every part
// of the budget but its name changes; its notifications, subscribers, tags
// and the limits of past periods stay. The spend is measured again at once.
func (s *Service) UpdateBudget(ctx context.Context, in *UpdateBudgetRequest) (*UpdateBudgetResponse, error) {
	account := deref(in.AccountId)
	scope, err := caller(ctx, account)
	if err != nil {
		return nil, err
	}
	r, err := s.changeLocked(ctx, account, deref(in.NewBudget.BudgetName), func(r *record) error {
		r.Scope = scope
		return define(r, in.NewBudget, s.now())
	})
	if err != nil {
		return nil, err
	}
	s.settle(ctx, r) // a lower limit can trigger actions
	return &UpdateBudgetResponse{}, nil
}

// DeleteBudget implements the AWS Budgets operation DeleteBudget, with its
// notifications and subscribers. Alerts already queued are still
// delivered.
func (s *Service) DeleteBudget(ctx context.Context, in *DeleteBudgetRequest) (*DeleteBudgetResponse, error) {
	account, name := deref(in.AccountId), deref(in.BudgetName)
	if _, err := caller(ctx, account); err != nil {
		return nil, err
	}
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if _, err := s.load(ctx, account, name); err != nil {
		return nil, err
	}
	if _, err := s.cfg.Store.DeleteBudget(ctx, account, name); err != nil {
		return nil, err
	}
	return &DeleteBudgetResponse{}, nil
}
