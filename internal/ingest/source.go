package ingest

import (
	"time"

	"github.com/tallyhq/tally/internal/billing"
)

// source is one billing file opened for reading, row by row. Column
// arguments are indexes into columns(); a negative index is an absent column
// and reads as empty. Values are only valid until the next call to next.
type source interface {
	// columns returns the top-level column names, in file order.
	columns() []string
	// project announces the columns that will be read, so that a columnar
	// source reads nothing else. It must be called before the first next.
	project(cols []int) error
	// next advances to the next row and reports false at the end.
	next() (bool, error)
	str(c int) string
	// blank reports whether str(c) is "", without rendering a number as
	// text to find out.
	blank(c int) bool
	amount(c int) (billing.Amount, error)
	quantity(c int) (float64, error)
	timestamp(c int) (time.Time, error)
	// pairs calls fn for every key and non-empty value of a map column; on
	// a text column it parses the text as a JSON object.
	pairs(c int, fn func(k, v string)) error
	close() error
}
