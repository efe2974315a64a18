package ingest

import "errors"

var errAppend = errors.New("append refused")
