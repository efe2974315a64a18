package budgets_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/aws/smithy-go"

	"github.com/tallyhq/tally/internal/awsjson"
	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/budgets"
)

// fakeBudgets keeps one budget in memory.
type fakeBudgets struct {
	budgets.Unimplemented
	created *budgets.Budget
}

func (f *fakeBudgets) CreateBudget(_ context.Context, in *budgets.CreateBudgetRequest) (*budgets.CreateBudgetResponse, error) {
	if f.created != nil {
		return nil, budgets.NewDuplicateRecordException("budget already exists")
	}
	f.created = in.Budget
	return nil, nil
}

func (f *fakeBudgets) DescribeBudget(_ context.Context, in *budgets.DescribeBudgetRequest) (*budgets.DescribeBudgetResponse, error) {
	if f.created == nil || *f.created.BudgetName != *in.BudgetName {
		return nil, budgets.NewNotFoundException("no budget named " + *in.BudgetName)
	}
	b := *f.created
	b.LastUpdatedTime = awsjson.NewEpochTime(time.Unix(1704067200, 250e6))
	return &budgets.DescribeBudgetResponse{Budget: &b}, nil
}

func newSDKClient(t *testing.T, api budgets.API) *bsdk.Client {
	t.Helper()
	srv := awsjsontest.NewServer(t, budgets.ServiceDef(api))
	return bsdk.New(bsdk.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		HTTPClient:       &http.Client{Transport: sdkhttp.Transport{Base: srv.Client().Transport}},
		RetryMaxAttempts: 1,
	})
}

func TestSDKBudgetRoundTrip(t *testing.T) {
	fake := &fakeBudgets{}
	client := newSDKClient(t, fake)
	ctx := context.Background()
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	in := &bsdk.CreateBudgetInput{
		AccountId: aws.String("123456789012"),
		Budget: &btypes.Budget{
			BudgetName:  aws.String("Monthly"),
			BudgetType:  btypes.BudgetTypeCost,
			TimeUnit:    btypes.TimeUnitMonthly,
			BudgetLimit: &btypes.Spend{Amount: aws.String("100"), Unit: aws.String("USD")},
			TimePeriod:  &btypes.TimePeriod{Start: aws.Time(start)},
			CostFilters: map[string][]string{"Service": {"Amazon Simple Storage Service"}},
		},
	}
	if _, err := client.CreateBudget(ctx, in); err != nil {
		t.Fatalf("CreateBudget: %v", err)
	}
	if got := fake.created.TimePeriod.Start.Time(); !got.Equal(start) {
		t.Errorf("decoded start = %v, want %v", got, start)
	}

	_, err := client.CreateBudget(ctx, in)
	var dup *btypes.DuplicateRecordException
	if !errors.As(err, &dup) {
		t.Errorf("second CreateBudget error = %v, want *types.DuplicateRecordException", err)
	}

	out, err := client.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String("123456789012"), BudgetName: aws.String("Monthly")})
	if err != nil {
		t.Fatalf("DescribeBudget: %v", err)
	}
	if got := aws.ToTime(out.Budget.TimePeriod.Start); !got.Equal(start) {
		t.Errorf("SDK start = %v, want %v", got, start)
	}
	if got, want := aws.ToTime(out.Budget.LastUpdatedTime), time.Unix(1704067200, 250e6); !got.Equal(want) {
		t.Errorf("SDK LastUpdatedTime = %v, want %v", got, want)
	}
}

func TestSDKBudgetErrors(t *testing.T) {
	client := newSDKClient(t, &fakeBudgets{})
	ctx := context.Background()
	_, err := client.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String("123456789012"), BudgetName: aws.String("nope")})
	var notFound *btypes.NotFoundException
	if !errors.As(err, &notFound) || notFound.ErrorMessage() != "no budget named nope" {
		t.Errorf("DescribeBudget error = %v, want *types.NotFoundException", err)
	}

	_, err = client.DescribeBudget(ctx, &bsdk.DescribeBudgetInput{AccountId: aws.String("12"), BudgetName: aws.String("a:b")})
	var invalid *btypes.InvalidParameterException
	if !errors.As(err, &invalid) {
		t.Fatalf("DescribeBudget error = %v, want *types.InvalidParameterException", err)
	}

	_, err = client.ExecuteBudgetAction(ctx, &bsdk.ExecuteBudgetActionInput{
		AccountId:     aws.String("123456789012"),
		BudgetName:    aws.String("b"),
		ActionId:      aws.String("00000000-0000-0000-0000-000000000000"),
		ExecutionType: btypes.ExecutionTypeApproveBudgetAction,
	})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NotImplementedException" {
		t.Errorf("ExecuteBudgetAction error = %v, want NotImplementedException", err)
	}
}
