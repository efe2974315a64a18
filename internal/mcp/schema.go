package mcp

import (
	"fmt"
	"reflect"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/tallyhq/tally/internal/costexplorer"
)

// expressionRef stands for a Cost Explorer Expression wherever one appears:
// the type is recursive (And, Or, Not), which schema inference cannot
// follow, so it is defined once under $defs and referenced.
const expressionRef = "#/$defs/Expression"

var expressionType = reflect.TypeFor[costexplorer.Expression]()

// inputSchema returns the JSON schema of a tool's input type T: the
// properties of the AWS request shape, with each enum's values listed,
// required lists the members the operation needs, and describe gives the
// description of top-level members.
func inputSchema[T any](required []string, describe map[string]string) (*jsonschema.Schema, error) {
	t := reflect.TypeFor[T]()
	types := map[reflect.Type]*jsonschema.Schema{expressionType: {Ref: expressionRef}}
	enums(t, types, map[reflect.Type]bool{})
	opts := &jsonschema.ForOptions{TypeSchemas: types}
	s, err := jsonschema.ForType(t, opts)
	if err != nil {
		return nil, err
	}
	if usesExpression(t, map[reflect.Type]bool{}) {
		expr, err := expressionSchema(opts)
		if err != nil {
			return nil, err
		}
		s.Defs = map[string]*jsonschema.Schema{"Expression": expr}
	}
	fixRefs(s)
	s.Required = required
	for name, d := range describe {
		p, ok := s.Properties[name]
		if !ok {
			return nil, fmt.Errorf("%s has no member %s", t.Name(), name)
		}
		p.Description = d
	}
	return s, nil
}

// expressionSchema spells out Expression, whose operands refer back to it.
func expressionSchema(opts *jsonschema.ForOptions) (*jsonschema.Schema, error) {
	ref := func() *jsonschema.Schema { return &jsonschema.Schema{Ref: expressionRef} }
	s := &jsonschema.Schema{
		Type: "object",
		Description: "A Cost Explorer filter: exactly one of And, Or, Not, Dimensions, Tags, CostCategories. " +
			`Example: {"Dimensions": {"Key": "SERVICE", "Values": ["Amazon Simple Storage Service"]}}.`,
		Properties: map[string]*jsonschema.Schema{
			"And": {Type: "array", Items: ref()},
			"Or":  {Type: "array", Items: ref()},
			"Not": ref(),
		},
		AdditionalProperties: &jsonschema.Schema{Not: &jsonschema.Schema{}},
	}
	for _, f := range []string{"Dimensions", "Tags", "CostCategories"} {
		sf, _ := expressionType.FieldByName(f)
		p, err := jsonschema.ForType(sf.Type.Elem(), opts)
		if err != nil {
			return nil, err
		}
		s.Properties[f] = p
	}
	return s, nil
}

// enums adds the schema of every enum type reachable from t: a string with
// the model's values (the generated Values method).
func enums(t reflect.Type, out map[reflect.Type]*jsonschema.Schema, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if seen[t] {
		return
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.String:
		m, ok := t.MethodByName("Values")
		if !ok || m.Type.NumIn() != 1 || m.Type.NumOut() != 1 {
			return
		}
		vs := m.Func.Call([]reflect.Value{reflect.Zero(t)})[0]
		s := &jsonschema.Schema{Type: "string"}
		for i := range vs.Len() {
			s.Enum = append(s.Enum, vs.Index(i).String())
		}
		out[t] = s
	case reflect.Struct:
		for i := range t.NumField() {
			enums(t.Field(i).Type, out, seen)
		}
	}
}

// usesExpression reports whether t contains an Expression.
func usesExpression(t reflect.Type, seen map[reflect.Type]bool) bool {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t == expressionType {
		return true
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return false
	}
	seen[t] = true
	for i := range t.NumField() {
		if usesExpression(t.Field(i).Type, seen) {
			return true
		}
	}
	return false
}

// fixRefs drops the "null" type that inference adds beside a $ref for a
// pointer field: next to a $ref it would allow only null.
func fixRefs(s *jsonschema.Schema) {
	if s == nil {
		return
	}
	if s.Ref != "" {
		s.Type, s.Types = "", nil
	}
	for _, p := range s.Properties {
		fixRefs(p)
	}
	for _, d := range s.Defs {
		fixRefs(d)
	}
	fixRefs(s.Items)
	fixRefs(s.AdditionalProperties)
}
