package awsjson

import (
	"strings"
	"testing"
)

func TestValidationMessages(t *testing.T) {
	enum := &StringRule{MinLen: -1, MaxLen: -1, Enum: []string{"DAILY", "MONTHLY", "HOURLY"}}
	name := &StringRule{MinLen: 1, MaxLen: 5, Pattern: MustCompilePattern(`[a-z]*`)}
	secret := &StringRule{MinLen: 1, MaxLen: 3, Sensitive: true}
	rng := &NumberRule{Min: 1, HasMin: true, Max: 100, HasMax: true}
	frac := &NumberRule{Min: 0.001, HasMin: true}
	size := &SizeRule{Min: 1, Max: 2}
	for _, tc := range []struct {
		name  string
		check func(vs *Violations)
		want  string
	}{
		{"none", func(vs *Violations) { vs.String("granularity", "DAILY", enum) }, ""},
		{"enum", func(vs *Violations) { vs.String("granularity", "FOO", enum) },
			"1 validation error detected: Value 'FOO' at 'granularity' failed to satisfy constraint: " +
				"Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]"},
		{"required and enum", func(vs *Violations) {
			vs.Required("timePeriod")
			vs.String("granularity", "FOO", enum)
		}, "2 validation errors detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null; " +
			"Value 'FOO' at 'granularity' failed to satisfy constraint: Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]"},
		{"length and pattern are separate violations", func(vs *Violations) { vs.String("name", "ABCDEF", name) },
			"2 validation errors detected: Value 'ABCDEF' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5; " +
				"Value 'ABCDEF' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]*"},
		{"length counts code points", func(vs *Violations) { vs.String("name", "ééééé", &StringRule{MinLen: -1, MaxLen: 5}) }, ""},
		{"min length", func(vs *Violations) { vs.String("name", "", name) },
			"1 validation error detected: Value '' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"sensitive values are hidden", func(vs *Violations) { vs.String("address", "abcd", secret) },
			"1 validation error detected: Value at 'address' failed to satisfy constraint: Member must have length less than or equal to 3"},
		{"range", func(vs *Violations) { vs.Number("maxResults", 0, rng) },
			"1 validation error detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"fractional range", func(vs *Violations) { vs.Number("commitment", 0.0001, frac) },
			"1 validation error detected: Value '0.0001' at 'commitment' failed to satisfy constraint: Member must have value greater than or equal to 0.001"},
		{"list size", func(vs *Violations) {
			l := []string{"a", "b", "c"}
			vs.Size("tags", len(l), size, func() string { return RenderList(l) })
		}, "1 validation error detected: Value '[a, b, c]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 2"},
		{"list items", func(vs *Violations) { StringList(vs, "metrics", []string{"DAILY", "x"}, enum) },
			"1 validation error detected: Value '[DAILY, x]' at 'metrics' failed to satisfy constraint: " +
				"Member must satisfy constraint: [Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]]"},
		{"list items list every item constraint", func(vs *Violations) { StringList(vs, "keys", []string{"ok", "TOOLONG"}, name) },
			"1 validation error detected: Value '[ok, TOOLONG]' at 'keys' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must have length less than or equal to 5, Member must have length greater than or equal to 1, " +
				"Member must satisfy regular expression pattern: [a-z]*]"},
		{"number list", func(vs *Violations) { NumberList(vs, "n", []int32{5, 500}, rng) },
			"1 validation error detected: Value '[5, 500]' at 'n' failed to satisfy constraint: Member must satisfy constraint: " +
				"[Member must have value less than or equal to 100, Member must have value greater than or equal to 1]"},
		{"map keys", func(vs *Violations) { MapKeys(vs, "limits", map[string]int{"b": 2, "A": 1}, name) },
			"1 validation error detected: Value '{A=1, b=2}' at 'limits' failed to satisfy constraint: Map keys must satisfy constraint: " +
				"[Member must have length less than or equal to 5, Member must have length greater than or equal to 1, " +
				"Member must satisfy regular expression pattern: [a-z]*]"},
		{"map values", func(vs *Violations) { MapStringValues(vs, "m", map[string]string{"k": "HOURLY", "j": "no"}, enum) },
			"1 validation error detected: Value '{j=no, k=HOURLY}' at 'm' failed to satisfy constraint: Map value must satisfy constraint: " +
				"[Member must satisfy enum value set: [DAILY, MONTHLY, HOURLY]]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var vs Violations
			tc.check(&vs)
			got := ""
			if err := vs.Err(); err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("message:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{Member("", "timePeriod"), "timePeriod"},
		{Member("timePeriod", "start"), "timePeriod.start"},
		{Item(Member("", "groupBy"), 0), "groupBy.1.member"},
		{Member(Item("groupBy", 1), "type"), "groupBy.2.member.type"},
		{Key("plannedBudgetLimits", "1704067200"), "plannedBudgetLimits.1704067200"},
	} {
		if tc.got != tc.want {
			t.Errorf("path = %q, want %q", tc.got, tc.want)
		}
	}
}

func TestRenderStructures(t *testing.T) {
	type item struct {
		Key *string `json:"Key,omitzero"`
	}
	k := "a"
	if got, want := RenderList([]item{{Key: &k}, {}}), `[{"Key":"a"}, {}]`; got != want {
		t.Errorf("RenderList = %s, want %s", got, want)
	}
}

func TestValidationMessageIsCapped(t *testing.T) {
	var vs Violations
	for range 150 {
		vs.Required("x")
	}
	msg := vs.Err().Error()
	if !strings.HasPrefix(msg, "150 validation errors detected: ") || !strings.HasSuffix(msg, "; and 50 more") {
		t.Errorf("message = %q", msg)
	}
	if n := strings.Count(msg, "Member must not be null"); n != 100 {
		t.Errorf("message lists %d violations, want 100", n)
	}
}
