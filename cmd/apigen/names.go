package main

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// lowerCamel returns a member name as AWS prints it in validation paths:
// TimePeriod becomes timePeriod.
func lowerCamel(name string) string {
	r, n := utf8.DecodeRuneInString(name)
	return string(unicode.ToLower(r)) + name[n:]
}

// enumConstName returns the Go constant name of an enum value: the type name
// followed by the value in camel case (DAILY → GranularityDaily,
// CostCategoryExpression.v1 → CostCategoryRuleVersionCostCategoryExpressionV1).
func enumConstName(typeName, value string) string {
	var b strings.Builder
	b.WriteString(typeName)
	for _, part := range strings.FieldsFunc(value, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if part == strings.ToUpper(part) {
			part = strings.ToLower(part)
		}
		r, n := utf8.DecodeRuneInString(part)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(part[n:])
	}
	return b.String()
}

var (
	blockTagRE   = regexp.MustCompile(`(?i)</?(p|li|ul|ol|br|note|important|dl|dt|dd|para)\b[^>]*>`)
	tagRE        = regexp.MustCompile(`<[^>]*>`)
	spaceRE      = regexp.MustCompile(`\s+`)
	spacePunctRE = regexp.MustCompile(` ([.,;:)])`)
)

// docText turns model documentation (HTML) into plain text of at most two
// sentences.
func docText(doc string) string {
	text := blockTagRE.ReplaceAllString(doc, " ")
	text = html.UnescapeString(tagRE.ReplaceAllString(text, ""))
	text = strings.TrimSpace(spaceRE.ReplaceAllString(text, " "))
	text = spacePunctRE.ReplaceAllString(text, "$1")
	if text == "" {
		return ""
	}
	end, sentences := len(text), 0
	for i := 0; i+1 < len(text); i++ {
		if text[i] == '.' && text[i+1] == ' ' && !abbreviationBefore(text[:i]) {
			sentences++
			if sentences == 2 {
				end = i + 1
				break
			}
		}
	}
	return strings.TrimSpace(text[:end])
}

// abbreviationBefore reports whether the text before a full stop ends in an
// abbreviation such as "e.g" that does not end a sentence.
func abbreviationBefore(s string) bool {
	for _, a := range []string{"e.g", "i.e", "etc", "vs", "Inc", "U.S"} {
		if strings.HasSuffix(s, a) {
			return true
		}
	}
	return false
}

// comment formats text as a Go comment wrapped at about 100 columns.
func comment(indent, text string) string {
	var b strings.Builder
	line := indent + "//"
	for _, w := range strings.Fields(text) {
		if len(line)+1+len(w) > 100 && line != indent+"//" {
			b.WriteString(line + "\n")
			line = indent + "//"
		}
		line += " " + w
	}
	b.WriteString(line + "\n")
	return b.String()
}

// sentence makes text end with a full stop.
func sentence(text string) string {
	text = strings.TrimSpace(text)
	if text == "" || strings.HasSuffix(text, ".") || strings.HasSuffix(text, "?") || strings.HasSuffix(text, "!") {
		return text
	}
	return text + "."
}
