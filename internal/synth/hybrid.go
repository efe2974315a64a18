package synth

import "encoding/binary"

// hybridEnc builds one stream in Parquet's RLE/bit-packing hybrid encoding
// from runs of equal values, repeated patterns and single values. Runs of
// eight or more become RLE runs; everything else is bit-packed in groups of
// eight, padding only the final group.
type hybridEnc struct {
	bw   int
	out  []byte
	lit  []uint32 // values waiting to be bit-packed
	runV uint32   // pending run
	runN int
}

func (e *hybridEnc) reset(bitWidth int) {
	e.bw, e.out, e.lit, e.runN = bitWidth, e.out[:0], e.lit[:0], 0
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

// pattern adds n repetitions of p.
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
	for range n {
		e.lit = append(e.lit, p...)
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
			e.lit = append(e.lit, vs[i:j]...)
		}
		i = j
	}
}

// flushRun turns the pending run into an RLE run, or literals when it is
// short. A bit-packed block must hold a multiple of eight values, so the
// run first lends values to the pending literals.
func (e *hybridEnc) flushRun() {
	n := e.runN
	if n == 0 {
		return
	}
	e.runN = 0
	if r := len(e.lit) % 8; r != 0 {
		take := min(8-r, n)
		for range take {
			e.lit = append(e.lit, e.runV)
		}
		n -= take
	}
	if n < 8 {
		for range n {
			e.lit = append(e.lit, e.runV)
		}
		return
	}
	e.flushLit()
	e.out = binary.AppendUvarint(e.out, uint64(n)<<1)
	for b := 0; b < (e.bw+7)/8; b++ {
		e.out = append(e.out, byte(e.runV>>(8*b)))
	}
}

// flushLit bit-packs the pending literals, zero-padding the last group.
func (e *hybridEnc) flushLit() {
	if len(e.lit) == 0 {
		return
	}
	for len(e.lit)%8 != 0 {
		e.lit = append(e.lit, 0)
	}
	e.out = binary.AppendUvarint(e.out, uint64(len(e.lit)/8)<<1|1)
	e.out = bitPack(e.out, e.lit, e.bw)
	e.lit = e.lit[:0]
}

// finish completes the stream and returns it; it is valid until the next
// reset.
func (e *hybridEnc) finish() []byte {
	e.flushRun()
	e.flushLit()
	return e.out
}

// bitPack appends vals (a multiple of eight) packed LSB first at bw bits.
func bitPack(dst []byte, vals []uint32, bw int) []byte {
	if bw <= 8 {
		var b [8]byte
		for i := 0; i+8 <= len(vals); i += 8 {
			v := vals[i : i+8 : i+8]
			acc := uint64(v[0]) | uint64(v[1])<<bw | uint64(v[2])<<(2*bw) | uint64(v[3])<<(3*bw) |
				uint64(v[4])<<(4*bw) | uint64(v[5])<<(5*bw) | uint64(v[6])<<(6*bw) | uint64(v[7])<<(7*bw)
			binary.LittleEndian.PutUint64(b[:], acc)
			dst = append(dst, b[:bw]...)
		}
		return dst
	}
	var acc uint64
	n := 0
	for _, v := range vals {
		acc |= uint64(v) << n
		n += bw
		for n >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			n -= 8
		}
	}
	return dst
}
