package forecast

import "math"

// holt is a damped local linear trend (Holt's method with Gardner–McKenzie
// damping) fitted to the cleaned, deseasonalized history. Its state is the
// level and slope after the last day.
type holt struct {
	alpha, beta, phi float64
	level, slope     float64
}

// holtWarmup is how many days the level is initialised from (their median)
// and how many must pass before an origin counts in the parameter search.
const holtWarmup = 7

// holtSearchDays is how many recent origins score each parameter choice:
// half a year says how the series behaves now.
const holtSearchDays = 182

// Search grids for selectHolt. β = 0 gives a pure local level; φ < 1 makes
// any slope fade, which keeps long horizons from running away.
var (
	holtAlphas = [...]float64{0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.65, 0.8, 1}
	holtBetas  = [...]float64{0, 0.01, 0.03, 0.1, 0.2}
	holtPhis   = [...]float64{0.8, 0.9, 0.95, 0.98, 1}
)

// dampSum returns φ + φ² + … + φ^h.
func dampSum(phi float64, h int) float64 {
	if phi == 1 {
		return float64(h)
	}
	return phi * (1 - math.Pow(phi, float64(h))) / (1 - phi)
}

// run filters z with the parameters of h from the warm-up level and calls
// visit (when not nil) before consuming day t with the state fitted on days
// before t. After a day marked in shift the level restarts at the median of
// the last shiftRun days and the slope at zero. It returns the final state.
func (h holt) run(z []float64, shift []bool, visit func(t int, level, slope float64)) holt {
	l := median(z[:min(len(z), holtWarmup)])
	b := 0.0
	for t, v := range z {
		if visit != nil {
			visit(t, l, b)
		}
		prev := l
		l = h.alpha*v + (1-h.alpha)*(l+h.phi*b)
		b = h.beta*(l-prev) + (1-h.beta)*h.phi*b
		if shift[t] {
			l, b = median(z[max(0, t-shiftRun+1):t+1]), 0
		}
	}
	h.level, h.slope = l, b
	return h
}

// at returns the deseasonalized forecast s steps after the state.
func (h holt) at(level, slope float64, s int) float64 {
	return level + slope*dampSum(h.phi, s)
}

// selectHolt picks the parameters minimising the mean absolute error of
// every forecast from 1 to a few weeks ahead, from every origin of the last
// half year after the warm-up, measured in units of norm (so a period of high spend does not
// outweigh a later one of low spend). Multi-step errors rather than
// one-step ones are what the forecasts are used for; on ties the earlier,
// simpler grid point wins.
func selectHolt(z []float64, shift []bool, norm []float64) holt {
	n := len(z)
	hmax := min(28, max(7, n/3))
	from := max(holtWarmup, n-holtSearchDays)
	best := holt{alpha: 0.3, phi: 0.9}
	bestCost := math.Inf(1)
	for _, beta := range holtBetas {
		phis := holtPhis[:]
		if beta == 0 {
			phis = phis[:1]
		}
		for _, phi := range phis {
			for _, alpha := range holtAlphas {
				h := holt{alpha: alpha, beta: beta, phi: phi}
				var cost float64
				var cnt int
				h.run(z, shift, func(t int, l, b float64) {
					if t < from {
						return
					}
					pw, ds := 1.0, 0.0
					for s := 1; s <= hmax && t+s-1 < n; s++ {
						pw *= phi
						ds += pw
						cost += math.Abs(z[t+s-1]-(l+b*ds)) / norm[t+s-1]
						cnt++
					}
				})
				if cnt > 0 {
					cost /= float64(cnt)
				}
				if cost < bestCost-1e-12 {
					best, bestCost = h, cost
				}
			}
		}
	}
	return best.run(z, shift, nil)
}
