package budgets_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	bsdk "github.com/aws/aws-sdk-go-v2/service/budgets"
	btypes "github.com/aws/aws-sdk-go-v2/service/budgets/types"
	"github.com/google/go-cmp/cmp"
)

func TestTags(t *testing.T) {
	e := newEnv(t, december)
	ctx := context.Background()
	c := e.client("alice")
	arn := aws.String("arn:aws:budgets::" + alice + ":budget/team/x")
	tags := func(kv ...string) []btypes.ResourceTag {
		var out []btypes.ResourceTag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, btypes.ResourceTag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return out
	}
	if _, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("team/x", "1"),
		ResourceTags: tags("team", "a", "env", "prod")}); err != nil {
		t.Fatal(err)
	}
	list := func() []string {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &bsdk.ListTagsForResourceInput{ResourceARN: arn})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tg := range out.ResourceTags {
			got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
		}
		return got
	}
	if diff := cmp.Diff([]string{"team=a", "env=prod"}, list()); diff != "" {
		t.Errorf("tags at creation (-want +got):\n%s", diff)
	}
	if _, err := c.TagResource(ctx, &bsdk.TagResourceInput{ResourceARN: arn, ResourceTags: tags("env", "dev", "cost", "1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &bsdk.UntagResourceInput{ResourceARN: arn, ResourceTagKeys: []string{"team", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"env=dev", "cost=1"}, list()); diff != "" {
		t.Errorf("tags after changes (-want +got):\n%s", diff)
	}

	many := make([]string, 0, 2*49)
	for i := range 49 {
		many = append(many, fmt.Sprint("k", i), "v")
	}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"too many", func() error {
			_, err := c.TagResource(ctx, &bsdk.TagResourceInput{ResourceARN: arn, ResourceTags: tags(many...)})
			return err
		}, "ServiceQuotaExceededException"},
		{"reserved key", func() error {
			_, err := c.TagResource(ctx, &bsdk.TagResourceInput{ResourceARN: arn, ResourceTags: tags("aws:x", "y")})
			return err
		}, "InvalidParameterException"},
		{"not a budget ARN", func() error {
			_, err := c.ListTagsForResource(ctx, &bsdk.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:s3:::bucket")})
			return err
		}, "InvalidParameterException"},
		{"missing budget", func() error {
			_, err := c.ListTagsForResource(ctx, &bsdk.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:budgets::" + alice + ":budget/nope")})
			return err
		}, "NotFoundException"},
		{"action", func() error {
			_, err := c.ListTagsForResource(ctx, &bsdk.ListTagsForResourceInput{ResourceARN: aws.String("arn:aws:budgets::" + alice + ":budget/team/x/action/00000000-0000-0000-0000-000000000000")})
			return err
		}, "NotFoundException"},
		{"other account", func() error {
			_, err := e.client("bob").UntagResource(ctx, &bsdk.UntagResourceInput{ResourceARN: arn, ResourceTagKeys: []string{"env"}})
			return err
		}, "AccessDeniedException"},
		{"reserved key at creation", func() error {
			_, err := c.CreateBudget(ctx, &bsdk.CreateBudgetInput{AccountId: aws.String(alice), Budget: monthly("y", "1"), ResourceTags: tags("aws:a", "b")})
			return err
		}, "InvalidParameterException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if got := errorCode(err); got != tc.want {
				t.Errorf("error = %s (%s), want %s", got, errorMessage(err), tc.want)
			}
		})
	}
	if diff := cmp.Diff([]string{"env=dev", "cost=1"}, list()); diff != "" {
		t.Errorf("failed calls changed the tags (-want +got):\n%s", diff)
	}
}
