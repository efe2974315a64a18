package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"
)

// Kind is the wire type of a model shape.
type Kind uint8

// The shape kinds of the Cost Explorer and Budgets models.
const (
	KindString Kind = iota + 1
	KindBoolean
	KindInteger
	KindLong
	KindDouble
	KindTimestamp
	KindList
	KindMap
	KindStructure
)

// String names the kind as SerializationException messages do: "an Integer".
func (k Kind) String() string {
	switch k {
	case KindString:
		return "a String"
	case KindBoolean:
		return "a Boolean"
	case KindInteger:
		return "an Integer"
	case KindLong:
		return "a Long"
	case KindDouble:
		return "a Double"
	case KindTimestamp:
		return "a Timestamp"
	case KindList:
		return "a list"
	case KindMap:
		return "a map"
	case KindStructure:
		return "a structure"
	}
	return "kind " + strconv.Itoa(int(k))
}

// Shape describes a model shape for strict decoding. Generated code builds
// the shapes of each service once, linking recursive shapes by pointer.
type Shape struct {
	// Name is the model's shape name.
	Name string
	Kind Kind
	// Members maps member names of a structure to their shapes.
	Members map[string]*Shape
	// Item is the shape of a list's items or a map's values (keys are
	// always strings).
	Item *Shape
}

// hardMaxDepth stops Decode on absurd nesting even when a caller did not check
// the depth first.
const hardMaxDepth = 1000

// Decode decodes body into v, a pointer to the generated struct of shape, after
// checking that body is a JSON object that matches shape exactly: valid
// UTF-8, no unknown or duplicate members, no value of the wrong type, no
// integer out of range and no null list item or map value. A null member is
// the same as an absent one. An empty body means {}. Failures are
// *Error values of type SerializationException that name the member.
func Decode(body []byte, shape *Shape, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if !utf8.Valid(body) {
		return Serialization("request body is not valid UTF-8")
	}
	if err := checkDepth(body, hardMaxDepth); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	w := &walker{dec: dec}
	tok, err := w.token()
	if err != nil {
		return err
	}
	if tok != json.Delim('{') {
		return Serialization("request body must be a JSON object, not %s", tokenName(tok))
	}
	if err := w.structure(shape, ""); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return Serialization("unexpected data after the JSON object of the request body")
	}
	if err := json.Unmarshal(body, v); err != nil {
		// The walk above checked every type, so this is a bug, not bad input.
		return fmt.Errorf("awsjson: decode %s after a successful check: %w", shape.Name, err)
	}
	return nil
}

// walker checks a token stream against shapes.
type walker struct {
	dec *json.Decoder
}

func (w *walker) token() (json.Token, error) {
	tok, err := w.dec.Token()
	if err == nil {
		return tok, nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return nil, Serialization("malformed JSON at byte %d: %v", syn.Offset, err)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, Serialization("malformed JSON: unexpected end of the request body")
	}
	return nil, Serialization("malformed JSON: %v", err)
}

// value checks one value of shape whose first token is tok.
func (w *walker) value(shape *Shape, path string, tok json.Token) error {
	switch shape.Kind {
	case KindStructure:
		if tok != json.Delim('{') {
			return mismatch(tok, shape, path)
		}
		return w.structure(shape, path)
	case KindMap:
		if tok != json.Delim('{') {
			return mismatch(tok, shape, path)
		}
		return w.mapValue(shape, path)
	case KindList:
		if tok != json.Delim('[') {
			return mismatch(tok, shape, path)
		}
		return w.list(shape, path)
	case KindString:
		if _, ok := tok.(string); !ok {
			return mismatch(tok, shape, path)
		}
	case KindBoolean:
		if _, ok := tok.(bool); !ok {
			return mismatch(tok, shape, path)
		}
	case KindInteger, KindLong, KindDouble:
		return number(tok, shape, path)
	case KindTimestamp:
		return timestamp(tok, shape, path)
	default:
		return fmt.Errorf("awsjson: shape %s has unknown kind %d", shape.Name, shape.Kind)
	}
	return nil
}

// structure checks the members of an object whose '{' was read.
func (w *walker) structure(shape *Shape, path string) error {
	seen := make(map[string]bool)
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		name := tok.(string) // object keys are always strings
		member := joinJSON(path, name)
		if seen[name] {
			return Serialization("member '%s' appears more than once", member)
		}
		seen[name] = true
		ms, ok := shape.Members[name]
		if !ok {
			return Serialization("unknown member '%s': %s has no member %q", member, shape.Name, name)
		}
		if tok, err = w.token(); err != nil {
			return err
		}
		if tok == nil {
			continue // null is the same as absent
		}
		if err := w.value(ms, member, tok); err != nil {
			return err
		}
	}
	_, err := w.token() // '}'
	return err
}

// mapValue checks the entries of an object whose '{' was read.
func (w *walker) mapValue(shape *Shape, path string) error {
	seen := make(map[string]bool)
	for w.dec.More() {
		tok, err := w.token()
		if err != nil {
			return err
		}
		key := tok.(string)
		entry := path + "[" + strconv.Quote(key) + "]"
		if seen[key] {
			return Serialization("map key '%s' appears more than once", entry)
		}
		seen[key] = true
		if tok, err = w.token(); err != nil {
			return err
		}
		if tok == nil {
			return Serialization("null is not allowed as the map value '%s'", entry)
		}
		if err := w.value(shape.Item, entry, tok); err != nil {
			return err
		}
	}
	_, err := w.token() // '}'
	return err
}

// list checks the items of an array whose '[' was read.
func (w *walker) list(shape *Shape, path string) error {
	for i := 0; w.dec.More(); i++ {
		item := path + "[" + strconv.Itoa(i) + "]"
		tok, err := w.token()
		if err != nil {
			return err
		}
		if tok == nil {
			return Serialization("null is not allowed as the list item '%s'", item)
		}
		if err := w.value(shape.Item, item, tok); err != nil {
			return err
		}
	}
	_, err := w.token() // ']'
	return err
}

// number checks a numeric token against an Integer, Long or Double shape.
func number(tok json.Token, shape *Shape, path string) error {
	n, ok := tok.(json.Number)
	if !ok {
		return mismatch(tok, shape, path)
	}
	switch shape.Kind {
	case KindInteger, KindLong:
		bits := 64
		if shape.Kind == KindInteger {
			bits = 32
		}
		if _, err := strconv.ParseInt(n.String(), 10, bits); err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return Serialization("NUMBER_VALUE %s is out of range for %s at '%s'", n, shape.Kind, path)
			}
			return Serialization("NUMBER_VALUE %s can not be converted to %s at '%s'", n, shape.Kind, path)
		}
	case KindDouble:
		if f, err := n.Float64(); err != nil || math.IsInf(f, 0) {
			return Serialization("NUMBER_VALUE %s is out of range for a Double at '%s'", n, path)
		}
	}
	return nil
}

// timestamp checks a token against a timestamp shape: a number or a string
// that parses as a time.
func timestamp(tok json.Token, shape *Shape, path string) error {
	var lit []byte
	switch v := tok.(type) {
	case json.Number:
		lit = []byte(v)
	case string:
		lit = strconv.AppendQuote(nil, v)
	default:
		return mismatch(tok, shape, path)
	}
	if _, err := parseEpochJSON(lit); err != nil {
		return Serialization("%v at '%s'", err, path)
	}
	return nil
}

// mismatch reports a value of the wrong JSON type.
func mismatch(tok json.Token, shape *Shape, path string) error {
	return Serialization("%s can not be converted to %s at '%s'", tokenName(tok), shape.Kind, path)
}

// tokenName names a token as AWS's messages do.
func tokenName(tok json.Token) string {
	switch tok.(type) {
	case string:
		return "STRING_VALUE"
	case json.Number:
		return "NUMBER_VALUE"
	case bool:
		return "BOOLEAN_VALUE"
	case nil:
		return "NULL_VALUE"
	}
	if tok == json.Delim('[') {
		return "START_ARRAY"
	}
	return "START_OBJECT"
}

// joinJSON returns the JSON path of member name under path.
func joinJSON(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// checkDepth scans body without decoding it and fails when objects and arrays
// nest deeper than max.
func checkDepth(body []byte, max int) error {
	depth, inString, escaped := 0, false, false
	for _, c := range body {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return Serialization("request body nests objects and arrays deeper than %d levels", max)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
