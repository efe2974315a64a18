// Package awsjsontest helps test services built on awsjson: it serves a
// Router over HTTP for the real AWS SDK clients and builds the smallest
// request body a model accepts for an operation.
package awsjsontest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/tallyhq/tally/internal/awsjson"
)

// NewServer starts an HTTP server that feeds every request to a Router of
// services, the way Tally's server does minus authentication. The server is
// closed when the test ends. An exception that an operation's model does not
// list fails the test (see Strict).
func NewServer(t testing.TB, services ...awsjson.Service) *httptest.Server {
	t.Helper()
	r, err := awsjson.NewRouter(services, Strict(t))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(r))
	t.Cleanup(srv.Close)
	return srv
}

// Strict is the router option of every test: an exception that an
// operation's model does not list fails t.
func Strict(t testing.TB) awsjson.Option {
	return awsjson.WithStrictErrors(func(err error) { t.Error(err) })
}

// Handler adapts a Router to net/http.
func Handler(r *awsjson.Router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp := r.Dispatch(req.Context(), req.Header.Get("X-Amz-Target"), body)
		for k, v := range resp.Headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(resp.Status)
		w.Write(resp.Body)
	})
}

// ModelPath returns the path of a file in shared/aws-models, found from this
// source file, and skips the test when the models are not checked out
// beside the repository.
func ModelPath(t testing.TB, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared", "aws-models", name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("model %s not available: %v", name, err)
	}
	return p
}

// Model is the part of a botocore model MinimalBody reads.
type Model struct {
	Operations map[string]struct {
		Input struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]*modelShape `json:"shapes"`
}

type modelShape struct {
	Type     string   `json:"type"`
	Required []string `json:"required"`
	Members  map[string]struct {
		Shape string `json:"shape"`
	} `json:"members"`
	Member *struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Key *struct {
		Shape string `json:"shape"`
	} `json:"key"`
	Value *struct {
		Shape string `json:"shape"`
	} `json:"value"`
	Enum    []string `json:"enum"`
	Min     *float64 `json:"min"`
	Max     *float64 `json:"max"`
	Pattern *string  `json:"pattern"`
}

// LoadModel reads a botocore model.
func LoadModel(t testing.TB, path string) *Model {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// MinimalBody returns the smallest JSON input of operation op that satisfies
// the model: only required members, with the first enum value, the fewest
// list items and the shortest strings. Strings whose pattern "a"… does not
// satisfy take their value from samples, keyed by shape name.
func (m *Model) MinimalBody(op string, samples map[string]string) ([]byte, error) {
	o, ok := m.Operations[op]
	if !ok {
		return nil, fmt.Errorf("no operation %s", op)
	}
	v, err := m.minimal(o.Input.Shape, samples, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return json.Marshal(v)
}

func (m *Model) minimal(name string, samples map[string]string, depth int) (any, error) {
	s := m.Shapes[name]
	if s == nil || depth > 20 {
		return nil, fmt.Errorf("shape %s missing or too deep", name)
	}
	count := 0
	if s.Min != nil {
		count = int(*s.Min)
	}
	switch s.Type {
	case "structure":
		out := map[string]any{}
		for _, r := range s.Required {
			v, err := m.minimal(s.Members[r].Shape, samples, depth+1)
			if err != nil {
				return nil, err
			}
			out[r] = v
		}
		return out, nil
	case "string":
		return minimalString(name, s, samples, count)
	case "integer", "long", "double":
		switch {
		case s.Min != nil:
			return *s.Min, nil
		case s.Max != nil && *s.Max < 1:
			return *s.Max, nil
		}
		return 1, nil
	case "boolean":
		return true, nil
	case "timestamp":
		return 1704067200, nil
	case "list":
		out := []any{}
		for range count {
			v, err := m.minimal(s.Member.Shape, samples, depth+1)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case "map":
		out := map[string]any{}
		for i := range count {
			k, err := m.minimal(s.Key.Shape, samples, depth+1)
			if err != nil {
				return nil, err
			}
			v, err := m.minimal(s.Value.Shape, samples, depth+1)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k, i)] = v
		}
		return out, nil
	}
	return nil, fmt.Errorf("shape %s: type %s not handled", name, s.Type)
}

func minimalString(name string, s *modelShape, samples map[string]string, minLen int) (any, error) {
	if len(s.Enum) > 0 {
		return s.Enum[0], nil
	}
	v, ok := samples[name]
	if !ok {
		v = strings.Repeat("a", max(minLen, 1))
	}
	if s.Pattern != nil {
		p, err := awsjson.CompilePattern(*s.Pattern)
		if err != nil {
			return nil, err
		}
		if !p.MatchString(v) {
			return nil, fmt.Errorf("shape %s: %q does not match %s; add a sample", name, v, *s.Pattern)
		}
	}
	return v, nil
}
