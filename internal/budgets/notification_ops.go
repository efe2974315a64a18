package budgets

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/internal/pager"
)

// notFoundNotification is the NotFoundException of a missing notification.
func notFoundNotification(name string) error {
	return fail(errNotFound, fmt.Sprintf("the budget %s has no such notification", name))
}

// change runs fn on a budget under the service's lock, then evaluates and
// stores the budget.
func (s *Service) change(ctx context.Context, account, name string, fn func(r *record) error) error {
	if _, err := caller(ctx, account); err != nil {
		return err
	}
	r, err := s.changeLocked(ctx, account, name, fn)
	if err != nil {
		return err
	}
	s.settle(ctx, r)
	return nil
}

// changeLocked is change under s.mu, without running the actions it began.
func (s *Service) changeLocked(ctx context.Context, account, name string, fn func(r *record) error) (*record, error) {
	unlock, err := s.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	r, err := s.load(ctx, account, name)
	if err != nil {
		return nil, err
	}
	if err := fn(r); err != nil {
		return nil, err
	}
	return r, s.refresh(ctx, r, nil)
}

// CreateNotification implements the AWS Budgets operation
// CreateNotification: a notification with its subscribers, evaluated at
// once. A budget has at most ten notifications.
func (s *Service) CreateNotification(ctx context.Context, in *CreateNotificationRequest) (*CreateNotificationResponse, error) {
	n, err := defineNotification(in.Notification, in.Subscribers, s.now())
	if err != nil {
		return nil, err
	}
	return &CreateNotificationResponse{}, s.change(ctx, deref(in.AccountId), deref(in.BudgetName), func(r *record) error {
		if _, dup := r.find(in.Notification); dup != nil {
			return fail(errDuplicate, fmt.Sprintf("the budget %s already has this notification", r.Name))
		}
		if len(r.Notifications) >= MaxNotifications {
			return fail(errTooMany, fmt.Sprintf("the budget %s has %d notifications, the most a budget can have", r.Name, MaxNotifications))
		}
		r.Notifications = append(r.Notifications, n)
		return nil
	})
}

// UpdateNotification implements the AWS Budgets operation
// UpdateNotification. The new notification keeps the subscribers; it starts
// in state OK and is evaluated at once, so a threshold that is already
// crossed alerts again.
func (s *Service) UpdateNotification(ctx context.Context, in *UpdateNotificationRequest) (*UpdateNotificationResponse, error) {
	now := s.now()
	return &UpdateNotificationResponse{}, s.change(ctx, deref(in.AccountId), deref(in.BudgetName), func(r *record) error {
		i, old := r.find(in.OldNotification)
		if old == nil {
			return notFoundNotification(r.Name)
		}
		if j, dup := r.find(in.NewNotification); dup != nil {
			if j == i {
				return nil // unchanged
			}
			return fail(errDuplicate, fmt.Sprintf("the budget %s already has the new notification", r.Name))
		}
		n, err := defineNotification(in.NewNotification, nil, now)
		if err != nil {
			return err
		}
		n.Subscribers = old.Subscribers
		r.Notifications[i] = n
		return nil
	})
}

// DeleteNotification implements the AWS Budgets operation
// DeleteNotification, with its subscribers.
func (s *Service) DeleteNotification(ctx context.Context, in *DeleteNotificationRequest) (*DeleteNotificationResponse, error) {
	return &DeleteNotificationResponse{}, s.change(ctx, deref(in.AccountId), deref(in.BudgetName), func(r *record) error {
		i, n := r.find(in.Notification)
		if n == nil {
			return notFoundNotification(r.Name)
		}
		r.Notifications = append(r.Notifications[:i], r.Notifications[i+1:]...)
		return nil
	})
}

// DescribeNotificationsForBudget implements the AWS Budgets operation
// DescribeNotificationsForBudget, in the order the notifications were
// created.
func (s *Service) DescribeNotificationsForBudget(ctx context.Context, in *DescribeNotificationsForBudgetRequest) (*DescribeNotificationsForBudgetResponse, error) {
	account, name := deref(in.AccountId), deref(in.BudgetName)
	r, err := s.budgetOf(ctx, account, name)
	if err != nil {
		return nil, err
	}
	page, next, err := pager.Slice(pages[int](s, "DescribeNotificationsForBudget", in), r.Notifications, maxResults(in.MaxResults, 100))
	if err != nil {
		return nil, err
	}
	out := &DescribeNotificationsForBudgetResponse{Notifications: []Notification{}, NextToken: next}
	for _, n := range page {
		out.Notifications = append(out.Notifications, n.wire())
	}
	return out, nil
}

// DescribeBudgetNotificationsForAccount implements the AWS Budgets
// operation DescribeBudgetNotificationsForAccount: the account's budgets
// that have notifications, with them, 50 budgets a page unless MaxResults
// says otherwise.
func (s *Service) DescribeBudgetNotificationsForAccount(ctx context.Context, in *DescribeBudgetNotificationsForAccountRequest) (*DescribeBudgetNotificationsForAccountResponse, error) {
	account := deref(in.AccountId)
	if _, err := caller(ctx, account); err != nil {
		return nil, err
	}
	all, err := s.list(ctx, account)
	if err != nil {
		return nil, err
	}
	var with []*record
	for _, r := range all {
		if len(r.Notifications) > 0 {
			with = append(with, r)
		}
	}
	page, next, err := pager.After(pages[string](s, "DescribeBudgetNotificationsForAccount", in), with, nameOf, maxResults(in.MaxResults, 50))
	if err != nil {
		return nil, err
	}
	out := &DescribeBudgetNotificationsForAccountResponse{BudgetNotificationsForAccount: []BudgetNotificationsForAccount{}, NextToken: next}
	for _, r := range page {
		b := BudgetNotificationsForAccount{BudgetName: ptr(r.Name)}
		for _, n := range r.Notifications {
			b.Notifications = append(b.Notifications, n.wire())
		}
		out.BudgetNotificationsForAccount = append(out.BudgetNotificationsForAccount, b)
	}
	return out, nil
}
