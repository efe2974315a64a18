package awsjson

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	errGone    = errors.New("gone")
	errChanged = errors.New("changed")
)

// message is a failure with its own message, like the services' failures.
type message struct{ kind error }

func (m message) Error() string   { return "context: " + m.kind.Error() }
func (m message) Message() string { return "the thing is " + m.kind.Error() }
func (m message) Unwrap() error   { return m.kind }

func newException(name string) func(string) *Error {
	return func(msg string) *Error { return &Error{Type: name, Status: 400, Message: msg} }
}

func TestErrorTableMap(t *testing.T) {
	table := ErrorTable{
		{Kind: errGone, To: []Exception{{New: newException("NotFoundException")}}},
		{Kind: errChanged, To: []Exception{{New: newException("RequestChangedException"), Msg: "changed"},
			{New: newException("InvalidNextTokenException"), Msg: "bad token"}}},
	}
	both := &Operation{Name: "Both", Errors: []string{"NotFoundException", "RequestChangedException", "InvalidNextTokenException"}}
	tokenOnly := &Operation{Name: "TokenOnly", Errors: []string{"InvalidNextTokenException"}}
	other := errors.New("disk on fire")
	for _, tc := range []struct {
		name string
		op   *Operation
		err  error
		want error
	}{
		{"own message", both, fmt.Errorf("look up: %w", message{errGone}), &Error{Type: "NotFoundException", Status: 400, Message: "the thing is gone"}},
		{"error text", both, fmt.Errorf("look up: %w", errGone), &Error{Type: "NotFoundException", Status: 400, Message: "look up: gone"}},
		{"first modelled", both, errChanged, &Error{Type: "RequestChangedException", Status: 400, Message: "changed"}},
		{"fallback", tokenOnly, errChanged, &Error{Type: "InvalidNextTokenException", Status: 400, Message: "bad token"}},
		{"unknown error unchanged", both, other, other},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := table.Map(tc.op, tc.err)
			if want, ok := tc.want.(*Error); ok {
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("Map (-want +got):\n%s", diff)
				}
			} else if got != tc.want {
				t.Errorf("Map = %v, want %v unchanged", got, tc.want)
			}
		})
	}
}

func TestErrorTableCheck(t *testing.T) {
	svc := testService()
	table := ErrorTable{
		{Kind: errGone, To: []Exception{{New: newException("NotFoundException")}}, Ops: []string{"Missing", "Echo", "Nope"}},
		{Kind: errChanged, To: []Exception{{New: newException("InvalidParameterException")}}}, // the validation error: any operation
	}
	var got []string
	for _, p := range table.Check(svc) {
		got = append(got, p.Error())
	}
	want := []string{
		"gone: Echo answers NotFoundException, which its model does not list",
		"gone: Nope is no operation of Test",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
}
