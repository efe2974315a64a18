package synth

import "encoding/binary"

// timeCodec turns the times of one billing period into small dictionary
// keys: hours since the period's start, plus one. Every time a period's
// lines carry lies inside the period and on the hour.
type timeCodec struct{ base int64 }

func (c timeCodec) key(t int64) uint64 { return uint64((t-c.base)/3600) + 1 }

// renderMillis renders a time key as PLAIN INT64 milliseconds.
func (c timeCodec) renderMillis(dst []byte, key uint64) []byte {
	return binary.LittleEndian.AppendUint64(dst, uint64((c.base+int64(key-1)*3600)*1000))
}

// intervalKey packs a usage interval into a dictionary key: a one-hour
// interval is its start's key, small enough for the writer's direct table;
// a longer one sets bit 22 above the start hour and the length in hours.
func (c timeCodec) intervalKey(start, end int64) uint64 {
	if hours := (end - start) / 3600; hours != 1 {
		return 1<<22 | uint64((start-c.base)/3600)<<10 | uint64(hours)
	}
	return c.key(start)
}

func (c timeCodec) renderInterval(dst []byte, key uint64) []byte {
	start, hours := c.base+int64(key-1)*3600, int64(1)
	if key >= 1<<22 {
		start, hours = c.base+int64(key>>10&(1<<12-1))*3600, int64(key&(1<<10-1))
	}
	var b [48]byte
	v := appendInterval(b[:0], start, start+hours*3600)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(v)))
	return append(dst, v...)
}

// appendInterval appends identity_time_interval text.
func appendInterval(dst []byte, start, end int64) []byte {
	dst = unixUTC(start).AppendFormat(dst, "2006-01-02T15:04:05Z")
	dst = append(dst, '/')
	return unixUTC(end).AppendFormat(dst, "2006-01-02T15:04:05Z")
}

// lineID fills dst (an even length) with the identity_line_item_id of the
// n-th line of a period: base32 digits of one mixed hash per twelve
// characters, rendered two at a time.
func lineID(dst []byte, seed, n uint64) {
	h := hash2(seed, n)
	for i := 0; i < len(dst); i += 12 {
		h = mix(h + uint64(i))
		x := h
		for j := i; j+1 < len(dst) && j < i+12; j += 2 {
			p := &b32Pairs[x&1023]
			dst[j], dst[j+1] = p[0], p[1]
			x >>= 10
		}
	}
}

// b32Pairs renders ten bits as two base32 digits, low bits first.
var b32Pairs = func() (t [1024][2]byte) {
	for i := range t {
		t[i] = [2]byte{b32[i&31], b32[i>>5]}
	}
	return t
}()
