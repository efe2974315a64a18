package budgets

import (
	"errors"
	"fmt"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/pager"
)

// Kinds of failure of the Budgets operations. The operations and the code
// they call return them (see fail), never exceptions: errorTable, below,
// chooses the exception for each operation in one place.
var (
	errDenied    = errors.New("access denied")
	errNotFound  = errors.New("not found")
	errDuplicate = errors.New("duplicate")
	errTooMany   = errors.New("creation limit exceeded")
	errQuota     = errors.New("service quota exceeded")
	errInvalid   = errors.New("invalid parameter")
	errLocked    = errors.New("resource locked")
)

// fail returns a failure of kind with the message msg.
func fail(kind error, msg string) error { return awsjson.Fail(kind, msg) }

// invalidf returns a failure of kind errInvalid: InvalidParameterException.
func invalidf(format string, args ...any) error {
	return fail(errInvalid, fmt.Sprintf(format, args...))
}

// Messages of the page token exceptions.
var (
	badToken     = awsjson.Exception{New: NewInvalidNextTokenException, Msg: "the pagination token is invalid: pass the NextToken of the previous response to the same request"}
	expiredToken = awsjson.Exception{New: NewExpiredNextTokenException, Msg: fmt.Sprintf("the pagination token expired: tokens are valid for %s", tokenLifetime)}
)

// pagedOps are the operations that take a NextToken.
var pagedOps = []string{"DescribeBudgetActionHistories", "DescribeBudgetActionsForAccount", "DescribeBudgetActionsForBudget",
	"DescribeBudgetNotificationsForAccount", "DescribeBudgetPerformanceHistory", "DescribeBudgets",
	"DescribeNotificationsForBudget", "DescribeSubscribersForNotification"}

// errorTable is the Budgets service's one table of errors.
var errorTable = awsjson.ErrorTable{
	{Kind: errDenied, To: []awsjson.Exception{{New: NewAccessDeniedException}}},
	{Kind: errInvalid, To: []awsjson.Exception{{New: NewInvalidParameterException}}},
	{Kind: errNotFound, To: []awsjson.Exception{{New: NewNotFoundException}}, Ops: []string{"CreateBudget", "UpdateBudget",
		"DeleteBudget", "DescribeBudget", "DescribeBudgetPerformanceHistory", "CreateNotification", "UpdateNotification",
		"DeleteNotification", "DescribeNotificationsForBudget", "CreateSubscriber", "UpdateSubscriber",
		"DeleteSubscriber", "DescribeSubscribersForNotification", "CreateBudgetAction",
		"UpdateBudgetAction", "DeleteBudgetAction", "ExecuteBudgetAction", "DescribeBudgetAction",
		"DescribeBudgetActionHistories", "DescribeBudgetActionsForBudget", "ListTagsForResource", "TagResource",
		"UntagResource"}},
	{Kind: errDuplicate, To: []awsjson.Exception{{New: NewDuplicateRecordException}}, Ops: []string{"CreateBudget",
		"CreateNotification", "UpdateNotification", "CreateSubscriber", "UpdateSubscriber"}},
	{Kind: errTooMany, To: []awsjson.Exception{{New: NewCreationLimitExceededException}}, Ops: []string{"CreateBudget",
		"CreateNotification", "CreateSubscriber", "CreateBudgetAction"}},
	{Kind: errLocked, To: []awsjson.Exception{{New: NewResourceLockedException}}, Ops: []string{"UpdateBudgetAction",
		"DeleteBudgetAction", "ExecuteBudgetAction"}},
	{Kind: errQuota, To: []awsjson.Exception{{New: NewServiceQuotaExceededException}}, Ops: []string{"CreateBudget", "CreateBudgetAction", "TagResource"}},
	{Kind: pager.ErrInvalidToken, To: []awsjson.Exception{badToken}, Ops: pagedOps},
	{Kind: pager.ErrRequestChanged, To: []awsjson.Exception{badToken}, Ops: pagedOps},
	// The budget actions' listings model no ExpiredNextTokenException.
	{Kind: pager.ErrExpired, To: []awsjson.Exception{expiredToken, badToken}, Ops: pagedOps},
}

// MapError implements awsjson.ErrorMapper: it turns the failures of the
// operations into their exceptions, and returns other errors unchanged.
func (s *Service) MapError(op *awsjson.Operation, err error) error {
	return errorTable.Map(op, err)
}
