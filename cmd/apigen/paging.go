package main

import (
	"encoding/json"
	"fmt"
	"sort"
)

// paginators is the part of a botocore paginators-1.json the generator
// reads: each paged operation's token and page-size members.
type paginators struct {
	Pagination map[string]struct {
		InputToken string `json:"input_token"`
		LimitKey   string `json:"limit_key"`
	} `json:"pagination"`
}

// pageMembers names an input's page token and page-size members.
type pageMembers struct {
	token, limit string
}

// tokenMembers are the names AWS gives a request's page token; an input
// that has one is paged even when paginators-1.json leaves it out (as it
// does GetCostAndUsage).
var tokenMembers = []string{"NextPageToken", "NextToken"}

// loadPaging finds the paged inputs: those paginators-1.json lists, with
// their page size, and those with a member named like a page token.
func loadPaging(m *model, paginatorsJSON []byte) (map[string]pageMembers, error) {
	var p paginators
	if len(paginatorsJSON) > 0 {
		if err := json.Unmarshal(paginatorsJSON, &p); err != nil {
			return nil, fmt.Errorf("parse paginators: %w", err)
		}
	}
	for name := range p.Pagination {
		if m.Operations[name] == nil {
			return nil, fmt.Errorf("paginators name unknown operation %s", name)
		}
	}
	out := make(map[string]pageMembers)
	for _, op := range m.Operations {
		if op.Input == nil {
			continue
		}
		in := m.Shapes[op.Input.Shape]
		pm := pageMembers{}
		if pg, ok := p.Pagination[op.Name]; ok {
			pm = pageMembers{token: pg.InputToken, limit: pg.LimitKey}
		} else {
			for _, name := range tokenMembers {
				if in.hasMember(name) {
					pm.token = name
				}
			}
		}
		if pm.token == "" {
			continue
		}
		if err := checkPageMember(in, pm.token, "string"); err != nil {
			return nil, fmt.Errorf("operation %s: page token: %w", op.Name, err)
		}
		if pm.limit != "" {
			if err := checkPageMember(in, pm.limit, "integer"); err != nil {
				return nil, fmt.Errorf("operation %s: page size: %w", op.Name, err)
			}
		}
		if prev, ok := out[in.name]; ok && prev != pm {
			return nil, fmt.Errorf("input %s is paged two ways", in.name)
		}
		out[in.name] = pm
	}
	return out, nil
}

func checkPageMember(s *shape, name, typ string) error {
	for _, mb := range s.Members {
		if mb.name == name {
			if t := mb.target(); t.Type != typ || len(t.Enum) > 0 {
				return fmt.Errorf("member %s.%s is a %s, not a plain %s", s.name, name, t.Type, typ)
			}
			return nil
		}
	}
	return fmt.Errorf("input %s has no member %s", s.name, name)
}

// paging writes the methods of paged inputs that pager.Request asks for:
// PageToken, and PageKey, the request without its token and page size, which
// tokens are bound to.
func (g *generator) paging() error {
	names := make([]string, 0, len(g.paged))
	for name := range g.paged {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		pm := g.paged[name]
		for _, method := range []string{"PageToken", "PageKey"} {
			if g.m.Shapes[name].hasMember(method) {
				return fmt.Errorf("paged input %s has a member %s, which collides with its method", name, method)
			}
		}
		g.printf("// PageToken returns %s, the request's page token: \"\" asks for the first page.\n", pm.token)
		g.printf("func (in *%s) PageToken() string {\n\tif in.%s == nil {\n\t\treturn \"\"\n\t}\n\treturn *in.%s\n}\n\n", name, pm.token, pm.token)
		without, clear := pm.token, "\tc."+pm.token+" = nil\n"
		if pm.limit != "" {
			without += ") and its page size (" + pm.limit
			clear += "\tc." + pm.limit + " = nil\n"
		}
		g.printf("// PageKey returns what the request's page tokens are bound to: the request\n")
		g.printf("// without its page token (%s).\n", without)
		g.printf("func (in *%s) PageKey() any {\n\tc := *in\n%s\treturn c\n}\n\n", name, clear)
	}
	return nil
}
