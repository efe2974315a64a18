package costexplorer_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/tallyhq/tally/internal/sdkhttp"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cesdk "github.com/aws/aws-sdk-go-v2/service/costexplorer"
	cetypes "github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/awsjson/awsjsontest"
	"github.com/tallyhq/tally/internal/costexplorer"
)

// fakeCE implements a few operations so that the SDK can be checked against
// every kind of answer.
type fakeCE struct {
	costexplorer.Unimplemented
	got *costexplorer.GetDimensionValuesRequest
}

func (f *fakeCE) GetCostAndUsage(context.Context, *costexplorer.GetCostAndUsageRequest) (*costexplorer.GetCostAndUsageResponse, error) {
	return nil, costexplorer.NewDataUnavailableException("no data for that period")
}

func (f *fakeCE) DescribeCostCategoryDefinition(_ context.Context, in *costexplorer.DescribeCostCategoryDefinitionRequest) (*costexplorer.DescribeCostCategoryDefinitionResponse, error) {
	return nil, costexplorer.NewResourceNotFoundException("no such cost category").WithField("ResourceName", *in.CostCategoryArn)
}

func (f *fakeCE) GetDimensionValues(_ context.Context, in *costexplorer.GetDimensionValuesRequest) (*costexplorer.GetDimensionValuesResponse, error) {
	f.got = in
	return &costexplorer.GetDimensionValuesResponse{
		DimensionValues: []costexplorer.DimensionValuesWithAttributes{
			{Value: ptr("123456789012"), Attributes: map[string]string{"description": "payer"}},
		},
		ReturnSize: ptr(int32(1)),
		TotalSize:  ptr(int32(1)),
	}, nil
}

func newSDKClient(t *testing.T, api costexplorer.API) *cesdk.Client {
	t.Helper()
	srv := awsjsontest.NewServer(t, costexplorer.ServiceDef(api))
	return cesdk.New(cesdk.Options{
		BaseEndpoint: aws.String(srv.URL),
		Region:       "us-east-1",
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
		HTTPClient:       &http.Client{Transport: sdkhttp.Transport{Base: srv.Client().Transport}},
		RetryMaxAttempts: 1,
	})
}

func TestSDKUnimplemented(t *testing.T) {
	client := newSDKClient(t, &fakeCE{})
	_, err := client.GetAnomalyMonitors(context.Background(), &cesdk.GetAnomalyMonitorsInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NotImplementedException" {
		t.Fatalf("GetAnomalyMonitors error = %v, want NotImplementedException", err)
	}
	if want := "Tally does not implement GetAnomalyMonitors yet (Cost Explorer API)"; apiErr.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", apiErr.ErrorMessage(), want)
	}
	var respErr *awshttp.ResponseError
	if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != 501 {
		t.Errorf("HTTP status of %v, want 501", err)
	}
}

func TestSDKModeledExceptions(t *testing.T) {
	client := newSDKClient(t, &fakeCE{})
	ctx := context.Background()
	_, err := client.GetCostAndUsage(ctx, &cesdk.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2024-01-01"), End: aws.String("2024-02-01")},
		Granularity: cetypes.GranularityMonthly,
		Metrics:     []string{"UnblendedCost"},
		Filter: &cetypes.Expression{Not: &cetypes.Expression{Dimensions: &cetypes.DimensionValues{
			Key: cetypes.DimensionService, Values: []string{"Tax"},
		}}},
		GroupBy: []cetypes.GroupDefinition{{Type: cetypes.GroupDefinitionTypeTag, Key: aws.String("team")}},
	})
	var unavailable *cetypes.DataUnavailableException
	if !errors.As(err, &unavailable) {
		t.Fatalf("GetCostAndUsage error = %v, want *types.DataUnavailableException", err)
	}
	if unavailable.ErrorMessage() != "no data for that period" {
		t.Errorf("message = %q", unavailable.ErrorMessage())
	}

	arn := "arn:aws:ce::123456789012:costcategory/abc"
	_, err = client.DescribeCostCategoryDefinition(ctx, &cesdk.DescribeCostCategoryDefinitionInput{CostCategoryArn: aws.String(arn)})
	var notFound *cetypes.ResourceNotFoundException
	if !errors.As(err, &notFound) {
		t.Fatalf("DescribeCostCategoryDefinition error = %v, want *types.ResourceNotFoundException", err)
	}
	if aws.ToString(notFound.ResourceName) != arn {
		t.Errorf("ResourceName = %q, want %q", aws.ToString(notFound.ResourceName), arn)
	}
}

func TestSDKValidationException(t *testing.T) {
	client := newSDKClient(t, &fakeCE{})
	_, err := client.GetCostAndUsage(context.Background(), &cesdk.GetCostAndUsageInput{
		TimePeriod:  &cetypes.DateInterval{Start: aws.String("2024-01-01"), End: aws.String("2024-02-01")},
		Granularity: "WEEKLY",
		Metrics:     []string{"UnblendedCost"},
	})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Fatalf("error = %v, want ValidationException", err)
	}
	want := "1 validation error detected: Value 'WEEKLY' at 'granularity' failed to satisfy constraint: " +
		"Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]"
	if apiErr.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", apiErr.ErrorMessage(), want)
	}
}

func TestSDKRoundTrip(t *testing.T) {
	fake := &fakeCE{}
	client := newSDKClient(t, fake)
	out, err := client.GetDimensionValues(context.Background(), &cesdk.GetDimensionValuesInput{
		TimePeriod:    &cetypes.DateInterval{Start: aws.String("2024-01-01"), End: aws.String("2024-02-01")},
		Dimension:     cetypes.DimensionLinkedAccount,
		Context:       cetypes.ContextCostAndUsage,
		MaxResults:    aws.Int32(10),
		SearchString:  aws.String("12"),
		SortBy:        []cetypes.SortDefinition{{Key: aws.String("UnblendedCost"), SortOrder: cetypes.SortOrderDescending}},
		NextPageToken: nil,
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("LINKED_ACCOUNT", string(*fake.got.Dimension)); diff != "" {
		t.Errorf("decoded Dimension (-want +got):\n%s", diff)
	}
	if got := *fake.got.MaxResults; got != 10 {
		t.Errorf("decoded MaxResults = %d", got)
	}
	if len(out.DimensionValues) != 1 || aws.ToString(out.DimensionValues[0].Value) != "123456789012" ||
		out.DimensionValues[0].Attributes["description"] != "payer" || out.ReturnSize == nil || *out.ReturnSize != 1 {
		t.Errorf("SDK output = %+v", out)
	}
}
