package costexplorer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/tallyhq/tally/internal/pager"
)

// anomalies returns the stored anomalies of account ("" for every
// account), with their feedback.
func (s *Service) anomalies(ctx context.Context, account string) ([]storedAnomaly, error) {
	list, err := s.cfg.Store.DetectedAnomalies(ctx, account)
	if err != nil {
		return nil, err
	}
	out := make([]storedAnomaly, len(list))
	for i, d := range list {
		if err := json.Unmarshal(d.Doc, &out[i]); err != nil {
			return nil, fmt.Errorf("costexplorer: anomaly %s: %w", d.ID, err)
		}
		if d.Feedback != "" {
			out[i].Feedback = ptr(AnomalyFeedbackType(d.Feedback))
		}
	}
	return out, nil
}

// GetAnomalies implements the AWS Cost Explorer operation of that name:
// the anomalies of the caller's monitors whose AnomalyEndDate is in
// DateInterval (both ends inclusive; EndDate defaults to today), optionally
// of one monitor, with one feedback, and whose TotalImpact satisfies the
// filter, ordered by end date.
func (s *Service) GetAnomalies(ctx context.Context, in *GetAnomaliesRequest) (*GetAnomaliesResponse, error) {
	size, err := anomalyPageSize(in.MaxResults)
	if err != nil {
		return nil, err
	}
	from, to, err := s.anomalyInterval(in.DateInterval)
	if err != nil {
		return nil, err
	}
	keep, err := impactFilter(in.TotalImpact)
	if err != nil {
		return nil, err
	}
	if in.Feedback != nil && !slices.Contains(AnomalyFeedbackType("").Values(), *in.Feedback) {
		return nil, validation("Feedback must be YES, NO or PLANNED_ACTIVITY, not %s", *in.Feedback)
	}
	_, reads := anomalyOwner(ctx)
	all, err := s.anomalies(ctx, reads)
	if err != nil {
		return nil, err
	}
	all = slices.DeleteFunc(all, func(a storedAnomaly) bool {
		end := deref(a.AnomalyEndDate)
		return end < from || end > to ||
			(in.MonitorArn != nil && *in.MonitorArn != "" && deref(a.MonitorArn) != *in.MonitorArn) ||
			(in.Feedback != nil && deref(a.Feedback) != *in.Feedback) ||
			!keep(deref(a.Impact.TotalImpact))
	})
	page, next, err := pager.After(pages[string](ctx, s, "GetAnomalies", in), all,
		func(a storedAnomaly) string { return deref(a.AnomalyEndDate) + "/" + deref(a.AnomalyId) }, size)
	if err != nil {
		return nil, err
	}
	out := make([]Anomaly, len(page))
	for i, a := range page {
		out[i] = a.Anomaly
	}
	return &GetAnomaliesResponse{Anomalies: out, NextPageToken: next}, nil
}

// anomalyInterval checks a DateInterval and returns its days.
func (s *Service) anomalyInterval(d *AnomalyDateInterval) (from, to string, err error) {
	if d == nil || d.StartDate == nil {
		return "", "", validation("DateInterval needs a StartDate")
	}
	start, _, err := parseDate("StartDate", *d.StartDate)
	if err != nil {
		return "", "", err
	}
	end := s.cfg.Now().UTC()
	if d.EndDate != nil {
		if end, _, err = parseDate("EndDate", *d.EndDate); err != nil {
			return "", "", err
		}
	}
	if end.Before(start) {
		return "", "", validation("DateInterval: EndDate %s is before StartDate %s", end.Format(time.DateOnly), start.Format(time.DateOnly))
	}
	return start.Format(time.DateOnly), end.Format(time.DateOnly), nil
}

// impactFilter returns the test of a TotalImpactFilter.
func impactFilter(f *TotalImpactFilter) (func(float64) bool, error) {
	if f == nil {
		return func(float64) bool { return true }, nil
	}
	if f.NumericOperator == nil || f.StartValue == nil {
		return nil, validation("TotalImpact needs a NumericOperator and a StartValue")
	}
	v := *f.StartValue
	switch *f.NumericOperator {
	case NumericOperatorEqual:
		return func(x float64) bool { return x == v }, nil
	case NumericOperatorGreaterThanOrEqual:
		return func(x float64) bool { return x >= v }, nil
	case NumericOperatorLessThanOrEqual:
		return func(x float64) bool { return x <= v }, nil
	case NumericOperatorGreaterThan:
		return func(x float64) bool { return x > v }, nil
	case NumericOperatorLessThan:
		return func(x float64) bool { return x < v }, nil
	case NumericOperatorBetween:
		if f.EndValue == nil || *f.EndValue < v {
			return nil, validation("TotalImpact BETWEEN needs an EndValue no smaller than its StartValue")
		}
		w := *f.EndValue
		return func(x float64) bool { return x >= v && x <= w }, nil
	}
	return nil, validation("NumericOperator must be one of EQUAL, GREATER_THAN_OR_EQUAL, LESS_THAN_OR_EQUAL, GREATER_THAN, LESS_THAN, BETWEEN, not %s", *f.NumericOperator)
}

// ProvideAnomalyFeedback implements the AWS Cost Explorer operation of that
// name. The feedback is kept with the anomaly across re-detection; a NO
// raises the alert threshold of the anomaly's series (see alertable).
func (s *Service) ProvideAnomalyFeedback(ctx context.Context, in *ProvideAnomalyFeedbackRequest) (*ProvideAnomalyFeedbackResponse, error) {
	if in.Feedback == nil || !slices.Contains(AnomalyFeedbackType("").Values(), *in.Feedback) {
		return nil, validation("Feedback must be YES, NO or PLANNED_ACTIVITY")
	}
	_, reads := anomalyOwner(ctx)
	all, err := s.anomalies(ctx, reads)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(all, func(a storedAnomaly) bool { return deref(a.AnomalyId) == deref(in.AnomalyId) }) {
		return nil, validation("anomaly %s does not exist in this account", deref(in.AnomalyId))
	}
	if _, err := s.cfg.Store.SetFeedback(ctx, *in.AnomalyId, string(*in.Feedback)); err != nil {
		return nil, err
	}
	return &ProvideAnomalyFeedbackResponse{AnomalyId: in.AnomalyId}, nil
}
