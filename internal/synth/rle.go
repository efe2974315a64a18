package synth

import "encoding/binary"

// appendHybrid appends vals in Parquet's RLE/bit-packing hybrid encoding with
// the given bit width. Runs of eight or more equal values become RLE runs; the
// rest is bit-packed in groups of eight, padding only the final group.
func appendHybrid[T byte | int32](dst []byte, vals []T, bitWidth int) []byte {
	byteWidth := (bitWidth + 7) / 8
	n := len(vals)
	lit := 0 // first value not yet encoded
	for i := 0; i < n; {
		j := i + 1
		for j < n && vals[j] == vals[i] {
			j++
		}
		if run := j - i; run >= 8 {
			// A bit-packed block must hold a multiple of eight values, so
			// lend the run's first values to the pending literals.
			if rem := (i - lit) % 8; rem != 0 {
				take := 8 - rem
				i += take
				run -= take
			}
			if run >= 8 {
				dst = appendBitPacked(dst, vals[lit:i], bitWidth)
				dst = binary.AppendUvarint(dst, uint64(run)<<1)
				v := uint32(vals[i])
				for b := 0; b < byteWidth; b++ {
					dst = append(dst, byte(v>>(8*b)))
				}
				lit = j
			}
		}
		i = j
	}
	return appendBitPacked(dst, vals[lit:], bitWidth)
}

// appendBitPacked appends one bit-packed run of vals, zero-padding the last
// group of eight.
func appendBitPacked[T byte | int32](dst []byte, vals []T, bitWidth int) []byte {
	if len(vals) == 0 {
		return dst
	}
	groups := (len(vals) + 7) / 8
	dst = binary.AppendUvarint(dst, uint64(groups)<<1|1)
	var acc uint64
	nbits := 0
	for g := 0; g < groups*8; g++ {
		var v uint64
		if g < len(vals) {
			v = uint64(uint32(vals[g]))
		}
		acc |= v << nbits
		nbits += bitWidth
		for nbits >= 8 {
			dst = append(dst, byte(acc))
			acc >>= 8
			nbits -= 8
		}
	}
	return dst
}
