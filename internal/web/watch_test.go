package web

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
)

// TestDataWatches checks the watched sources on the Data page: their last
// sync, outcome and next poll, and who sees them.
func TestDataWatches(t *testing.T) {
	synced, ingested, next := testNow.Add(-time.Minute), testNow.Add(-time.Hour), testNow.Add(4*time.Minute)
	watches := []WatchSource{
		{Source: "s3://cur/exports", LastSync: synced, Outcome: WatchNothing, LastIngest: ingested, Rows: 12, Waiting: 1, NextPoll: next,
			Periods: []billing.BillingPeriod{
				{Source: "cur:" + payerID, Month: month(2025, 3)},
				{Source: "focus:AWS:333333333333", Month: month(2025, 3)},
			},
			Delivered: []string{"cur:" + payerID, "focus:AWS:333333333333"}},
		{Source: "/srv/other", LastSync: synced, Outcome: WatchFailed, Err: "list /srv/other: permission denied", NextPoll: next,
			Delivered: []string{"focus:AWS:333333333333"}},
		{Source: "s3://new/", Outcome: WatchNotPolled, NextPoll: testNow},
	}
	s3All := watchJSON{Source: "s3://cur/exports", LastSync: &synced, Outcome: "nothing new", LastIngest: &ingested, Rows: 12,
		Waiting: 1, NextPoll: next,
		Periods: []string{"cur:" + payerID + " 2025-03", "focus:AWS:333333333333 2025-03"}}
	s3Mine := s3All
	s3Mine.Rows, s3Mine.Periods = 0, []string{"cur:" + payerID + " 2025-03"}
	for _, tc := range []struct {
		name, key string
		want      []watchJSON
	}{
		{"test identity sees all, with errors", "test", []watchJSON{s3All,
			{Source: "/srv/other", LastSync: &synced, Outcome: "failed", Error: "list /srv/other: permission denied", Periods: []string{}, NextPoll: next},
			{Source: "s3://new/", Outcome: "not polled", Periods: []string{}, NextPoll: testNow}}},
		{"payer sees the watches that delivered its sources", "PAYER", []watchJSON{s3Mine}},
		{"member sees none", "MEMBER", []watchJSON{}},
		{"outsider sees none", "OUTSIDER", []watchJSON{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := func() time.Time { return testNow }
			h := Handler(Config{Keys: credentialKeys(t), Now: clock, WallClock: clock, Payers: payersOf,
				Watches: func() []WatchSource { return watches }})
			w := serve(h, as("/ui/api/data", tc.key))
			if w.Code != 200 {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var got dataResponse
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.Watches); diff != "" {
				t.Errorf("watches (-want +got):\n%s", diff)
			}
		})
	}
}
