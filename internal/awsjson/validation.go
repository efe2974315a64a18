package awsjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Violation is one broken constraint of an input, worded like AWS's
// ValidationException: "Value 'FOO' at 'granularity' failed to satisfy
// constraint: Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]".
type Violation struct {
	// Path is the member path in AWS's form: lower-camel member names joined
	// by dots, list items as "<list>.<1-based index>.member".
	Path string
	// Value is the offending value as AWS prints it. It is not used when Null
	// or Sensitive is set.
	Value string
	// Null marks a required member that is absent.
	Null bool
	// Sensitive hides the value, as AWS does for members modeled sensitive.
	Sensitive bool
	// Constraint is the sentence that failed, such as "Member must not be null".
	Constraint string
}

// String renders the violation as AWS does.
func (v Violation) String() string {
	switch {
	case v.Null:
		return fmt.Sprintf("Value null at '%s' failed to satisfy constraint: %s", v.Path, v.Constraint)
	case v.Sensitive:
		return fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", v.Path, v.Constraint)
	}
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", v.Value, v.Path, v.Constraint)
}

// maxListedViolations caps the violations a message spells out, so that a
// request with thousands of bad items cannot make a response many times its
// size. The count in the message stays exact.
const maxListedViolations = 100

// ValidationError is the error Validate returns: every violation found in an
// input. Dispatch sends it as the service's validation exception.
type ValidationError struct {
	Violations []Violation
}

// Error returns AWS's message: "2 validation errors detected: …; …".
func (e *ValidationError) Error() string {
	var b strings.Builder
	if len(e.Violations) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", len(e.Violations))
	}
	for i, v := range e.Violations {
		if i == maxListedViolations {
			fmt.Fprintf(&b, "; and %d more", len(e.Violations)-i)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Violations collects the violations of one Validate call. Generated Validate
// methods use it; the zero value is ready to use.
type Violations struct {
	list []Violation
}

// Err returns a *ValidationError holding the collected violations, or nil.
func (vs *Violations) Err() error {
	if len(vs.list) == 0 {
		return nil
	}
	return &ValidationError{Violations: vs.list}
}

// Add records a violation.
func (vs *Violations) Add(v Violation) {
	vs.list = append(vs.list, v)
}

// Required records that the required member at path is absent.
func (vs *Violations) Required(path string) {
	vs.Add(Violation{Path: path, Null: true, Constraint: "Member must not be null"})
}

// String checks s against rule.
func (vs *Violations) String(path, s string, rule *StringRule) {
	for _, c := range rule.violated(s) {
		vs.Add(Violation{Path: path, Value: s, Sensitive: rule.Sensitive, Constraint: c})
	}
}

// Number checks n against rule.
func (vs *Violations) Number(path string, n float64, rule *NumberRule) {
	for _, c := range rule.violated(n) {
		vs.Add(Violation{Path: path, Value: formatNumber(n), Constraint: c})
	}
}

// Size checks the number of items n of a list or map against rule; render
// prints the whole value for the message and is called only on a violation.
func (vs *Violations) Size(path string, n int, rule *SizeRule, render func() string) {
	for _, c := range rule.violated(n) {
		vs.Add(Violation{Path: path, Value: render(), Constraint: c})
	}
}

// StringList checks every item of a list of strings against rule. As AWS does,
// any failing item yields one violation for the whole list that spells out
// every constraint of the item shape.
func StringList[S ~string](vs *Violations, path string, list []S, rule *StringRule) {
	for _, s := range list {
		if len(rule.violated(string(s))) > 0 {
			vs.Add(Violation{
				Path:       path,
				Value:      RenderList(list),
				Sensitive:  rule.Sensitive,
				Constraint: "Member must satisfy constraint: [" + strings.Join(rule.constraints(), ", ") + "]",
			})
			return
		}
	}
}

// NumberList checks every item of a list of numbers against rule, like
// StringList.
func NumberList[N int32 | int64 | float64](vs *Violations, path string, list []N, rule *NumberRule) {
	for _, n := range list {
		if len(rule.violated(float64(n))) > 0 {
			vs.Add(Violation{
				Path:       path,
				Value:      RenderList(list),
				Constraint: "Member must satisfy constraint: [" + strings.Join(rule.constraints(), ", ") + "]",
			})
			return
		}
	}
}

// MapKeys checks every key of m against rule; one violation covers the map.
func MapKeys[K ~string, V any](vs *Violations, path string, m map[K]V, rule *StringRule) {
	for k := range m {
		if len(rule.violated(string(k))) > 0 {
			vs.Add(Violation{
				Path:       path,
				Value:      RenderMap(m),
				Constraint: "Map keys must satisfy constraint: [" + strings.Join(rule.constraints(), ", ") + "]",
			})
			return
		}
	}
}

// MapStringValues checks every string value of m against rule; one violation
// covers the map.
func MapStringValues[K, S ~string](vs *Violations, path string, m map[K]S, rule *StringRule) {
	for _, s := range m {
		if len(rule.violated(string(s))) > 0 {
			vs.Add(Violation{
				Path:       path,
				Value:      RenderMap(m),
				Sensitive:  rule.Sensitive,
				Constraint: "Map value must satisfy constraint: [" + strings.Join(rule.constraints(), ", ") + "]",
			})
			return
		}
	}
}

// Member returns the path of member name (already lower-camel) under path.
func Member(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// Item returns the path of the i-th (0-based) item of the list at path, in
// AWS's form "<path>.<i+1>.member".
func Item(path string, i int) string {
	return path + "." + strconv.Itoa(i+1) + ".member"
}

// Key returns the path of the value under key k of the map at path.
func Key[K ~string](path string, k K) string {
	return path + "." + string(k)
}

// SortedKeys returns the keys of m in order, so that violations inside maps
// come out deterministically.
func SortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// StringRule holds the constraints of a string shape.
type StringRule struct {
	// MinLen and MaxLen bound the length in Unicode code points; -1 when the
	// model sets no bound.
	MinLen, MaxLen int
	// Enum lists the allowed values; nil when the shape is not an enum.
	Enum []string
	// Pattern must match the whole value; nil when the model sets none.
	Pattern *Pattern
	// Sensitive hides values in messages.
	Sensitive bool
}

// violated returns the constraints s breaks, in the order AWS prints them.
func (r *StringRule) violated(s string) []string {
	var out []string
	if r.Enum != nil && !slices.Contains(r.Enum, s) {
		out = append(out, r.enumConstraint())
	}
	if r.MaxLen >= 0 || r.MinLen > 0 {
		n := utf8.RuneCountInString(s)
		if r.MaxLen >= 0 && n > r.MaxLen {
			out = append(out, fmt.Sprintf("Member must have length less than or equal to %d", r.MaxLen))
		}
		if r.MinLen > 0 && n < r.MinLen {
			out = append(out, fmt.Sprintf("Member must have length greater than or equal to %d", r.MinLen))
		}
	}
	if r.Pattern != nil && !r.Pattern.MatchString(s) {
		out = append(out, "Member must satisfy regular expression pattern: "+r.Pattern.String())
	}
	return out
}

// constraints returns every constraint of the rule, as AWS lists them for an
// item of a list or map.
func (r *StringRule) constraints() []string {
	var out []string
	if r.Enum != nil {
		out = append(out, r.enumConstraint())
	}
	if r.MaxLen >= 0 {
		out = append(out, fmt.Sprintf("Member must have length less than or equal to %d", r.MaxLen))
	}
	if r.MinLen >= 0 {
		out = append(out, fmt.Sprintf("Member must have length greater than or equal to %d", r.MinLen))
	}
	if r.Pattern != nil {
		out = append(out, "Member must satisfy regular expression pattern: "+r.Pattern.String())
	}
	return out
}

func (r *StringRule) enumConstraint() string {
	return "Member must satisfy enum value set: [" + strings.Join(r.Enum, ", ") + "]"
}

// NumberRule holds the range of a numeric shape.
type NumberRule struct {
	Min, Max       float64
	HasMin, HasMax bool
}

// violated returns the constraints n breaks, in the order AWS prints them.
func (r *NumberRule) violated(n float64) []string {
	var out []string
	if r.HasMax && n > r.Max {
		out = append(out, "Member must have value less than or equal to "+formatNumber(r.Max))
	}
	if r.HasMin && n < r.Min {
		out = append(out, "Member must have value greater than or equal to "+formatNumber(r.Min))
	}
	return out
}

func (r *NumberRule) constraints() []string {
	var out []string
	if r.HasMax {
		out = append(out, "Member must have value less than or equal to "+formatNumber(r.Max))
	}
	if r.HasMin {
		out = append(out, "Member must have value greater than or equal to "+formatNumber(r.Min))
	}
	return out
}

// SizeRule bounds the number of items of a list or map; -1 means no bound.
type SizeRule struct {
	Min, Max int
}

func (r *SizeRule) violated(n int) []string {
	var out []string
	if r.Max >= 0 && n > r.Max {
		out = append(out, fmt.Sprintf("Member must have length less than or equal to %d", r.Max))
	}
	if r.Min > 0 && n < r.Min {
		out = append(out, fmt.Sprintf("Member must have length greater than or equal to %d", r.Min))
	}
	return out
}

// formatNumber prints whole numbers without a fraction and others in the
// shortest form that round-trips.
func formatNumber(n float64) string {
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// RenderList prints a list the way AWS's messages do: "[a, b]". Items that
// are not strings or numbers are printed as Go values.
func RenderList[T any](list []T) string {
	parts := make([]string, len(list))
	for i, v := range list {
		parts[i] = render(v)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// RenderMap prints a map the way AWS's messages do, "{k1=v1, k2=v2}", with
// keys sorted so that messages are deterministic.
func RenderMap[K ~string, V any](m map[K]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, string(k))
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + render(m[K(k)])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// render prints one item: strings and numbers as they are, anything else
// (structures) as JSON.
func render(v any) string {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Float32, reflect.Float64:
		return formatNumber(rv.Float())
	case reflect.Int, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool())
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
