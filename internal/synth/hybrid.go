package synth

import "encoding/binary"

// hybridEnc builds one stream in Parquet's RLE/bit-packing hybrid encoding
// from runs of equal values, repeated patterns and single values. Runs of
// eight or more become RLE runs; everything else is bit-packed in groups of
// eight as the groups fill, padding only the final group.
type hybridEnc struct {
	bw     int
	out    []byte // finished runs
	packed []byte // bit-packed groups not yet written to out
	groups int
	pend   [8]uint32 // values of the group being filled
	npend  int
	runV   uint32 // pending run
	runN   int
	block  []byte // scratch: eight repetitions of a pattern, packed
}

func (e *hybridEnc) reset(bitWidth int) {
	e.bw, e.out, e.packed, e.groups, e.npend, e.runN = bitWidth, e.out[:0], e.packed[:0], 0, 0, 0
}

// lit adds one literal value.
func (e *hybridEnc) lit(v uint32) {
	e.pend[e.npend] = v
	if e.npend++; e.npend == 8 {
		e.packed = packGroup(e.packed, &e.pend, e.bw)
		e.groups++
		e.npend = 0
	}
}

// run adds n copies of v.
func (e *hybridEnc) run(v uint32, n int) {
	if n <= 0 {
		return
	}
	if e.runN > 0 && v == e.runV {
		e.runN += n
		return
	}
	e.flushRun()
	e.runV, e.runN = v, n
}

// pattern adds n repetitions of p. Once the literals are at a group
// boundary, eight repetitions (a whole number of groups) are packed once
// and copied.
func (e *hybridEnc) pattern(p []uint32, n int) {
	if n <= 0 || len(p) == 0 {
		return
	}
	constant := true
	for _, v := range p[1:] {
		if v != p[0] {
			constant = false
			break
		}
	}
	if constant {
		e.run(p[0], n*len(p))
		return
	}
	e.flushRun()
	// Repetitions one by one until the literals reach a group boundary
	// (which they may never do: then all of them).
	for ; n > 0 && (e.npend != 0 || n < 8); n-- {
		for _, v := range p {
			e.lit(v)
		}
	}
	if n == 0 {
		return
	}
	e.block = e.block[:0]
	var g [8]uint32
	k := 0
	for range 8 {
		for _, v := range p {
			g[k] = v
			if k++; k == 8 {
				e.block = packGroup(e.block, &g, e.bw)
				k = 0
			}
		}
	}
	for ; n >= 8; n -= 8 {
		e.packed = append(e.packed, e.block...)
		e.groups += len(p)
	}
	for ; n > 0; n-- {
		for _, v := range p {
			e.lit(v)
		}
	}
}

// values adds vs one by one, detecting runs of equal values.
func (e *hybridEnc) values(vs []uint32) {
	for i := 0; i < len(vs); {
		j := i + 1
		for j < len(vs) && vs[j] == vs[i] {
			j++
		}
		if j-i >= 8 {
			e.run(vs[i], j-i)
		} else {
			e.flushRun()
			for _, v := range vs[i:j] {
				e.lit(v)
			}
		}
		i = j
	}
}

// flushRun turns the pending run into an RLE run, or literals when it is
// short. A bit-packed block must hold a multiple of eight values, so the
// run first lends values to the group being filled.
func (e *hybridEnc) flushRun() {
	n := e.runN
	if n == 0 {
		return
	}
	e.runN = 0
	for ; n > 0 && e.npend != 0; n-- {
		e.lit(e.runV)
	}
	if n < 8 {
		for range n {
			e.lit(e.runV)
		}
		return
	}
	e.flushPacked()
	e.out = binary.AppendUvarint(e.out, uint64(n)<<1)
	for b := 0; b < (e.bw+7)/8; b++ {
		e.out = append(e.out, byte(e.runV>>(8*b)))
	}
}

// flushPacked writes the packed groups as one bit-packed run.
func (e *hybridEnc) flushPacked() {
	if e.groups == 0 {
		return
	}
	e.out = binary.AppendUvarint(e.out, uint64(e.groups)<<1|1)
	e.out = append(e.out, e.packed...)
	e.packed, e.groups = e.packed[:0], 0
}

// finish completes the stream and returns it; it is valid until the next
// reset.
func (e *hybridEnc) finish() []byte {
	e.flushRun()
	for e.npend != 0 {
		e.lit(0)
	}
	e.flushPacked()
	return e.out
}

// packGroup appends eight values packed LSB first at bw bits.
func packGroup(dst []byte, v *[8]uint32, bw int) []byte {
	if bw <= 8 {
		acc := uint64(v[0]) | uint64(v[1])<<bw | uint64(v[2])<<(2*bw) | uint64(v[3])<<(3*bw) |
			uint64(v[4])<<(4*bw) | uint64(v[5])<<(5*bw) | uint64(v[6])<<(6*bw) | uint64(v[7])<<(7*bw)
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], acc)
		return append(dst, b[:bw]...)
	}
	var acc uint64
	n := 0
	for _, x := range v {
		acc |= uint64(x) << n
		n += bw
		for n >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			n -= 8
		}
	}
	return dst
}
