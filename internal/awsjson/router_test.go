package awsjson

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// echoInput validates that Name, when set, is not "bad".
type echoInput struct {
	testInput
}

func (v *echoInput) Validate() error {
	var vs Violations
	if v.Name != nil && *v.Name == "bad" {
		vs.String("name", *v.Name, &StringRule{MinLen: -1, MaxLen: -1, Enum: []string{"good"}})
	}
	return vs.Err()
}

type echoOutput struct {
	Name  *string  `json:"Name,omitzero"`
	Tags  []string `json:"Tags,omitzero"`
	Count *int32   `json:"Count,omitzero"`
}

// testService has operations that echo, fail in each way, panic and return
// nothing.
func testService() Service {
	shape := testShape()
	echo := func(_ context.Context, in *echoInput) (*echoOutput, error) {
		return &echoOutput{Name: in.Name, Tags: in.Tags}, nil
	}
	fail := func(err error) func(context.Context, *echoInput) (*echoOutput, error) {
		return func(context.Context, *echoInput) (*echoOutput, error) { return nil, err }
	}
	modeled := ErrorShape{Name: "NotFoundException", Status: 404, Fault: FaultClient}
	return Service{
		Name:            "Test",
		TargetPrefix:    "TestService",
		SigningName:     "test",
		ValidationError: "InvalidParameterException",
		InternalError:   "InternalErrorException",
		ErrorShapes:     []ErrorShape{modeled},
		Operations: []Operation{
			Bind("Echo", nil, shape, echo),
			Bind("Missing", []string{"NotFoundException"}, shape, fail(modeled.New("no such thing").WithField("ResourceName", "x"))),
			Bind("Wrapped", []string{"NotFoundException"}, shape, fail(errors.Join(errors.New("context"), modeled.New("wrapped")))),
			Bind("Broken", nil, shape, fail(errors.New("disk on fire"))),
			Bind("Todo", nil, shape, fail(NotImplemented("Test", "Todo"))),
			Bind("Nothing", nil, shape, func(context.Context, *echoInput) (*echoOutput, error) { return nil, nil }),
			Bind("Panic", nil, shape, func(context.Context, *echoInput) (*echoOutput, error) { panic("boom") }),
		},
	}
}

func newTestRouter(t *testing.T, opts ...Option) *Router {
	t.Helper()
	r, err := NewRouter([]Service{testService()}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDispatch(t *testing.T) {
	r := newTestRouter(t, WithMaxBodyBytes(64), WithMaxDepth(3))
	for _, tc := range []struct {
		name       string
		target     string
		body       string
		wantStatus int
		wantType   string // X-Amzn-ErrorType, "" on success
		wantBody   string
	}{
		{"echo", "TestService.Echo", `{"Name":"a","Tags":[]}`, 200, "", `{"Name":"a","Tags":[]}`},
		{"unset members are omitted", "TestService.Echo", ``, 200, "", `{}`},
		{"nil output is an empty object", "TestService.Nothing", `{}`, 200, "", `{}`},
		{"missing target", "", `{}`, 400, "UnknownOperationException",
			`{"Message":"the request has no X-Amz-Target header naming an operation","__type":"UnknownOperationException"}`},
		{"unknown operation", "TestService.Nope", `{}`, 400, "UnknownOperationException",
			`{"Message":"X-Amz-Target \"TestService.Nope\" names no operation of this endpoint","__type":"UnknownOperationException"}`},
		{"unknown prefix", "Other.Echo", `{}`, 400, "UnknownOperationException", ""},
		{"operation names are case-sensitive", "TestService.echo", `{}`, 400, "UnknownOperationException", ""},
		{"too big", "TestService.Echo", `{"Name":"` + strings.Repeat("x", 64) + `"}`, 400, "SerializationException",
			`{"Message":"request body of 75 bytes exceeds the limit of 64 bytes","__type":"SerializationException"}`},
		{"too deep", "TestService.Echo", `{"Child":{"Child":{"Child":{}}}}`, 400, "SerializationException",
			`{"Message":"request body nests objects and arrays deeper than 3 levels","__type":"SerializationException"}`},
		{"malformed", "TestService.Echo", `{`, 400, "SerializationException", ""},
		{"validation error uses the service's exception", "TestService.Echo", `{"Name":"bad"}`, 400, "InvalidParameterException",
			`{"Message":"1 validation error detected: Value 'bad' at 'name' failed to satisfy constraint: Member must satisfy enum value set: [good]","__type":"InvalidParameterException"}`},
		{"modeled exception with extra member", "TestService.Missing", `{}`, 404, "NotFoundException",
			`{"Message":"no such thing","ResourceName":"x","__type":"NotFoundException"}`},
		{"wrapped exception", "TestService.Wrapped", `{}`, 404, "NotFoundException", `{"Message":"wrapped","__type":"NotFoundException"}`},
		{"internal error hides the detail", "TestService.Broken", `{}`, 500, "InternalErrorException",
			`{"Message":"` + InternalErrorMessage + `","__type":"InternalErrorException"}`},
		{"panic", "TestService.Panic", `{}`, 500, "InternalErrorException", ""},
		{"not implemented", "TestService.Todo", `{}`, 501, "NotImplementedException",
			`{"Message":"Tally does not implement Todo yet (Test API)","__type":"NotImplementedException"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := r.Dispatch(context.Background(), tc.target, []byte(tc.body))
			if resp.Status != tc.wantStatus {
				t.Errorf("status = %d, want %d (body %s)", resp.Status, tc.wantStatus, resp.Body)
			}
			if got := resp.Headers["Content-Type"]; got != ContentType {
				t.Errorf("Content-Type = %q", got)
			}
			if got := resp.Headers["X-Amzn-ErrorType"]; got != tc.wantType {
				t.Errorf("X-Amzn-ErrorType = %q, want %q", got, tc.wantType)
			}
			if tc.wantBody != "" {
				if diff := cmp.Diff(tc.wantBody, string(resp.Body)); diff != "" {
					t.Errorf("body (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestDispatchLogsWithRequestID(t *testing.T) {
	var logs bytes.Buffer
	r := newTestRouter(t, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	ctx := WithRequestID(context.Background(), "req-42")
	for _, target := range []string{"TestService.Broken", "TestService.Panic"} {
		resp := r.Dispatch(ctx, target, nil)
		if resp.Headers["x-amzn-RequestId"] != "req-42" {
			t.Errorf("%s: x-amzn-RequestId = %q", target, resp.Headers["x-amzn-RequestId"])
		}
		if strings.Contains(string(resp.Body), "disk on fire") || strings.Contains(string(resp.Body), "boom") {
			t.Errorf("%s: the client sees the internal detail: %s", target, resp.Body)
		}
	}
	for _, want := range []string{"request_id=req-42", "disk on fire", "panic in Panic: boom"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log does not contain %q:\n%s", want, logs.String())
		}
	}
}

func TestDispatchWarnsOnUnmodeledException(t *testing.T) {
	var logs bytes.Buffer
	svc := testService()
	svc.Operations = append(svc.Operations, Bind("Stray", nil, testShape(),
		func(context.Context, *echoInput) (*echoOutput, error) {
			return nil, &Error{Type: "NotFoundException", Status: 404, Message: "x"}
		}))
	r, err := NewRouter([]Service{svc}, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	if resp := r.Dispatch(context.Background(), "TestService.Stray", nil); resp.Status != 404 {
		t.Errorf("status = %d, want the exception's 404", resp.Status)
	}
	if !strings.Contains(logs.String(), "exception its model does not list") {
		t.Errorf("no warning logged:\n%s", logs.String())
	}
}

func TestStrictErrors(t *testing.T) {
	errGone := errors.New("gone")
	stray := &Error{Type: "NotFoundException", Status: 404, Message: "x"}
	svc := testService()
	svc.Operations = append(svc.Operations,
		Bind("Stray", nil, testShape(), func(context.Context, *echoInput) (*echoOutput, error) { return nil, stray }),
		Bind("Excused", nil, testShape(), func(context.Context, *echoInput) (*echoOutput, error) {
			e := *stray
			e.Unmodelled = true
			return nil, &e
		}),
		Bind("Typed", []string{"NotFoundException"}, testShape(), func(context.Context, *echoInput) (*echoOutput, error) {
			return nil, fmt.Errorf("look up: %w", errGone)
		}))
	svc.MapError = func(op *Operation, err error) error {
		if errors.Is(err, errGone) {
			return &Error{Type: "NotFoundException", Status: 404, Message: op.Name + ": " + err.Error()}
		}
		return err
	}
	var failures []error
	r, err := NewRouter([]Service{svc}, WithStrictErrors(func(err error) { failures = append(failures, err) }))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target     string
		wantStatus int
		wantType   string
		wantFail   bool
	}{
		{"TestService.Stray", 500, "InternalErrorException", true},
		{"TestService.Excused", 404, "NotFoundException", false},
		{"TestService.Typed", 404, "NotFoundException", false},
		{"TestService.Missing", 404, "NotFoundException", false},
		{"TestService.Broken", 500, "InternalErrorException", false},
		{"TestService.Todo", 501, "NotImplementedException", false},
	} {
		t.Run(tc.target, func(t *testing.T) {
			failures = nil
			resp := r.Dispatch(context.Background(), tc.target, nil)
			if resp.Status != tc.wantStatus || resp.Headers["X-Amzn-ErrorType"] != tc.wantType {
				t.Errorf("answer = %d %s, want %d %s", resp.Status, resp.Headers["X-Amzn-ErrorType"], tc.wantStatus, tc.wantType)
			}
			if got := len(failures) > 0; got != tc.wantFail {
				t.Errorf("strict failures = %v, want some: %v", failures, tc.wantFail)
			}
		})
	}
}

func TestNewRouterRejectsDuplicates(t *testing.T) {
	if _, err := NewRouter([]Service{testService(), testService()}); err == nil {
		t.Error("two services with one prefix: want an error")
	}
	svc := testService()
	svc.Operations = append(svc.Operations, svc.Operations[0])
	if _, err := NewRouter([]Service{svc}); err == nil {
		t.Error("two operations with one target: want an error")
	}
}

func TestRouterLookups(t *testing.T) {
	r := newTestRouter(t)
	if svc, ok := r.Service("TestService.Echo"); !ok || svc.SigningName != "test" {
		t.Errorf("Service = %v, %v", svc, ok)
	}
	if _, ok := r.Service("Nope.Echo"); ok {
		t.Error("Service found an unknown prefix")
	}
	want := []string{"TestService.Broken", "TestService.Echo", "TestService.Missing", "TestService.Nothing",
		"TestService.Panic", "TestService.Todo", "TestService.Wrapped"}
	if diff := cmp.Diff(want, r.Targets()); diff != "" {
		t.Errorf("Targets (-want +got):\n%s", diff)
	}
}

// TestDispatchEncoded: an output already encoded is written as it is.
func TestDispatchEncoded(t *testing.T) {
	svc := testService()
	raw := []byte(`{"Name":"cached",  "Tags":["a"]}`)
	svc.Operations = append(svc.Operations, Operation{Name: "Cached",
		Handle: func(context.Context, []byte) (any, error) { return Encoded(raw), nil }})
	r, err := NewRouter([]Service{svc})
	if err != nil {
		t.Fatal(err)
	}
	resp := r.Dispatch(context.Background(), "TestService.Cached", []byte(`{}`))
	if resp.Status != 200 || !bytes.Equal(resp.Body, raw) || resp.Headers["Content-Type"] != ContentType {
		t.Errorf("got %d %q %v, want 200 and the bytes as they are", resp.Status, resp.Body, resp.Headers)
	}
}
