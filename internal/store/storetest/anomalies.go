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

// testDetected checks that detected anomalies are replaced per monitor,
// listed per account by end date, and that feedback stays with an ID
// across re-detection and reopening.
func testDetected(t *testing.T, r *reopener) {
	ctx := context.Background()
	list := func(account string) []string {
		t.Helper()
		var out []string
		for _, d := range must(r.Detected.DetectedAnomalies(ctx, account)) {
			out = append(out, d.ID+" "+d.Monitor+" "+d.Account+" "+d.End+" "+string(d.Doc)+" "+d.Feedback)
		}
		return out
	}
	noErr(t, r.Detected.ReplaceDetected(ctx, "arn:m1", []store.Detected{
		{ID: "a2", Account: "111111111111", End: "2026-03-02", Doc: []byte("x")},
		{ID: "a1", Account: "111111111111", End: "2026-03-05", Doc: []byte("y")},
	}))
	noErr(t, r.Detected.ReplaceDetected(ctx, "arn:m3", []store.Detected{{ID: "b1", Account: "333333333333", End: "2026-03-01", Doc: []byte("z")}}))
	if ok := must(r.Detected.SetFeedback(ctx, "a1", "NO")); !ok {
		t.Errorf("SetFeedback(a1) = false, want true")
	}
	if ok := must(r.Detected.SetFeedback(ctx, "nope", "YES")); ok {
		t.Errorf("SetFeedback(nope) = true, want false")
	}
	diff(t, "anomalies of 111111111111", []string{"a2 arn:m1 111111111111 2026-03-02 x ", "a1 arn:m1 111111111111 2026-03-05 y NO"}, list("111111111111"))
	r.reopen()
	noErr(t, r.Detected.ReplaceDetected(ctx, "arn:m1", []store.Detected{{ID: "a1", Account: "111111111111", End: "2026-03-06", Doc: []byte("y2")}}))
	diff(t, "every anomaly after re-detection", []string{"b1 arn:m3 333333333333 2026-03-01 z ", "a1 arn:m1 111111111111 2026-03-06 y2 NO"}, list(""))
	noErr(t, r.Detected.ReplaceDetected(ctx, "arn:m3", nil))
	r.reopen()
	diff(t, "after emptying arn:m3", []string{"a1 arn:m1 111111111111 2026-03-06 y2 NO"}, list(""))
}
