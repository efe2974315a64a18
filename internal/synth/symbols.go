package synth

import "encoding/binary"

// sym is an interned string; 0 is the empty string. Lines carry syms so that
// writers can use them directly as dictionary keys.
type sym uint32

// symtab interns strings. It is filled while the organisation is built and
// read-only afterwards, so month workers share it without locking.
type symtab struct {
	strs []string
	idx  map[string]sym
}

func newSymtab() *symtab {
	return &symtab{strs: []string{""}, idx: map[string]sym{"": 0}}
}

func (t *symtab) intern(s string) sym {
	if v, ok := t.idx[s]; ok {
		return v
	}
	v := sym(len(t.strs))
	t.strs = append(t.strs, s)
	t.idx[s] = v
	return v
}

func (t *symtab) str(s sym) string { return t.strs[s] }

// renderPlain appends the Parquet PLAIN encoding of the string behind key.
func (t *symtab) renderPlain(dst []byte, key uint64) []byte {
	s := t.strs[key]
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}
