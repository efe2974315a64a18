package costexplorer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strconv"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/store"
)

// Limits of Cost Anomaly Detection, from the AWS Cost Anomaly Detection
// FAQ: one AWS services (DIMENSIONAL by SERVICE) monitor and 500 other
// monitors per account, at most 10 email subscribers and one SNS topic per
// subscription; custom monitors name at most 10 values.
const (
	maxMonitors        = 500
	maxEmailSubs       = 10
	maxSNSSubs         = 1
	maxMonitorValues   = 10
	defaultAnomalyPage = 100
)

// anomalyARN matches the ARN of an anomaly monitor or subscription.
var anomalyARN = regexp.MustCompile(`^arn:aws:ce::(\d{12}):anomaly(monitor|subscription)/[0-9a-f-]{36}$`)

// snsTopic matches an SNS topic ARN.
var snsTopic = regexp.MustCompile(`^arn:aws[-a-z]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$`)

// anomalyOwner returns the account whose monitors and subscriptions the
// caller creates, and the account whose it reads ("" for the test
// identity, which stands for every account).
func anomalyOwner(ctx context.Context) (owner, reads string) {
	a, _ := auth.Caller(ctx)
	if a.All {
		return testAccount(a), ""
	}
	return a.AccountID, a.AccountID
}

// newAnomalyARN returns a new ARN of kind (monitor or subscription).
func newAnomalyARN(account, kind string) string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("arn:aws:ce::%s:anomaly%s/%x-%x-%x-%x-%x", account, kind, b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// monitors returns the monitors the caller reads, ordered by ARN.
func (s *Service) monitors(ctx context.Context) ([]AnomalyMonitor, error) {
	_, reads := anomalyOwner(ctx)
	objs, err := s.cfg.Store.AnomalyObjects(ctx, store.AnomalyMonitor, reads)
	if err != nil {
		return nil, err
	}
	out := make([]AnomalyMonitor, len(objs))
	for i, o := range objs {
		if err := json.Unmarshal(o.Doc, &out[i]); err != nil {
			return nil, fmt.Errorf("costexplorer: monitor %s: %w", o.ARN, err)
		}
	}
	return out, nil
}

// subscriptions returns the subscriptions the caller reads, ordered by ARN.
func (s *Service) subscriptions(ctx context.Context) ([]AnomalySubscription, error) {
	_, reads := anomalyOwner(ctx)
	objs, err := s.cfg.Store.AnomalyObjects(ctx, store.AnomalySubscription, reads)
	if err != nil {
		return nil, err
	}
	out := make([]AnomalySubscription, len(objs))
	for i, o := range objs {
		if err := json.Unmarshal(o.Doc, &out[i]); err != nil {
			return nil, fmt.Errorf("costexplorer: subscription %s: %w", o.ARN, err)
		}
	}
	return out, nil
}

func (s *Service) putAnomalyObject(ctx context.Context, arn, kind string, v any) error {
	doc, err := json.Marshal(v)
	if err != nil {
		return err
	}
	account := anomalyARN.FindStringSubmatch(arn)[1]
	return s.cfg.Store.PutAnomalyObject(ctx, store.AnomalyObject{ARN: arn, Kind: kind, Account: account, Doc: doc})
}

func findMonitor(all []AnomalyMonitor, arn string) (AnomalyMonitor, bool) {
	i := slices.IndexFunc(all, func(m AnomalyMonitor) bool { return deref(m.MonitorArn) == arn })
	if i < 0 {
		return AnomalyMonitor{}, false
	}
	return all[i], true
}

func findSubscription(all []AnomalySubscription, arn string) (AnomalySubscription, bool) {
	i := slices.IndexFunc(all, func(m AnomalySubscription) bool { return deref(m.SubscriptionArn) == arn })
	if i < 0 {
		return AnomalySubscription{}, false
	}
	return all[i], true
}

func unknownMonitor(arn string) error {
	return fail(errNoMonitor, fmt.Sprintf("cost anomaly monitor %s does not exist in this account", arn))
}

func unknownSubscription(arn string) error {
	return fail(errNoSubscription, fmt.Sprintf("cost anomaly subscription %s does not exist in this account", arn))
}

// checkMonitor applies AWS's rules to a new monitor.
func checkMonitor(m *AnomalyMonitor, others []AnomalyMonitor) error {
	if len(deref(m.MonitorName)) == 0 || len(deref(m.MonitorName)) > 1024 {
		return validation("MonitorName must have 1 to 1024 characters")
	}
	spec := m.MonitorSpecification
	switch deref(m.MonitorType) {
	case MonitorTypeDimensional:
		switch dim := deref(m.MonitorDimension); dim {
		case MonitorDimensionService, MonitorDimensionLinkedAccount:
			if spec != nil {
				return validation("a DIMENSIONAL monitor by %s takes no MonitorSpecification", dim)
			}
		case MonitorDimensionTag:
			if spec == nil || spec.Tags == nil || deref(spec.Tags.Key) == "" || len(spec.Tags.Values) > 0 ||
				spec.Dimensions != nil || spec.CostCategories != nil || spec.And != nil || spec.Or != nil || spec.Not != nil {
				return validation(`a DIMENSIONAL monitor by TAG needs the MonitorSpecification { "Tags": { "Key": "your tag key" } }`)
			}
		case MonitorDimensionCostCategory:
			if spec == nil || spec.CostCategories == nil || deref(spec.CostCategories.Key) == "" || len(spec.CostCategories.Values) > 0 ||
				spec.Dimensions != nil || spec.Tags != nil || spec.And != nil || spec.Or != nil || spec.Not != nil {
				return validation(`a DIMENSIONAL monitor by COST_CATEGORY needs the MonitorSpecification { "CostCategories": { "Key": "your cost category key" } }`)
			}
		case "":
			return validation("a DIMENSIONAL monitor needs a MonitorDimension: SERVICE, LINKED_ACCOUNT, TAG or COST_CATEGORY")
		}
		if deref(m.MonitorDimension) == MonitorDimensionService && slices.ContainsFunc(others, func(o AnomalyMonitor) bool {
			return deref(o.MonitorType) == MonitorTypeDimensional && deref(o.MonitorDimension) == MonitorDimensionService
		}) {
			return fail(errQuota, "an account can have only one AWS services (DIMENSIONAL by SERVICE) monitor")
		}
	case MonitorTypeCustom:
		if m.MonitorDimension != nil {
			return validation("a CUSTOM monitor takes no MonitorDimension")
		}
		if spec == nil {
			return validation("a CUSTOM monitor needs a MonitorSpecification")
		}
		if _, err := expression(spec); err != nil {
			return err
		}
		if err := checkCustomSpec(spec); err != nil {
			return err
		}
	}
	isService := func(o AnomalyMonitor) bool {
		return deref(o.MonitorType) == MonitorTypeDimensional && deref(o.MonitorDimension) == MonitorDimensionService
	}
	rest := len(slices.DeleteFunc(slices.Clone(others), isService))
	if !isService(*m) && rest >= maxMonitors {
		return fail(errQuota, fmt.Sprintf("an account can have at most %d anomaly monitors besides its AWS services monitor", maxMonitors))
	}
	return nil
}

// checkCustomSpec checks what a CUSTOM monitor may track: linked
// accounts, cost allocation tags or cost categories, with at most 10
// values a leaf.
func checkCustomSpec(e *Expression) error {
	for _, l := range slices.Concat(e.And, e.Or) {
		if err := checkCustomSpec(&l); err != nil {
			return err
		}
	}
	if e.Not != nil {
		if err := checkCustomSpec(e.Not); err != nil {
			return err
		}
	}
	n := 0
	switch {
	case e.Dimensions != nil:
		if deref(e.Dimensions.Key) != DimensionLinkedAccount {
			return validation("a CUSTOM monitor tracks the dimension LINKED_ACCOUNT only, not %s", deref(e.Dimensions.Key))
		}
		n = len(e.Dimensions.Values)
	case e.Tags != nil:
		n = len(e.Tags.Values)
	case e.CostCategories != nil:
		n = len(e.CostCategories.Values)
	}
	if n > maxMonitorValues {
		return validation("a CUSTOM monitor names at most %d values a key, not %d", maxMonitorValues, n)
	}
	return nil
}

// CreateAnomalyMonitor implements the AWS Cost Explorer operation of that
// name: a monitor of the caller's account, run over the history at once
// (see DetectAnomalies).
func (s *Service) CreateAnomalyMonitor(ctx context.Context, in *CreateAnomalyMonitorRequest) (*CreateAnomalyMonitorResponse, error) {
	owner, _ := anomalyOwner(ctx)
	all, err := s.monitors(ctx)
	if err != nil {
		return nil, err
	}
	mine := slices.DeleteFunc(all, func(m AnomalyMonitor) bool { return anomalyARN.FindStringSubmatch(deref(m.MonitorArn))[1] != owner })
	m := *in.AnomalyMonitor
	if err := checkMonitor(&m, mine); err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.ResourceTags)
	if err != nil {
		return nil, err
	}
	arn := newAnomalyARN(owner, store.AnomalyMonitor)
	today := s.cfg.Now().UTC().Format("2006-01-02")
	m.MonitorArn, m.CreationDate, m.LastUpdatedDate, m.LastEvaluatedDate, m.DimensionalValueCount = ptr(arn), ptr(today), ptr(today), nil, ptr(int32(0))
	if err := s.putAnomalyObject(ctx, arn, store.AnomalyMonitor, m); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.cfg.Store.SetResourceTags(ctx, arn, tags); err != nil {
			return nil, err
		}
	}
	// A new monitor looks at the history at once; alerts wait for the
	// next ingest or timer.
	if err := s.detect(ctx, arn); err != nil {
		return nil, err
	}
	return &CreateAnomalyMonitorResponse{MonitorArn: ptr(arn)}, nil
}

// GetAnomalyMonitors implements the AWS Cost Explorer operation of that
// name: the caller's monitors, or those of MonitorArnList, by ARN.
func (s *Service) GetAnomalyMonitors(ctx context.Context, in *GetAnomalyMonitorsRequest) (*GetAnomalyMonitorsResponse, error) {
	size, err := anomalyPageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	all, err := s.monitors(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.MonitorArnList) > 0 {
		for _, arn := range in.MonitorArnList {
			if _, ok := findMonitor(all, arn); !ok {
				return nil, unknownMonitor(arn)
			}
		}
		all = slices.DeleteFunc(all, func(m AnomalyMonitor) bool { return !slices.Contains(in.MonitorArnList, deref(m.MonitorArn)) })
	}
	page, next, err := pager.After(pages[string](ctx, s, "GetAnomalyMonitors", in), all,
		func(m AnomalyMonitor) string { return deref(m.MonitorArn) }, size)
	if err != nil {
		return nil, err
	}
	return &GetAnomalyMonitorsResponse{AnomalyMonitors: append([]AnomalyMonitor{}, page...), NextPageToken: next}, nil
}

func anomalyPageSize(max *int32) (int, error) {
	if max == nil {
		return defaultAnomalyPage, nil
	}
	if *max < 1 {
		return 0, validation("MaxResults must be at least 1")
	}
	return int(*max), nil
}

// UpdateAnomalyMonitor implements the AWS Cost Explorer operation of that
// name: it renames a monitor.
func (s *Service) UpdateAnomalyMonitor(ctx context.Context, in *UpdateAnomalyMonitorRequest) (*UpdateAnomalyMonitorResponse, error) {
	all, err := s.monitors(ctx)
	if err != nil {
		return nil, err
	}
	m, ok := findMonitor(all, *in.MonitorArn)
	if !ok {
		return nil, unknownMonitor(*in.MonitorArn)
	}
	if in.MonitorName != nil {
		if len(*in.MonitorName) == 0 || len(*in.MonitorName) > 1024 {
			return nil, validation("MonitorName must have 1 to 1024 characters")
		}
		m.MonitorName = in.MonitorName
	}
	m.LastUpdatedDate = ptr(s.cfg.Now().UTC().Format("2006-01-02"))
	if err := s.putAnomalyObject(ctx, *in.MonitorArn, store.AnomalyMonitor, m); err != nil {
		return nil, err
	}
	return &UpdateAnomalyMonitorResponse{MonitorArn: in.MonitorArn}, nil
}

// DeleteAnomalyMonitor implements the AWS Cost Explorer operation of that
// name. The monitor leaves the subscriptions that named it; a
// subscription left with no monitor is deleted too.
func (s *Service) DeleteAnomalyMonitor(ctx context.Context, in *DeleteAnomalyMonitorRequest) (*DeleteAnomalyMonitorResponse, error) {
	all, err := s.monitors(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := findMonitor(all, *in.MonitorArn); !ok {
		return nil, unknownMonitor(*in.MonitorArn)
	}
	subs, err := s.subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	for _, sub := range subs {
		if !slices.Contains(sub.MonitorArnList, *in.MonitorArn) {
			continue
		}
		sub.MonitorArnList = slices.DeleteFunc(slices.Clone(sub.MonitorArnList), func(a string) bool { return a == *in.MonitorArn })
		if len(sub.MonitorArnList) == 0 {
			_, err = s.cfg.Store.DeleteAnomalyObject(ctx, *sub.SubscriptionArn)
		} else {
			err = s.putAnomalyObject(ctx, *sub.SubscriptionArn, store.AnomalySubscription, sub)
		}
		if err != nil {
			return nil, err
		}
	}
	if ok, err := s.cfg.Store.DeleteAnomalyObject(ctx, *in.MonitorArn); err != nil {
		return nil, err
	} else if !ok {
		return nil, unknownMonitor(*in.MonitorArn)
	}
	if err := s.cfg.Store.ReplaceDetected(ctx, *in.MonitorArn, nil); err != nil {
		return nil, err
	}
	return &DeleteAnomalyMonitorResponse{}, nil
}

// checkSubscription applies AWS's rules to a subscription: its monitors
// exist in the account, its subscribers are valid email addresses or SNS
// topics (IMMEDIATE alerts go to SNS only), and it has one threshold.
func checkSubscription(sub *AnomalySubscription, monitors []AnomalyMonitor, owner string) error {
	if len(deref(sub.SubscriptionName)) == 0 || len(deref(sub.SubscriptionName)) > 1024 {
		return validation("SubscriptionName must have 1 to 1024 characters")
	}
	if len(sub.MonitorArnList) == 0 {
		return validation("MonitorArnList must name at least one monitor")
	}
	for i, arn := range sub.MonitorArnList {
		m, ok := findMonitor(monitors, arn)
		if !ok || anomalyARN.FindStringSubmatch(deref(m.MonitorArn))[1] != owner {
			return unknownMonitor(arn)
		}
		if slices.Contains(sub.MonitorArnList[:i], arn) {
			return validation("MonitorArnList names %s twice", arn)
		}
	}
	if len(sub.Subscribers) == 0 {
		return validation("Subscribers must name at least one subscriber")
	}
	var emails, topics int
	for i := range sub.Subscribers {
		sb := &sub.Subscribers[i]
		addr := deref(sb.Address)
		switch deref(sb.Type) {
		case SubscriberTypeEmail:
			if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
				return validation("Subscribers[%d]: %q is not an email address", i, addr)
			}
			emails++
		case SubscriberTypeSns:
			if !snsTopic.MatchString(addr) {
				return validation("Subscribers[%d]: %q is not an SNS topic ARN", i, addr)
			}
			topics++
		default:
			return validation("Subscribers[%d]: Type must be EMAIL or SNS", i)
		}
		if sb.Status == nil {
			sb.Status = ptr(SubscriberStatusConfirmed)
		}
	}
	// The model: "Notifications are sent either over email (for DAILY and
	// WEEKLY frequencies) or SNS (for IMMEDIATE frequency)".
	if deref(sub.Frequency) == AnomalySubscriptionFrequencyImmediate && emails > 0 {
		return validation("IMMEDIATE alerts are sent to SNS topics only: send email subscribers DAILY or WEEKLY alerts")
	}
	if deref(sub.Frequency) != AnomalySubscriptionFrequencyImmediate && topics > 0 {
		return validation("%s alerts are sent by email only: send SNS topics IMMEDIATE alerts", deref(sub.Frequency))
	}
	if emails > maxEmailSubs || topics > maxSNSSubs {
		return fail(errQuota, fmt.Sprintf("a subscription can have at most %d email subscribers and %d SNS topic", maxEmailSubs, maxSNSSubs))
	}
	switch {
	case sub.Threshold != nil && sub.ThresholdExpression != nil:
		return validation("give either ThresholdExpression or the deprecated Threshold, not both")
	case sub.Threshold != nil:
		if *sub.Threshold < 0 {
			return validation("Threshold must not be negative")
		}
	case sub.ThresholdExpression != nil:
		return checkThreshold(sub.ThresholdExpression, true)
	default:
		return validation("a subscription needs a ThresholdExpression")
	}
	return nil
}

// checkThreshold accepts a ThresholdExpression: a leaf on
// ANOMALY_TOTAL_IMPACT_ABSOLUTE or ANOMALY_TOTAL_IMPACT_PERCENTAGE with
// the match option GREATER_THAN_OR_EQUAL and one non-negative number, or
// the And or Or of two such leaves.
func checkThreshold(e *Expression, top bool) error {
	set := 0
	for _, b := range []bool{e.And != nil, e.Or != nil, e.Not != nil, e.Dimensions != nil, e.Tags != nil, e.CostCategories != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return validation("each ThresholdExpression must have exactly one of And, Or or Dimensions")
	}
	switch {
	case top && (e.And != nil || e.Or != nil):
		l := slices.Concat(e.And, e.Or)
		if len(l) != 2 {
			return validation("an And or Or ThresholdExpression combines exactly two thresholds")
		}
		for i := range l {
			if err := checkThreshold(&l[i], false); err != nil {
				return err
			}
		}
		return nil
	case e.Dimensions != nil:
		d := e.Dimensions
		key := deref(d.Key)
		if key != DimensionAnomalyTotalImpactAbsolute && key != DimensionAnomalyTotalImpactPercentage {
			return validation("a ThresholdExpression is on ANOMALY_TOTAL_IMPACT_ABSOLUTE or ANOMALY_TOTAL_IMPACT_PERCENTAGE, not %s", key)
		}
		if !slices.Equal(d.MatchOptions, []MatchOption{MatchOptionGreaterThanOrEqual}) {
			return validation("a ThresholdExpression on %s needs the MatchOptions [GREATER_THAN_OR_EQUAL]", key)
		}
		if len(d.Values) != 1 {
			return validation("a ThresholdExpression on %s needs exactly one value", key)
		}
		if v, err := strconv.ParseFloat(d.Values[0], 64); err != nil || v < 0 || v > 1e10 {
			return validation("the threshold %q on %s is not a number between 0 and 10,000,000,000", d.Values[0], key)
		}
		return nil
	}
	return validation("a ThresholdExpression is a Dimensions leaf on the anomaly's total impact, or the And or Or of two")
}

// CreateAnomalySubscription implements the AWS Cost Explorer operation of
// that name: alerts of the caller's account for its monitors.
func (s *Service) CreateAnomalySubscription(ctx context.Context, in *CreateAnomalySubscriptionRequest) (*CreateAnomalySubscriptionResponse, error) {
	owner, _ := anomalyOwner(ctx)
	monitors, err := s.monitors(ctx)
	if err != nil {
		return nil, err
	}
	sub := *in.AnomalySubscription
	sub.Subscribers = slices.Clone(sub.Subscribers)
	if err := checkSubscription(&sub, monitors, owner); err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.ResourceTags)
	if err != nil {
		return nil, err
	}
	arn := newAnomalyARN(owner, store.AnomalySubscription)
	sub.SubscriptionArn, sub.AccountId = ptr(arn), ptr(owner)
	if err := s.putAnomalyObject(ctx, arn, store.AnomalySubscription, sub); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.cfg.Store.SetResourceTags(ctx, arn, tags); err != nil {
			return nil, err
		}
	}
	return &CreateAnomalySubscriptionResponse{SubscriptionArn: ptr(arn)}, nil
}

// GetAnomalySubscriptions implements the AWS Cost Explorer operation of
// that name: the caller's subscriptions, those of SubscriptionArnList, or
// those of MonitorArn, by ARN.
func (s *Service) GetAnomalySubscriptions(ctx context.Context, in *GetAnomalySubscriptionsRequest) (*GetAnomalySubscriptionsResponse, error) {
	size, err := anomalyPageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	all, err := s.subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	if len(in.SubscriptionArnList) > 0 {
		for _, arn := range in.SubscriptionArnList {
			if _, ok := findSubscription(all, arn); !ok {
				return nil, unknownSubscription(arn)
			}
		}
		all = slices.DeleteFunc(all, func(m AnomalySubscription) bool {
			return !slices.Contains(in.SubscriptionArnList, deref(m.SubscriptionArn))
		})
	}
	if in.MonitorArn != nil && *in.MonitorArn != "" {
		all = slices.DeleteFunc(all, func(m AnomalySubscription) bool { return !slices.Contains(m.MonitorArnList, *in.MonitorArn) })
	}
	page, next, err := pager.After(pages[string](ctx, s, "GetAnomalySubscriptions", in), all,
		func(m AnomalySubscription) string { return deref(m.SubscriptionArn) }, size)
	if err != nil {
		return nil, err
	}
	return &GetAnomalySubscriptionsResponse{AnomalySubscriptions: append([]AnomalySubscription{}, page...), NextPageToken: next}, nil
}

// UpdateAnomalySubscription implements the AWS Cost Explorer operation of
// that name: the members given replace the subscription's, and the result
// must satisfy the rules of a new subscription. A ThresholdExpression
// replaces a deprecated Threshold and the other way round.
func (s *Service) UpdateAnomalySubscription(ctx context.Context, in *UpdateAnomalySubscriptionRequest) (*UpdateAnomalySubscriptionResponse, error) {
	subs, err := s.subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	sub, ok := findSubscription(subs, *in.SubscriptionArn)
	if !ok {
		return nil, unknownSubscription(*in.SubscriptionArn)
	}
	monitors, err := s.monitors(ctx)
	if err != nil {
		return nil, err
	}
	if in.Threshold != nil && in.ThresholdExpression != nil {
		return nil, validation("give either ThresholdExpression or the deprecated Threshold, not both")
	}
	if in.Threshold != nil {
		sub.Threshold, sub.ThresholdExpression = in.Threshold, nil
	}
	if in.ThresholdExpression != nil {
		sub.Threshold, sub.ThresholdExpression = nil, in.ThresholdExpression
	}
	if in.Frequency != nil {
		sub.Frequency = in.Frequency
	}
	if in.MonitorArnList != nil {
		sub.MonitorArnList = in.MonitorArnList
	}
	if in.Subscribers != nil {
		sub.Subscribers = slices.Clone(in.Subscribers)
	}
	if in.SubscriptionName != nil {
		sub.SubscriptionName = in.SubscriptionName
	}
	if err := checkSubscription(&sub, monitors, deref(sub.AccountId)); err != nil {
		return nil, err
	}
	if err := s.putAnomalyObject(ctx, *in.SubscriptionArn, store.AnomalySubscription, sub); err != nil {
		return nil, err
	}
	return &UpdateAnomalySubscriptionResponse{SubscriptionArn: in.SubscriptionArn}, nil
}

// DeleteAnomalySubscription implements the AWS Cost Explorer operation of
// that name.
func (s *Service) DeleteAnomalySubscription(ctx context.Context, in *DeleteAnomalySubscriptionRequest) (*DeleteAnomalySubscriptionResponse, error) {
	subs, err := s.subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	if _, ok := findSubscription(subs, *in.SubscriptionArn); !ok {
		return nil, unknownSubscription(*in.SubscriptionArn)
	}
	if ok, err := s.cfg.Store.DeleteAnomalyObject(ctx, *in.SubscriptionArn); err != nil {
		return nil, err
	} else if !ok {
		return nil, unknownSubscription(*in.SubscriptionArn)
	}
	return &DeleteAnomalySubscriptionResponse{}, nil
}

// ownAnomalyObject checks that arn is a monitor or subscription the caller
// reads; others are ResourceNotFoundException, as for cost categories.
func (s *Service) ownAnomalyObject(ctx context.Context, arn string) error {
	m := anomalyARN.FindStringSubmatch(arn)
	_, reads := anomalyOwner(ctx)
	objs, err := s.cfg.Store.AnomalyObjects(ctx, m[2], reads)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(objs, func(o store.AnomalyObject) bool { return o.ARN == arn }) {
		return fail(errNotFound, fmt.Sprintf("resource %s does not exist in this account", arn))
	}
	return nil
}
