package awsjson

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testInput is a hand-written stand-in for a generated input structure.
type testInput struct {
	Name  *string           `json:"Name,omitzero"`
	Count *int32            `json:"Count,omitzero"`
	Size  *int64            `json:"Size,omitzero"`
	Ratio *float64          `json:"Ratio,omitzero"`
	On    *bool             `json:"On,omitzero"`
	When  *EpochTime        `json:"When,omitzero"`
	Tags  []string          `json:"Tags,omitzero"`
	Attrs map[string]string `json:"Attrs,omitzero"`
	Child *testInput        `json:"Child,omitzero"`
}

// testShape returns the schema of testInput, recursive through Child.
func testShape() *Shape {
	str := &Shape{Name: "String", Kind: KindString}
	in := &Shape{Name: "TestInput", Kind: KindStructure}
	in.Members = map[string]*Shape{
		"Name":  str,
		"Count": {Name: "Count", Kind: KindInteger},
		"Size":  {Name: "Size", Kind: KindLong},
		"Ratio": {Name: "Ratio", Kind: KindDouble},
		"On":    {Name: "On", Kind: KindBoolean},
		"When":  {Name: "When", Kind: KindTimestamp},
		"Tags":  {Name: "Tags", Kind: KindList, Item: str},
		"Attrs": {Name: "Attrs", Kind: KindMap, Item: str},
		"Child": in,
	}
	return in
}

func ptr[T any](v T) *T { return &v }

func TestDecodeAccepts(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want testInput
	}{
		{"empty body", "", testInput{}},
		{"white space", " \n\t", testInput{}},
		{"empty object", "{}", testInput{}},
		{"null members are absent", `{"Name":null,"Tags":null}`, testInput{}},
		{"all kinds", `{"Name":"n","Count":-2147483648,"Size":9007199254740993,"Ratio":1.5e3,"On":false,` +
			`"When":1.7040672E9,"Tags":["a",""],"Attrs":{"k":"v"},"Child":{"Count":1}}`,
			testInput{
				Name: ptr("n"), Count: ptr(int32(-2147483648)), Size: ptr(int64(9007199254740993)),
				Ratio: ptr(1500.0), On: ptr(false), When: NewEpochTime(time.Unix(1704067200, 0)),
				Tags: []string{"a", ""}, Attrs: map[string]string{"k": "v"}, Child: &testInput{Count: ptr(int32(1))},
			}},
		{"empty list stays non-nil", `{"Tags":[]}`, testInput{Tags: []string{}}},
		{"timestamp as RFC 3339 string", `{"When":"2024-01-01T00:00:00Z"}`, testInput{When: NewEpochTime(time.Unix(1704067200, 0))}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got testInput
			if err := Decode([]byte(tc.body), testShape(), &got); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b EpochTime) bool { return a.Time().Equal(b.Time()) })); diff != "" {
				t.Errorf("decoded (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want string // substring of the message
	}{
		{"malformed", `{"Name":`, "malformed JSON"},
		{"malformed token", `{"Name":tru}`, "malformed JSON"},
		{"not an object", `["Name"]`, "must be a JSON object, not START_ARRAY"},
		{"null body", `null`, "must be a JSON object, not NULL_VALUE"},
		{"string body", `"x"`, "must be a JSON object, not STRING_VALUE"},
		{"trailing data", `{}{}`, "unexpected data after"},
		{"unknown member", `{"Nme":"x"}`, "unknown member 'Nme'"},
		{"member names are case-sensitive", `{"name":"x"}`, "unknown member 'name'"},
		{"nested unknown member", `{"Child":{"Child":{"Bogus":1}}}`, "unknown member 'Child.Child.Bogus'"},
		{"duplicate member", `{"Name":"a","Name":"b"}`, "member 'Name' appears more than once"},
		{"duplicate map key", `{"Attrs":{"k":"a","k":"b"}}`, `map key 'Attrs["k"]' appears more than once`},
		{"string for integer", `{"Count":"5"}`, "STRING_VALUE can not be converted to an Integer at 'Count'"},
		{"fraction for integer", `{"Count":1.5}`, "NUMBER_VALUE 1.5 can not be converted to an Integer at 'Count'"},
		{"exponent for integer", `{"Count":1e2}`, "can not be converted to an Integer"},
		{"integer overflow", `{"Count":2147483648}`, "NUMBER_VALUE 2147483648 is out of range for an Integer at 'Count'"},
		{"long overflow", `{"Size":9223372036854775808}`, "out of range for a Long"},
		{"double overflow", `{"Ratio":1e999}`, "out of range for a Double"},
		{"number for string", `{"Name":5}`, "NUMBER_VALUE can not be converted to a String at 'Name'"},
		{"object for string", `{"Name":{}}`, "START_OBJECT can not be converted to a String"},
		{"string for boolean", `{"On":"true"}`, "STRING_VALUE can not be converted to a Boolean at 'On'"},
		{"object for list", `{"Tags":{}}`, "START_OBJECT can not be converted to a list at 'Tags'"},
		{"list for structure", `{"Child":[]}`, "START_ARRAY can not be converted to a structure at 'Child'"},
		{"wrong list item", `{"Tags":["a",1]}`, "NUMBER_VALUE can not be converted to a String at 'Tags[1]'"},
		{"null list item", `{"Tags":["a",null]}`, "null is not allowed as the list item 'Tags[1]'"},
		{"null map value", `{"Attrs":{"k":null}}`, `null is not allowed as the map value 'Attrs["k"]'`},
		{"bad timestamp string", `{"When":"yesterday"}`, `timestamp "yesterday" is neither epoch seconds nor RFC 3339 at 'When'`},
		{"huge timestamp", `{"When":1e300}`, "out of range at 'When'"},
		{"boolean timestamp", `{"When":true}`, "BOOLEAN_VALUE can not be converted to a Timestamp"},
		{"invalid UTF-8", "{\"Name\":\"\xff\"}", "not valid UTF-8"},
		{"absurd depth", strings.Repeat(`{"Child":`, 2000) + "{}" + strings.Repeat("}", 2000), "deeper than 1000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got testInput
			err := Decode([]byte(tc.body), testShape(), &got)
			var ae *Error
			if !errors.As(err, &ae) {
				t.Fatalf("Decode(%s) = %v, want an *Error", tc.body, err)
			}
			if ae.Type != SerializationException || ae.Status != 400 {
				t.Errorf("error = %s %d, want SerializationException 400", ae.Type, ae.Status)
			}
			if !strings.Contains(ae.Message, tc.want) {
				t.Errorf("message %q does not contain %q", ae.Message, tc.want)
			}
		})
	}
}

func TestCheckDepth(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		max  int
		ok   bool
	}{
		{"flat", `{"a":1}`, 1, true},
		{"at the limit", `{"a":[{"b":1}]}`, 3, true},
		{"over the limit", `{"a":[{"b":1}]}`, 2, false},
		{"brackets inside strings do not count", `{"a":"[[[[{{{{\"[["}`, 1, true},
		{"escaped backslash ends the string", `{"a":"\\","b":[[]]}`, 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkDepth([]byte(tc.body), tc.max)
			if (err == nil) != tc.ok {
				t.Errorf("checkDepth(%s, %d) = %v, want ok=%v", tc.body, tc.max, err, tc.ok)
			}
		})
	}
}
