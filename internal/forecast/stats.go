package forecast

import (
	"math"
	"slices"
)

// madScale turns a median absolute deviation into a standard-deviation
// estimate under normality.
const madScale = 1.4826

// median returns the median of xs without modifying it; 0 for an empty slice.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	m := len(s) / 2
	if len(s)%2 == 1 {
		return s[m]
	}
	return (s[m-1] + s[m]) / 2
}

// robustSD is madScale times the median absolute deviation from the median.
func robustSD(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	m := median(xs)
	d := make([]float64, len(xs))
	for i, x := range xs {
		d[i] = math.Abs(x - m)
	}
	return madScale * median(d)
}

// quantileSorted returns the q-quantile of an ascending slice by linear
// interpolation between order statistics (type 7); 0 for an empty slice.
func quantileSorted(s []float64, q float64) float64 {
	switch len(s) {
	case 0:
		return 0
	case 1:
		return s[0]
	}
	pos := q * float64(len(s)-1)
	i := int(math.Floor(pos))
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	if i < 0 {
		return s[0]
	}
	f := pos - float64(i)
	return s[i] + f*(s[i+1]-s[i])
}

// mean returns the arithmetic mean; 0 for an empty slice.
func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// runningMedian returns, for every index, the median of the values within
// radius r of it whose keep flag is set (all values when keep is nil). An
// index with no kept neighbour gets NaN; callers fill it.
func runningMedian(xs []float64, r int, keep []bool) []float64 {
	out := make([]float64, len(xs))
	buf := make([]float64, 0, 2*r+1)
	for i := range xs {
		buf = buf[:0]
		for j := max(0, i-r); j <= min(len(xs)-1, i+r); j++ {
			if keep == nil || keep[j] {
				buf = append(buf, xs[j])
			}
		}
		if len(buf) == 0 {
			out[i] = math.NaN()
			continue
		}
		out[i] = median(buf)
	}
	return out
}

// nnls solves min Σ w_i (y_i − x_i·β)² subject to β ≥ 0 for a handful of
// columns by trying every subset of active columns: exact, deterministic and
// cheap for the four parameters the error model has.
func nnls(x [][]float64, y, w []float64) []float64 {
	p := len(x[0])
	best := make([]float64, p)
	bestSSE := math.Inf(1)
	for mask := 0; mask < 1<<p; mask++ {
		var cols []int
		for j := 0; j < p; j++ {
			if mask&(1<<j) != 0 {
				cols = append(cols, j)
			}
		}
		beta := make([]float64, p)
		if len(cols) > 0 {
			sol, ok := weightedLS(x, y, w, cols)
			if !ok {
				continue
			}
			feasible := true
			for k, j := range cols {
				if sol[k] < 0 {
					feasible = false
				}
				beta[j] = sol[k]
			}
			if !feasible {
				continue
			}
		}
		var sse float64
		for i := range y {
			var fit float64
			for j := 0; j < p; j++ {
				fit += x[i][j] * beta[j]
			}
			sse += w[i] * (y[i] - fit) * (y[i] - fit)
		}
		if math.IsInf(bestSSE, 1) || sse < bestSSE-1e-15*math.Abs(bestSSE) {
			bestSSE, best = sse, beta
		}
	}
	return best
}

// weightedLS solves the normal equations for the given columns by Gaussian
// elimination with partial pivoting; ok is false when they are singular.
func weightedLS(x [][]float64, y, w []float64, cols []int) ([]float64, bool) {
	k := len(cols)
	a := make([][]float64, k)
	for r := range a {
		a[r] = make([]float64, k+1)
	}
	for i := range y {
		for r, jr := range cols {
			for c, jc := range cols {
				a[r][c] += w[i] * x[i][jr] * x[i][jc]
			}
			a[r][k] += w[i] * x[i][jr] * y[i]
		}
	}
	var scale float64
	for r := 0; r < k; r++ {
		scale = max(scale, math.Abs(a[r][r]))
	}
	for c := 0; c < k; c++ {
		piv := c
		for r := c + 1; r < k; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[piv][c]) {
				piv = r
			}
		}
		if math.Abs(a[piv][c]) <= 1e-12*scale {
			return nil, false
		}
		a[c], a[piv] = a[piv], a[c]
		for r := 0; r < k; r++ {
			if r == c {
				continue
			}
			f := a[r][c] / a[c][c]
			for cc := c; cc <= k; cc++ {
				a[r][cc] -= f * a[c][cc]
			}
		}
	}
	sol := make([]float64, k)
	for r := 0; r < k; r++ {
		sol[r] = a[r][k] / a[r][r]
	}
	return sol, true
}
