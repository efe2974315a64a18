package ingest

import (
	"errors"
	"fmt"
	"path/filepath"
)

// FileError reports a problem with one billing file, naming the file and,
// when known, the data row (1-based, the header not counted) and the column.
type FileError struct {
	File   string
	Row    int64 // 1-based data row, or 0 when the error is not about a row
	Column string
	Err    error
}

func (e *FileError) Error() string {
	s := "ingest: " + filepath.Base(e.File)
	if e.Row > 0 {
		s += fmt.Sprintf(" row %d", e.Row)
	}
	if e.Column != "" {
		s += " column " + e.Column
	}
	return s + ": " + e.Err.Error()
}

func (e *FileError) Unwrap() error { return e.Err }

// ErrUnknownFormat is the cause of a FileError for a file that is not a
// billing export Tally knows.
var ErrUnknownFormat = errors.New("cannot detect billing format: no CUR, CUR 2.0 or FOCUS columns found")

// ErrEmptyFile is the cause of a FileError for a file without any content.
var ErrEmptyFile = errors.New("file is empty")
