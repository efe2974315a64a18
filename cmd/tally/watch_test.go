package main

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/billing"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/s3sync"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/web"
)

// TestWatchStatus follows one source through the outcomes the Data page
// shows: an ingest, a poll with nothing new (the last ingest stays), a
// failure, and an ingest of another payer's data.
func TestWatchStatus(t *testing.T) {
	t0 := time.Date(2025, 3, 10, 5, 0, 0, 0, time.UTC)
	s := newWatchStatus([]*s3sync.Source{{Client: s3sync.Folder{Root: "/srv/exports"}}}, t0)
	jan := billing.BillingPeriod{Source: "cur:111111111111", Month: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	feb := billing.BillingPeriod{Source: "focus:AWS:222222222222", Month: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)}
	want := web.WatchSource{Source: "/srv/exports", Outcome: web.WatchNotPolled, NextPoll: t0}
	check := func(step string) {
		t.Helper()
		if diff := cmp.Diff([]web.WatchSource{want}, s.list()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", step, diff)
		}
	}
	check("before the first poll")

	s.record(0, t0.Add(time.Second), &ingest.Report{Rows: 7, Periods: []store.PeriodInfo{{Period: jan}}}, 1, nil)
	s.scheduled(t0.Add(5 * time.Minute))
	want = web.WatchSource{Source: "/srv/exports", LastSync: t0.Add(time.Second), Outcome: web.WatchIngested,
		LastIngest: t0.Add(time.Second), Periods: []billing.BillingPeriod{jan}, Rows: 7, Waiting: 1,
		NextPoll: t0.Add(5 * time.Minute), Delivered: []string{jan.Source}}
	check("after an ingest")

	s.record(0, t0.Add(5*time.Minute), nil, 0, nil)
	want.LastSync, want.Outcome, want.Waiting = t0.Add(5*time.Minute), web.WatchNothing, 0
	check("after a poll with nothing new")

	s.record(0, t0.Add(10*time.Minute), nil, 0, errors.New("permission denied"))
	want.LastSync, want.Outcome, want.Err = t0.Add(10*time.Minute), web.WatchFailed, "permission denied"
	check("after a failure")

	s.record(0, t0.Add(15*time.Minute), &ingest.Report{Rows: 3, Periods: []store.PeriodInfo{{Period: feb}, {Period: jan}}}, 0, nil)
	want.LastSync, want.Outcome, want.Err, want.LastIngest = t0.Add(15*time.Minute), web.WatchIngested, "", t0.Add(15*time.Minute)
	want.Periods, want.Rows, want.Delivered = []billing.BillingPeriod{feb, jan}, 3, []string{jan.Source, feb.Source}
	check("after a second ingest")

	got := s.list()
	got[0].Periods[0] = billing.BillingPeriod{}
	check("after changing a listed copy")
}
