package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadAccountNames(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       map[string]string
		wantErr    bool
	}{
		{"list-accounts JSON", `{"Accounts": [{"Id": "011111111111", "Name": "Prod", "Status": "ACTIVE"}, {"Id": "022222222222", "Name": "Dev"}]}`,
			map[string]string{"011111111111": "Prod", "022222222222": "Dev"}, false},
		{"CSV with header", "Name,Id\nProd,011111111111\n", map[string]string{"011111111111": "Prod"}, false},
		{"CSV of id,name", "011111111111, Prod\n022222222222,Dev team\n", map[string]string{"011111111111": "Prod", "022222222222": "Dev team"}, false},
		{"CSV with account_id header", "account_id,account_name,email\n033333333333,Data,x@example.com\n", map[string]string{"033333333333": "Data"}, false},
		{"not list-accounts", `{"Accounts": "x"}`, nil, true},
		{"no names", "id,name\n", nil, true},
		{"one column", "011111111111\n", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "accounts")
			if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := ReadAccountNames(p)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" && !tc.wantErr {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
