package pager

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// request is a paged request as apigen generates them.
type request struct {
	Metrics    []string
	MaxResults int
	NextToken  string
}

func (r request) PageToken() string { return r.NextToken }

func (r request) PageKey() any {
	r.NextToken, r.MaxResults = "", 0
	return r
}

// position is a structured position, like query.Position.
type position struct {
	Bucket int `json:"b"`
	Group  int `json:"g"`
}

var now = time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)

func TestTokens(t *testing.T) {
	tok := Tokens{Key: []byte("secret")}
	req := request{Metrics: []string{"UnblendedCost"}}
	first := New[position](tok, now, "Op", req, "alice")
	token := first.Next(position{Bucket: 3, Group: 7})
	cont := req
	cont.NextToken, cont.MaxResults = *token, 10
	if p, err := New[position](tok, now, "Op", cont, "alice").Start(); err != nil || p != (position{Bucket: 3, Group: 7}) {
		t.Fatalf("Start = %v, %v; want the position, also with another page size", p, err)
	}
	with := func(r request, token string) request { r.NextToken = token; return r }
	for _, tc := range []struct {
		name   string
		tokens Tokens
		op     string
		req    request
		scope  string
		want   error
	}{
		{"another request", tok, "Op", with(request{Metrics: []string{"BlendedCost"}}, *token), "alice", ErrRequestChanged},
		{"another operation", tok, "OtherOp", with(req, *token), "alice", ErrRequestChanged},
		{"another caller", tok, "Op", with(req, *token), "bob", ErrRequestChanged},
		{"tampered", tok, "Op", with(req, tampered(*token)), "alice", ErrInvalidToken},
		{"garbage", tok, "Op", with(req, "not a token"), "alice", ErrInvalidToken},
		{"another key", Tokens{Key: []byte("other")}, "Op", with(req, *token), "alice", ErrInvalidToken},
		{"position of another type", tok, "Op", with(req, *New[string](tok, now, "Op", req, "alice").Next("x")), "alice", ErrInvalidToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New[position](tc.tokens, now, tc.op, tc.req, tc.scope).Start(); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestExpiry(t *testing.T) {
	tok := Tokens{Key: []byte("secret"), Lifetime: 24 * time.Hour}
	forever := Tokens{Key: tok.Key}
	for _, tc := range []struct {
		name    string
		tokens  Tokens
		advance time.Duration
		want    error
	}{
		{"fresh", tok, 24 * time.Hour, nil},
		{"expired", tok, 24*time.Hour + time.Second, ErrExpired},
		{"no lifetime", forever, 1000 * time.Hour, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			token := New[int](tc.tokens, now, "Op", request{}, "").Next(5)
			_, err := New[int](tc.tokens, now.Add(tc.advance), "Op", request{NextToken: *token}, "").Start()
			if !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSlice(t *testing.T) {
	tok := Tokens{Key: []byte("secret")}
	items := []string{"a", "b", "c", "d", "e"}
	var pages []string
	req := request{}
	for range 10 {
		page, next, err := Slice(New[int](tok, now, "Op", req, ""), items, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, strings.Join(page, ""))
		if next == nil {
			break
		}
		req.NextToken = *next
	}
	if diff := cmp.Diff([]string{"ab", "cd", "e"}, pages); diff != "" {
		t.Errorf("pages (-want +got):\n%s", diff)
	}
	beyond := New[int](tok, now, "Op", request{}, "").Next(6)
	if _, _, err := Slice(New[int](tok, now, "Op", request{NextToken: *beyond}, ""), items, 2); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("position beyond the list: err = %v, want ErrInvalidToken", err)
	}
	if page, next, _ := Slice(New[int](tok, now, "Op", request{}, ""), items, 0); len(page) != 5 || next != nil {
		t.Errorf("size 0: %d items, next %v; want all and no token", len(page), next)
	}
}

func TestAfter(t *testing.T) {
	tok := Tokens{Key: []byte("secret")}
	items := []string{"a", "b", "c", "d", "e"}
	id := func(s string) string { return s }
	page, next, err := After(New[string](tok, now, "Op", request{}, ""), items, id, 2)
	if err != nil || strings.Join(page, "") != "ab" || next == nil {
		t.Fatalf("first page = %q, %v, %v", page, next, err)
	}
	// "b" is deleted between pages: the next page still starts at "c".
	page, next, err = After(New[string](tok, now, "Op", request{NextToken: *next}, ""), []string{"a", "c", "d", "e"}, id, 2)
	if err != nil || strings.Join(page, "") != "cd" || next == nil {
		t.Fatalf("second page = %q, %v, %v", page, next, err)
	}
	page, next, err = After(New[string](tok, now, "Op", request{NextToken: *next}, ""), items, id, 2)
	if err != nil || strings.Join(page, "") != "e" || next != nil {
		t.Fatalf("last page = %q, %v, %v", page, next, err)
	}
}

func tampered(token string) string {
	c := byte('A')
	if token[0] == c {
		c = 'B'
	}
	return string(c) + token[1:]
}
