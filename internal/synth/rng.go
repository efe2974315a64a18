package synth

// rng is a splitmix64 generator: small, fast and identical on every platform,
// so a seed always gives the same organisation.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	return mix(r.s)
}

// mix is the splitmix64 finaliser.
func mix(z uint64) uint64 {
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

// hash2 mixes two values into one; it gives per-line randomness without any
// shared state, so months can be generated concurrently and in any order.
func hash2(a, b uint64) uint64 { return mix(a ^ mix(b+0x9e3779b97f4a7c15)) }

// float returns a uniform value in [0, 1).
func (r *rng) float() float64 { return unit(r.next()) }

func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// intn returns a uniform value in [0, n).
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// between returns a uniform value in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// pick returns a uniform element of xs.
func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }
