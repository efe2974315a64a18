package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// model is the part of a botocore service-2.json the generator reads.
type model struct {
	Metadata struct {
		ServiceID    string `json:"serviceId"`
		TargetPrefix string `json:"targetPrefix"`
		SigningName  string `json:"signingName"`
		Endpoint     string `json:"endpointPrefix"`
		Protocol     string `json:"protocol"`
		JSONVersion  string `json:"jsonVersion"`
	} `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
}

type operation struct {
	Name          string     `json:"name"`
	Input         *shapeRef  `json:"input"`
	Output        *shapeRef  `json:"output"`
	Errors        []shapeRef `json:"errors"`
	Documentation string     `json:"documentation"`
}

type shapeRef struct {
	Shape string `json:"shape"`
}

type shape struct {
	Type          string   `json:"type"`
	Members       members  `json:"members"`
	Required      []string `json:"required"`
	Member        *member  `json:"member"`
	Key           *member  `json:"key"`
	Value         *member  `json:"value"`
	Enum          []string `json:"enum"`
	Min           *float64 `json:"min"`
	Max           *float64 `json:"max"`
	Pattern       *string  `json:"pattern"`
	Sensitive     bool     `json:"sensitive"`
	Exception     bool     `json:"exception"`
	Documentation string   `json:"documentation"`

	name string
}

type member struct {
	Shape         string `json:"shape"`
	Documentation string `json:"documentation"`
	Deprecated    bool   `json:"deprecated"`
	DeprecatedMsg string `json:"deprecatedMessage"`
	name          string // set for structure members
	required      bool
	targetShape   *shape
}

// members keeps structure members in model order, which encoding/json's
// maps would lose.
type members []*member

// UnmarshalJSON reads a JSON object of members in order.
func (ms *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		m := &member{name: tok.(string)}
		if err := dec.Decode(m); err != nil {
			return err
		}
		*ms = append(*ms, m)
	}
	_, err := dec.Token()
	return err
}

// smithyModel is the part of a Smithy JSON AST the generator reads: the
// error traits botocore leaves out.
type smithyModel struct {
	Shapes map[string]struct {
		Traits map[string]json.RawMessage `json:"traits"`
	} `json:"shapes"`
}

// errorTrait is the fault and HTTP status of an exception.
type errorTrait struct {
	fault  string
	status int
	source string // where the values come from, for the report
}

// loadModel parses a botocore model and checks the parts the generator
// relies on.
func loadModel(b []byte) (*model, error) {
	var m model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse model: %w", err)
	}
	if m.Metadata.Protocol != "json" || m.Metadata.JSONVersion != "1.1" {
		return nil, fmt.Errorf("model protocol %s %s: only json 1.1 is supported", m.Metadata.Protocol, m.Metadata.JSONVersion)
	}
	if m.Metadata.SigningName == "" {
		m.Metadata.SigningName = m.Metadata.Endpoint
	}
	for name, s := range m.Shapes {
		s.name = name
		for _, mb := range s.Members {
			for _, r := range s.Required {
				if r == mb.name {
					mb.required = true
				}
			}
		}
		for _, r := range s.Required {
			if !s.hasMember(r) {
				return nil, fmt.Errorf("shape %s requires unknown member %s", name, r)
			}
		}
	}
	for name, s := range m.Shapes {
		refs := []*member{s.Member, s.Key, s.Value}
		refs = append(refs, s.Members...)
		for _, r := range refs {
			if r == nil {
				continue
			}
			t, ok := m.Shapes[r.Shape]
			if !ok {
				return nil, fmt.Errorf("shape %s refers to unknown shape %s", name, r.Shape)
			}
			r.targetShape = t
		}
	}
	for name, op := range m.Operations {
		for _, r := range append([]*shapeRef{op.Input, op.Output}, refsOf(op.Errors)...) {
			if r != nil && m.Shapes[r.Shape] == nil {
				return nil, fmt.Errorf("operation %s refers to unknown shape %s", name, r.Shape)
			}
		}
	}
	return &m, nil
}

func refsOf(rs []shapeRef) []*shapeRef {
	out := make([]*shapeRef, len(rs))
	for i := range rs {
		out[i] = &rs[i]
	}
	return out
}

func (s *shape) hasMember(name string) bool {
	for _, m := range s.Members {
		if m.name == name {
			return true
		}
	}
	return false
}

// target returns the shape a member refers to.
func (m *member) target() *shape { return m.targetShape }

// sortedShapes returns the shapes ordered by name.
func (m *model) sortedShapes() []*shape {
	out := make([]*shape, 0, len(m.Shapes))
	for _, s := range m.Shapes {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// sortedOperations returns the operations ordered by name.
func (m *model) sortedOperations() []*operation {
	out := make([]*operation, 0, len(m.Operations))
	for _, o := range m.Operations {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// loadErrorTraits reads the fault and status of every exception from a
// Smithy model, falling back to AWS JSON's defaults (400 for client faults,
// 500 for server faults) and, for exceptions the Smithy copy lacks, to a 400
// client fault.
func loadErrorTraits(m *model, smithy []byte) (map[string]errorTrait, error) {
	var sm smithyModel
	if err := json.Unmarshal(smithy, &sm); err != nil {
		return nil, fmt.Errorf("parse smithy model: %w", err)
	}
	byName := make(map[string]map[string]json.RawMessage)
	for id, s := range sm.Shapes {
		_, local, ok := strings.Cut(id, "#")
		if !ok {
			continue
		}
		byName[local] = s.Traits
	}
	out := make(map[string]errorTrait)
	for name, s := range m.Shapes {
		if !s.Exception {
			continue
		}
		traits, ok := byName[name]
		if !ok || traits["smithy.api#error"] == nil {
			out[name] = errorTrait{fault: "client", status: 400, source: "absent from the Smithy model: client fault, HTTP 400 assumed"}
			continue
		}
		var t errorTrait
		if err := json.Unmarshal(traits["smithy.api#error"], &t.fault); err != nil {
			return nil, fmt.Errorf("smithy error trait of %s: %w", name, err)
		}
		t.status = 400
		if t.fault == "server" {
			t.status = 500
		}
		t.source = "Smithy error trait, default status"
		if raw := traits["smithy.api#httpError"]; raw != nil {
			if err := json.Unmarshal(raw, &t.status); err != nil {
				return nil, fmt.Errorf("smithy httpError trait of %s: %w", name, err)
			}
			t.source = "Smithy error and httpError traits"
		}
		out[name] = t
	}
	return out, nil
}
