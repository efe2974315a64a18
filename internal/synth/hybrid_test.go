package synth

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeHybrid is a reference decoder of the RLE/bit-packing hybrid
// encoding: n values of bit width bw.
func decodeHybrid(t *testing.T, b []byte, bw, n int) []uint32 {
	t.Helper()
	var out []uint32
	for len(out) < n {
		h, k := binary.Uvarint(b)
		if k <= 0 {
			t.Fatalf("bad run header after %d values", len(out))
		}
		b = b[k:]
		if h&1 == 0 {
			var v uint32
			for i := 0; i < (bw+7)/8; i++ {
				v |= uint32(b[i]) << (8 * i)
			}
			b = b[(bw+7)/8:]
			for range h >> 1 {
				out = append(out, v)
			}
			continue
		}
		count := int(h>>1) * 8
		var acc uint64
		bits := 0
		for range count {
			for bits < bw {
				acc |= uint64(b[0]) << bits
				b = b[1:]
				bits += 8
			}
			out = append(out, uint32(acc&(1<<bw-1)))
			acc >>= bw
			bits -= bw
		}
	}
	if len(b) != 0 {
		t.Errorf("%d bytes left after %d values", len(b), n)
	}
	return out[:n]
}

func TestHybridEnc(t *testing.T) {
	type op struct {
		run     uint32
		n       int
		pattern []uint32
		values  []uint32
	}
	for _, tc := range []struct {
		name string
		bw   int
		ops  []op
	}{
		{"one run", 1, []op{{run: 1, n: 100}}},
		{"short runs", 2, []op{{run: 1, n: 3}, {run: 2, n: 2}, {run: 3, n: 7}, {run: 0, n: 1}}},
		{"run after odd literals", 3, []op{{values: []uint32{1, 2, 3}}, {run: 5, n: 20}, {values: []uint32{7}}}},
		{"patterns", 1, []op{{pattern: []uint32{0, 1, 1, 1}, n: 5}, {pattern: []uint32{0, 1, 1}, n: 40}, {run: 0, n: 9},
			{pattern: []uint32{0, 1, 1, 1, 1, 1, 1}, n: 33}}},
		{"wide patterns", 11, []op{{pattern: []uint32{5, 1900, 7, 2047, 3}, n: 17}, {values: []uint32{4}},
			{pattern: []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, n: 19}, {run: 2000, n: 13}}},
		{"constant pattern", 4, []op{{values: []uint32{9}}, {pattern: []uint32{3, 3}, n: 30}}},
		{"values with runs", 5, []op{{values: []uint32{1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4}}}},
		{"wider than a byte", 17, []op{{run: 70000, n: 9}, {pattern: []uint32{1, 131071}, n: 12}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e hybridEnc
			e.reset(tc.bw)
			var want []uint32
			for _, o := range tc.ops {
				switch {
				case o.pattern != nil:
					e.pattern(o.pattern, o.n)
					for range o.n {
						want = append(want, o.pattern...)
					}
				case o.values != nil:
					e.values(o.values)
					want = append(want, o.values...)
				default:
					e.run(o.run, o.n)
					for range o.n {
						want = append(want, o.run)
					}
				}
			}
			got := decodeHybrid(t, e.finish(), tc.bw, len(want))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}
