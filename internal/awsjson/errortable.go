package awsjson

import (
	"errors"
	"fmt"
	"slices"
)

// An ErrorTable is a service's one table of errors: it maps the kinds of
// failure its operations return (sentinel errors, matched with errors.Is)
// to the exceptions the client sees. Its Map method is the service's
// ErrorMapper.
type ErrorTable []Mapping

// Mapping says what one kind of failure becomes: the first of To that the
// operation models, or To[0] when it models none of them.
type Mapping struct {
	Kind error
	To   []Exception
	// Ops lists the operations that can fail with Kind; nil means any.
	// Check verifies that each of them models what Kind becomes.
	Ops []string
}

// Exception is an exception a failure may become.
type Exception struct {
	// New makes the exception, such as a generated NewXxxException.
	New func(message string) *Error
	// Msg, when set, is the message; otherwise the failure's own message
	// (that of its Messager, or its Error text) is.
	Msg string
}

// Messager is a failure that carries the message the client reads, apart
// from the context it was wrapped in.
type Messager interface {
	error
	Message() string
}

// Failure is a failure of one kind (a sentinel an ErrorTable maps) with the
// message the client reads. Services return them from conversion and
// validation code instead of exceptions.
type Failure struct {
	Kind error
	Msg  string
}

func (f *Failure) Error() string { return f.Msg }
func (f *Failure) Unwrap() error { return f.Kind }

// Message returns the message the client reads.
func (f *Failure) Message() string { return f.Msg }

// Fail returns a Failure of kind with the message msg.
func Fail(kind error, msg string) error { return &Failure{Kind: kind, Msg: msg} }

// Map returns the exception err becomes when op returns it, or err
// unchanged when no kind of the table matches.
func (t ErrorTable) Map(op *Operation, err error) error {
	for _, m := range t {
		if errors.Is(err, m.Kind) {
			return m.exception(op, err)
		}
	}
	return err
}

func (m Mapping) exception(op *Operation, err error) *Error {
	pick := m.To[0]
	for _, e := range m.To {
		if slices.Contains(op.Errors, e.New("").Type) {
			pick = e
			break
		}
	}
	msg := pick.Msg
	var mm Messager
	switch {
	case msg != "":
	case errors.As(err, &mm):
		msg = mm.Message()
	default:
		msg = err.Error()
	}
	return pick.New(msg)
}

// Check returns a problem for each (operation, exception) the table can
// produce for svc that the operation's model does not allow (see
// Service.Allows), and for each operation it names that svc lacks.
func (t ErrorTable) Check(svc Service) []error {
	var problems []error
	byName := make(map[string]*Operation, len(svc.Operations))
	for i := range svc.Operations {
		byName[svc.Operations[i].Name] = &svc.Operations[i]
	}
	for _, m := range t {
		ops := m.Ops
		if ops == nil {
			for _, op := range svc.Operations {
				ops = append(ops, op.Name)
			}
		}
		for _, name := range ops {
			op, ok := byName[name]
			if !ok {
				problems = append(problems, fmt.Errorf("%v: %s is no operation of %s", m.Kind, name, svc.Name))
				continue
			}
			if e := m.exception(op, m.Kind); !svc.Allows(op, e) {
				problems = append(problems, fmt.Errorf("%v: %s answers %s, which its model does not list", m.Kind, name, e.Type))
			}
		}
	}
	return problems
}
