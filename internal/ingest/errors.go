package ingest

import (
	"errors"
	"fmt"
)

// FileError reports a problem with one billing file, naming the file and,
// when known, the data row (1-based, the header not counted) and the column.
type FileError struct {
	// File is the file's path as found from what was given to Load (the
	// given folder joined with the path inside it): exports keep one base
	// name for every month, so the base name alone does not say which file.
	File   string
	Row    int64 // 1-based data row, or 0 when the error is not about a row
	Column string
	Err    error
}

func (e *FileError) Error() string {
	s := "ingest: " + e.File
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
