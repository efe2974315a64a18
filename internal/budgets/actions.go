package budgets

import (
	"context"
	"fmt"
)

// Budget actions cannot be created yet (CreateBudgetAction, like
// UpdateBudgetAction, DeleteBudgetAction and ExecuteBudgetAction, answers
// NotImplementedException through Unimplemented), so the operations that
// read them truthfully find none.

func noAction(id string) error {
	return fail(errNotFound, fmt.Sprintf("budget action %s does not exist: Tally does not implement budget actions yet", id))
}

// DescribeBudgetAction implements the AWS Budgets operation
// DescribeBudgetAction: there is no action to describe.
func (s *Service) DescribeBudgetAction(ctx context.Context, in *DescribeBudgetActionRequest) (*DescribeBudgetActionResponse, error) {
	if _, err := s.budgetOf(ctx, deref(in.AccountId), deref(in.BudgetName)); err != nil {
		return nil, err
	}
	return nil, noAction(deref(in.ActionId))
}

// DescribeBudgetActionHistories implements the AWS Budgets operation
// DescribeBudgetActionHistories: there is no action with a history.
func (s *Service) DescribeBudgetActionHistories(ctx context.Context, in *DescribeBudgetActionHistoriesRequest) (*DescribeBudgetActionHistoriesResponse, error) {
	if _, err := s.budgetOf(ctx, deref(in.AccountId), deref(in.BudgetName)); err != nil {
		return nil, err
	}
	return nil, noAction(deref(in.ActionId))
}

// DescribeBudgetActionsForAccount implements the AWS Budgets operation
// DescribeBudgetActionsForAccount: an empty list.
func (s *Service) DescribeBudgetActionsForAccount(ctx context.Context, in *DescribeBudgetActionsForAccountRequest) (*DescribeBudgetActionsForAccountResponse, error) {
	if _, err := caller(ctx, deref(in.AccountId)); err != nil {
		return nil, err
	}
	if _, err := pages[int](s, "DescribeBudgetActionsForAccount", in).Start(); err != nil {
		return nil, err
	}
	return &DescribeBudgetActionsForAccountResponse{Actions: []Action{}}, nil
}

// DescribeBudgetActionsForBudget implements the AWS Budgets operation
// DescribeBudgetActionsForBudget: an empty list for a budget that exists.
func (s *Service) DescribeBudgetActionsForBudget(ctx context.Context, in *DescribeBudgetActionsForBudgetRequest) (*DescribeBudgetActionsForBudgetResponse, error) {
	if _, err := s.budgetOf(ctx, deref(in.AccountId), deref(in.BudgetName)); err != nil {
		return nil, err
	}
	if _, err := pages[int](s, "DescribeBudgetActionsForBudget", in).Start(); err != nil {
		return nil, err
	}
	return &DescribeBudgetActionsForBudgetResponse{Actions: []Action{}}, nil
}
