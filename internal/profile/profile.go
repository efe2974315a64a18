// Package profile holds the business limits AWS applies to Cost Explorer and
// Budgets. The aws profile enforces them as AWS does; the unlimited profile
// lifts them for people analysing old data. Format and shape rules are not
// limits and hold in every profile.
package profile

import (
	"fmt"
	"time"
)

// Profile is a set of business limits. A zero duration or count means no
// limit.
type Profile struct {
	Name string
	// HistoryMonths is how many months before the current one GetCostAndUsage
	// and friends may look back (AWS: 14 months in all, the current included).
	HistoryMonths int
	// EndBeyondNextMonth allows an End later than the first day of next month.
	EndBeyondNextMonth bool
	// HourlyDays is how far back HOURLY data reaches (AWS: 14 days).
	HourlyDays int
	// BackfillLookbackMonths bounds StartCostAllocationTagBackfill's
	// BackfillFrom (AWS: the previous twelve months).
	BackfillLookbackMonths int
	// BackfillEvery is the minimum time between two backfill requests (AWS: 24h).
	BackfillEvery time.Duration
	// ForecastDailyMonths and ForecastMonthlyMonths bound a forecast's
	// horizon (AWS: 3 months DAILY, 18 months MONTHLY).
	ForecastDailyMonths, ForecastMonthlyMonths int
}

// AWS is the default profile: AWS's own limits.
var AWS = Profile{Name: "aws", HistoryMonths: 13, HourlyDays: 14, BackfillLookbackMonths: 12,
	BackfillEvery: 24 * time.Hour, ForecastDailyMonths: 3, ForecastMonthlyMonths: 18}

// Unlimited lifts every business limit.
var Unlimited = Profile{Name: "unlimited", EndBeyondNextMonth: true}

// Named returns the profile called name.
func Named(name string) (Profile, error) {
	switch name {
	case "aws", "":
		return AWS, nil
	case "unlimited":
		return Unlimited, nil
	}
	return Profile{}, fmt.Errorf("unknown profile %q: want aws or unlimited", name)
}

// Limited phrases a profile-limit violation so the user knows which flag
// lifts it.
func (p Profile) Limited(format string, args ...any) string {
	return fmt.Sprintf(format, args...) + fmt.Sprintf(" (a limit of the %s profile; start tally with --profile unlimited to lift it)", p.Name)
}
