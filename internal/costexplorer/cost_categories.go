package costexplorer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/pager"
	"github.com/tallyhq/tally/internal/query"
	"github.com/tallyhq/tally/internal/store"
)

// AWS's quotas on cost categories (Billing user guide, "Quotas and
// restrictions") and on the tags of Cost Explorer resources (API reference,
// TagResource).
const (
	maxCategories       = 50 // per management account
	maxUserTags         = 50 // per resource
	maxCategoryPageSize = 100
)

// categoryRules say what a cost category rule's expression may hold: the
// dimensions the API reference lists, and the match options of cost
// category expressions.
var categoryRules = query.Rules{
	Operation: "cost category rules",
	Dimensions: map[billing.Dimension]bool{billing.DimLinkedAccount: true, billing.DimServiceCode: true,
		billing.DimRecordType: true, billing.DimLinkedAccountName: true, billing.DimRegion: true, billing.DimUsageType: true},
	Ops: map[query.Kind][]query.MatchOp{
		query.KindDimension:    {query.OpEquals, query.OpStartsWith, query.OpEndsWith, query.OpContains},
		query.KindTag:          {query.OpEquals, query.OpAbsent, query.OpStartsWith, query.OpEndsWith, query.OpContains},
		query.KindCostCategory: {query.OpEquals, query.OpAbsent, query.OpStartsWith, query.OpEndsWith, query.OpContains},
	},
	CaseInsensitive: true,
}

// categoryDoc is the definition of one version of a cost category, as the
// store keeps it (store.CostCategoryVersion.Doc).
type categoryDoc struct {
	Name             string
	RuleVersion      CostCategoryRuleVersion
	Rules            []CostCategoryRule
	DefaultValue     *string                       `json:",omitempty"`
	SplitChargeRules []CostCategorySplitChargeRule `json:",omitempty"`
}

// category is one version of a cost category with its definition decoded.
type category struct {
	store.CostCategoryVersion
	doc categoryDoc
}

// categoryOwner returns the management account whose cost categories the
// caller changes (DESIGN.md §3): the caller itself unless it is only a
// linked account, which may read its payer's categories but not change
// them (AccessDeniedException, as for cost allocation tags).
func (s *Service) categoryOwner(ctx context.Context, action string) (string, error) {
	a, _ := auth.Caller(ctx)
	if a.All {
		return testAccount(a), nil
	}
	linked, err := s.linkedOnly(ctx, a.AccountID)
	if err != nil {
		return "", err
	}
	if linked {
		return "", fail(errDenied, action+": only the management account can manage cost categories; "+
			a.AccountID+" is a linked (member) account")
	}
	return a.AccountID, nil
}

// linkedOnly reports whether account appears in the data only as a linked
// account of other payers.
func (s *Service) linkedOnly(ctx context.Context, account string) (bool, error) {
	payer, isPayer, err := s.cfg.Store.TagPayer(ctx, account)
	return !isPayer && payer != "", err
}

func testAccount(a auth.Account) string {
	if a.AccountID == "" {
		return auth.TestAccountID
	}
	return a.AccountID
}

// categoryReaders returns the payers whose categories the caller reads:
// every payer's for the test identity, its own for a payer, and those of
// the payers of its lines for a linked account.
func (s *Service) categoryReaders(ctx context.Context) ([]string, error) {
	a, ok := auth.Caller(ctx)
	if !ok || a.All {
		return []string{""}, nil
	}
	linked, err := s.linkedOnly(ctx, a.AccountID)
	if err != nil || !linked {
		return []string{a.AccountID}, err
	}
	periods, err := s.cfg.Store.Periods(ctx)
	if err != nil || len(periods) == 0 {
		return nil, err
	}
	span := billing.Period{Start: periods[0].Period.Month, End: periods[0].Period.Month}
	for _, p := range periods {
		span.Start = minTime(span.Start, p.Period.Month)
		span.End = maxTime(span.End, p.Period.Month)
	}
	span.End = span.End.AddDate(0, 1, 0)
	vals, err := s.cfg.Store.DimensionValues(ctx, &query.DimensionValues{Period: span,
		Dimension: billing.DimPayerAccount, Scope: query.Scope{Account: a.AccountID}})
	if err != nil {
		return nil, err
	}
	var payers []string
	for _, v := range vals {
		payers = append(payers, v.Value)
	}
	return payers, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// categories returns every version of the categories of payers, decoded,
// ordered by ARN and start.
func (s *Service) categories(ctx context.Context, payers []string) ([]category, error) {
	var out []category
	for _, p := range payers {
		vs, err := s.cfg.Store.CostCategories(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			c := category{CostCategoryVersion: v}
			if err := json.Unmarshal(v.Doc, &c.doc); err != nil {
				return nil, fmt.Errorf("cost category %s: %w", v.ARN, err)
			}
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b category) int { return strings.Compare(a.ARN, b.ARN) })
	return out, nil
}

// effective returns the versions in effect at t, one per category.
func effective(all []category, t time.Time) []category {
	var out []category
	for _, c := range all {
		if !c.Start.After(t) && (c.End.IsZero() || t.Before(c.End)) {
			out = append(out, c)
		}
	}
	return out
}

// current returns the current version of the category arn among all.
func current(all []category, arn string) (category, bool) {
	for _, c := range all {
		if c.ARN == arn && c.End.IsZero() {
			return c, true
		}
	}
	return category{}, false
}

func categoryNotFound(arn string) error {
	return fail(errNotFound, "No Cost Category found for ARN "+arn)
}

// effectiveStart reads an EffectiveStart: the first day of a month, no
// earlier than twelve months before the current month and not in the
// future; absent, the first day of the current month.
func (s *Service) effectiveStart(in *string) (time.Time, error) {
	month := billing.MonthStart(s.cfg.Now())
	if in == nil {
		return month, nil
	}
	t, err := time.Parse(time.RFC3339, *in)
	if err != nil {
		return time.Time{}, validation("EffectiveStart %q is not a date and time such as 2024-01-01T00:00:00Z", *in)
	}
	t = t.UTC()
	if !t.Equal(billing.MonthStart(t)) {
		return time.Time{}, validation("EffectiveStart %s must be the first day of a month at 00:00:00Z", *in)
	}
	if t.After(month) || t.Before(month.AddDate(0, -12, 0)) {
		return time.Time{}, validation("EffectiveStart %s must be no earlier than %s and not in the future", *in,
			month.AddDate(0, -12, 0).Format("2006-01-02T15:04:05Z"))
	}
	return t, nil
}

// effectiveOn reads an EffectiveOn; absent, it is now.
func (s *Service) effectiveOn(in *string) (time.Time, error) {
	if in == nil {
		return s.cfg.Now(), nil
	}
	t, err := time.Parse(time.RFC3339, *in)
	if err != nil {
		return time.Time{}, validation("EffectiveOn %q is not a date and time such as 2024-01-01T00:00:00Z", *in)
	}
	return t, nil
}

// checkDefinition checks a definition against AWS's rules, given the
// payer's other categories (for references in rules) and the ARN of the
// category it defines ("" for a new one).
func checkDefinition(d *categoryDoc, others []category, arn string) error {
	names := map[string]string{}  // name -> ARN of the current categories
	refs := map[string][]string{} // ARN -> names its current rules reference
	for _, c := range others {
		if c.End.IsZero() && c.ARN != arn {
			names[c.doc.Name] = c.ARN
			refs[c.ARN] = referenced(c.doc.Rules)
		}
	}
	values := map[string]bool{}
	dynamic := false
	for i, r := range d.Rules {
		typ := CostCategoryRuleTypeRegular
		if r.Type != nil {
			typ = *r.Type
		}
		switch typ {
		case CostCategoryRuleTypeRegular:
			if r.Value == nil || r.Rule == nil || r.InheritedValue != nil {
				return validation("Rules[%d]: a REGULAR rule needs a Value and a Rule, and no InheritedValue", i)
			}
			x, err := expression(r.Rule)
			if err != nil {
				return err
			}
			if err := query.Validate(x, categoryRules, query.DefaultLimits); err != nil {
				return validation("Rules[%d]: %v", i, err)
			}
			values[*r.Value] = true
		case CostCategoryRuleTypeInheritedValue:
			iv := r.InheritedValue
			if iv == nil || iv.DimensionName == nil || r.Value != nil || r.Rule != nil {
				return validation("Rules[%d]: an INHERITED_VALUE rule needs an InheritedValue with a DimensionName, and no Value or Rule", i)
			}
			if *iv.DimensionName == CostCategoryInheritedValueDimensionNameTag && deref(iv.DimensionKey) == "" {
				return validation("Rules[%d]: InheritedValue with DimensionName TAG needs the tag key in DimensionKey", i)
			}
			dynamic = true
		}
	}
	for _, name := range referenced(d.Rules) {
		if name == d.Name {
			return validation("cost category %s cannot refer to itself in its rules", d.Name)
		}
		ref, ok := names[name]
		if !ok {
			return validation("cost category %s in the rules does not exist", name)
		}
		// A reference back to this category through others is a cycle.
		seen := map[string]bool{}
		stack := []string{ref}
		for len(stack) > 0 {
			at := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[at] {
				continue
			}
			seen[at] = true
			for _, n := range refs[at] {
				if n == d.Name {
					return validation("cost category %s refers to %s, which refers back to it", d.Name, name)
				}
				if next, ok := names[n]; ok {
					stack = append(stack, next)
				}
			}
		}
	}
	if d.DefaultValue != nil {
		values[*d.DefaultValue] = true
	}
	return checkSplits(d.SplitChargeRules, values, dynamic)
}

// referenced lists the cost category names the REGULAR rules refer to.
func referenced(rules []CostCategoryRule) []string {
	var out []string
	var walk func(e *Expression)
	walk = func(e *Expression) {
		if e == nil {
			return
		}
		if e.CostCategories != nil && deref(e.CostCategories.Key) != "" {
			out = append(out, *e.CostCategories.Key)
		}
		for i := range e.And {
			walk(&e.And[i])
		}
		for i := range e.Or {
			walk(&e.Or[i])
		}
		walk(e.Not)
	}
	for _, r := range rules {
		walk(r.Rule)
	}
	return out
}

// checkSplits checks split charge rules: a source is split by one rule
// only and is never a target; targets are values of the category (unless
// inherited values make the values unknown in advance) and not the source;
// FIXED needs one allocation percentage per target adding up to 100, the
// other methods take no parameters.
func checkSplits(rules []CostCategorySplitChargeRule, values map[string]bool, dynamic bool) error {
	sources := map[string]bool{}
	for _, r := range rules {
		sources[deref(r.Source)] = true
	}
	if len(sources) < len(rules) {
		return validation("SplitChargeRules: a source value can be split by one rule only")
	}
	for i, r := range rules {
		src := deref(r.Source)
		if src != "" && !dynamic && !values[src] {
			return validation("SplitChargeRules[%d]: source %s is not a value of the cost category", i, src)
		}
		seen := map[string]bool{}
		for _, t := range r.Targets {
			switch {
			case t == src:
				return validation("SplitChargeRules[%d]: the source %s cannot be one of its targets", i, src)
			case sources[t]:
				return validation("SplitChargeRules[%d]: target %s is the source of a split charge rule", i, t)
			case seen[t]:
				return validation("SplitChargeRules[%d]: target %s is listed twice", i, t)
			case !dynamic && !values[t]:
				return validation("SplitChargeRules[%d]: target %s is not a value of the cost category", i, t)
			}
			seen[t] = true
		}
		if *r.Method != CostCategorySplitChargeMethodFixed {
			if len(r.Parameters) > 0 {
				return validation("SplitChargeRules[%d]: Parameters are only allowed with the FIXED method", i)
			}
			continue
		}
		if len(r.Parameters) != 1 {
			return validation("SplitChargeRules[%d]: the FIXED method needs one ALLOCATION_PERCENTAGES parameter", i)
		}
		p := r.Parameters[0]
		if len(p.Values) != len(r.Targets) {
			return validation("SplitChargeRules[%d]: ALLOCATION_PERCENTAGES needs one percentage per target: %d targets, %d values",
				i, len(r.Targets), len(p.Values))
		}
		var sum billing.Amount
		for _, v := range p.Values {
			a, err := billing.ParseAmount(v)
			if err != nil || a < 0 {
				return validation("SplitChargeRules[%d]: allocation percentage %q is not a non-negative number", i, v)
			}
			sum += a
		}
		if hundred, _ := billing.ParseAmount("100"); sum != hundred {
			return validation("SplitChargeRules[%d]: the allocation percentages add up to %s, not 100", i, sum)
		}
	}
	return nil
}

// newARN returns the ARN of a new cost category of payer.
func newARN(payer string) string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("arn:aws:ce::%s:costcategory/%x-%x-%x-%x-%x", payer, b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// CreateCostCategoryDefinition implements the AWS Cost Explorer operation of
// that name: a new category of the caller's management account, effective
// from EffectiveStart (the current month by default).
func (s *Service) CreateCostCategoryDefinition(ctx context.Context, in *CreateCostCategoryDefinitionRequest) (*CreateCostCategoryDefinitionResponse, error) {
	payer, err := s.categoryOwner(ctx, "Failed to create Cost Category")
	if err != nil {
		return nil, err
	}
	start, err := s.effectiveStart(in.EffectiveStart)
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, in.ResourceTags)
	if err != nil {
		return nil, err
	}
	all, err := s.categories(ctx, []string{payer})
	if err != nil {
		return nil, err
	}
	live := 0
	for _, c := range all {
		if c.End.IsZero() {
			live++
			if c.doc.Name == *in.Name {
				return nil, validation("Failed to create Cost Category: a Cost Category named %s already exists", *in.Name)
			}
		}
	}
	if live >= maxCategories {
		return nil, fail(errQuota, fmt.Sprintf("Failed to create Cost Category: the account has %d cost categories, the most allowed", live))
	}
	d := categoryDoc{Name: *in.Name, RuleVersion: *in.RuleVersion, Rules: in.Rules, DefaultValue: in.DefaultValue,
		SplitChargeRules: in.SplitChargeRules}
	if err := checkDefinition(&d, all, ""); err != nil {
		return nil, err
	}
	arn := newARN(payer)
	if err := s.putCategory(ctx, arn, payer, start, d); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := s.cfg.Store.SetResourceTags(ctx, arn, tags); err != nil {
			return nil, err
		}
	}
	return &CreateCostCategoryDefinitionResponse{CostCategoryArn: ptr(arn), EffectiveStart: zoned(start)}, nil
}

func (s *Service) putCategory(ctx context.Context, arn, payer string, start time.Time, d categoryDoc) error {
	doc, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.cfg.Store.PutCostCategory(ctx, store.CostCategoryVersion{ARN: arn, Payer: payer, Name: d.Name, Start: start, Doc: doc})
}

// UpdateCostCategoryDefinition implements the AWS Cost Explorer operation of
// that name: the new rules apply from EffectiveStart (the current month by
// default) on; earlier months keep the rules they had.
func (s *Service) UpdateCostCategoryDefinition(ctx context.Context, in *UpdateCostCategoryDefinitionRequest) (*UpdateCostCategoryDefinitionResponse, error) {
	payer, err := s.categoryOwner(ctx, "Failed to update Cost Category")
	if err != nil {
		return nil, err
	}
	start, err := s.effectiveStart(in.EffectiveStart)
	if err != nil {
		return nil, err
	}
	all, err := s.categories(ctx, []string{payer})
	if err != nil {
		return nil, err
	}
	cur, ok := current(all, *in.CostCategoryArn)
	if !ok {
		return nil, categoryNotFound(*in.CostCategoryArn)
	}
	d := categoryDoc{Name: cur.doc.Name, RuleVersion: *in.RuleVersion, Rules: in.Rules, DefaultValue: in.DefaultValue,
		SplitChargeRules: in.SplitChargeRules}
	if err := checkDefinition(&d, all, cur.ARN); err != nil {
		return nil, err
	}
	if err := s.putCategory(ctx, cur.ARN, cur.Payer, start, d); err != nil {
		return nil, err
	}
	return &UpdateCostCategoryDefinitionResponse{CostCategoryArn: ptr(cur.ARN), EffectiveStart: zoned(start)}, nil
}

// DeleteCostCategoryDefinition implements the AWS Cost Explorer operation of
// that name: from the current month on, costs are no longer categorised by
// the category; earlier months keep it.
func (s *Service) DeleteCostCategoryDefinition(ctx context.Context, in *DeleteCostCategoryDefinitionRequest) (*DeleteCostCategoryDefinitionResponse, error) {
	payer, err := s.categoryOwner(ctx, "Failed to delete Cost Category")
	if err != nil {
		return nil, err
	}
	if _, err := s.ownCategory(ctx, payer, *in.CostCategoryArn); err != nil {
		return nil, err
	}
	end := billing.MonthStart(s.cfg.Now())
	ok, err := s.cfg.Store.DeleteCostCategory(ctx, *in.CostCategoryArn, end)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, categoryNotFound(*in.CostCategoryArn)
	}
	return &DeleteCostCategoryDefinitionResponse{CostCategoryArn: in.CostCategoryArn, EffectiveEnd: zoned(end)}, nil
}

// ownCategory returns the current version of a category of payer.
func (s *Service) ownCategory(ctx context.Context, payer, arn string) (category, error) {
	all, err := s.categories(ctx, []string{payer})
	if err != nil {
		return category{}, err
	}
	c, ok := current(all, arn)
	if !ok {
		return category{}, categoryNotFound(arn)
	}
	return c, nil
}

// readable returns every version of the categories the caller reads.
func (s *Service) readable(ctx context.Context) ([]category, error) {
	payers, err := s.categoryReaders(ctx)
	if err != nil {
		return nil, err
	}
	return s.categories(ctx, payers)
}

// readableOn returns the categories the caller reads in the versions in
// effect on effectiveOn (now by default).
func (s *Service) readableOn(ctx context.Context, effectiveOn *string) ([]category, error) {
	on, err := s.effectiveOn(effectiveOn)
	if err != nil {
		return nil, err
	}
	all, err := s.readable(ctx)
	if err != nil {
		return nil, err
	}
	return effective(all, on), nil
}

// DescribeCostCategoryDefinition implements the AWS Cost Explorer operation
// of that name: the version in effect on EffectiveOn (now by default).
func (s *Service) DescribeCostCategoryDefinition(ctx context.Context, in *DescribeCostCategoryDefinitionRequest) (*DescribeCostCategoryDefinitionResponse, error) {
	inEffect, err := s.readableOn(ctx, in.EffectiveOn)
	if err != nil {
		return nil, err
	}
	for _, c := range inEffect {
		if c.ARN == *in.CostCategoryArn {
			return &DescribeCostCategoryDefinitionResponse{CostCategory: &CostCategory{
				CostCategoryArn: ptr(c.ARN), EffectiveStart: zoned(c.Start), EffectiveEnd: zoned(c.End),
				Name: ptr(c.doc.Name), RuleVersion: ptr(c.doc.RuleVersion), Rules: c.doc.Rules,
				SplitChargeRules: c.doc.SplitChargeRules, ProcessingStatus: applied(), DefaultValue: c.doc.DefaultValue,
			}}, nil
		}
	}
	return nil, categoryNotFound(*in.CostCategoryArn)
}

// applied is the processing status of every category: Tally applies a
// definition to the queries as soon as it is stored.
func applied() []CostCategoryProcessingStatus {
	return []CostCategoryProcessingStatus{{Component: ptr(CostCategoryStatusComponentCostExplorer), Status: ptr(CostCategoryStatusApplied)}}
}

// ListCostCategoryDefinitions implements the AWS Cost Explorer operation of
// that name: the categories in effect on EffectiveOn (now by default),
// ordered by ARN. Tally associates no resources with cost categories, so a
// SupportedResourceTypes filter matches none.
func (s *Service) ListCostCategoryDefinitions(ctx context.Context, in *ListCostCategoryDefinitionsRequest) (*ListCostCategoryDefinitionsResponse, error) {
	inEffect, err := s.readableOn(ctx, in.EffectiveOn)
	if err != nil {
		return nil, err
	}
	refs := []CostCategoryReference{}
	for _, c := range inEffect {
		if len(in.SupportedResourceTypes) > 0 {
			break
		}
		refs = append(refs, CostCategoryReference{CostCategoryArn: ptr(c.ARN), Name: ptr(c.doc.Name),
			EffectiveStart: zoned(c.Start), EffectiveEnd: zoned(c.End), NumberOfRules: ptr(int32(len(c.doc.Rules))),
			ProcessingStatus: applied(), Values: ruleValues(c.doc), DefaultValue: c.doc.DefaultValue})
	}
	size := maxCategoryPageSize
	if in.MaxResults != nil {
		size = int(*in.MaxResults)
	}
	page, next, err := pager.Slice(pages[int](ctx, s, "ListCostCategoryDefinitions", in), refs, size)
	if err != nil {
		return nil, listTokenError(err)
	}
	return &ListCostCategoryDefinitionsResponse{CostCategoryReferences: append([]CostCategoryReference{}, page...), NextToken: next}, nil
}

// listTokenError turns the pager's token errors into validation failures:
// the cost category listings model no token exception.
func listTokenError(err error) error {
	switch {
	case errors.Is(err, pager.ErrInvalidToken):
		return validation("the NextToken is invalid")
	case errors.Is(err, pager.ErrRequestChanged):
		return validation("the NextToken belongs to another request: send the same request with the NextToken")
	}
	return err
}

// ruleValues lists the values of a category's REGULAR rules and its
// default, once each, in rule order.
func ruleValues(d categoryDoc) []string {
	var out []string
	add := func(v *string) {
		if v != nil && !slices.Contains(out, *v) {
			out = append(out, *v)
		}
	}
	for _, r := range d.Rules {
		add(r.Value)
	}
	add(d.DefaultValue)
	return out
}

// ListCostCategoryResourceAssociations implements the AWS Cost Explorer
// operation of that name. Tally has no billing views or reservation and
// Savings Plans group filters to associate with a category, so the list is
// empty; a category the caller cannot read is ResourceNotFoundException.
func (s *Service) ListCostCategoryResourceAssociations(ctx context.Context, in *ListCostCategoryResourceAssociationsRequest) (*ListCostCategoryResourceAssociationsResponse, error) {
	if in.CostCategoryArn != nil {
		if _, err := s.readableCategory(ctx, *in.CostCategoryArn); err != nil {
			return nil, err
		}
	}
	page, next, err := pager.Slice(pages[int](ctx, s, "ListCostCategoryResourceAssociations", in), []CostCategoryResourceAssociation{}, maxCategoryPageSize)
	if err != nil {
		return nil, listTokenError(err)
	}
	return &ListCostCategoryResourceAssociationsResponse{CostCategoryResourceAssociations: append([]CostCategoryResourceAssociation{}, page...), NextToken: next}, nil
}

// readableCategory returns the current version of a category the caller
// may read.
func (s *Service) readableCategory(ctx context.Context, arn string) (category, error) {
	all, err := s.readable(ctx)
	if err != nil {
		return category{}, err
	}
	c, ok := current(all, arn)
	if !ok {
		return category{}, categoryNotFound(arn)
	}
	return c, nil
}

// mergeTags returns have with add applied (a key already there takes the
// new value), checking AWS's rules: no aws: prefix, keys unique in a
// request, at most 50 user tags on a resource.
func mergeTags(have []store.ResourceTag, add []ResourceTag) ([]store.ResourceTag, error) {
	out := slices.Clone(have)
	seen := map[string]bool{}
	for _, t := range add {
		key, value := strings.TrimSpace(deref(t.Key)), strings.TrimSpace(deref(t.Value))
		if strings.HasPrefix(strings.ToLower(key), "aws:") {
			return nil, validation("tag key %s uses the prefix aws:, which is reserved for AWS use", key)
		}
		if seen[key] {
			return nil, validation("tag key %s is listed twice", key)
		}
		seen[key] = true
		i := slices.IndexFunc(out, func(h store.ResourceTag) bool { return h.Key == key })
		if i >= 0 {
			out[i].Value = value
		} else {
			out = append(out, store.ResourceTag{Key: key, Value: value})
		}
	}
	if len(out) > maxUserTags {
		return nil, fail(errTooManyTags, fmt.Sprintf("a resource can have at most %d user tags; this request would give it %d", maxUserTags, len(out)))
	}
	slices.SortFunc(out, func(a, b store.ResourceTag) int { return strings.Compare(a.Key, b.Key) })
	return out, nil
}

// taggable checks that the caller may change the tags of arn: a cost
// category of its management account, or one of its anomaly monitors and
// subscriptions.
func (s *Service) taggable(ctx context.Context, arn, action string) error {
	if anomalyARN.MatchString(arn) {
		return s.ownAnomalyObject(ctx, arn)
	}
	payer, err := s.categoryOwner(ctx, action)
	if err != nil {
		return err
	}
	_, err = s.ownCategory(ctx, payer, arn)
	return err
}

// TagResource implements the AWS Cost Explorer operation of that name for
// cost categories: it adds tags or changes their values.
func (s *Service) TagResource(ctx context.Context, in *TagResourceRequest) (*TagResourceResponse, error) {
	if err := s.taggable(ctx, *in.ResourceArn, "Failed to tag resource"); err != nil {
		return nil, err
	}
	have, err := s.cfg.Store.ResourceTags(ctx, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(have, in.ResourceTags)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Store.SetResourceTags(ctx, *in.ResourceArn, tags); err != nil {
		return nil, err
	}
	return &TagResourceResponse{}, nil
}

// UntagResource implements the AWS Cost Explorer operation of that name for
// cost categories; keys the resource does not have are ignored.
func (s *Service) UntagResource(ctx context.Context, in *UntagResourceRequest) (*UntagResourceResponse, error) {
	if err := s.taggable(ctx, *in.ResourceArn, "Failed to untag resource"); err != nil {
		return nil, err
	}
	have, err := s.cfg.Store.ResourceTags(ctx, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	have = slices.DeleteFunc(have, func(t store.ResourceTag) bool { return slices.Contains(in.ResourceTagKeys, t.Key) })
	if err := s.cfg.Store.SetResourceTags(ctx, *in.ResourceArn, have); err != nil {
		return nil, err
	}
	return &UntagResourceResponse{}, nil
}

// ListTagsForResource implements the AWS Cost Explorer operation of that
// name for cost categories.
func (s *Service) ListTagsForResource(ctx context.Context, in *ListTagsForResourceRequest) (*ListTagsForResourceResponse, error) {
	if anomalyARN.MatchString(*in.ResourceArn) {
		if err := s.ownAnomalyObject(ctx, *in.ResourceArn); err != nil {
			return nil, err
		}
	} else if _, err := s.readableCategory(ctx, *in.ResourceArn); err != nil {
		return nil, err
	}
	have, err := s.cfg.Store.ResourceTags(ctx, *in.ResourceArn)
	if err != nil {
		return nil, err
	}
	out := &ListTagsForResourceResponse{ResourceTags: []ResourceTag{}}
	for _, t := range have {
		out.ResourceTags = append(out.ResourceTags, ResourceTag{Key: ptr(t.Key), Value: ptr(t.Value)})
	}
	return out, nil
}

// QueryCategories returns the defined cost categories that the questions
// of account read (all for the built-in test identity, which reads every
// payer's), for other services' questions: Budgets filters.
func (s *Service) QueryCategories(ctx context.Context, account string, all bool) (query.Categories, error) {
	return s.queryCategories(auth.WithCaller(ctx, auth.Account{AccountID: account, All: all}))
}

// namesCategory reports whether a question's groups or filter name a cost
// category: only then do its defined categories matter, so a question that
// names none skips reading them (a store query or two per request).
func namesCategory(groups []query.GroupKey, filter query.Expr) bool {
	for _, g := range groups {
		if g.Kind == query.KindCostCategory {
			return true
		}
	}
	return query.AnyMatch(filter, func(m *query.Match) bool { return m.Kind == query.KindCostCategory })
}

// categoriesFor returns the defined categories a question with these
// groups and filter reads: none when it names no cost category.
func (s *Service) categoriesFor(ctx context.Context, groups []query.GroupKey, filter query.Expr) (query.Categories, error) {
	if !namesCategory(groups, filter) {
		return nil, nil
	}
	return s.queryCategories(ctx)
}

// queryCategories returns the cost categories the caller's questions read:
// those of its payer (DESIGN.md §3), with every version. A defined
// category takes precedence over a category of the same name carried in
// the billing data. The test identity, which stands for every payer, reads
// every payer's; when two payers define one name, the first ARN's wins.
func (s *Service) queryCategories(ctx context.Context) (query.Categories, error) {
	// Most stores define none: then the caller's role need not be looked up.
	if defined, err := s.cfg.Store.CostCategories(ctx, ""); err != nil || len(defined) == 0 {
		return nil, err
	}
	all, err := s.readable(ctx)
	if err != nil {
		return nil, err
	}
	out := query.Categories{}
	owner := map[string]string{}
	for _, c := range all {
		if a, ok := owner[c.doc.Name]; ok && a != c.ARN {
			continue
		}
		owner[c.doc.Name] = c.ARN
		qc := out[c.doc.Name]
		if qc == nil {
			qc = &query.Category{Name: c.doc.Name}
			out[c.doc.Name] = qc
		}
		v := query.CategoryVersion{Start: c.Start, End: c.End, Default: deref(c.doc.DefaultValue)}
		for _, r := range c.doc.Rules {
			switch {
			case r.InheritedValue != nil && deref(r.InheritedValue.DimensionName) == CostCategoryInheritedValueDimensionNameTag:
				v.Rules = append(v.Rules, query.CategoryRule{InheritTag: deref(r.InheritedValue.DimensionKey)})
			case r.InheritedValue != nil:
				v.Rules = append(v.Rules, query.CategoryRule{InheritAccountName: true})
			default:
				x, err := expression(r.Rule)
				if err != nil {
					return nil, fmt.Errorf("cost category %s: %w", c.ARN, err)
				}
				v.Rules = append(v.Rules, query.CategoryRule{Value: deref(r.Value), Match: x})
			}
		}
		qc.Versions = append(qc.Versions, v)
	}
	return out, nil
}
