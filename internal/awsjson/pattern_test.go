package awsjson

import (
	"strings"
	"testing"
)

func TestCompilePattern(t *testing.T) {
	for _, tc := range []struct {
		name    string
		pattern string
		match   []string
		noMatch []string
	}{
		{"anchored on the whole value", `[0-9]{12}`, []string{"123456789012"}, []string{"x123456789012", "1234567890123", ""}},
		{"star pattern must still cover everything", `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, []string{"", "a b"}, []string{"@#$%^&*x!"}},
		{"alternation is grouped before anchoring", `^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$)|(\d{12})`,
			[]string{"ou-abcd-12345678", "123456789012"}, []string{"ou-abcd-12345678-", "x123456789012"}},
		{"java unicode escapes", `^([\u0021-\u007F]+\u002F)?[\w+=,.@-]+$`, []string{"path/name", "name"}, []string{"a b/name"}},
		{"escaped space", `(.*[\n\r\t\f\ ]?)*`, []string{"a\nb ", ""}, nil},
		{"cost category name", `^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$`,
			[]string{"Team", "my team-1_x", "équipe", ""}, []string{" lead", "trail ", "a/b", "a:b"}},
		{"budget name", `^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$`,
			[]string{"Monthly budget", "a/b", "<script>", "x\n<script></script>", "a<ScriptX>", "\u212a<script>"},
			[]string{"", "a:b", `a\b`, "x/action/y", "<script>alert(1)</script>", "a<SCRIPT>b</Script>c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := CompilePattern(tc.pattern)
			if err != nil {
				t.Fatal(err)
			}
			if p.String() != tc.pattern {
				t.Errorf("String() = %q, want the model's text", p.String())
			}
			for _, s := range tc.match {
				if !p.MatchString(s) {
					t.Errorf("%q does not match, want a match", s)
				}
			}
			for _, s := range tc.noMatch {
				if p.MatchString(s) {
					t.Errorf("%q matches, want no match", s)
				}
			}
		})
	}
}

func TestCompilePatternRejectsUnknownLookaround(t *testing.T) {
	_, err := CompilePattern(`^(?!x)[a-z]+$`)
	if err == nil || !strings.Contains(err.Error(), "no hand-written matcher") {
		t.Errorf("CompilePattern = %v, want an error naming the missing matcher", err)
	}
}

func TestHandWrittenFlag(t *testing.T) {
	if MustCompilePattern(`[a-z]+`).HandWritten() {
		t.Error("an RE2 pattern reports HandWritten")
	}
	if !MustCompilePattern(`^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$`).HandWritten() {
		t.Error("a look-around pattern does not report HandWritten")
	}
}
