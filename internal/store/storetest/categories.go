package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/tallyhq/tally/internal/store"
)

// testCostCategoryVersions checks that a new version ends the one it
// replaces at its start and removes later ones, per payer, persisted.
func testCostCategoryVersions(t *testing.T, r *reopener) {
	ctx := context.Background()
	list := func(payer string) []string {
		t.Helper()
		var out []string
		for _, v := range must(r.Categories.CostCategories(ctx, payer)) {
			end := "-"
			if !v.End.IsZero() {
				end = v.End.Format("2006-01")
			}
			out = append(out, fmt.Sprintf("%s %s %s %s..%s %s", v.ARN, v.Payer, v.Name, v.Start.Format("2006-01"), end, v.Doc))
		}
		return out
	}
	put := func(arn, payer, name, start, doc string) {
		t.Helper()
		noErr(t, r.Categories.PutCostCategory(ctx, store.CostCategoryVersion{ARN: arn, Payer: payer, Name: name,
			Start: month(start), Doc: []byte(doc)}))
	}
	put("arn:b", "111111111111", "B", "2024-01", "b1")
	put("arn:a", "111111111111", "A", "2024-01", "a1")
	put("arn:a", "111111111111", "A", "2024-03", "a2")
	put("arn:a", "111111111111", "A2", "2024-06", "a3")
	put("arn:c", "333333333333", "C", "2024-02", "c1")
	diff(t, "versions", []string{
		"arn:a 111111111111 A 2024-01..2024-03 a1", "arn:a 111111111111 A 2024-03..2024-06 a2",
		"arn:a 111111111111 A2 2024-06..- a3", "arn:b 111111111111 B 2024-01..- b1",
	}, list("111111111111"))
	// A version from an earlier month replaces the later ones.
	put("arn:a", "111111111111", "A", "2024-02", "a4")
	diff(t, "versions after an update from an earlier month", []string{
		"arn:a 111111111111 A 2024-01..2024-02 a1", "arn:a 111111111111 A 2024-02..- a4",
	}, list("111111111111")[:2])
	noErr(t, r.Categories.SetResourceTags(ctx, "arn:a", []store.ResourceTag{{Key: "k2", Value: "v2"}, {Key: "k1", Value: ""}}))
	diff(t, "tags", []store.ResourceTag{{Key: "k1", Value: ""}, {Key: "k2", Value: "v2"}}, must(r.Categories.ResourceTags(ctx, "arn:a")))
	r.reopen()
	diff(t, "every payer's versions after reopening", []string{
		"arn:a 111111111111 A 2024-01..2024-02 a1", "arn:a 111111111111 A 2024-02..- a4",
		"arn:b 111111111111 B 2024-01..- b1", "arn:c 333333333333 C 2024-02..- c1",
	}, list(""))
	diff(t, "tags after reopening", []store.ResourceTag{{Key: "k1", Value: ""}, {Key: "k2", Value: "v2"}}, must(r.Categories.ResourceTags(ctx, "arn:a")))
	if ok := must(r.Categories.DeleteCostCategory(ctx, "arn:a", month("2024-04"))); !ok {
		t.Errorf("DeleteCostCategory = false, want true")
	}
	if ok := must(r.Categories.DeleteCostCategory(ctx, "arn:a", month("2024-05"))); ok {
		t.Errorf("second DeleteCostCategory = true, want false")
	}
	if ok := must(r.Categories.DeleteCostCategory(ctx, "arn:c", month("2024-02"))); !ok {
		t.Errorf("DeleteCostCategory of arn:c = false, want true")
	}
	r.reopen()
	diff(t, "versions after delete", []string{"arn:a 111111111111 A 2024-01..2024-02 a1",
		"arn:a 111111111111 A 2024-02..2024-04 a4", "arn:b 111111111111 B 2024-01..- b1"}, list(""))
	diff(t, "tags after delete", []store.ResourceTag(nil), must(r.Categories.ResourceTags(ctx, "arn:a")))
}
