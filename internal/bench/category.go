package bench

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer"
	"github.com/aws/aws-sdk-go-v2/service/costexplorer/types"
)

// categoryName names the cost category the bench defines. The generated
// data carries no category of that name, so every value comes from the
// definition's rules.
const categoryName = "BenchTeam"

// categoryDefault is the category's DefaultValue.
const categoryDefault = "unallocated"

// categoryRule is one rule of the bench category: the Cost Explorer
// expression and, written separately over the CUR 2.0 columns, the SQL
// condition that selects the same lines.
type categoryRule struct {
	value string
	rule  types.Expression
	sql   string
}

// Raw SQL of the dimensions and tags the rules read: columns of an inner
// SELECT (categoryColumns) that reads each from the Parquet once, so that
// a rule compares a column and the baseline is not dominated by repeated
// map lookups or expressions.
const (
	accountNameSQL = "acct"
	serviceCodeSQL = "svc"
	regionColSQL   = "region"
	usageTypeSQL   = "ut"
	envTagSQL      = "env"
	teamTagSQL     = "team"
)

// categoryColumns is the inner SELECT list the rules read: the usage start
// and the cost, and every dimension and tag of the rules, once per line.
const categoryColumns = colStart + ", " + colCost + ", line_item_usage_account_name AS acct, line_item_product_code AS svc, " +
	regionSQL + " AS region, line_item_usage_type AS ut, coalesce(tags['resourceTags/user:Environment'], '') AS env, " +
	"coalesce(tags['resourceTags/user:Team'], '') AS team"

func ccDim(key types.Dimension, values ...string) types.Expression {
	return types.Expression{Dimensions: &types.DimensionValues{Key: key, Values: values}}
}

func ccTag(key string, values ...string) types.Expression {
	return types.Expression{Tags: &types.TagValues{Key: aws.String(key), Values: values}}
}

func ccAnd(xs ...types.Expression) types.Expression { return types.Expression{And: xs} }
func ccOr(xs ...types.Expression) types.Expression  { return types.Expression{Or: xs} }
func ccNot(x types.Expression) types.Expression     { return types.Expression{Not: &x} }

// in renders an SQL membership test of expr in the constant values.
func in(expr string, values ...string) string { return expr + " IN (" + sqlList(values) + ")" }

// categoryRules are the bench category's 20 rules, in order (the first
// that matches gives the value, as in AWS). They read account names,
// service codes, Regions, usage types and two tags, with nested And, Or
// and Not and the STARTS_WITH, CONTAINS and ABSENT match options, over
// the account names and services of internal/synth.
func categoryRules() []categoryRule {
	region := regionColSQL
	return []categoryRule{
		{"web-prod", ccAnd(ccDim(types.DimensionLinkedAccountName, "prod-web"), ccTag(tagKey, "prod", "production")),
			in(accountNameSQL, "prod-web") + " AND " + in(envTagSQL, "prod", "production")},
		{"payments", ccDim(types.DimensionLinkedAccountName, "prod-payments"), in(accountNameSQL, "prod-payments")},
		{"warehouse", ccAnd(ccDim(types.DimensionServiceCode, "AmazonRedshift", "AWSGlue", "AmazonAthena"), ccNot(ccDim(types.DimensionRegion, "ap-southeast-2"))),
			in(serviceCodeSQL, "AmazonRedshift", "AWSGlue", "AmazonAthena") + " AND NOT " + in(region, "ap-southeast-2")},
		{"ml", ccOr(ccDim(types.DimensionServiceCode, "AmazonSageMaker"), ccDim(types.DimensionLinkedAccountName, "ml-research")),
			"(" + in(serviceCodeSQL, "AmazonSageMaker") + " OR " + in(accountNameSQL, "ml-research") + ")"},
		{"spot", types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionUsageType, Values: []string{"SpotUsage"},
			MatchOptions: []types.MatchOption{types.MatchOptionContains}}},
			"contains(" + usageTypeSQL + ", 'SpotUsage')"},
		{"eu-compute", ccAnd(ccDim(types.DimensionRegion, "eu-west-1", "eu-central-1"), ccDim(types.DimensionServiceCode, "AmazonEC2", "AmazonEKS", "AmazonECS")),
			in(region, "eu-west-1", "eu-central-1") + " AND " + in(serviceCodeSQL, "AmazonEC2", "AmazonEKS", "AmazonECS")},
		{"serverless", ccDim(types.DimensionServiceCode, "AWSLambda", "AmazonApiGateway", "AmazonStates"),
			in(serviceCodeSQL, "AWSLambda", "AmazonApiGateway", "AmazonStates")},
		{"storage-dev", ccAnd(ccDim(types.DimensionServiceCode, "AmazonS3", "AmazonEFS"), ccTag(tagKey, "dev", "sandbox")),
			in(serviceCodeSQL, "AmazonS3", "AmazonEFS") + " AND " + in(envTagSQL, "dev", "sandbox")},
		{"storage", ccDim(types.DimensionServiceCode, "AmazonS3", "AmazonEFS"), in(serviceCodeSQL, "AmazonS3", "AmazonEFS")},
		{"databases", ccAnd(ccDim(types.DimensionServiceCode, "AmazonRDS", "AmazonDynamoDB", "AmazonElastiCache"),
			ccNot(ccOr(ccTag(tagKey, "dev"), ccDim(types.DimensionLinkedAccountName, "staging")))),
			in(serviceCodeSQL, "AmazonRDS", "AmazonDynamoDB", "AmazonElastiCache") + " AND NOT (" + in(envTagSQL, "dev") + " OR " + in(accountNameSQL, "staging") + ")"},
		{"staging", ccDim(types.DimensionLinkedAccountName, "staging"), in(accountNameSQL, "staging")},
		{"sandbox", ccAnd(ccDim(types.DimensionLinkedAccountName, "dev-sandbox"), ccNot(ccDim(types.DimensionRegion, "us-east-1"))),
			in(accountNameSQL, "dev-sandbox") + " AND NOT " + in(region, "us-east-1")},
		{"networking", ccDim(types.DimensionServiceCode, "AmazonVPC", "AWSELB", "AmazonCloudFront", "AmazonRoute53"),
			in(serviceCodeSQL, "AmazonVPC", "AWSELB", "AmazonCloudFront", "AmazonRoute53")},
		{"observability", ccOr(ccDim(types.DimensionServiceCode, "AmazonCloudWatch", "AWSCloudTrail", "AWSConfig"), ccDim(types.DimensionLinkedAccountName, "log-archive")),
			"(" + in(serviceCodeSQL, "AmazonCloudWatch", "AWSCloudTrail", "AWSConfig") + " OR " + in(accountNameSQL, "log-archive") + ")"},
		{"security", ccOr(ccDim(types.DimensionLinkedAccountName, "security-audit"), ccDim(types.DimensionServiceCode, "AWSSecretsManager")),
			"(" + in(accountNameSQL, "security-audit") + " OR " + in(serviceCodeSQL, "AWSSecretsManager") + ")"},
		{"streaming", types.Expression{Dimensions: &types.DimensionValues{Key: types.DimensionServiceCode, Values: []string{"AmazonKinesis"},
			MatchOptions: []types.MatchOption{types.MatchOptionStartsWith}}},
			"starts_with(" + serviceCodeSQL + ", 'AmazonKinesis')"},
		{"messaging", ccDim(types.DimensionServiceCode, "AmazonSNS", "AWSQueueService"), in(serviceCodeSQL, "AmazonSNS", "AWSQueueService")},
		{"platform-team", ccTag("Team", "platform", "sre"), in(teamTagSQL, "platform", "sre")},
		{"untagged", types.Expression{Tags: &types.TagValues{Key: aws.String(tagKey), MatchOptions: []types.MatchOption{types.MatchOptionAbsent}}},
			envTagSQL + " = ''"},
		{"shared", ccDim(types.DimensionLinkedAccountName, "shared-services"), in(accountNameSQL, "shared-services")},
	}
}

// categoryStart is the category's EffectiveStart: the first month of the
// year the requests ask about, or, when that is further back than AWS
// allows (twelve months before the server's current month), the earliest
// month allowed. Lines of earlier months have no value for the category.
func categoryStart(w Window, serverNow time.Time) time.Time {
	y0, _ := w.Year()
	t := serverNow.UTC()
	earliest := time.Date(t.Year(), t.Month()-12, 1, 0, 0, 0, 0, time.UTC)
	return maxTime(y0, earliest)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// categorySQL is the category's value of a raw line: no value before
// start, then the rules in order, then the default.
func categorySQL(start time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CASE WHEN %s < %s THEN '' ", colStart, tsLit(start))
	for _, r := range categoryRules() {
		fmt.Fprintf(&b, "WHEN %s THEN '%s' ", r.sql, r.value)
	}
	fmt.Fprintf(&b, "ELSE '%s' END", categoryDefault)
	return b.String()
}

// defineCategory creates the bench category from start, or, when an
// earlier run left it in the data directory, updates it from start with
// the same rules.
func defineCategory(ctx context.Context, c *costexplorer.Client, start time.Time) error {
	var rules []types.CostCategoryRule
	for _, r := range categoryRules() {
		rules = append(rules, types.CostCategoryRule{Value: aws.String(r.value), Rule: &r.rule})
	}
	from := aws.String(start.Format(time.RFC3339))
	list, err := c.ListCostCategoryDefinitions(ctx, &costexplorer.ListCostCategoryDefinitionsInput{})
	if err != nil {
		return fmt.Errorf("list cost categories: %w", err)
	}
	for _, d := range list.CostCategoryReferences {
		if aws.ToString(d.Name) == categoryName {
			_, err := c.UpdateCostCategoryDefinition(ctx, &costexplorer.UpdateCostCategoryDefinitionInput{CostCategoryArn: d.CostCategoryArn,
				RuleVersion: types.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: rules,
				DefaultValue: aws.String(categoryDefault), EffectiveStart: from})
			if err != nil {
				return fmt.Errorf("update cost category %s: %w", categoryName, err)
			}
			return nil
		}
	}
	_, err = c.CreateCostCategoryDefinition(ctx, &costexplorer.CreateCostCategoryDefinitionInput{Name: aws.String(categoryName),
		RuleVersion: types.CostCategoryRuleVersionCostCategoryExpressionV1, Rules: rules,
		DefaultValue: aws.String(categoryDefault), EffectiveStart: from})
	if err != nil {
		return fmt.Errorf("create cost category %s: %w", categoryName, err)
	}
	return nil
}
