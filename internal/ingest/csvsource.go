package ingest

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// csvSource reads a CSV billing file with a header row.
type csvSource struct {
	r      *csv.Reader
	closer io.Closer
	header []string
	rec    []string
	// nullLiteral makes the text NULL read as empty, as FOCUS exports from
	// some providers write nulls.
	nullLiteral bool
}

func newCSVSource(r io.Reader, closer io.Closer) (*csvSource, error) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, ErrEmptyFile
	}
	if err != nil {
		return nil, csvError(err)
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
	}
	return &csvSource{r: cr, closer: closer, header: header}, nil
}

// csvError strips encoding/csv's line prefix: the caller names the row.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (s *csvSource) columns() []string                    { return s.header }
func (s *csvSource) project([]int) error                  { return nil }
func (s *csvSource) close() error                         { return s.closer.Close() }
func (s *csvSource) amount(c int) (billing.Amount, error) { return parseAmount(s.str(c)) }
func (s *csvSource) quantity(c int) (float64, error)      { return parseQuantity(s.str(c)) }
func (s *csvSource) timestamp(c int) (time.Time, error)   { return parseTime(s.str(c)) }

func (s *csvSource) next() (bool, error) {
	rec, err := s.r.Read()
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, csvError(err)
	}
	s.rec = rec
	return true, nil
}

func (s *csvSource) str(c int) string {
	if c < 0 || c >= len(s.rec) {
		return ""
	}
	v := s.rec[c]
	if s.nullLiteral && v == "NULL" {
		return ""
	}
	return v
}

func (s *csvSource) blank(c int) bool { return s.str(c) == "" }

func (s *csvSource) pairs(c int, fn func(k, v string)) error {
	return parseMapText(s.str(c), fn)
}
