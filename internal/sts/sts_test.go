package sts

import (
	"context"
	"encoding/xml"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tallyhq/tally/internal/auth"
)

func TestHandle(t *testing.T) {
	caller := auth.WithCaller(context.Background(), auth.Account{AccessKeyID: "AKIAMEMBER", AccountID: "011254002932"})
	for _, tc := range []struct {
		name     string
		ctx      context.Context
		body     string
		status   int
		code     string // empty on success
		identity GetCallerIdentityOutput
	}{
		{name: "ok", ctx: caller, body: "Action=GetCallerIdentity&Version=2011-06-15", status: 200,
			identity: GetCallerIdentityOutput{UserId: "011254002932", Account: "011254002932", Arn: "arn:aws:iam::011254002932:root"}},
		{name: "no action", ctx: caller, body: "Version=2011-06-15", status: 400, code: "MissingAction"},
		{name: "no version", ctx: caller, body: "Action=GetCallerIdentity", status: 400, code: "MissingParameter"},
		{name: "other version", ctx: caller, body: "Action=GetCallerIdentity&Version=2011-06-16", status: 400, code: "InvalidAction"},
		{name: "other action", ctx: caller, body: "Action=AssumeRole&Version=2011-06-15", status: 400, code: "InvalidAction"},
		{name: "extra parameter", ctx: caller, body: "Action=GetCallerIdentity&Version=2011-06-15&RoleArn=x", status: 400, code: "InvalidParameterValue"},
		{name: "bad form", ctx: caller, body: "Action=%zz", status: 400, code: "MalformedQueryString"},
		{name: "no caller", ctx: context.Background(), body: "Action=GetCallerIdentity&Version=2011-06-15", status: 403, code: "MissingAuthenticationToken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := Handle(tc.ctx, []byte(tc.body), "req-1")
			if resp.Status != tc.status {
				t.Fatalf("status %d, want %d\n%s", resp.Status, tc.status, resp.Body)
			}
			if tc.code != "" {
				var e errorResponse
				if err := xml.Unmarshal(resp.Body, &e); err != nil {
					t.Fatalf("%v\n%s", err, resp.Body)
				}
				want := errorResponse{XMLName: xml.Name{Space: Namespace, Local: "ErrorResponse"}, Xmlns: Namespace,
					Error: errorBody{Type: "Sender", Code: tc.code, Message: e.Error.Message}, RequestID: "req-1"}
				if diff := cmp.Diff(want, e); diff != "" || e.Error.Message == "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			var got getCallerIdentityResponse
			if err := xml.Unmarshal(resp.Body, &got); err != nil {
				t.Fatalf("%v\n%s", err, resp.Body)
			}
			if diff := cmp.Diff(tc.identity, *got.Result); diff != "" {
				t.Errorf("identity (-want +got):\n%s", diff)
			}
			if got.XMLName.Space != Namespace || got.Metadata.RequestID != "req-1" {
				t.Errorf("namespace %q, request id %q", got.XMLName.Space, got.Metadata.RequestID)
			}
		})
	}
}
