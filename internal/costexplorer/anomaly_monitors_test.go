package costexplorer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tallyhq/tally/internal/profile"
)

func threshold(key cetypes.Dimension, v string) *cetypes.Expression {
	return &cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: key, Values: []string{v},
		MatchOptions: []cetypes.MatchOption{cetypes.MatchOptionGreaterThanOrEqual}}}
}

func TestAnomalyMonitorLifecycle(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	c := env.client("payer")
	ctx := context.Background()
	svc, err := c.CreateAnomalyMonitor(ctx, &cesdk.CreateAnomalyMonitorInput{AnomalyMonitor: &cetypes.AnomalyMonitor{
		MonitorName: aws.String("services"), MonitorType: cetypes.MonitorTypeDimensional,
		MonitorDimension: cetypes.MonitorDimensionService}})
	if err != nil {
		t.Fatal(err)
	}
	svcARN := aws.ToString(svc.MonitorArn)
	if !strings.HasPrefix(svcARN, "arn:aws:ce::111111111111:anomalymonitor/") || len(svcARN) != len("arn:aws:ce::111111111111:anomalymonitor/")+36 {
		t.Fatalf("monitor ARN %s", svcARN)
	}
	spec := &cetypes.Expression{Or: []cetypes.Expression{dim(cetypes.DimensionLinkedAccount, "222222222222"), tagExpr("Team", "a", "b")}}
	custom, err := c.CreateAnomalyMonitor(ctx, &cesdk.CreateAnomalyMonitorInput{AnomalyMonitor: &cetypes.AnomalyMonitor{
		MonitorName: aws.String("team a"), MonitorType: cetypes.MonitorTypeCustom, MonitorSpecification: spec},
		ResourceTags: []cetypes.ResourceTag{{Key: aws.String("owner"), Value: aws.String("finops")}}})
	if err != nil {
		t.Fatal(err)
	}
	customARN := aws.ToString(custom.MonitorArn)
	tagged, err := c.CreateAnomalyMonitor(ctx, &cesdk.CreateAnomalyMonitorInput{AnomalyMonitor: &cetypes.AnomalyMonitor{
		MonitorName: aws.String("by team"), MonitorType: cetypes.MonitorTypeDimensional,
		MonitorDimension: cetypes.MonitorDimensionTag, MonitorSpecification: &cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String("Team")}}}})
	if err != nil {
		t.Fatal(err)
	}

	// Paging two at a time returns the three monitors once each.
	var got []cetypes.AnomalyMonitor
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.GetAnomalyMonitors(ctx, &cesdk.GetAnomalyMonitorsInput{MaxResults: aws.Int32(2), NextPageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.AnomalyMonitors) > 2 || pages > 2 {
			t.Fatalf("page %d has %d monitors", pages, len(out.AnomalyMonitors))
		}
		got = append(got, out.AnomalyMonitors...)
		if token = out.NextPageToken; token == nil {
			break
		}
	}
	var names []string
	for _, m := range got {
		names = append(names, aws.ToString(m.MonitorName))
	}
	if len(names) != 3 || !cmp.Equal(map[string]bool{"services": true, "team a": true, "by team": true},
		map[string]bool{names[0]: true, names[1]: true, names[2]: true}) {
		t.Errorf("paged monitors %v", names)
	}
	one, err := c.GetAnomalyMonitors(ctx, &cesdk.GetAnomalyMonitorsInput{MonitorArnList: []string{customARN}})
	if err != nil || len(one.AnomalyMonitors) != 1 {
		t.Fatalf("GetAnomalyMonitors(custom) = %v, %v", one, err)
	}
	want := cetypes.AnomalyMonitor{MonitorArn: aws.String(customARN), MonitorName: aws.String("team a"),
		MonitorType: cetypes.MonitorTypeCustom, MonitorSpecification: spec, CreationDate: aws.String("2024-12-10"),
		LastUpdatedDate: aws.String("2024-12-10"), LastEvaluatedDate: aws.String("2024-12-10"), DimensionalValueCount: 1}
	ignore := cmpopts.IgnoreUnexported(cetypes.AnomalyMonitor{}, cetypes.Expression{}, cetypes.DimensionValues{}, cetypes.TagValues{},
		cetypes.AnomalySubscription{}, cetypes.Subscriber{}, cetypes.ResourceTag{})
	if d := cmp.Diff(want, one.AnomalyMonitors[0], ignore); d != "" {
		t.Errorf("custom monitor (-want +got):\n%s", d)
	}

	// Another account does not see or change the monitors.
	other := env.client("other")
	_, err = other.GetAnomalyMonitors(ctx, &cesdk.GetAnomalyMonitorsInput{MonitorArnList: []string{customARN}})
	var unknown *cetypes.UnknownMonitorException
	if !errors.As(err, &unknown) {
		t.Errorf("other account's Get: error = %v, want UnknownMonitorException", err)
	}
	if out, err := other.GetAnomalyMonitors(ctx, &cesdk.GetAnomalyMonitorsInput{}); err != nil || len(out.AnomalyMonitors) != 0 {
		t.Errorf("other account's monitors = %v, %v; want none", out, err)
	}
	_, err = other.UpdateAnomalyMonitor(ctx, &cesdk.UpdateAnomalyMonitorInput{MonitorArn: aws.String(customARN), MonitorName: aws.String("x")})
	if !errors.As(err, &unknown) {
		t.Errorf("other account's Update: error = %v, want UnknownMonitorException", err)
	}
	_, err = other.DeleteAnomalyMonitor(ctx, &cesdk.DeleteAnomalyMonitorInput{MonitorArn: aws.String(customARN)})
	if !errors.As(err, &unknown) {
		t.Errorf("other account's Delete: error = %v, want UnknownMonitorException", err)
	}
	var notFound *cetypes.ResourceNotFoundException
	_, err = other.ListTagsForResource(ctx, &cesdk.ListTagsForResourceInput{ResourceArn: aws.String(customARN)})
	if !errors.As(err, &notFound) {
		t.Errorf("other account's ListTagsForResource: error = %v, want ResourceNotFoundException", err)
	}

	// Rename, and tags.
	env.clock.Set(env.clock.Now().AddDate(0, 0, 2))
	if _, err := c.UpdateAnomalyMonitor(ctx, &cesdk.UpdateAnomalyMonitorInput{MonitorArn: aws.String(customARN), MonitorName: aws.String("team A")}); err != nil {
		t.Fatal(err)
	}
	one, err = c.GetAnomalyMonitors(ctx, &cesdk.GetAnomalyMonitorsInput{MonitorArnList: []string{customARN}})
	if err != nil || aws.ToString(one.AnomalyMonitors[0].MonitorName) != "team A" || aws.ToString(one.AnomalyMonitors[0].LastUpdatedDate) != "2024-12-12" {
		t.Errorf("after rename: %+v, %v", one, err)
	}
	if _, err := c.TagResource(ctx, &cesdk.TagResourceInput{ResourceArn: aws.String(customARN),
		ResourceTags: []cetypes.ResourceTag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &cesdk.UntagResourceInput{ResourceArn: aws.String(customARN), ResourceTagKeys: []string{"owner"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &cesdk.ListTagsForResourceInput{ResourceArn: aws.String(customARN)})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]cetypes.ResourceTag{{Key: aws.String("env"), Value: aws.String("prod")}}, tags.ResourceTags, ignore); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}

	// Subscriptions on the monitors.
	sub, err := c.CreateAnomalySubscription(ctx, &cesdk.CreateAnomalySubscriptionInput{AnomalySubscription: &cetypes.AnomalySubscription{
		SubscriptionName: aws.String("daily"), Frequency: cetypes.AnomalySubscriptionFrequencyDaily,
		MonitorArnList: []string{customARN, aws.ToString(tagged.MonitorArn)},
		Subscribers:    []cetypes.Subscriber{{Type: cetypes.SubscriberTypeEmail, Address: aws.String("finops@example.com")}},
		ThresholdExpression: &cetypes.Expression{And: []cetypes.Expression{
			*threshold(cetypes.DimensionAnomalyTotalImpactAbsolute, "100"), *threshold(cetypes.DimensionAnomalyTotalImpactPercentage, "20")}}}})
	if err != nil {
		t.Fatal(err)
	}
	subARN := aws.ToString(sub.SubscriptionArn)
	if !strings.HasPrefix(subARN, "arn:aws:ce::111111111111:anomalysubscription/") {
		t.Fatalf("subscription ARN %s", subARN)
	}
	immediate, err := c.CreateAnomalySubscription(ctx, &cesdk.CreateAnomalySubscriptionInput{AnomalySubscription: &cetypes.AnomalySubscription{
		SubscriptionName: aws.String("now"), Frequency: cetypes.AnomalySubscriptionFrequencyImmediate, MonitorArnList: []string{svcARN},
		Subscribers: []cetypes.Subscriber{{Type: cetypes.SubscriberTypeSns, Address: aws.String("arn:aws:sns:us-east-1:111111111111:alerts")}},
		Threshold:   aws.Float64(50)}})
	if err != nil {
		t.Fatal(err)
	}
	subs, err := c.GetAnomalySubscriptions(ctx, &cesdk.GetAnomalySubscriptionsInput{MonitorArn: aws.String(customARN)})
	if err != nil || len(subs.AnomalySubscriptions) != 1 {
		t.Fatalf("subscriptions of the custom monitor = %+v, %v", subs, err)
	}
	if s := subs.AnomalySubscriptions[0]; aws.ToString(s.SubscriptionArn) != subARN || aws.ToString(s.AccountId) != "111111111111" ||
		s.Subscribers[0].Status != cetypes.SubscriberStatusConfirmed || s.Frequency != cetypes.AnomalySubscriptionFrequencyDaily {
		t.Errorf("subscription %+v", s)
	}
	if _, err := c.UpdateAnomalySubscription(ctx, &cesdk.UpdateAnomalySubscriptionInput{SubscriptionArn: aws.String(subARN),
		Frequency: cetypes.AnomalySubscriptionFrequencyWeekly, ThresholdExpression: threshold(cetypes.DimensionAnomalyTotalImpactAbsolute, "250")}); err != nil {
		t.Fatal(err)
	}
	subs, err = c.GetAnomalySubscriptions(ctx, &cesdk.GetAnomalySubscriptionsInput{SubscriptionArnList: []string{subARN}})
	if err != nil || subs.AnomalySubscriptions[0].Frequency != cetypes.AnomalySubscriptionFrequencyWeekly ||
		subs.AnomalySubscriptions[0].ThresholdExpression.Dimensions.Values[0] != "250" {
		t.Errorf("after update: %+v, %v", subs, err)
	}
	var unknownSub *cetypes.UnknownSubscriptionException
	_, err = other.GetAnomalySubscriptions(ctx, &cesdk.GetAnomalySubscriptionsInput{SubscriptionArnList: []string{subARN}})
	if !errors.As(err, &unknownSub) {
		t.Errorf("other account's Get subscription: error = %v, want UnknownSubscriptionException", err)
	}
	_, err = other.CreateAnomalySubscription(ctx, &cesdk.CreateAnomalySubscriptionInput{AnomalySubscription: &cetypes.AnomalySubscription{
		SubscriptionName: aws.String("steal"), Frequency: cetypes.AnomalySubscriptionFrequencyDaily, MonitorArnList: []string{customARN},
		Subscribers: []cetypes.Subscriber{{Type: cetypes.SubscriberTypeEmail, Address: aws.String("x@example.com")}},
		Threshold:   aws.Float64(1)}})
	if !errors.As(err, &unknown) {
		t.Errorf("subscription on another account's monitor: error = %v, want UnknownMonitorException", err)
	}

	// Deleting the SERVICE monitor deletes the subscription left without
	// a monitor; the monitor's subscriptions and tags go with it.
	if _, err := c.DeleteAnomalyMonitor(ctx, &cesdk.DeleteAnomalyMonitorInput{MonitorArn: aws.String(svcARN)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAnomalySubscription(ctx, &cesdk.DeleteAnomalySubscriptionInput{SubscriptionArn: immediate.SubscriptionArn})
	if !errors.As(err, &unknownSub) {
		t.Errorf("delete of the orphaned subscription: error = %v, want UnknownSubscriptionException", err)
	}
	if _, err := c.DeleteAnomalyMonitor(ctx, &cesdk.DeleteAnomalyMonitorInput{MonitorArn: aws.String(customARN)}); err != nil {
		t.Fatal(err)
	}
	subs, err = c.GetAnomalySubscriptions(ctx, &cesdk.GetAnomalySubscriptionsInput{SubscriptionArnList: []string{subARN}})
	if err != nil || !cmp.Equal(subs.AnomalySubscriptions[0].MonitorArnList, []string{aws.ToString(tagged.MonitorArn)}) {
		t.Errorf("subscription after its monitor's delete: %+v, %v", subs, err)
	}
	_, err = c.ListTagsForResource(ctx, &cesdk.ListTagsForResourceInput{ResourceArn: aws.String(customARN)})
	if !errors.As(err, &notFound) {
		t.Errorf("ListTagsForResource after delete: error = %v, want ResourceNotFoundException", err)
	}
	_, err = c.DeleteAnomalyMonitor(ctx, &cesdk.DeleteAnomalyMonitorInput{MonitorArn: aws.String(customARN)})
	if !errors.As(err, &unknown) {
		t.Errorf("second delete: error = %v, want UnknownMonitorException", err)
	}
	if _, err := c.DeleteAnomalySubscription(ctx, &cesdk.DeleteAnomalySubscriptionInput{SubscriptionArn: aws.String(subARN)}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.GetAnomalySubscriptions(ctx, &cesdk.GetAnomalySubscriptionsInput{}); err != nil || len(out.AnomalySubscriptions) != 0 {
		t.Errorf("subscriptions after delete = %+v, %v", out, err)
	}

	// The deleted monitors' anomalies went with them.
	left, err := c.GetAnomalies(ctx, &cesdk.GetAnomaliesInput{DateInterval: &cetypes.AnomalyDateInterval{StartDate: aws.String("2000-01-01")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range left.Anomalies {
		if m := aws.ToString(a.MonitorArn); m == customARN || m == svcARN {
			t.Errorf("anomaly %s of deleted monitor %s", aws.ToString(a.AnomalyId), m)
		}
	}
}

func TestAnomalyErrors(t *testing.T) {
	env := newTagEnv(t, profile.AWS)
	c := env.client("payer")
	ctx := context.Background()
	monitor := func(m cetypes.AnomalyMonitor) error {
		_, err := c.CreateAnomalyMonitor(ctx, &cesdk.CreateAnomalyMonitorInput{AnomalyMonitor: &m})
		return err
	}
	dimensional := func(d cetypes.MonitorDimension, spec *cetypes.Expression) cetypes.AnomalyMonitor {
		return cetypes.AnomalyMonitor{MonitorName: aws.String("m"), MonitorType: cetypes.MonitorTypeDimensional, MonitorDimension: d, MonitorSpecification: spec}
	}
	customM := func(spec *cetypes.Expression) cetypes.AnomalyMonitor {
		return cetypes.AnomalyMonitor{MonitorName: aws.String("m"), MonitorType: cetypes.MonitorTypeCustom, MonitorSpecification: spec}
	}
	eleven := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}
	for name, m := range map[string]cetypes.AnomalyMonitor{
		"dimensional without dimension": dimensional("", nil),
		"SERVICE with a specification":  dimensional(cetypes.MonitorDimensionService, ptrExpr(tagExpr("Team"))),
		"TAG without a key":             dimensional(cetypes.MonitorDimensionTag, nil),
		"TAG with values":               dimensional(cetypes.MonitorDimensionTag, ptrExpr(tagExpr("Team", "a"))),
		"custom without specification":  customM(nil),
		"custom with a dimension":       {MonitorName: aws.String("m"), MonitorType: cetypes.MonitorTypeCustom, MonitorDimension: cetypes.MonitorDimensionService, MonitorSpecification: ptrExpr(tagExpr("Team", "a"))},
		"custom on SERVICE":             customM(ptrExpr(dim(cetypes.DimensionService, "Amazon S3"))),
		"custom with 11 tag values":     customM(ptrExpr(tagExpr("Team", eleven...))),
		"custom with a bad expression": customM(&cetypes.Expression{Tags: &cetypes.TagValues{Key: aws.String("Team"), Values: []string{"a"}},
			Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionLinkedAccount, Values: []string{"222222222222"}}}),
		"empty name": {MonitorName: aws.String(""), MonitorType: cetypes.MonitorTypeDimensional, MonitorDimension: cetypes.MonitorDimensionService},
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, name, monitor(m), "ValidationException") })
	}
	if err := monitor(dimensional(cetypes.MonitorDimensionService, nil)); err != nil {
		t.Fatal(err)
	}
	var limit *cetypes.LimitExceededException
	if err := monitor(dimensional(cetypes.MonitorDimensionService, nil)); !errors.As(err, &limit) {
		t.Errorf("second SERVICE monitor: error = %v, want LimitExceededException", err)
	}
	created, err := c.CreateAnomalyMonitor(ctx, &cesdk.CreateAnomalyMonitorInput{AnomalyMonitor: ptrMonitor(dimensional(cetypes.MonitorDimensionLinkedAccount, nil))})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.MonitorArn)
	email := []cetypes.Subscriber{{Type: cetypes.SubscriberTypeEmail, Address: aws.String("a@example.com")}}
	sns := []cetypes.Subscriber{{Type: cetypes.SubscriberTypeSns, Address: aws.String("arn:aws:sns:us-east-1:111111111111:alerts")}}
	sub := func(f cetypes.AnomalySubscriptionFrequency, subs []cetypes.Subscriber, th *float64, te *cetypes.Expression, monitors ...string) error {
		_, err := c.CreateAnomalySubscription(ctx, &cesdk.CreateAnomalySubscriptionInput{AnomalySubscription: &cetypes.AnomalySubscription{
			SubscriptionName: aws.String("s"), Frequency: f, MonitorArnList: monitors, Subscribers: subs, Threshold: th, ThresholdExpression: te}})
		return err
	}
	abs := threshold(cetypes.DimensionAnomalyTotalImpactAbsolute, "100")
	var elevenEmails []cetypes.Subscriber
	for i := range 11 {
		elevenEmails = append(elevenEmails, cetypes.Subscriber{Type: cetypes.SubscriberTypeEmail, Address: aws.String(string(rune('a'+i)) + "@example.com")})
	}
	for name, err := range map[string]error{
		"IMMEDIATE to email":   sub(cetypes.AnomalySubscriptionFrequencyImmediate, email, nil, abs, arn),
		"DAILY to SNS":         sub(cetypes.AnomalySubscriptionFrequencyDaily, sns, nil, abs, arn),
		"threshold over 1e10":  sub(cetypes.AnomalySubscriptionFrequencyDaily, email, nil, threshold(cetypes.DimensionAnomalyTotalImpactAbsolute, "20000000000"), arn),
		"no threshold":         sub(cetypes.AnomalySubscriptionFrequencyDaily, email, nil, nil, arn),
		"both thresholds":      sub(cetypes.AnomalySubscriptionFrequencyDaily, email, aws.Float64(1), abs, arn),
		"threshold on SERVICE": sub(cetypes.AnomalySubscriptionFrequencyDaily, email, nil, ptrExpr(dim(cetypes.DimensionService, "100")), arn),
		"threshold without GREATER_THAN_OR_EQUAL": sub(cetypes.AnomalySubscriptionFrequencyDaily, email, nil,
			&cetypes.Expression{Dimensions: &cetypes.DimensionValues{Key: cetypes.DimensionAnomalyTotalImpactAbsolute, Values: []string{"100"}}}, arn),
		"threshold not a number": sub(cetypes.AnomalySubscriptionFrequencyDaily, email, nil, threshold(cetypes.DimensionAnomalyTotalImpactAbsolute, "lots"), arn),
		"bad email":              sub(cetypes.AnomalySubscriptionFrequencyDaily, []cetypes.Subscriber{{Type: cetypes.SubscriberTypeEmail, Address: aws.String("nobody")}}, nil, abs, arn),
		"bad topic":              sub(cetypes.AnomalySubscriptionFrequencyImmediate, []cetypes.Subscriber{{Type: cetypes.SubscriberTypeSns, Address: aws.String("topic")}}, nil, abs, arn),
		"no subscribers":         sub(cetypes.AnomalySubscriptionFrequencyDaily, []cetypes.Subscriber{}, nil, abs, arn),
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, name, err, "ValidationException") })
	}
	if err := sub(cetypes.AnomalySubscriptionFrequencyDaily, elevenEmails, nil, abs, arn); !errors.As(err, &limit) {
		t.Errorf("11 email subscribers: error = %v, want LimitExceededException", err)
	}
	var unknown *cetypes.UnknownMonitorException
	missing := "arn:aws:ce::111111111111:anomalymonitor/00000000-0000-4000-8000-000000000000"
	if err := sub(cetypes.AnomalySubscriptionFrequencyImmediate, sns, nil, abs, missing); !errors.As(err, &unknown) {
		t.Errorf("subscription on a missing monitor: error = %v, want UnknownMonitorException", err)
	}
	if err := sub(cetypes.AnomalySubscriptionFrequencyImmediate, sns, nil, abs, arn); err != nil {
		t.Errorf("IMMEDIATE to SNS: %v", err)
	}
	out, err := c.GetAnomalySubscriptions(ctx, &cesdk.GetAnomalySubscriptionsInput{})
	if err != nil || len(out.AnomalySubscriptions) != 1 {
		t.Fatalf("subscriptions = %+v, %v", out, err)
	}
	subARN := out.AnomalySubscriptions[0].SubscriptionArn
	_, err = c.UpdateAnomalySubscription(ctx, &cesdk.UpdateAnomalySubscriptionInput{SubscriptionArn: subARN, Subscribers: email})
	wantCode(t, "update an IMMEDIATE subscription to email", err, "ValidationException")
	_, err = c.UpdateAnomalySubscription(ctx, &cesdk.UpdateAnomalySubscriptionInput{SubscriptionArn: subARN, MonitorArnList: []string{missing}})
	if !errors.As(err, &unknown) {
		t.Errorf("update to a missing monitor: error = %v, want UnknownMonitorException", err)
	}
	var unknownSub *cetypes.UnknownSubscriptionException
	_, err = c.UpdateAnomalySubscription(ctx, &cesdk.UpdateAnomalySubscriptionInput{
		SubscriptionArn: aws.String("arn:aws:ce::111111111111:anomalysubscription/00000000-0000-4000-8000-000000000000")})
	if !errors.As(err, &unknownSub) {
		t.Errorf("update of a missing subscription: error = %v, want UnknownSubscriptionException", err)
	}
	var badToken *cetypes.InvalidNextTokenException
	_, err = c.GetAnomalyMonitors(ctx, &cesdk.GetAnomalyMonitorsInput{NextPageToken: aws.String("garbage")})
	if !errors.As(err, &badToken) {
		t.Errorf("bad token: error = %v, want InvalidNextTokenException", err)
	}
	first, err := c.GetAnomalyMonitors(ctx, &cesdk.GetAnomalyMonitorsInput{MaxResults: aws.Int32(1)})
	if err != nil || first.NextPageToken == nil {
		t.Fatalf("first page %+v, %v", first, err)
	}
	_, err = c.GetAnomalySubscriptions(ctx, &cesdk.GetAnomalySubscriptionsInput{NextPageToken: first.NextPageToken})
	if !errors.As(err, &badToken) {
		t.Errorf("another operation's token: error = %v, want InvalidNextTokenException", err)
	}
	_, err = c.TagResource(ctx, &cesdk.TagResourceInput{ResourceArn: aws.String(arn),
		ResourceTags: []cetypes.ResourceTag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
	wantCode(t, "reserved tag key", err, "ValidationException")
}

func ptrMonitor(m cetypes.AnomalyMonitor) *cetypes.AnomalyMonitor { return &m }
