package auth

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, in, wantErr string
	}{
		{"ok", "access_key_id,secret_access_key,account_id\nAK1,s1,123456789012\nAK2,s2,012345678901\n", ""},
		{"bad header", "key,secret,account\nAK1,s1,123456789012\n", "header"},
		{"short account", "access_key_id,secret_access_key,account_id\nAK1,s1,1234\n", "line 2: account id"},
		{"duplicate", "access_key_id,secret_access_key,account_id\nAK1,s1,123456789012\nAK1,s2,123456789012\n", "line 3: access key AK1 appears twice"},
		{"empty", "", "empty file"},
		{"no keys", "access_key_id,secret_access_key,account_id\n", "no keys"},
		{"wrong width", "access_key_id,secret_access_key,account_id\nAK1,s1\n", "wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := Parse(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			a, ok := k.Lookup("AK2")
			if !ok || a.AccountID != "012345678901" || a.Secret != "s2" || a.All {
				t.Errorf("Lookup(AK2) = %+v, %v", a, ok)
			}
		})
	}
}

// TestTestKeysActingAs checks that the test identity takes the account id it
// is given at each lookup, and keeps seeing everything.
func TestTestKeysActingAs(t *testing.T) {
	payer := ""
	k := TestKeysActingAs(func() string { return payer })
	for _, want := range []string{TestAccountID, "836060457634"} {
		a, ok := k.Lookup("test")
		if !ok || a.AccountID != want || !a.All || a.Secret != "test" {
			t.Errorf("Lookup(test) with payer %q = %+v, %v, want account %s", payer, a, ok, want)
		}
		payer = "836060457634"
	}
	if a := k.MustLookup("test"); a.AccountID != payer {
		t.Errorf("MustLookup(test) = %+v, want account %s", a, payer)
	}
	if a := TestKeys().MustLookup("test"); a.AccountID != TestAccountID || !a.All {
		t.Errorf("TestKeys().MustLookup(test) = %+v", a)
	}
}
