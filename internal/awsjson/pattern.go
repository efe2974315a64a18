package awsjson

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Pattern is a model `pattern` constraint. AWS writes patterns in Java's regex
// syntax and matches them against the whole value; Pattern does the same with
// Go's RE2 engine after translating Java-only escapes, and falls back to a
// hand-written matcher for the few model patterns RE2 cannot express
// (look-arounds).
type Pattern struct {
	src   string
	match func(string) bool
	hand  bool
}

// CompilePattern compiles a model pattern. It fails when the pattern is
// neither RE2-compatible after translation nor one of the hand-written
// matchers; the generator calls it so that such a pattern stops generation
// until someone writes its matcher here.
func CompilePattern(expr string) (*Pattern, error) {
	if m, ok := handWritten[expr]; ok {
		return &Pattern{src: expr, match: m, hand: true}, nil
	}
	re, err := regexp.Compile(`^(?:` + translateJava(expr) + `)$`)
	if err != nil {
		return nil, fmt.Errorf("pattern %q: not RE2-compatible and no hand-written matcher: %w", expr, err)
	}
	return &Pattern{src: expr, match: re.MatchString}, nil
}

// MustCompilePattern is CompilePattern for patterns known to compile; it
// panics otherwise. Generated code uses it for package-level patterns.
func MustCompilePattern(expr string) *Pattern {
	p, err := CompilePattern(expr)
	if err != nil {
		panic(err)
	}
	return p
}

// MatchString reports whether the whole of s matches the pattern.
func (p *Pattern) MatchString(s string) bool { return p.match(s) }

// String returns the pattern as the model writes it; AWS's messages quote it
// so.
func (p *Pattern) String() string { return p.src }

// HandWritten reports whether a hand-written matcher replaces RE2 for this
// pattern.
func (p *Pattern) HandWritten() bool { return p.hand }

// translateJava rewrites the Java escapes RE2 lacks: \uXXXX becomes \x{XXXX}.
func translateJava(expr string) string {
	var b strings.Builder
	for i := 0; i < len(expr); i++ {
		c := expr[i]
		if c != '\\' || i+1 >= len(expr) {
			b.WriteByte(c)
			continue
		}
		if expr[i+1] == 'u' && i+6 <= len(expr) && isHex(expr[i+2:i+6]) {
			b.WriteString(`\x{` + expr[i+2:i+6] + `}`)
			i += 5
			continue
		}
		b.WriteString(expr[i : i+2])
		i++
	}
	return b.String()
}

func isHex(s string) bool {
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// handWritten holds matchers for the model patterns that use look-arounds,
// keyed by the exact pattern text. Each follows Java's semantics of the
// pattern under Matcher.matches.
var handWritten = map[string]func(string) bool{
	// Cost Explorer CostCategoryName and CostCategoryValue: letters, numbers,
	// separators, '-' and '_', without a leading or trailing space.
	`^(?! )[\p{L}\p{N}\p{Z}-_]*(?<! )$`: matchCostCategoryName,
	// Budgets BudgetName: no ':' or '\', not containing "/action/", and no
	// "<script>…</script>" (ASCII case-insensitive) on its first line.
	`^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$`: matchBudgetName,
}

func matchCostCategoryName(s string) bool {
	if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return false
	}
	for _, r := range s {
		if !unicode.In(r, unicode.L, unicode.N, unicode.Z) && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

func matchBudgetName(s string) bool {
	if s == "" || strings.ContainsAny(s, `:\`) || strings.Contains(s, "/action/") {
		return false
	}
	// Java's '.' stops at line terminators, so the script test sees the first
	// line only; (?i) without UNICODE_CASE folds ASCII letters only.
	first := s
	if i := strings.IndexAny(s, "\n\r\u0085\u2028\u2029"); i >= 0 {
		first = s[:i]
	}
	first = asciiLower(first)
	open := strings.Index(first, "<script>")
	return open < 0 || !strings.Contains(first[open+len("<script>"):], "</script>")
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}
