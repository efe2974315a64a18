package budgets_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/store"
)

const topic = "arn:aws:sns:us-east-1:111111111111:alerts"

func actualOver(pct float64) *btypes.Notification {
	return &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorGreaterThan,
		Threshold: pct, ThresholdType: btypes.ThresholdTypePercentage}
}

func email(addr string) btypes.Subscriber {
	return btypes.Subscriber{SubscriptionType: btypes.SubscriptionTypeEmail, Address: aws.String(addr)}
}

func sns(arn string) btypes.Subscriber {
	return btypes.Subscriber{SubscriptionType: btypes.SubscriptionTypeSns, Address: aws.String(arn)}
}

func states(t *testing.T, c *bsdk.Client, name string) []string {
	t.Helper()
	out, err := c.DescribeNotificationsForBudget(context.Background(), &bsdk.DescribeNotificationsForBudgetInput{
		AccountId: aws.String(alice), BudgetName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range out.Notifications {
		got = append(got, fmt.Sprintf("%s %s %g %s: %s", n.NotificationType, n.ComparisonOperator, n.Threshold, n.ThresholdType, n.NotificationState))
	}
	return got
}

func TestNotificationCRUD(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	acct, name := aws.String(alice), aws.String("b")
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct, Budget: monthly("b", "100"),
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: actualOver(80), Subscribers: []btypes.Subscriber{email("a@example.com")}}}}); err != nil {
		t.Fatal(err)
	}
	create := func(n *btypes.Notification, subs ...btypes.Subscriber) error {
		_, err := c.CreateNotification(ctx, &bsdk.CreateNotificationInput{AccountId: acct, BudgetName: name, Notification: n, Subscribers: append([]btypes.Subscriber{}, subs...)})
		return err
	}
	for i := 1; i < 10; i++ {
		if err := create(actualOver(float64(100+i)), email("a@example.com")); err != nil {
			t.Fatalf("notification %d: %v", i, err)
		}
	}
	twelve := make([]btypes.Subscriber, 11)
	for i := range twelve {
		twelve[i] = email(fmt.Sprintf("u%d@example.com", i))
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"eleventh notification", func() error { return create(actualOver(200), email("a@example.com")) }, "CreationLimitExceededException"},
		{"duplicate", func() error { return create(actualOver(80), email("b@example.com")) }, "DuplicateRecordException"},
		{"missing budget", func() error {
			_, err := c.CreateNotification(ctx, &bsdk.CreateNotificationInput{AccountId: acct, BudgetName: aws.String("nope"),
				Notification: actualOver(1), Subscribers: []btypes.Subscriber{email("a@example.com")}})
			return err
		}, "NotFoundException"},
		{"no subscribers", func() error { return create(actualOver(1)) }, "InvalidParameterException"},
		{"eleven emails", func() error { return create(actualOver(1), twelve...) }, "CreationLimitExceededException"},
		{"two topics", func() error { return create(actualOver(1), sns(topic), sns(topic+"2")) }, "CreationLimitExceededException"},
		{"same subscriber twice", func() error { return create(actualOver(1), email("a@example.com"), email("a@example.com")) }, "DuplicateRecordException"},
		{"bad email", func() error { return create(actualOver(1), email("not an address")) }, "InvalidParameterException"},
		{"email with a line break", func() error { return create(actualOver(1), email("a@example.com\nBcc: x@example.com")) }, "InvalidParameterException"},
		{"bad topic", func() error { return create(actualOver(1), sns("arn:aws:sqs:us-east-1:111111111111:q")) }, "InvalidParameterException"},
		{"update missing", func() error {
			_, err := c.UpdateNotification(ctx, &bsdk.UpdateNotificationInput{AccountId: acct, BudgetName: name, OldNotification: actualOver(5), NewNotification: actualOver(6)})
			return err
		}, "NotFoundException"},
		{"update onto another", func() error {
			_, err := c.UpdateNotification(ctx, &bsdk.UpdateNotificationInput{AccountId: acct, BudgetName: name, OldNotification: actualOver(80), NewNotification: actualOver(101)})
			return err
		}, "DuplicateRecordException"},
		{"delete missing", func() error {
			_, err := c.DeleteNotification(ctx, &bsdk.DeleteNotificationInput{AccountId: acct, BudgetName: name, Notification: actualOver(5)})
			return err
		}, "NotFoundException"},
		{"other account", func() error {
			_, err := e.client("bob").DescribeNotificationsForBudget(ctx, &bsdk.DescribeNotificationsForBudgetInput{AccountId: acct, BudgetName: name})
			return err
		}, "AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if got := errorCode(err); got != tc.want {
				t.Errorf("error = %s (%s), want %s", got, errorMessage(err), tc.want)
			}
		})
	}

	// Update keeps the subscribers; delete removes one.
	if _, err := c.UpdateNotification(ctx, &bsdk.UpdateNotificationInput{AccountId: acct, BudgetName: name, OldNotification: actualOver(80), NewNotification: actualOver(90)}); err != nil {
		t.Fatal(err)
	}
	subs, err := c.DescribeSubscribersForNotification(ctx, &bsdk.DescribeSubscribersForNotificationInput{AccountId: acct, BudgetName: name, Notification: actualOver(90)})
	if err != nil || len(subs.Subscribers) != 1 || aws.ToString(subs.Subscribers[0].Address) != "a@example.com" {
		t.Errorf("subscribers after update = %v, %v", subs, err)
	}
	if _, err := c.DeleteNotification(ctx, &bsdk.DeleteNotificationInput{AccountId: acct, BudgetName: name, Notification: actualOver(101)}); err != nil {
		t.Fatal(err)
	}

	// Nine notifications, listed in pages of four, in creation order.
	var thresholds []float64
	p := bsdk.NewDescribeNotificationsForBudgetPaginator(c, &bsdk.DescribeNotificationsForBudgetInput{AccountId: acct, BudgetName: name, MaxResults: aws.Int32(4)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range out.Notifications {
			thresholds = append(thresholds, n.Threshold)
		}
	}
	if diff := cmp.Diff([]float64{90, 102, 103, 104, 105, 106, 107, 108, 109}, thresholds); diff != "" {
		t.Errorf("thresholds (-want +got):\n%s", diff)
	}

	// The account-wide listing has the budgets with notifications only.
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct, Budget: monthly("quiet", "1")}); err != nil {
		t.Fatal(err)
	}
	all, err := c.DescribeBudgetNotificationsForAccount(ctx, &bsdk.DescribeBudgetNotificationsForAccountInput{AccountId: acct})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.BudgetNotificationsForAccount) != 1 || aws.ToString(all.BudgetNotificationsForAccount[0].BudgetName) != "b" ||
		len(all.BudgetNotificationsForAccount[0].Notifications) != 9 {
		t.Errorf("DescribeBudgetNotificationsForAccount = %+v", all.BudgetNotificationsForAccount)
	}
}

func TestSubscriberCRUD(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	acct, name, n := aws.String(alice), aws.String("b"), actualOver(80)
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct, Budget: monthly("b", "100"),
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{{Notification: n, Subscribers: []btypes.Subscriber{sns(topic)}}}}); err != nil {
		t.Fatal(err)
	}
	add := func(s btypes.Subscriber) error {
		_, err := c.CreateSubscriber(ctx, &bsdk.CreateSubscriberInput{AccountId: acct, BudgetName: name, Notification: n, Subscriber: &s})
		return err
	}
	for i := range 10 {
		if err := add(email(fmt.Sprintf("u%d@example.com", i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"eleventh email", func() error { return add(email("x@example.com")) }, "CreationLimitExceededException"},
		{"second topic", func() error { return add(sns(topic + "2")) }, "CreationLimitExceededException"},
		{"duplicate", func() error { return add(email("u1@example.com")) }, "DuplicateRecordException"},
		{"missing notification", func() error {
			s := email("x@example.com")
			_, err := c.CreateSubscriber(ctx, &bsdk.CreateSubscriberInput{AccountId: acct, BudgetName: name, Notification: actualOver(1), Subscriber: &s})
			return err
		}, "NotFoundException"},
		{"update missing", func() error {
			old, nw := email("nobody@example.com"), email("x@example.com")
			_, err := c.UpdateSubscriber(ctx, &bsdk.UpdateSubscriberInput{AccountId: acct, BudgetName: name, Notification: n, OldSubscriber: &old, NewSubscriber: &nw})
			return err
		}, "NotFoundException"},
		{"update onto another", func() error {
			old, nw := email("u1@example.com"), email("u2@example.com")
			_, err := c.UpdateSubscriber(ctx, &bsdk.UpdateSubscriberInput{AccountId: acct, BudgetName: name, Notification: n, OldSubscriber: &old, NewSubscriber: &nw})
			return err
		}, "DuplicateRecordException"},
		{"update past the limit", func() error {
			old, nw := email("u1@example.com"), sns(topic+"2")
			_, err := c.UpdateSubscriber(ctx, &bsdk.UpdateSubscriberInput{AccountId: acct, BudgetName: name, Notification: n, OldSubscriber: &old, NewSubscriber: &nw})
			return err
		}, "InvalidParameterException"},
		{"delete missing", func() error {
			s := email("nobody@example.com")
			_, err := c.DeleteSubscriber(ctx, &bsdk.DeleteSubscriberInput{AccountId: acct, BudgetName: name, Notification: n, Subscriber: &s})
			return err
		}, "NotFoundException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if got := errorCode(err); got != tc.want {
				t.Errorf("error = %s (%s), want %s", got, errorMessage(err), tc.want)
			}
		})
	}
	old, nw := email("u1@example.com"), email("renamed@example.com")
	if _, err := c.UpdateSubscriber(ctx, &bsdk.UpdateSubscriberInput{AccountId: acct, BudgetName: name, Notification: n, OldSubscriber: &old, NewSubscriber: &nw}); err != nil {
		t.Fatal(err)
	}
	var addrs []string
	p := bsdk.NewDescribeSubscribersForNotificationPaginator(c, &bsdk.DescribeSubscribersForNotificationInput{AccountId: acct, BudgetName: name, Notification: n, MaxResults: aws.Int32(5)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.Subscribers {
			addrs = append(addrs, aws.ToString(s.Address))
		}
	}
	want := []string{topic, "u0@example.com", "renamed@example.com"}
	for i := 2; i < 10; i++ {
		want = append(want, fmt.Sprintf("u%d@example.com", i))
	}
	if diff := cmp.Diff(want, addrs); diff != "" {
		t.Errorf("subscribers (-want +got):\n%s", diff)
	}
	// Deleting every subscriber deletes the notification.
	for _, a := range append([]string{}, addrs...) {
		s := email(a)
		if strings.HasPrefix(a, "arn:") {
			s = sns(a)
		}
		if _, err := c.DeleteSubscriber(ctx, &bsdk.DeleteSubscriberInput{AccountId: acct, BudgetName: name, Notification: n, Subscriber: &s}); err != nil {
			t.Fatal(err)
		}
	}
	if got := states(t, c, "b"); len(got) != 0 {
		t.Errorf("notifications after deleting every subscriber: %v", got)
	}
}

func TestNotificationsFire(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	acct := aws.String(alice)
	forecast := &btypes.Notification{NotificationType: btypes.NotificationTypeForecasted, ComparisonOperator: btypes.ComparisonOperatorGreaterThan, Threshold: 100}
	under := &btypes.Notification{NotificationType: btypes.NotificationTypeActual, ComparisonOperator: btypes.ComparisonOperatorLessThan,
		Threshold: 10, ThresholdType: btypes.ThresholdTypeAbsoluteValue}
	if _, err := e.client("test").CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: acct, Budget: monthly("alerts", "40"),
		NotificationsWithSubscribers: []btypes.NotificationWithSubscribers{
			{Notification: actualOver(80), Subscribers: []btypes.Subscriber{email("ops@example.com"), sns(topic)}},
			{Notification: forecast, Subscribers: []btypes.Subscriber{email("ops@example.com")}},
			{Notification: under, Subscribers: []btypes.Subscriber{email("ops@example.com")}},
		}}); err != nil {
		t.Fatal(err)
	}
	// No data yet: spend 0 is under 10.
	seen := map[string]bool{}
	for _, m := range e.queued() {
		seen[m.ID] = true
	}
	// step evaluates and returns the messages it queued, sorted by subject,
	// kind and address (messages of one evaluation share their time).
	step := func(label string, wantStates []string, wantNew int) []store.Pending {
		t.Helper()
		e.evaluate()
		if diff := cmp.Diff(wantStates, states(t, c, "alerts")); diff != "" {
			t.Errorf("%s: states (-want +got):\n%s", label, diff)
		}
		var fresh []store.Pending
		for _, m := range e.queued() {
			if !seen[m.ID] {
				seen[m.ID] = true
				fresh = append(fresh, m)
			}
		}
		if len(fresh) != wantNew {
			t.Errorf("%s: %d new messages, want %d", label, len(fresh), wantNew)
		}
		sort.Slice(fresh, func(i, j int) bool {
			a, b := fresh[i], fresh[j]
			return a.Subject+string(a.Kind)+a.Address < b.Subject+string(b.Kind)+b.Address
		})
		return fresh
	}
	if q := e.queued(); len(q) != 1 || !strings.Contains(q[0].Subject, "has fallen below") {
		t.Fatalf("CreateBudget queued %v, want the LESS_THAN alarm", q)
	}
	step("no data", []string{"ACTUAL GREATER_THAN 80 PERCENTAGE: OK", "FORECASTED GREATER_THAN 100 PERCENTAGE: OK", "ACTUAL LESS_THAN 10 ABSOLUTE_VALUE: ALARM"}, 0)

	_, dec := sampleLines()
	e.load("2018-12", items(dec...)...)
	msgs := step("41 USD spent", []string{"ACTUAL GREATER_THAN 80 PERCENTAGE: ALARM", "FORECASTED GREATER_THAN 100 PERCENTAGE: ALARM", "ACTUAL LESS_THAN 10 ABSOLUTE_VALUE: OK"}, 3)
	step("evaluated again", []string{"ACTUAL GREATER_THAN 80 PERCENTAGE: ALARM", "FORECASTED GREATER_THAN 100 PERCENTAGE: ALARM", "ACTUAL LESS_THAN 10 ABSOLUTE_VALUE: OK"}, 0)

	var got []string
	for _, m := range msgs {
		got = append(got, string(m.Kind)+" "+m.Address+": "+m.Subject)
	}
	want := []string{
		"EMAIL ops@example.com: AWS Budgets: alerts has exceeded your alert threshold",
		"SNS " + topic + ": AWS Budgets: alerts has exceeded your alert threshold",
		"EMAIL ops@example.com: AWS Budgets: alerts is forecasted to exceed your alert threshold",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	for _, s := range []string{"AWS Account 111111111111", "greater than 32.00 USD for the current month", "The ACTUAL Cost associated with this budget is 41.00 USD",
		"Budgeted Amount: 40 USD", "Alert Threshold: > 80% (32.00 USD)", "Budget Period: 2018-12-01 to 2019-01-01 (UTC)"} {
		if !strings.Contains(msgs[0].Body, s) {
			t.Errorf("the alert does not say %q:\n%s", s, msgs[0].Body)
		}
	}

	// Restated lower (10 USD, forecast 32.6), everything is back to OK...
	e.load("2018-12", items(dec[0])...)
	step("10 USD spent", []string{"ACTUAL GREATER_THAN 80 PERCENTAGE: OK", "FORECASTED GREATER_THAN 100 PERCENTAGE: OK", "ACTUAL LESS_THAN 10 ABSOLUTE_VALUE: OK"}, 0)
	// ...and the next crossing alerts again, with new message IDs.
	e.load("2018-12", items(dec...)...)
	again := step("41 USD again", []string{"ACTUAL GREATER_THAN 80 PERCENTAGE: ALARM", "FORECASTED GREATER_THAN 100 PERCENTAGE: ALARM", "ACTUAL LESS_THAN 10 ABSOLUTE_VALUE: OK"}, 3)
	for i := range again {
		if again[i].ID == msgs[i].ID {
			t.Errorf("the second crossing reused message ID %s", again[i].ID)
		}
	}

	// A new notification is evaluated as it is created.
	if _, err := c.CreateNotification(ctx, &bsdk.CreateNotificationInput{AccountId: acct, BudgetName: aws.String("alerts"),
		Notification: actualOver(100), Subscribers: []btypes.Subscriber{email("boss@example.com")}}); err != nil {
		t.Fatal(err)
	}
	var fresh []string
	for _, m := range e.queued() {
		if !seen[m.ID] {
			fresh = append(fresh, m.Address)
		}
	}
	if diff := cmp.Diff([]string{"boss@example.com"}, fresh); diff != "" {
		t.Errorf("CreateNotification queued (-want +got):\n%s", diff)
	}
}
