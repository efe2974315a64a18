package awsjson

import (
	"errors"
	"fmt"
	"testing"
)

type downErr struct{}

func (downErr) Error() string       { return "dial tcp: connection refused" }
func (downErr) Unavailable() string { return "PostgreSQL" }

func TestUnavailable(t *testing.T) {
	e := unavailable(fmt.Errorf("read budgets: %w", downErr{}))
	if e == nil || e.Type != ServiceUnavailable || e.Status != 503 || e.Message != "PostgreSQL is unavailable; retry later" {
		t.Errorf("unavailable = %+v", e)
	}
	if e := unavailable(errors.New("syntax error")); e != nil {
		t.Errorf("unavailable of another error = %+v, want nil", e)
	}
}
