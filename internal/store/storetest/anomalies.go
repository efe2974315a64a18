package storetest

import (
	"context"
	"testing"

	"github.com/tallyhq/tally/internal/store"
)

// testAnomalyObjects checks that monitors and subscriptions are kept per
// kind and account, replaced by ARN, deleted with their tags, persisted.
func testAnomalyObjects(t *testing.T, r *reopener) {
	ctx := context.Background()
	put := func(arn, kind, account, doc string) {
		t.Helper()
		noErr(t, r.Anomalies.PutAnomalyObject(ctx, store.AnomalyObject{ARN: arn, Kind: kind, Account: account, Doc: []byte(doc)}))
	}
	list := func(kind, account string) []string {
		t.Helper()
		var out []string
		for _, o := range must(r.Anomalies.AnomalyObjects(ctx, kind, account)) {
			out = append(out, o.ARN+" "+o.Kind+" "+o.Account+" "+string(o.Doc))
		}
		return out
	}
	put("arn:m2", store.AnomalyMonitor, "111111111111", "m2")
	put("arn:m1", store.AnomalyMonitor, "111111111111", "m1")
	put("arn:m3", store.AnomalyMonitor, "333333333333", "m3")
	put("arn:s1", store.AnomalySubscription, "111111111111", "s1")
	put("arn:m1", store.AnomalyMonitor, "111111111111", "m1b")
	noErr(t, r.Categories.SetResourceTags(ctx, "arn:m1", []store.ResourceTag{{Key: "k", Value: "v"}}))
	diff(t, "monitors of 111111111111", []string{"arn:m1 monitor 111111111111 m1b", "arn:m2 monitor 111111111111 m2"},
		list(store.AnomalyMonitor, "111111111111"))
	r.reopen()
	diff(t, "every monitor after reopening", []string{"arn:m1 monitor 111111111111 m1b", "arn:m2 monitor 111111111111 m2",
		"arn:m3 monitor 333333333333 m3"}, list(store.AnomalyMonitor, ""))
	diff(t, "subscriptions after reopening", []string{"arn:s1 subscription 111111111111 s1"}, list(store.AnomalySubscription, ""))
	if ok := must(r.Anomalies.DeleteAnomalyObject(ctx, "arn:m1")); !ok {
		t.Errorf("DeleteAnomalyObject = false, want true")
	}
	if ok := must(r.Anomalies.DeleteAnomalyObject(ctx, "arn:m1")); ok {
		t.Errorf("second DeleteAnomalyObject = true, want false")
	}
	r.reopen()
	diff(t, "monitors after delete", []string{"arn:m2 monitor 111111111111 m2"}, list(store.AnomalyMonitor, "111111111111"))
	diff(t, "tags after delete", []store.ResourceTag(nil), must(r.Categories.ResourceTags(ctx, "arn:m1")))
}
