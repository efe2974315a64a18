package costexplorer

import (
	"errors"
	"fmt"
	"slices"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/backfill"
	"github.com/tallyhq/tally/internal/forecast"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/query"
)

// Kinds of failure of the Cost Explorer operations. The operations and the
// code they call return them (see fail), or the sentinel errors of lower
// layers, never exceptions: errorTable, below, chooses the exception for
// each operation in one place.
var (
	errInvalid  = errors.New("invalid request")
	errNotFound = errors.New("resource not found")
	errDenied   = errors.New("access denied")
	errLimit    = errors.New("limit exceeded")
	errUnits    = errors.New("unresolvable usage unit")
	// errQuota is a resource quota reached, such as 50 cost categories.
	errQuota = errors.New("service quota exceeded")
	// errTooManyTags is more than 50 user tags on a resource.
	errTooManyTags = errors.New("too many tags")
	// errNoMonitor and errNoSubscription are an anomaly monitor or
	// subscription that does not exist in the caller's account.
	errNoMonitor      = errors.New("unknown anomaly monitor")
	errNoSubscription = errors.New("unknown anomaly subscription")
	// errUnavailable is data Tally does not have, such as a recommendation
	// detail it never computed.
	errUnavailable = errors.New("data unavailable")
	// errNoMetrics is an operation that needs metrics no bill carries.
	errNoMetrics = errors.New("no such metrics in billing data")
	// errNoAnalysis is a commitment purchase analysis that does not exist.
	errNoAnalysis = errors.New("unknown commitment purchase analysis")
)

// newNotImplemented makes the NotImplementedException of an operation Tally
// cannot answer from billing data, with the reason.
func newNotImplemented(msg string) *awsjson.Error {
	return &awsjson.Error{Type: awsjson.NotImplementedException, Status: 501, Message: msg, Unmodelled: true}
}

// fail returns a failure of kind with the message msg.
func fail(kind error, msg string) error { return awsjson.Fail(kind, msg) }

// validation returns a failure of kind errInvalid: the ValidationException
// Cost Explorer answers for rule violations (it is not in the model but is
// what AWS sends).
func validation(format string, args ...any) error {
	return fail(errInvalid, fmt.Sprintf(format, args...))
}

// newValidation makes a ValidationException.
func newValidation(msg string) *awsjson.Error {
	return &awsjson.Error{Type: awsjson.ValidationException, Status: 400, Message: msg}
}

// newAccessDenied makes AWS's answer to a linked (member) account that
// manages cost allocation tags: an AccessDeniedException, which the model
// does not list.
func newAccessDenied(msg string) *awsjson.Error {
	return &awsjson.Error{Type: "AccessDeniedException", Status: 400, Message: msg, Unmodelled: true}
}

// Operations that fail in the same ways.
var (
	// pagedOps take a page token.
	pagedOps = []string{"GetAnomalyMonitors", "GetAnomalySubscriptions", "GetCostAndUsage", "GetCostAndUsageWithResources", "GetDimensionValues", "GetTags",
		"GetCostCategories", "ListCostAllocationTags", "ListCostAllocationTagBackfillHistory",
		"GetReservationPurchaseRecommendation", "GetSavingsPlansPurchaseRecommendation", "ListSavingsPlansPurchaseRecommendationGeneration",
		"ListCommitmentPurchaseAnalyses",
		"GetReservationUtilization", "GetReservationCoverage", "GetSavingsPlansUtilizationDetails", "GetSavingsPlansCoverage"}

	// billingViewOps take a BillingViewArn.
	billingViewOps = []string{"GetCostAndUsage", "GetCostAndUsageWithResources", "GetDimensionValues", "GetTags",
		"GetCostCategories", "GetCostForecast", "GetUsageForecast"}
	// tagOps manage cost allocation tags, which a linked account may not.
	tagOps = []string{"ListCostAllocationTags", "UpdateCostAllocationTagsStatus", "StartCostAllocationTagBackfill",
		"ListCostAllocationTagBackfillHistory"}
	// categoryWriteOps change cost categories, which a linked account may not.
	categoryWriteOps = []string{"CreateCostCategoryDefinition", "UpdateCostCategoryDefinition",
		"DeleteCostCategoryDefinition", "TagResource", "UntagResource"}
	// categoryOps name one cost category by its ARN.
	categoryOps = []string{"DescribeCostCategoryDefinition", "UpdateCostCategoryDefinition", "DeleteCostCategoryDefinition",
		"ListCostCategoryResourceAssociations", "TagResource", "UntagResource", "ListTagsForResource"}
)

// comparisonOps compare two months: they take a page token and a
// BillingViewArn.
var comparisonOps = []string{"GetCostAndUsageComparisons", "GetCostComparisonDrivers"}

// errorTable is the Cost Explorer service's one table of errors.
var errorTable = awsjson.ErrorTable{
	{Kind: errInvalid, To: []awsjson.Exception{{New: newValidation}}},
	{Kind: errNotFound, To: []awsjson.Exception{{New: NewResourceNotFoundException}}, Ops: slices.Concat(billingViewOps, categoryOps, comparisonOps)},
	{Kind: errDenied, To: []awsjson.Exception{{New: newAccessDenied}}, Ops: append(tagOps, categoryWriteOps...)},
	{Kind: errQuota, To: []awsjson.Exception{{New: NewServiceQuotaExceededException}, {New: NewLimitExceededException}},
		Ops: []string{"CreateCostCategoryDefinition", "CreateAnomalyMonitor", "CreateAnomalySubscription", "UpdateAnomalySubscription"}},
	{Kind: errNoMonitor, To: []awsjson.Exception{{New: NewUnknownMonitorException}}, Ops: []string{"GetAnomalyMonitors",
		"UpdateAnomalyMonitor", "DeleteAnomalyMonitor", "CreateAnomalySubscription", "UpdateAnomalySubscription"}},
	{Kind: errNoSubscription, To: []awsjson.Exception{{New: NewUnknownSubscriptionException}}, Ops: []string{"GetAnomalySubscriptions",
		"UpdateAnomalySubscription", "DeleteAnomalySubscription"}},
	{Kind: errTooManyTags, To: []awsjson.Exception{{New: NewTooManyTagsException}, {New: NewServiceQuotaExceededException},
		{New: NewLimitExceededException}},
		Ops: []string{"TagResource", "CreateCostCategoryDefinition", "CreateAnomalyMonitor", "CreateAnomalySubscription"}},
	{Kind: backfill.ErrInProgress, To: []awsjson.Exception{{New: NewBackfillLimitExceededException}},
		Ops: []string{"StartCostAllocationTagBackfill"}},
	{Kind: errLimit, To: []awsjson.Exception{{New: NewLimitExceededException}}, Ops: []string{"StartCostAllocationTagBackfill"}},
	{Kind: errNoData, To: []awsjson.Exception{{New: NewDataUnavailableException}}, Ops: []string{"GetApproximateUsageRecords"}},
	{Kind: errUnits, To: []awsjson.Exception{{New: NewUnresolvableUsageUnitException}}, Ops: []string{"GetUsageForecast"}},
	{Kind: forecast.ErrInsufficientHistory, To: []awsjson.Exception{{New: NewDataUnavailableException,
		Msg: "there is not enough cost and usage history under this filter to forecast: at least 14 days are needed"}},
		Ops: []string{"GetCostForecast", "GetUsageForecast"}},
	{Kind: errUnavailable, To: []awsjson.Exception{{New: NewDataUnavailableException}},
		Ops: []string{"GetSavingsPlanPurchaseRecommendationDetails"}},
	{Kind: errNoAnalysis, To: []awsjson.Exception{{New: NewAnalysisNotFoundException}}, Ops: []string{"GetCommitmentPurchaseAnalysis"}},
	{Kind: errNoMetrics, To: []awsjson.Exception{{New: newNotImplemented}}, Ops: []string{"GetRightsizingRecommendation"}},
	{Kind: pager.ErrInvalidToken, To: []awsjson.Exception{{New: NewInvalidNextTokenException, Msg: "the page token is invalid"}},
		Ops: slices.Concat(pagedOps, comparisonOps)},
	// The tag listings model no RequestChangedException.
	{Kind: pager.ErrRequestChanged, To: []awsjson.Exception{
		{New: NewRequestChangedException, Msg: "the request parameters changed between pages: send the same request with the NextPageToken"},
		{New: NewInvalidNextTokenException, Msg: "the token belongs to another request: send the same request with the NextToken"}},
		Ops: slices.Concat(pagedOps, comparisonOps)},
}

// MapError implements awsjson.ErrorMapper: it turns the failures of the
// operations, and the query model's rule violations, into their
// exceptions, and returns other errors unchanged.
func (s *Service) MapError(op *awsjson.Operation, err error) error {
	var ve *query.ValidationError
	if errors.As(err, &ve) {
		err = fail(errInvalid, ve.Msg)
	}
	return errorTable.Map(op, err)
}
