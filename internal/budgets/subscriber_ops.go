package budgets

import (
	"context"
	"fmt"

	"github.com/tallyhq/tally/internal/pager"
)

// notification finds the notification a subscriber request names.
func notificationOf(r *record, w *Notification) (*notification, error) {
	_, n := r.find(w)
	if n == nil {
		return nil, notFoundNotification(r.Name)
	}
	return n, nil
}

func (n *notification) subscriber(s subscriber) int {
	for i, have := range n.Subscribers {
		if have == s {
			return i
		}
	}
	return -1
}

// CreateSubscriber implements the AWS Budgets operation CreateSubscriber:
// one SNS and ten email subscribers per notification. A new subscriber of a
// notification in ALARM hears of the next crossing.
func (s *Service) CreateSubscriber(ctx context.Context, in *CreateSubscriberRequest) (*CreateSubscriberResponse, error) {
	sub, err := defineSubscriber(in.Subscriber)
	if err != nil {
		return nil, err
	}
	return &CreateSubscriberResponse{}, s.change(ctx, deref(in.AccountId), deref(in.BudgetName), func(r *record) error {
		n, err := notificationOf(r, in.Notification)
		if err != nil {
			return err
		}
		if n.subscriber(sub) >= 0 {
			return fail(errDuplicate, fmt.Sprintf("the notification already has the subscriber %s %s", sub.Type, sub.Address))
		}
		if msg := subscriberLimits(append(n.Subscribers, sub)); msg != "" {
			return fail(errTooMany, msg)
		}
		n.Subscribers = append(n.Subscribers, sub)
		return nil
	})
}

// UpdateSubscriber implements the AWS Budgets operation UpdateSubscriber.
func (s *Service) UpdateSubscriber(ctx context.Context, in *UpdateSubscriberRequest) (*UpdateSubscriberResponse, error) {
	old, err := defineSubscriber(in.OldSubscriber)
	if err != nil {
		return nil, err
	}
	sub, err := defineSubscriber(in.NewSubscriber)
	if err != nil {
		return nil, err
	}
	return &UpdateSubscriberResponse{}, s.change(ctx, deref(in.AccountId), deref(in.BudgetName), func(r *record) error {
		n, err := notificationOf(r, in.Notification)
		if err != nil {
			return err
		}
		i := n.subscriber(old)
		switch {
		case i < 0:
			return fail(errNotFound, fmt.Sprintf("the notification has no subscriber %s %s", old.Type, old.Address))
		case old == sub:
			return nil
		case n.subscriber(sub) >= 0:
			return fail(errDuplicate, fmt.Sprintf("the notification already has the subscriber %s %s", sub.Type, sub.Address))
		}
		subs := append([]subscriber(nil), n.Subscribers...)
		subs[i] = sub
		if msg := subscriberLimits(subs); msg != "" {
			// UpdateSubscriber does not model CreationLimitExceededException.
			return invalidf("%s", msg)
		}
		n.Subscribers = subs
		return nil
	})
}

// DeleteSubscriber implements the AWS Budgets operation DeleteSubscriber.
// Deleting the last subscriber deletes the notification.
func (s *Service) DeleteSubscriber(ctx context.Context, in *DeleteSubscriberRequest) (*DeleteSubscriberResponse, error) {
	sub, err := defineSubscriber(in.Subscriber)
	if err != nil {
		return nil, err
	}
	return &DeleteSubscriberResponse{}, s.change(ctx, deref(in.AccountId), deref(in.BudgetName), func(r *record) error {
		n, err := notificationOf(r, in.Notification)
		if err != nil {
			return err
		}
		i := n.subscriber(sub)
		if i < 0 {
			return fail(errNotFound, fmt.Sprintf("the notification has no subscriber %s %s", sub.Type, sub.Address))
		}
		n.Subscribers = append(n.Subscribers[:i], n.Subscribers[i+1:]...)
		if len(n.Subscribers) == 0 {
			j, _ := r.find(in.Notification)
			r.Notifications = append(r.Notifications[:j], r.Notifications[j+1:]...)
		}
		return nil
	})
}

// DescribeSubscribersForNotification implements the AWS Budgets operation
// DescribeSubscribersForNotification.
func (s *Service) DescribeSubscribersForNotification(ctx context.Context, in *DescribeSubscribersForNotificationRequest) (*DescribeSubscribersForNotificationResponse, error) {
	account, name := deref(in.AccountId), deref(in.BudgetName)
	r, err := s.budgetOf(ctx, account, name)
	if err != nil {
		return nil, err
	}
	n, err := notificationOf(r, in.Notification)
	if err != nil {
		return nil, err
	}
	page, next, err := pager.Slice(pages[int](s, "DescribeSubscribersForNotification", in), n.Subscribers, maxResults(in.MaxResults, 100))
	if err != nil {
		return nil, err
	}
	out := &DescribeSubscribersForNotificationResponse{Subscribers: []Subscriber{}, NextToken: next}
	for _, sub := range page {
		out.Subscribers = append(out.Subscribers, sub.wire())
	}
	return out, nil
}
