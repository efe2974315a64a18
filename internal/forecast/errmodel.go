package forecast

import "math"

const (
	// errHorizon is the longest horizon, in days, whose out-of-sample errors
	// are measured on the history; the error model extrapolates beyond it.
	errHorizon = 91
	// errOrigins bounds how many rolling origins are measured.
	errOrigins = 200
	// errClipK winsorizes errors at this many robust standard deviations
	// before their covariances are fitted; the tails come back through the
	// resampled noise.
	errClipK = 3
	// minRelSigma floors the daily noise so that a perfectly regular history
	// does not give zero-width intervals.
	minRelSigma = 1e-3
)

// errorModel describes the forecast error of the day s steps after the
// origin, in units of the level at the origin (times the weekday factor for
// the multiplicative model), as
//
//	e_s = A + B·s + W_s + σ·u_s
//
// where A ~ N(0, c0) is the error of the estimated level, B ~ N(0, c2) that
// of the slope, W a random walk with step variance c1 (the level drifting
// after the origin) and σ·u + x independent daily noise resampled from the
// history's own irregular component: u its winsorized core, standardized,
// and x the excess of spikes beyond the bound, at their own size. All four
// variances are fitted by non-negative least squares to the second moments
// E[e_s·e_t] of rolling-origin errors measured on the history, whose
// covariance is c0 + c1·min(s,t) + c2·s·t + σ²·[s=t], with σ² held to the
// irregular component's variance (capNoise). The shared terms correlate the
// days of one path, which is what makes the interval of a monthly sum wider
// than that of independent days; the simulation draws them Student-t with
// sharedDoF degrees of freedom, since their variance is estimated from few
// independent windows.
type errorModel struct {
	sigma2, c0, c1, c2 float64
	// pool holds the standardized core of the history's irregular
	// deviations and excess what lay beyond the winsorizing bound, index by
	// index; an empty pool means Gaussian noise.
	pool, excess []float64
	// spikeMass is the expected excess per day that spikes add, leaving the
	// largest one out so that a single one-off spike does not raise every
	// future day.
	spikeMass float64
	// origins is how many rolling origins the errors were measured from;
	// it says how much evidence the shared terms rest on (see sharedDoF).
	origins int
}

// fitErrors measures the model's own out-of-sample errors from rolling
// origins over the history and fits the error model to them. regular is
// the history with month-start charges replaced by their expectation, zc
// and shift the cleaned deseasonalized series and level shifts the trend
// was fitted to, and noise the
// recent irregular deviations. It returns the error unit at the end of the
// history and the fitted model.
func (m *Model) fitErrors(regular, zc []float64, shift []bool, noise []float64) (float64, errorModel) {
	n := len(zc)
	hmax := min(errHorizon, max(1, (n-holtWarmup)/2))
	omin := max(holtWarmup, n-errOrigins)
	var paths [][]float64
	m.trend.run(zc, shift, func(t int, l, b float64) {
		if t < omin {
			return
		}
		unit := 1.0
		if m.mult {
			if l <= 0 {
				return
			}
			unit = l
		}
		var p []float64
		for s := 1; s <= hmax && t+s-1 < n; s++ {
			i := t + s - 1
			u := unit
			if m.mult {
				u *= m.season[m.weekday(i)]
			}
			p = append(p, (regular[i]-m.seasonalize(m.trend.at(l, b, s), i))/u)
		}
		paths = append(paths, p)
	})
	pool, excess, irregular := splitPool(noise)
	em := fitCovariance(paths, hmax, irregular)
	em.origins = len(paths)
	floor := minRelSigma
	if !m.mult {
		floor *= meanAbs(regular)
	}
	em.sigma2 = math.Max(em.sigma2, floor*floor)
	em.pool, em.excess = pool, excess
	em.spikeMass = leaveLargestOutMean(em.excess)
	return m.endScale(zc), em
}

// endScale is the error unit at the forecast origin: the final level for
// the multiplicative model, kept off zero by a tenth of the recent mean so a
// collapsed level still gets intervals.
func (m *Model) endScale(zc []float64) float64 {
	if !m.mult {
		return 1
	}
	recent := zc[max(0, len(zc)-28):]
	return math.Max(m.trend.level, 0.1*mean(recent))
}

// fitCovariance winsorizes the error paths per horizon and fits the four
// variances of errorModel to their mean cross products, with the
// independent daily noise held to at most irregular (see capNoise).
func fitCovariance(paths [][]float64, hmax int, irregular float64) errorModel {
	for s := 0; s < hmax; s++ {
		var col []float64
		for _, p := range paths {
			if s < len(p) {
				col = append(col, p[s])
			}
		}
		med, sd := median(col), robustSD(col)
		if sd == 0 {
			continue
		}
		for _, p := range paths {
			if s < len(p) {
				p[s] = math.Max(med-errClipK*sd, math.Min(med+errClipK*sd, p[s]))
			}
		}
	}
	var x [][]float64
	var y, w []float64
	for s := 0; s < hmax; s++ {
		for t := s; t < hmax; t++ {
			var sum float64
			var cnt int
			for _, p := range paths {
				if t < len(p) {
					sum += p[s] * p[t]
					cnt++
				}
			}
			if cnt == 0 {
				continue
			}
			diag := 0.0
			if s == t {
				diag = 1
			}
			hs, ht := float64(s+1), float64(t+1)
			x = append(x, []float64{diag, 1, hs, hs * ht})
			y = append(y, sum/float64(cnt))
			w = append(w, float64(cnt))
		}
	}
	if len(y) == 0 {
		return errorModel{}
	}
	b := nnls(x, y, w)
	em := errorModel{sigma2: b[0], c0: b[1], c1: b[2], c2: b[3]}
	em.capNoise(irregular)
	em.matchSums(paths, hmax)
	return em
}

// splitPool turns the irregular deviations into a resampling pool. Each
// deviation is centred on the median and split at errClipK robust standard
// deviations into a core part, scaled so that its mean square is one (σ²
// then means the same in the pool as in the winsorized moments it was
// fitted to), and the excess beyond the bound, kept in its own units so
// that spikes come back at the size they had. ms is the core's mean square
// before scaling: the variance of the day-to-day irregular variation. It
// returns nil slices and zero for a history without irregular variation.
func splitPool(noise []float64) (core, excess []float64, ms float64) {
	sd := robustSD(noise)
	if sd == 0 {
		return nil, nil, 0
	}
	med := median(noise)
	core = make([]float64, len(noise))
	excess = make([]float64, len(noise))
	var ss float64
	for i, d := range noise {
		c := math.Max(-errClipK*sd, math.Min(errClipK*sd, d-med))
		core[i], excess[i] = c, d-med-c
		ss += c * c
	}
	ms = ss / float64(len(core))
	rms := math.Sqrt(ms)
	for i := range core {
		core[i] /= rms
	}
	return core, excess, ms
}

// capNoise holds the independent daily noise σ² to at most irregular, the
// variance of the day-to-day irregular variation measured directly on the
// history, and moves what the fit put above it into the level error c0.
// Fitted to single cross products, the four variances can tell a shared
// error from independent noise only by how the errors of different days
// co-vary; on a history whose level moves in steps (growth billed in
// increments, workloads starting) the fit puts part of the error that
// persists from day to day into σ², more than the irregular variation
// holds, and sums of days then average away error that does not average
// away. Moving it into the level keeps every day's variance, and so every
// daily interval, as fitted, while the days of a path share it.
func (e *errorModel) capNoise(irregular float64) {
	if e.sigma2 <= irregular {
		return
	}
	e.c0 += e.sigma2 - irregular
	e.sigma2 = irregular
}

// leaveLargestOutMean is the mean of xs with the value of largest magnitude
// counted as zero.
func leaveLargestOutMean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var sum, big float64
	for _, x := range xs {
		sum += x
		if math.Abs(x) > math.Abs(big) {
			big = x
		}
	}
	return (sum - big) / float64(len(xs))
}

// matchSums rescales the shared terms so that the model reproduces the mean
// square of the summed error over the whole measured horizon, which is what
// the interval of a monthly total depends on and what a least-squares fit to
// single cross products need not get right.
func (e *errorModel) matchSums(paths [][]float64, hmax int) {
	var emp float64
	var cnt int
	for _, p := range paths {
		if len(p) < hmax {
			continue
		}
		var sum float64
		for _, v := range p {
			sum += v
		}
		emp += sum * sum
		cnt++
	}
	if cnt == 0 {
		return
	}
	emp /= float64(cnt)
	var shared float64
	for s := 1; s <= hmax; s++ {
		for t := 1; t <= hmax; t++ {
			shared += e.c0 + e.c1*float64(min(s, t)) + e.c2*float64(s*t)
		}
	}
	if shared <= 0 {
		return
	}
	k := math.Max(0, emp-float64(hmax)*e.sigma2) / shared
	e.c0, e.c1, e.c2 = k*e.c0, k*e.c1, k*e.c2
}

// minSharedDoF floors the degrees of freedom of the shared error: below two
// a Student-t has no variance, and a history too short to measure s-day
// errors even twice says little more than that they are uncertain.
const minSharedDoF = 2

// sharedDoF is the number of independent s-day stretches of history the
// shared error terms at step s were effectively measured on: errors from
// origins fewer than s days apart overlap and repeat the same events (a
// level shift, a step in growth), so the origins count once per s days.
// The variance of an s-day sum estimated from that many windows is itself
// uncertain, which the simulation carries over by drawing the shared error
// from a Student-t with these degrees of freedom instead of a normal.
func (e errorModel) sharedDoF(s int) float64 {
	return math.Max(minSharedDoF, float64(e.origins-s+1)/float64(s))
}

// tScale returns sqrt(ν/q), where q is the chi-square quantile with ν
// degrees of freedom at the standard normal deviate z (Wilson–Hilferty
// approximation). Multiplying a normal draw by it, with z drawn once per
// path, makes the draw Student-t with ν degrees of freedom; drawing z once
// per path keeps a path that is wide at one step wide at the next.
func tScale(nu, z float64) float64 {
	c := 2 / (9 * nu)
	// The approximation leaves [0, ∞) in the far lower tail of q; the floor
	// caps the factor near 11 for the fewest degrees of freedom.
	x := math.Max(0.2, 1-c+z*math.Sqrt(c))
	return math.Pow(x, -1.5)
}
