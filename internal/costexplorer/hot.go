package costexplorer

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/awsjson"
)

// ServiceDef returns the service for an awsjson.Router, as the generated
// ServiceDef does, with GetCostAndUsage and GetCostAndUsageWithResources
// rendering their JSON straight from the answer (cost_json.go), and the
// read operations answered from the answer cache (cache.go) when the same
// caller asked the same question under the same store version: the cached
// response is the exact bytes the computed one was, so a repeat costs
// decoding its input and looking it up.
func (s *Service) ServiceDef() awsjson.Service {
	svc := ServiceDef(s)
	sh := newShapes()
	for i := range svc.Operations {
		switch op := &svc.Operations[i]; op.Name {
		case "GetCostAndUsage":
			op.Handle = s.costAndUsageWire(sh["GetCostAndUsageRequest"])
		case "GetCostAndUsageWithResources":
			op.Handle = s.costAndUsageWithResourcesWire(sh["GetCostAndUsageWithResourcesRequest"])
		}
	}
	if s.cfg.NoResultCache {
		return svc
	}
	norms := map[string]normalizer{
		"GetCostAndUsage":                   normalize[GetCostAndUsageRequest](sh["GetCostAndUsageRequest"]),
		"GetCostAndUsageWithResources":      normalize[GetCostAndUsageWithResourcesRequest](sh["GetCostAndUsageWithResourcesRequest"]),
		"GetDimensionValues":                normalize[GetDimensionValuesRequest](sh["GetDimensionValuesRequest"]),
		"GetTags":                           normalize[GetTagsRequest](sh["GetTagsRequest"]),
		"GetCostCategories":                 normalize[GetCostCategoriesRequest](sh["GetCostCategoriesRequest"]),
		"GetCostAndUsageComparisons":        normalize[GetCostAndUsageComparisonsRequest](sh["GetCostAndUsageComparisonsRequest"]),
		"GetCostComparisonDrivers":          normalize[GetCostComparisonDriversRequest](sh["GetCostComparisonDriversRequest"]),
		"GetReservationCoverage":            normalize[GetReservationCoverageRequest](sh["GetReservationCoverageRequest"]),
		"GetReservationUtilization":         normalize[GetReservationUtilizationRequest](sh["GetReservationUtilizationRequest"]),
		"GetSavingsPlansCoverage":           normalize[GetSavingsPlansCoverageRequest](sh["GetSavingsPlansCoverageRequest"]),
		"GetSavingsPlansUtilization":        normalize[GetSavingsPlansUtilizationRequest](sh["GetSavingsPlansUtilizationRequest"]),
		"GetSavingsPlansUtilizationDetails": normalize[GetSavingsPlansUtilizationDetailsRequest](sh["GetSavingsPlansUtilizationDetailsRequest"]),
	}
	for i := range svc.Operations {
		op := &svc.Operations[i]
		if n, ok := norms[op.Name]; ok {
			op.Handle = s.hot(op.Name, n, op.Handle)
		}
	}
	return svc
}

// normalizer decodes and validates a request body as the operation does and
// returns the canonical JSON of the input: the same question, however its
// members were ordered or spaced, gives the same bytes.
type normalizer func(body []byte) ([]byte, error)

func normalize[I any, PI interface {
	*I
	awsjson.Validator
}](shape *awsjson.Shape) normalizer {
	return func(body []byte) ([]byte, error) {
		in := PI(new(I))
		if err := awsjson.Decode(body, shape, in); err != nil {
			return nil, err
		}
		if err := in.Validate(); err != nil {
			return nil, err
		}
		return json.Marshal(in)
	}
}

// hot wraps the handler of read operation op: a repeated question is
// answered with the bytes of the first answer. Only answers are kept:
// a request that fails is handled (and fails) every time.
func (s *Service) hot(op string, norm normalizer, handle func(context.Context, []byte) (any, error)) func(context.Context, []byte) (any, error) {
	return func(ctx context.Context, body []byte) (any, error) {
		version := s.cfg.Store.Version()
		// The exact bytes of a request asked before decode to the same
		// input: they are looked up first, without decoding.
		raw := s.answerKey(ctx, 'b', op, body)
		if v, ok := s.cache.get(raw, version); ok {
			return awsjson.Encoded(v.([]byte)), nil
		}
		canon, err := norm(body)
		if err != nil {
			return handle(ctx, body) // reports the error as the operation does
		}
		key := s.answerKey(ctx, 'r', op, canon)
		if v, ok := s.cache.get(key, version); ok {
			b := v.([]byte)
			s.cache.put(raw, version, b, int64(len(b)))
			return awsjson.Encoded(b), nil
		}
		out, err := handle(ctx, body)
		if err != nil {
			return nil, err
		}
		b, ok := out.(awsjson.Encoded) // kept as []byte, as get reads it
		if !ok {
			if b, err = json.Marshal(out); err != nil {
				return nil, err
			}
		}
		kept := []byte(b)
		s.cache.put(key, version, kept, int64(len(kept)))
		s.cache.put(raw, version, kept, int64(len(kept)))
		return awsjson.Encoded(kept), nil
	}
}

// answerKey is the key of an answer: the operation, the caller (its access
// key, account and whether it sees every account, so that tenants never
// share answers), the profile, the minute of the clock (answers say which
// months are estimated, which depends on the time; a minute bounds how long
// such a change can go unseen) and the canonical input.
// The kind tells the canonical input ('r') from the request's own bytes
// ('b').
func (s *Service) answerKey(ctx context.Context, kind byte, op string, canon []byte) string {
	a, _ := auth.Caller(ctx)
	var k strings.Builder
	k.Grow(len(op) + len(a.AccessKeyID) + len(a.AccountID) + len(s.cfg.Profile.Name) + len(canon) + 32)
	k.WriteByte(kind)
	k.WriteString(op)
	k.WriteByte(0)
	k.WriteString(a.AccessKeyID)
	k.WriteByte(0)
	k.WriteString(a.AccountID)
	k.WriteByte(0)
	k.WriteString(strconv.FormatBool(a.All))
	k.WriteByte(0)
	k.WriteString(s.cfg.Profile.Name)
	k.WriteByte(0)
	k.WriteString(strconv.FormatInt(s.cfg.Now().Unix()/int64(time.Minute/time.Second), 10))
	k.WriteByte(0)
	k.Write(canon)
	return k.String()
}
