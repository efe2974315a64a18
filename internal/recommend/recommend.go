package recommend

import (
	"math"
	"sort"
)

// HoursPerMonth is the hours of AWS's average month, used to turn a
// look-back's figures into monthly ones.
const HoursPerMonth = 730

// RIRates are the prices of one instance per instance-hour, from the bill.
type RIRates struct {
	OnDemand  float64 // on-demand rate p
	Effective float64 // amortized Reserved Instance rate e
	Recurring float64 // recurring part r of e
}

// RI is the recommendation for one instance over a look-back of Hours hours.
type RI struct {
	Count                         int     // instances to buy; 0 means buy none
	Hours                         int     // hours of the look-back
	Average, Maximum, Minimum     float64 // instances used per hour
	Covered                       float64 // Σ min(u_h, n): instance-hours the reservation would serve
	OnDemandCost                  float64 // p · Σ u_h over the look-back
	ReservationCost               float64 // e · n · H + uncovered on-demand cost
	Savings                       float64 // S(n) over the look-back
	UpfrontPerHour, RecurringHour float64 // per instance-hour
}

// Utilization is the share of the purchased hours used, in percent.
func (r RI) Utilization() float64 {
	if r.Count == 0 || r.Hours == 0 {
		return 0
	}
	return 100 * r.Covered / float64(r.Count*r.Hours)
}

// Monthly scales an amount over the look-back to one 730-hour month.
func Monthly(amount float64, hours int) float64 {
	if hours == 0 {
		return 0
	}
	return amount * HoursPerMonth / float64(hours)
}

// RISavings is S(n) = p · Σ min(u_h, n) − e · n · H over usage.
func RISavings(usage []float64, n int, p RIRates) float64 {
	return p.OnDemand*covered(usage, float64(n)) - p.Effective*float64(n)*float64(len(usage))
}

func covered(xs []float64, k float64) float64 {
	var s float64
	for _, x := range xs {
		s += math.Min(x, k)
	}
	return s
}

// RecentHours is the window the commitment is chosen on: the last week of a
// longer look-back (see the package doc, "Recency").
const RecentHours = 7 * 24

// recent returns the last RecentHours of xs, or nil when xs is not longer.
func recent(xs []float64) []float64 {
	if len(xs) <= RecentHours {
		return nil
	}
	return xs[len(xs)-RecentHours:]
}

// SteadyHours is how long a new level of usage must have held, without a
// break, at the end of the look-back to count as steady (see the package
// doc, "New steady usage").
const SteadyHours = 12

// newLevel is the highest level m that usage reached for the first time in
// its last RecentHours (or all of it, when shorter) and has held every hour
// since, for at least SteadyHours: instances launched near the end of the
// look-back that are still running. 0 when there is none.
func newLevel(usage []float64) int {
	w := usage
	if last := recent(usage); last != nil {
		w = last
	}
	best := 0
	for m := 1; ; m++ {
		// t0: the first hour of the run of hours ≥ m that ends the window.
		t0 := len(w)
		for t0 > 0 && w[t0-1] >= float64(m)-1e-9 {
			t0--
		}
		if len(w)-t0 < SteadyHours {
			return best
		}
		if t0 == 0 {
			continue // held all along: not new
		}
		before := 0.0
		for _, u := range w[:t0] {
			before = math.Max(before, u)
		}
		if before < float64(m)-1e-9 {
			best = m
		}
	}
}

// bestCount is the n ≥ 0 with the largest S(n) over usage, the smaller on a
// tie, and its savings.
func bestCount(usage []float64, p RIRates) (int, float64) {
	n, best := 0, 0.0
	if p.Effective >= p.OnDemand {
		return 0, 0
	}
	max := 0.0
	for _, u := range usage {
		max = math.Max(max, u)
	}
	for c := 1; c <= int(math.Ceil(max)); c++ {
		if s := RISavings(usage, c, p); s > best+1e-9 {
			best, n = s, c
		}
	}
	return n, best
}

// BestRISavings is the savings of the best count for usage with hindsight:
// the yardstick of the backtest.
func BestRISavings(usage []float64, p RIRates) float64 {
	_, s := bestCount(usage, p)
	return s
}

// Returning is usage an existing commitment covers that comes back on
// demand when the commitment expires: Usage holds what it covered in each
// of the look-back's last RecentHours, From the hour after the look-back's
// end at which it expires (0: at the end).
type Returning struct {
	From  int
	Usage []float64
}

// Ahead is what the look-back says about the usage to come beyond its own
// hours: the usage that returns on demand when existing commitments expire,
// and the Savings Plans commitment that staying plans left unused, which
// absorbs returning usage before it is billed on demand.
type Ahead struct {
	Returning []Returning
	// Slack is, per hour of the look-back's last RecentHours, the on-demand
	// spend the unused commitment of Savings Plans that do not expire could
	// still have covered (unused commitment / (1 − discount)); nil: none.
	Slack []float64
}

// ProjectionHours is how far ahead usage is projected when commitments
// expire: four whole weeks (see the package doc, "Expiring commitments").
const ProjectionHours = 4 * RecentHours

// project repeats the last week of usage ProjectionHours ahead, adding back
// from each expiry on what the expiring commitment covered at that hour of
// the week, less what the Savings Plans' slack absorbs at the on-demand rate
// onDemand; nil without a last week or anything returning.
func project(usage []float64, a Ahead, onDemand float64) []float64 {
	last := recent(usage)
	if last == nil || len(a.Returning) == 0 || onDemand <= 0 {
		return nil
	}
	out := make([]float64, ProjectionHours)
	for j := range out {
		h := j % RecentHours
		back := 0.0
		for _, r := range a.Returning {
			if j >= r.From && len(r.Usage) == RecentHours {
				back += r.Usage[h]
			}
		}
		if len(a.Slack) == RecentHours {
			back = math.Max(0, back-a.Slack[h]/onDemand)
		}
		out[j] = last[h] + back
	}
	return out
}

// ReservedInstances chooses how many instances to reserve for hourly usage
// (one value per hour of the look-back, zero for hours without usage) at the
// given rates: the count with the largest savings over the look-back's last
// RecentHours (projected ahead with the usage that returns on demand when
// commitments expire, when there is any), raised to a new steady level of
// usage; none when no count saves. The figures reported with it are over
// the whole look-back.
func ReservedInstances(usage []float64, p RIRates, ahead Ahead) RI {
	r := RI{Hours: len(usage), UpfrontPerHour: p.Effective - p.Recurring, RecurringHour: p.Recurring}
	if len(usage) == 0 {
		return r
	}
	r.Minimum = math.Inf(1)
	var sum float64
	for _, u := range usage {
		sum += u
		r.Maximum = math.Max(r.Maximum, u)
		r.Minimum = math.Min(r.Minimum, u)
	}
	r.Average = sum / float64(len(usage))
	r.OnDemandCost = p.OnDemand * sum
	r.Count, _ = bestCount(usage, p)
	if last := recent(usage); last != nil {
		r.Count, _ = bestCount(last, p)
	}
	if proj := project(usage, ahead, p.OnDemand); proj != nil {
		r.Count, _ = bestCount(proj, p)
	}
	if p.Effective < p.OnDemand {
		r.Count = max(r.Count, newLevel(usage))
	}
	r.Savings = RISavings(usage, r.Count, p)
	r.Covered = covered(usage, float64(r.Count))
	r.ReservationCost = p.Effective*float64(r.Count*r.Hours) + p.OnDemand*(sum-r.Covered)
	return r
}

// SP is a Savings Plans recommendation over a look-back of Hours hours.
type SP struct {
	Commitment                float64 // c, per hour
	Discount                  float64 // d
	Hours                     int
	Average, Maximum, Minimum float64 // on-demand spend per hour
	OnDemandSpend             float64 // Σ s_h
	Covered                   float64 // Σ min(s_h, k): on-demand spend the plan would serve
	Savings                   float64 // S(c)
}

// Cost is the plan's cost over the look-back, c · H.
func (s SP) Cost() float64 { return s.Commitment * float64(s.Hours) }

// OnDemandLeft is the spend left on demand, Σ max(s_h − k, 0).
func (s SP) OnDemandLeft() float64 { return s.OnDemandSpend - s.Covered }

// Utilization is the share of the commitment used, in percent.
func (s SP) Utilization() float64 {
	if s.Cost() == 0 {
		return 0
	}
	return 100 * s.Covered * (1 - s.Discount) / s.Cost()
}

// ROI is the savings over the plan's cost, in percent.
func (s SP) ROI() float64 {
	if s.Cost() == 0 {
		return 0
	}
	return 100 * s.Savings / s.Cost()
}

// SPSavings is S(c) = Σ min(s_h, c/(1−d)) − c · H over spend.
func SPSavings(spend []float64, c, d float64) float64 {
	if d >= 1 {
		return 0
	}
	return covered(spend, c/(1-d)) - c*float64(len(spend))
}

// bestLevel is the hourly on-demand spend k to cover that saves most over
// spend at discount d (0 when none saves), and its savings.
func bestLevel(spend []float64, d float64) (float64, float64) {
	sorted := append([]float64(nil), spend...)
	sort.Float64s(sorted)
	// With k = s_(i) (ascending), Σ min(s_h, k) = prefix(i) + (H − i) · k.
	h := float64(len(sorted))
	best, bestK, prefix := 0.0, 0.0, 0.0
	for i, k := range sorted {
		if v := prefix + (h-float64(i))*k - h*(1-d)*k; v > best+1e-9 {
			best, bestK = v, k
		}
		prefix += k
	}
	return bestK, best
}

// SavingsPlan chooses the hourly commitment for hourly on-demand spend (one
// value per hour, zero for hours without any) and a discount d (0 < d < 1):
// the one with the largest savings, rounded down to a thousandth, or zero
// when no commitment saves; like ReservedInstances, the level is chosen on
// the look-back's last RecentHours and the figures are over all of it.
func SavingsPlan(spend []float64, d float64) SP {
	s := SP{Discount: d, Hours: len(spend)}
	if len(spend) == 0 {
		return s
	}
	s.Minimum, s.Maximum = math.Inf(1), math.Inf(-1)
	for _, x := range spend {
		s.OnDemandSpend += x
		s.Minimum, s.Maximum = math.Min(s.Minimum, x), math.Max(s.Maximum, x)
	}
	s.Average = s.OnDemandSpend / float64(len(spend))
	if d <= 0 || d >= 1 {
		return s
	}
	k, _ := bestLevel(spend, d)
	if last := recent(spend); last != nil {
		k, _ = bestLevel(last, d)
	}
	s.Commitment = math.Floor(k*(1-d)*1000) / 1000
	if s.Commitment <= 0 {
		s.Commitment = 0
		return s
	}
	s.Covered = covered(spend, s.Commitment/(1-d))
	s.Savings = s.Covered - s.Cost()
	return s
}

// BestSPSavings is the savings of the best commitment for spend with
// hindsight, unrounded: the yardstick of the backtest.
func BestSPSavings(spend []float64, d float64) float64 {
	if d <= 0 || d >= 1 {
		return 0
	}
	_, s := bestLevel(spend, d)
	return s
}

// BestCommitment is the hourly commitment, rounded down to a thousandth,
// that saves most over all of spend at discount d: what a simulation over a
// fixed period (MAX_SAVINGS) buys, without the recency rule.
func BestCommitment(spend []float64, d float64) float64 {
	if d <= 0 || d >= 1 || len(spend) == 0 {
		return 0
	}
	k, _ := bestLevel(spend, d)
	return math.Floor(k*(1-d)*1000) / 1000
}
