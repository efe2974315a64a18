package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tallyhq/tally/internal/awsjson"
)

// validators writes the constraint rules, a Validate method per operation
// input and a validate helper per shape reachable from an input that has
// something to check.
func (g *generator) validators() error {
	isInput := make(map[string]bool)
	for _, op := range g.m.Operations {
		isInput[op.Input.Shape] = true
	}
	for _, s := range g.m.sortedShapes() {
		if !g.inputs[s.name] {
			continue
		}
		if err := g.rule(s); err != nil {
			return err
		}
	}
	for _, s := range g.m.sortedShapes() {
		if !g.inputs[s.name] {
			continue
		}
		if isInput[s.name] {
			g.validateMethod(s)
		}
		if !g.needs[s.name] {
			continue
		}
		var err error
		switch s.Type {
		case "structure":
			err = g.structValidator(s)
		case "list":
			err = g.listValidator(s)
		case "map":
			err = g.mapValidator(s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// rule writes the rule variable of a scalar, list or map shape that has
// constraints.
func (g *generator) rule(s *shape) error {
	switch {
	case s.Type == "string" && hasStringRule(s):
		if err := g.declare("rule"+s.name, "rule"); err != nil {
			return err
		}
		fields := []string{"MinLen: " + bound(s.Min), "MaxLen: " + bound(s.Max)}
		if len(s.Enum) > 0 {
			vals := make([]string, len(s.Enum))
			for i, v := range s.Enum {
				vals[i] = strconv.Quote(v)
			}
			fields = append(fields, "Enum: []string{"+strings.Join(vals, ", ")+"}")
		}
		if s.Pattern != nil {
			p, err := awsjson.CompilePattern(*s.Pattern)
			if err != nil {
				return fmt.Errorf("shape %s: %w", s.name, err)
			}
			if p.HandWritten() {
				g.report = append(g.report, fmt.Sprintf("%s: pattern %s uses look-arounds RE2 lacks; awsjson's hand-written matcher checks it", s.name, *s.Pattern))
			}
			fields = append(fields, "Pattern: awsjson.MustCompilePattern("+goString(*s.Pattern)+")")
		}
		if s.Sensitive {
			fields = append(fields, "Sensitive: true")
		}
		g.printf("// rule%s holds the constraints of the model shape %s.\n", s.name, s.name)
		g.printf("var rule%s = &awsjson.StringRule{%s}\n\n", s.name, strings.Join(fields, ", "))
	case (s.Type == "integer" || s.Type == "long" || s.Type == "double") && (s.Min != nil || s.Max != nil):
		if err := g.declare("rule"+s.name, "rule"); err != nil {
			return err
		}
		var fields []string
		if s.Min != nil {
			fields = append(fields, "Min: "+formatFloat(*s.Min), "HasMin: true")
		}
		if s.Max != nil {
			fields = append(fields, "Max: "+formatFloat(*s.Max), "HasMax: true")
		}
		g.printf("// rule%s holds the range of the model shape %s.\n", s.name, s.name)
		g.printf("var rule%s = &awsjson.NumberRule{%s}\n\n", s.name, strings.Join(fields, ", "))
	case (s.Type == "list" || s.Type == "map") && hasSizeRule(s):
		if err := g.declare("size"+s.name, "size rule"); err != nil {
			return err
		}
		g.printf("// size%s bounds the number of items of the model shape %s.\n", s.name, s.name)
		g.printf("var size%s = &awsjson.SizeRule{Min: %s, Max: %s}\n\n", s.name, bound(s.Min), bound(s.Max))
	}
	return nil
}

func bound(v *float64) string {
	if v == nil {
		return "-1"
	}
	return strconv.Itoa(int(*v))
}

func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// goString quotes s as a Go raw string when it can, for readable patterns.
func goString(s string) string {
	if !strings.ContainsAny(s, "`\r") {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// validateMethod writes the exported Validate of an operation input.
func (g *generator) validateMethod(s *shape) {
	g.printf("// Validate checks every constraint the model sets on %s and its\n", s.name)
	g.printf("// members; it returns a *awsjson.ValidationError listing the violations.\n")
	if !g.needs[s.name] {
		g.printf("func (v *%s) Validate() error { return nil }\n\n", s.name)
		return
	}
	g.printf("func (v *%s) Validate() error {\n\tvar vs awsjson.Violations\n\tv.validate(&vs, \"\")\n\treturn vs.Err()\n}\n\n", s.name)
}

// structValidator writes the validate method of a structure.
func (g *generator) structValidator(s *shape) error {
	g.printf("func (v *%s) validate(vs *awsjson.Violations, path string) {\n", s.name)
	for _, mb := range s.Members {
		t := mb.target()
		check := g.needs[t.name]
		if !check && !mb.required {
			continue
		}
		p := fmt.Sprintf("awsjson.Member(path, %q)", lowerCamel(mb.name))
		field := "v." + mb.name
		g.printf("\tif %s != nil {\n", field)
		if check {
			code, err := g.checkValue(t, field, p, true)
			if err != nil {
				return fmt.Errorf("member %s.%s: %w", s.name, mb.name, err)
			}
			g.printf("\t\t%s\n", code)
		}
		if mb.required {
			g.printf("\t} else {\n\t\tvs.Required(%s)\n", p)
		}
		g.printf("\t}\n")
	}
	g.printf("}\n\n")
	return nil
}

// checkValue returns the statement that checks expr, a value of shape t, at
// path p. ptr tells whether expr is a pointer to a scalar or structure.
func (g *generator) checkValue(t *shape, expr, p string, ptr bool) (string, error) {
	deref := expr
	if ptr {
		deref = "*" + expr
	}
	switch t.Type {
	case "string":
		return fmt.Sprintf("vs.String(%s, string(%s), rule%s)", p, deref, t.name), nil
	case "integer", "long", "double":
		return fmt.Sprintf("vs.Number(%s, float64(%s), rule%s)", p, deref, t.name), nil
	case "structure":
		return fmt.Sprintf("%s.validate(vs, %s)", expr, p), nil
	case "list", "map":
		return fmt.Sprintf("validate%s(vs, %s, %s)", t.name, p, expr), nil
	}
	return "", fmt.Errorf("shape %s of type %s cannot be validated", t.name, t.Type)
}

// listValidator writes the validate function of a list shape.
func (g *generator) listValidator(s *shape) error {
	if err := g.declare("validate"+s.name, "list validator"); err != nil {
		return err
	}
	typ, err := g.goType(s, false)
	if err != nil {
		return err
	}
	g.printf("func validate%s(vs *awsjson.Violations, path string, l %s) {\n", s.name, typ)
	if hasSizeRule(s) {
		g.printf("\tvs.Size(path, len(l), size%s, func() string { return awsjson.RenderList(l) })\n", s.name)
	}
	item := s.Member.target()
	if g.needs[item.name] {
		switch item.Type {
		case "string":
			g.printf("\tawsjson.StringList(vs, path, l, rule%s)\n", item.name)
		case "integer", "long", "double":
			g.printf("\tawsjson.NumberList(vs, path, l, rule%s)\n", item.name)
		default:
			code, err := g.checkValue(item, "l[i]", "awsjson.Item(path, i)", false)
			if err != nil {
				return fmt.Errorf("list %s: %w", s.name, err)
			}
			g.printf("\tfor i := range l {\n\t\t%s\n\t}\n", code)
		}
	}
	g.printf("}\n\n")
	return nil
}

// mapValidator writes the validate function of a map shape.
func (g *generator) mapValidator(s *shape) error {
	if err := g.declare("validate"+s.name, "map validator"); err != nil {
		return err
	}
	typ, err := g.goType(s, false)
	if err != nil {
		return err
	}
	g.printf("func validate%s(vs *awsjson.Violations, path string, m %s) {\n", s.name, typ)
	if hasSizeRule(s) {
		g.printf("\tvs.Size(path, len(m), size%s, func() string { return awsjson.RenderMap(m) })\n", s.name)
	}
	if key := s.Key.target(); g.needs[key.name] {
		g.printf("\tawsjson.MapKeys(vs, path, m, rule%s)\n", key.name)
	}
	if val := s.Value.target(); g.needs[val.name] {
		switch val.Type {
		case "string":
			g.printf("\tawsjson.MapStringValues(vs, path, m, rule%s)\n", val.name)
		case "structure", "list", "map":
			expr := "m[k]"
			if val.Type == "structure" {
				g.printf("\tfor _, k := range awsjson.SortedKeys(m) {\n\t\tval := m[k]\n")
				expr = "val"
			} else {
				g.printf("\tfor _, k := range awsjson.SortedKeys(m) {\n")
			}
			code, err := g.checkValue(val, expr, "awsjson.Key(path, k)", false)
			if err != nil {
				return err
			}
			g.printf("\t\t%s\n\t}\n", code)
		default:
			return fmt.Errorf("map %s: values of type %s cannot be validated", s.name, val.Type)
		}
	}
	g.printf("}\n\n")
	return nil
}

// kinds maps model types to awsjson kinds.
var kinds = map[string]string{
	"string":    "awsjson.KindString",
	"boolean":   "awsjson.KindBoolean",
	"integer":   "awsjson.KindInteger",
	"long":      "awsjson.KindLong",
	"double":    "awsjson.KindDouble",
	"timestamp": "awsjson.KindTimestamp",
	"list":      "awsjson.KindList",
	"map":       "awsjson.KindMap",
	"structure": "awsjson.KindStructure",
}

// shapes writes newShapes, which builds the decoding schema of every shape
// reachable from an input.
func (g *generator) shapes() error {
	g.printf("// newShapes builds the wire shapes of every input for strict decoding,\n")
	g.printf("// linking recursive shapes by pointer.\n")
	g.printf("func newShapes() map[string]*awsjson.Shape {\n\ts := map[string]*awsjson.Shape{\n")
	var links strings.Builder
	for _, s := range g.m.sortedShapes() {
		if !g.inputs[s.name] {
			continue
		}
		kind, ok := kinds[s.Type]
		if !ok {
			return fmt.Errorf("shape %s: type %s is not supported", s.name, s.Type)
		}
		g.printf("\t\t%q: {Name: %q, Kind: %s},\n", s.name, s.name, kind)
		switch s.Type {
		case "structure":
			if len(s.Members) == 0 {
				fmt.Fprintf(&links, "\ts[%q].Members = map[string]*awsjson.Shape{}\n", s.name)
				continue
			}
			fmt.Fprintf(&links, "\ts[%q].Members = map[string]*awsjson.Shape{\n", s.name)
			for _, mb := range s.Members {
				fmt.Fprintf(&links, "\t\t%q: s[%q],\n", mb.name, mb.Shape)
			}
			links.WriteString("\t}\n")
		case "list":
			fmt.Fprintf(&links, "\ts[%q].Item = s[%q]\n", s.name, s.Member.Shape)
		case "map":
			fmt.Fprintf(&links, "\ts[%q].Item = s[%q]\n", s.name, s.Value.Shape)
		}
	}
	g.printf("\t}\n%s\treturn s\n}\n", links.String())
	return nil
}
