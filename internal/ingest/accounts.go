package ingest

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// ReadAccountNames reads account names for billing files that carry none
// (legacy CUR has no account name column). The file is either the JSON that
// `aws organizations list-accounts` prints ({"Accounts": [{"Id": ...,
// "Name": ...}]}) or a CSV whose header names an id column (Id, account_id,
// AccountId) and a name column (Name, account_name, AccountName); a CSV
// without a recognised header is read as id,name rows.
func ReadAccountNames(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("accounts file: %w", err)
	}
	var names map[string]string
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		names, err = accountsJSON(t)
	} else {
		names, err = accountsCSV(b)
	}
	if err != nil {
		return nil, fmt.Errorf("accounts file %s: %w", path, err)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("accounts file %s: no accounts with a name", path)
	}
	return names, nil
}

func accountsJSON(b []byte) (map[string]string, error) {
	var doc struct {
		Accounts []struct{ Id, Name string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("not the JSON of aws organizations list-accounts: %w", err)
	}
	names := map[string]string{}
	for _, a := range doc.Accounts {
		if a.Id != "" && a.Name != "" {
			names[a.Id] = a.Name
		}
	}
	return names, nil
}

func accountsCSV(b []byte) (map[string]string, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	idCol, nameCol := 0, 1
	names := map[string]string{}
	for line := 1; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return names, nil
		}
		if err != nil {
			return nil, err
		}
		if line == 1 {
			if i, n := headerIndex(rec, "id", "accountid", "account_id"), headerIndex(rec, "name", "accountname", "account_name"); i >= 0 && n >= 0 {
				idCol, nameCol = i, n
				continue
			}
		}
		if len(rec) <= idCol || len(rec) <= nameCol {
			return nil, fmt.Errorf("line %d: want an account id and a name", line)
		}
		if id, name := strings.TrimSpace(rec[idCol]), strings.TrimSpace(rec[nameCol]); id != "" && name != "" {
			names[id] = name
		}
	}
}

// headerIndex returns the column whose name is one of want (compared
// case-insensitively), or -1.
func headerIndex(header []string, want ...string) int {
	for i, h := range header {
		for _, w := range want {
			if strings.EqualFold(strings.TrimSpace(h), w) {
				return i
			}
		}
	}
	return -1
}
