package forecast

import (
	"math"
	"math/rand/v2"
	"time"
)

// synthOrg describes a synthetic organisation's daily spend.
type synthOrg struct {
	seed      uint64
	start     time.Time
	days      int
	level     float64    // spend per day at day 0
	growth    float64    // relative growth per day
	stepUp    float64    // growth as a step on the first of every month, a share of the day-0 level
	drift     float64    // sd of the daily random-walk step of log level
	weekly    [7]float64 // multiplicative factors by time.Weekday
	noise     float64    // sd of the multiplicative daily noise
	spikeProb float64    // chance of a one-off spike per day
	spikeMin  float64    // spike size relative to the level, drawn
	spikeMax  float64    // uniformly between spikeMin and spikeMax
	fee       float64    // charge on the first of every month, in days of spend
	feeTracks bool       // the fee is in days of the current level, not of the day-0 level
	feeNoise  float64    // relative sd of the fee
}

// defaultOrg is the synthetic organisation of the backtest: two years of a
// growing business that spends less at weekends, with noise, rare spikes and
// a monthly charge (support, RI fees, tax) on the first.
func defaultOrg(seed uint64) synthOrg {
	return synthOrg{
		seed:      seed,
		start:     time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
		days:      730,
		level:     1000,
		growth:    0.0012,
		drift:     0.004,
		weekly:    [7]float64{0.72, 1.08, 1.1, 1.1, 1.1, 1.06, 0.76},
		noise:     0.06,
		spikeProb: 1.0 / 90,
		spikeMin:  1,
		spikeMax:  4,
		fee:       3,
		feeNoise:  0.05,
	}
}

// quietOrg has the character of the organisation internal/synth generates
// and `tally backtest` measures: 400 days of usage that is nearly
// noiseless (0.5% a day) and flat within a month but steps up by 2.5% of
// the starting level on every first, weekends at three quarters of a
// weekday, a spike of about +60% every four months, and on each first a
// charge worth about five days of the current spend (tax, support, RI fees).
// On such a history most of the error of a month's total is shared by its
// days, so this is where sum intervals are tested hardest.
func quietOrg(seed uint64) synthOrg {
	return synthOrg{
		seed:      seed,
		start:     time.Date(2025, 5, 12, 0, 0, 0, 0, time.UTC),
		days:      400,
		level:     620,
		stepUp:    0.025,
		drift:     0.0005,
		weekly:    [7]float64{0.82, 1.07, 1.07, 1.07, 1.07, 1.07, 0.82},
		noise:     0.005,
		spikeProb: 1.0 / 120,
		spikeMin:  0.4,
		spikeMax:  0.8,
		fee:       4.9,
		feeTracks: true,
		feeNoise:  0.03,
	}
}

// series generates the organisation's daily history.
func (o synthOrg) series() Series {
	rng := rand.New(rand.NewPCG(o.seed, 99))
	s := Series{Start: o.start, Values: make([]float64, o.days)}
	logLevel := math.Log(o.level)
	steps := 0.0
	for i := range s.Values {
		day := o.start.AddDate(0, 0, i)
		logLevel += o.growth + o.drift*rng.NormFloat64()
		if day.Day() == 1 && i > 0 {
			steps += o.stepUp
		}
		level := math.Exp(logLevel) * (1 + steps)
		v := level * o.weekly[day.Weekday()] * math.Exp(o.noise*rng.NormFloat64())
		if rng.Float64() < o.spikeProb {
			v += level * (o.spikeMin + (o.spikeMax-o.spikeMin)*rng.Float64())
		}
		if day.Day() == 1 {
			base := o.level
			if o.feeTracks {
				base = level
			}
			v += o.fee * base * (1 + o.feeNoise*rng.NormFloat64())
		}
		s.Values[i] = v
	}
	return s
}
