package ingest

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/tallyhq/tally/internal/billing"
)

// batchRows is how many rows a Parquet source decodes at a time. Memory is
// bounded by this batch and one page per projected column.
const batchRows = 2048

// parquetSource reads the projected columns of a Parquet file a batch of
// rows at a time, page by page, without materializing rows.
type parquetSource struct {
	f       *os.File
	pf      *parquet.File
	tops    []*parquet.Column
	names   []string
	cols    []*pqColumn // by top-level index; nil when not projected
	proj    []*pqColumn
	numRows int64
	read    int64 // rows decoded so far
	n, i    int   // rows in the current batch, index of the current row
	// pendingErr is a decoding error at row n of the current batch, returned
	// once the rows before it have been served.
	pendingErr error
}

func newParquetSource(f *os.File, size int64) (*parquetSource, error) {
	pf, err := parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true), parquet.ReadBufferSize(256<<10))
	if err != nil {
		return nil, fmt.Errorf("parquet: %w", err)
	}
	s := &parquetSource{f: f, pf: pf, tops: pf.Root().Columns(), numRows: pf.NumRows(), i: -1}
	for _, c := range s.tops {
		s.names = append(s.names, c.Name())
	}
	s.cols = make([]*pqColumn, len(s.tops))
	return s, nil
}

func (s *parquetSource) columns() []string { return s.names }

func (s *parquetSource) hasGroup(name string) bool {
	for i, n := range s.names {
		if n == name && !s.tops[i].Leaf() {
			return true
		}
	}
	return false
}

func (s *parquetSource) close() error {
	for _, c := range s.proj {
		c.close()
	}
	return s.f.Close()
}

func (s *parquetSource) project(cols []int) error {
	in := newInterner()
	for _, c := range cols {
		if c < 0 || s.cols[c] != nil {
			continue
		}
		pc, err := newPQColumn(s.tops[c], s.pf.RowGroups(), in)
		if err != nil {
			return err
		}
		s.cols[c] = pc
		s.proj = append(s.proj, pc)
	}
	return nil
}

func (s *parquetSource) next() (bool, error) {
	s.i++
	if s.i < s.n {
		return true, nil
	}
	if s.pendingErr != nil {
		return false, s.pendingErr
	}
	n := int(min(int64(batchRows), s.numRows-s.read))
	if n <= 0 {
		return false, nil
	}
	good := n
	var firstErr error
	for _, c := range s.proj {
		k, err := c.fill(n)
		if err != nil && k < good {
			good, firstErr = k, err
		}
	}
	s.read += int64(n)
	s.n, s.i = good, 0
	if firstErr != nil {
		s.pendingErr = firstErr
		if good == 0 {
			return false, firstErr
		}
	}
	return true, nil
}

func (s *parquetSource) col(c int) *pqColumn {
	if c < 0 {
		return nil
	}
	return s.cols[c]
}

func (s *parquetSource) str(c int) string {
	if c < 0 {
		return ""
	}
	pc := s.cols[c]
	if pc.kind == kString {
		return pc.str[s.i] // empty when null
	}
	if pc.null[s.i] {
		return ""
	}
	switch pc.kind {
	case kFloat:
		return strconv.FormatFloat(pc.num[s.i], 'f', -1, 64)
	case kInt:
		return strconv.FormatInt(pc.i64[s.i], 10)
	case kDecimal:
		return billing.Amount(pc.i64[s.i]).String()
	case kTime:
		return time.Unix(0, pc.i64[s.i]).UTC().Format(time.RFC3339Nano)
	case kBool:
		return strconv.FormatBool(pc.i64[s.i] != 0)
	}
	return ""
}

func (s *parquetSource) blank(c int) bool {
	if c < 0 {
		return true
	}
	pc := s.cols[c]
	if pc.kind == kString {
		return pc.str[s.i] == ""
	}
	return pc.kind == kMap || pc.null[s.i]
}

func (s *parquetSource) amount(c int) (billing.Amount, error) {
	pc := s.col(c)
	if pc == nil || pc.null[s.i] {
		return 0, nil
	}
	switch pc.kind {
	case kFloat:
		return billing.AmountFromFloat(pc.num[s.i])
	case kDecimal:
		return billing.Amount(pc.i64[s.i]), nil
	case kInt:
		return billing.ParseAmount(strconv.FormatInt(pc.i64[s.i], 10))
	case kString:
		return parseAmount(pc.str[s.i])
	}
	return 0, fmt.Errorf("a %s column is not a number", pc.kind)
}

func (s *parquetSource) quantity(c int) (float64, error) {
	pc := s.col(c)
	if pc == nil || pc.null[s.i] {
		return 0, nil
	}
	switch pc.kind {
	case kFloat:
		return pc.num[s.i], nil
	case kDecimal:
		return billing.Amount(pc.i64[s.i]).Float64(), nil
	case kInt:
		return float64(pc.i64[s.i]), nil
	case kString:
		return parseQuantity(pc.str[s.i])
	}
	return 0, fmt.Errorf("a %s column is not a number", pc.kind)
}

func (s *parquetSource) timestamp(c int) (time.Time, error) {
	pc := s.col(c)
	if pc == nil || pc.null[s.i] {
		return time.Time{}, nil
	}
	switch pc.kind {
	case kTime:
		return time.Unix(0, pc.i64[s.i]).UTC(), nil
	case kString:
		return parseTime(pc.str[s.i])
	}
	return time.Time{}, fmt.Errorf("a %s column is not a timestamp", pc.kind)
}

func (s *parquetSource) pairs(c int, fn func(k, v string)) error {
	pc := s.col(c)
	if pc == nil || pc.null[s.i] {
		return nil
	}
	if pc.kind == kString {
		return parseMapText(pc.str[s.i], fn)
	}
	if pc.kind != kMap {
		return fmt.Errorf("a %s column is not a map", pc.kind)
	}
	for j := pc.moff[s.i]; j < pc.moff[s.i+1]; j++ {
		fn(pc.mkeys[j], pc.mvals[j])
	}
	return nil
}
