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
	drift     float64    // sd of the daily random-walk step of log level
	weekly    [7]float64 // multiplicative factors by time.Weekday
	noise     float64    // sd of the multiplicative daily noise
	spikeProb float64    // chance of a one-off spike per day
	fee       float64    // charge on the first of every month, in days of spend at day 0
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
		fee:       3,
	}
}

// series generates the organisation's daily history.
func (o synthOrg) series() Series {
	rng := rand.New(rand.NewPCG(o.seed, 99))
	s := Series{Start: o.start, Values: make([]float64, o.days)}
	logLevel := math.Log(o.level)
	for i := range s.Values {
		day := o.start.AddDate(0, 0, i)
		logLevel += o.growth + o.drift*rng.NormFloat64()
		v := math.Exp(logLevel) * o.weekly[day.Weekday()] * math.Exp(o.noise*rng.NormFloat64())
		if rng.Float64() < o.spikeProb {
			v += math.Exp(logLevel) * (1 + 3*rng.Float64())
		}
		if day.Day() == 1 {
			v += o.fee * o.level * (1 + 0.05*rng.NormFloat64())
		}
		s.Values[i] = v
	}
	return s
}
