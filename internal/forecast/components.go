package forecast

import (
	"math"
)

const (
	// seasonWindow is how many recent days weekly factors are estimated
	// from: sixteen weeks follow a changing pattern yet give each weekday
	// enough samples for a median.
	seasonWindow = 112
	// minSeasonDays is the least history that gets weekly factors.
	minSeasonDays = 21
	// clipK is how many robust standard deviations from the local median a
	// day may stray before it is clipped for trend fitting.
	clipK = 3
	// feeK is how many robust standard deviations a month-start excess must
	// reach to be kept as a component.
	feeK = 2.5
	// noiseWindow is how many recent days feed the noise estimates.
	noiseWindow = 364
	// shiftRun is how many consecutive days beyond the clipping bound, on
	// the same side, make a level shift rather than outliers.
	shiftRun = 3
	// minRelNoise floors the relative noise used to clip outliers, so that a
	// nearly constant history does not clip every ordinary change.
	minRelNoise = 0.005
)

// seasonalFactors estimates one factor per weekday as the median ratio (or
// difference) of a day to the running median around it, over the last
// seasonWindow days, skipping month starts. Two passes let the running
// median itself be computed on deseasonalized values. The factors are then
// shrunk towards no seasonality by how much of their spread the sampling
// error of the medians explains, so a history without a weekly pattern gets
// (nearly) flat factors instead of noise.
func (m *Model) seasonalFactors(y []float64, skip []bool) [7]float64 {
	var f [7]float64
	base := 0.0
	if m.mult {
		base = 1
	}
	for d := range f {
		f[d] = base
	}
	if len(y) < minSeasonDays {
		return f
	}
	keep := make([]bool, len(y))
	for i := range keep {
		keep[i] = !skip[i]
	}
	lo := max(0, len(y)-seasonWindow)
	var groups [7][]float64
	for pass := 0; pass < 2; pass++ {
		z := make([]float64, len(y))
		for i, v := range y {
			if m.mult {
				z[i] = v / f[m.weekday(i)]
			} else {
				z[i] = v - f[m.weekday(i)]
			}
		}
		lvl := runningMedian(z, 3, keep)
		groups = [7][]float64{}
		for i := lo; i < len(y); i++ {
			if skip[i] {
				continue
			}
			if d, ok := m.dev(y[i], lvl[i]); ok {
				groups[m.weekday(i)] = append(groups[m.weekday(i)], d)
			}
		}
		var next [7]float64
		for d := range next {
			if len(groups[d]) < 2 {
				return f
			}
			next[d] = base + median(groups[d])
			if m.mult {
				next[d] = math.Max(next[d], 1e-3)
			}
		}
		f = normalizeSeason(next, m.mult)
	}
	return shrinkSeason(f, groups, base, m.mult)
}

// normalizeSeason makes multiplicative factors average one and additive
// ones average zero.
func normalizeSeason(f [7]float64, mult bool) [7]float64 {
	avg := mean(f[:])
	for d := range f {
		if mult {
			f[d] /= avg
		} else {
			f[d] -= avg
		}
	}
	return f
}

// shrinkSeason pulls the factors towards base by the share of their spread
// that the variance of a sample median (π/2·σ²/n) accounts for.
func shrinkSeason(f [7]float64, groups [7][]float64, base float64, mult bool) [7]float64 {
	var se2, dev2 float64
	for d := range f {
		s := robustSD(groups[d])
		se2 += math.Pi / 2 * s * s / float64(len(groups[d]))
		dev2 += (f[d] - base) * (f[d] - base)
	}
	w := 0.0
	if dev2 > 0 {
		w = math.Max(0, 1-se2/dev2)
	}
	for d := range f {
		f[d] = base + w*(f[d]-base)
	}
	return normalizeSeason(f, mult)
}

// removeMonthStarts measures the charge on each observed first of the month
// as its excess over the deseasonalized median of the six days around it,
// and keeps a fee component (see setFee) when the median of the last three
// excesses stands out from day-to-day noise. z is updated in place so the
// trend sees a month start as an ordinary day; the returned series is y
// with the same correction, for measuring the model's errors.
func (m *Model) removeMonthStarts(y, z []float64, first []bool) []float64 {
	regular := append([]float64(nil), y...)
	relNoise := m.noiseSD(z, first)
	var excess, expected []float64
	var idx []int
	var bases []float64
	for i := range y {
		if !first[i] {
			continue
		}
		var nb []float64
		for j := max(0, i-3); j <= min(len(y)-1, i+3); j++ {
			if j != i && !first[j] {
				nb = append(nb, z[j])
			}
		}
		if len(nb) == 0 {
			continue
		}
		b := median(nb)
		e := m.seasonalize(b, i)
		excess = append(excess, y[i]-e)
		expected = append(expected, e)
		idx = append(idx, i)
		bases = append(bases, b)
	}
	if len(excess) == 0 {
		return regular
	}
	recent := excess[max(0, len(excess)-3):]
	est := median(recent)
	dayNoise := relNoise
	if m.mult {
		dayNoise = relNoise * math.Abs(expected[len(expected)-1])
	}
	if math.Abs(est) <= feeK*dayNoise {
		return regular
	}
	m.setFee(excess, bases)
	for k, i := range idx {
		z[i] = bases[k]
		regular[i] = expected[k]
	}
	return regular
}

// setFee sets the month-start charge from the excesses observed on the
// firsts of the history and the deseasonalized levels around them. The
// additive charge is the median of the last three excesses. For the
// multiplicative model the charge may instead be a share of the level: the
// median of the last three ratios of excess to level, applied to the
// forecast level of each future first, which follows tax and support fees
// as spend grows. The proportional form is kept when it forecast the firsts
// of the history better, each from the (up to) three before it. The fee's
// spread is the root mean square of those out-of-sample errors of the form
// kept: it holds both how the charge varies and how it drifts, where the
// spread of the last three charges alone misses the drift.
func (m *Model) setFee(excess, bases []float64) {
	recent := excess[max(0, len(excess)-3):]
	addErr := feeErrors(excess, nil)
	if m.mult && positive(bases) {
		ratios := make([]float64, len(excess))
		for k, e := range excess {
			ratios[k] = e / bases[k]
		}
		if relErr := feeErrors(ratios, bases); len(relErr) >= 2 && len(addErr) >= 2 && rms(relErr) < rms(addErr) {
			m.feeRatio = median(ratios[max(0, len(ratios)-3):])
			m.feeRatioSD = rms(feeErrors(ratios, nil))
			return
		}
	}
	m.fee = median(recent)
	switch {
	case len(addErr) >= 2:
		m.feeSD = rms(addErr)
	case len(recent) >= 2:
		var ss float64
		mu := mean(recent)
		for _, e := range recent {
			ss += (e - mu) * (e - mu)
		}
		m.feeSD = math.Sqrt(ss / float64(len(recent)-1))
	default:
		// One month start says nothing about how the charge varies; assume
		// it moves like a tenth of itself until a second one is seen.
		m.feeSD = 0.1 * math.Abs(m.fee)
	}
}

// feeErrors returns, for every charge after the first, its difference from
// the median of the (up to) three charges before it: the errors the fee
// forecast would have made on the history. With scale, the charges are
// ratios to it and the errors are converted back into its units.
func feeErrors(charges, scale []float64) []float64 {
	var errs []float64
	for k := 1; k < len(charges); k++ {
		e := charges[k] - median(charges[max(0, k-3):k])
		if scale != nil {
			e *= scale[k]
		}
		errs = append(errs, e)
	}
	return errs
}

// rms returns the root mean square of xs; 0 for an empty slice.
func rms(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var ss float64
	for _, x := range xs {
		ss += x * x
	}
	return math.Sqrt(ss / float64(len(xs)))
}

// positive reports whether xs is not empty and every value is above zero.
func positive(xs []float64) bool {
	for _, x := range xs {
		if x <= 0 {
			return false
		}
	}
	return len(xs) > 0
}

// noiseSD is the robust spread of recent deseasonalized days around their
// running median, skipping month starts: relative for the multiplicative
// model, absolute otherwise.
func (m *Model) noiseSD(z []float64, skip []bool) float64 {
	devs := m.irregular(z, skip)
	return robustSD(devs)
}

// irregular returns the recent deviations of z from its running median.
func (m *Model) irregular(z []float64, skip []bool) []float64 {
	keep := make([]bool, len(z))
	for i := range keep {
		keep[i] = skip == nil || !skip[i]
	}
	lvl := runningMedian(z, 3, keep)
	var devs []float64
	for i := max(0, len(z)-noiseWindow); i < len(z); i++ {
		if !keep[i] {
			continue
		}
		if d, ok := m.dev(z[i], lvl[i]); ok {
			devs = append(devs, d)
		}
	}
	return devs
}

// clean runs through the deseasonalized days in order and clips each one
// to within clipK robust standard deviations of the median of the seven
// cleaned days before it, so that one-off spikes and dips barely move the
// trend. A run of shiftRun days beyond the bound on the same side is taken
// as a level shift instead (a workload switched off, a new one started):
// those days are kept as they are, the reference restarts from them, and
// shift marks the day the change became known, where the trend restarts.
// Being causal, the cleaning treats every past day the way it must treat
// the last ones, so errors measured on the history are honest. noise is the
// recent irregular deviations, unclipped, whose shape (spikes included) the
// interval simulation resamples.
func (m *Model) clean(z []float64) (zc []float64, shift []bool, noise []float64) {
	noise = m.irregular(z, nil)
	sd := robustSD(noise)
	if m.mult {
		sd = math.Max(sd, minRelNoise)
	} else {
		sd = math.Max(sd, minRelNoise*meanAbs(z))
	}
	zc = make([]float64, len(z))
	shift = make([]bool, len(z))
	ref := make([]float64, 0, 7)
	run, side := 0, 0.0
	for t, v := range z {
		zc[t] = v
		if len(ref) == 0 {
			ref = append(ref, v)
			continue
		}
		lvl := median(ref)
		d, ok := m.dev(v, lvl)
		if ok && math.Abs(d) > clipK*sd {
			if s := math.Copysign(1, d); s == side {
				run++
			} else {
				run, side = 1, s
			}
			zc[t] = m.undev(math.Copysign(clipK*sd, d), lvl)
		} else {
			run, side = 0, 0
		}
		if run >= shiftRun {
			copy(zc[t-shiftRun+1:t+1], z[t-shiftRun+1:t+1])
			ref = append(ref[:0], z[t-shiftRun+1:t+1]...)
			shift[t] = true
			run, side = 0, 0
			continue
		}
		if len(ref) == cap(ref) {
			ref = append(ref[:0], ref[1:]...)
		}
		ref = append(ref, zc[t])
	}
	return zc, shift, noise
}

// meanAbs returns the mean absolute value of xs.
func meanAbs(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += math.Abs(x)
	}
	if len(xs) == 0 {
		return 0
	}
	return s / float64(len(xs))
}
