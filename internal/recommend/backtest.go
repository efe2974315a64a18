package recommend

import (
	"fmt"
	"strings"
	"time"
)

// Case is one held-out month of a backtest: what a recommendation made at
// the month's start could see (the look-back before it) and what the month
// then used.
type Case struct {
	Month time.Time
	// Instances are the Reserved Instance candidates that have rates.
	Instances []InstanceCase
	// HistorySpend and ActualSpend are the hourly on-demand-priced spend of
	// the instances a Savings Plan could cover, before and in the month.
	HistorySpend, ActualSpend []float64
	// Discount is the Savings Plans discount observed before the month; 0
	// when the bill showed none.
	Discount float64
}

// InstanceCase is one instance's hourly usage before and in the month.
type InstanceCase struct {
	Name            string
	Rates           RIRates
	History, Actual []float64
	// Ahead is the usage that existing commitments covered in the
	// look-back's last week and that comes back on demand when they expire
	// in the month, and the Savings Plans' slack.
	Ahead Ahead
}

// Outcome is how the recommendations made from the look-back fared in the
// held-out month, next to the best fixed commitment chosen with hindsight of
// that month.
type Outcome struct {
	Month                   time.Time
	Instances               int     // Reserved Instances recommended, all instances
	RIRealised, RIHindsight float64 // savings in the month
	SPCommitment            float64 // per hour
	SPRealised, SPHindsight float64
	SPRated                 bool // a Savings Plans discount was known
	RICandidates            int  // instances with a reservation rate
}

// Evaluate recommends from the case's history and applies the
// recommendation to its actual month.
func Evaluate(c Case) Outcome {
	o := Outcome{Month: c.Month, RICandidates: len(c.Instances)}
	for _, in := range c.Instances {
		r := ReservedInstances(in.History, in.Rates, in.Ahead)
		o.Instances += r.Count
		o.RIRealised += RISavings(in.Actual, r.Count, in.Rates)
		o.RIHindsight += BestRISavings(in.Actual, in.Rates)
	}
	if c.Discount > 0 && c.Discount < 1 {
		o.SPRated = true
		r := SavingsPlan(c.HistorySpend, c.Discount)
		o.SPCommitment = r.Commitment
		o.SPRealised = SPSavings(c.ActualSpend, r.Commitment, c.Discount)
		o.SPHindsight = BestSPSavings(c.ActualSpend, c.Discount)
	}
	return o
}

// ratio is realised over hindsight savings as a percentage; "n/a" when
// hindsight saves nothing (no commitment was worth buying).
func ratio(realised, hindsight float64) string {
	if hindsight <= 1e-9 {
		if realised < -1e-9 {
			return "loss"
		}
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", 100*realised/hindsight)
}

// Markdown renders outcomes as a table with a total row.
func Markdown(title string, outs []Outcome) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", title)
	b.WriteString("| held-out month | RIs bought | RI realised | RI hindsight | RI ratio | SP $/h | SP realised | SP hindsight | SP ratio |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	var tot Outcome
	losses := 0
	for _, o := range outs {
		sp := []string{"no rate", "", "", ""}
		if o.SPRated {
			sp = []string{fmt.Sprintf("%.3f", o.SPCommitment), fmt.Sprintf("%.2f", o.SPRealised), fmt.Sprintf("%.2f", o.SPHindsight), ratio(o.SPRealised, o.SPHindsight)}
		}
		fmt.Fprintf(&b, "| %s | %d | %.2f | %.2f | %s | %s |\n", o.Month.Format("2006-01"), o.Instances, o.RIRealised, o.RIHindsight,
			ratio(o.RIRealised, o.RIHindsight), strings.Join(sp, " | "))
		tot.Instances += o.Instances
		tot.RIRealised += o.RIRealised
		tot.RIHindsight += o.RIHindsight
		tot.SPRealised += o.SPRealised
		tot.SPHindsight += o.SPHindsight
		if o.RIRealised < -1e-9 || o.SPRealised < -1e-9 {
			losses++
		}
	}
	fmt.Fprintf(&b, "| **all** | %d | %.2f | %.2f | %s | | %.2f | %.2f | %s |\n\n", tot.Instances, tot.RIRealised, tot.RIHindsight,
		ratio(tot.RIRealised, tot.RIHindsight), tot.SPRealised, tot.SPHindsight, ratio(tot.SPRealised, tot.SPHindsight))
	fmt.Fprintf(&b, "Months where a recommendation lost money: %d of %d.\n", losses, len(outs))
	return b.String()
}
