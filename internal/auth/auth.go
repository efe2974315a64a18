// Package auth knows Tally's accounts: which access keys exist, their
// secrets, the AWS account each one acts as, and the caller of a request.
package auth

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Account is the identity behind an access key.
type Account struct {
	AccessKeyID string
	Secret      string
	// AccountID is the 12-digit AWS account the key acts as.
	AccountID string
	// All marks the built-in test identity, which sees every account's data
	// and may act for any account id.
	All bool
}

// TestAccountID is the account id of the built-in test identity.
const TestAccountID = "000000000000"

// Keys is an immutable set of access keys. It is safe for concurrent use.
type Keys struct {
	byID map[string]Account
	// Test reports whether these are the built-in test keys.
	Test bool
	// testAccount names the account the test identity acts as; nil or ""
	// means TestAccountID.
	testAccount func() string
}

// TestKeys returns the built-in keys used without a credentials file: access
// key "test" with secret "test", a management identity that sees everything,
// acting as account TestAccountID.
func TestKeys() *Keys {
	return TestKeysActingAs(nil)
}

// TestKeysActingAs returns the built-in keys whose identity acts as the
// account that account names at each lookup: the payer of the data, so that
// the key has one account id everywhere (API, UI, demo) even as data
// arrives (DESIGN.md §3). It still sees every account's data. A nil account,
// or one that returns "", means TestAccountID. account MUST be safe for
// concurrent use.
func TestKeysActingAs(account func() string) *Keys {
	return &Keys{Test: true, testAccount: account, byID: map[string]Account{
		"test": {AccessKeyID: "test", Secret: "test", AccountID: TestAccountID, All: true},
	}}
}

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// LoadFile reads a credentials CSV file (see Parse).
func LoadFile(path string) (*Keys, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	defer f.Close()
	k, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("credentials: %s: %w", path, err)
	}
	return k, nil
}

// Parse reads CSV with the header access_key_id,secret_access_key,account_id
// and one key per line.
func Parse(r io.Reader) (*Keys, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 3
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("empty file: want the header access_key_id,secret_access_key,account_id")
	}
	if err != nil {
		return nil, err
	}
	if strings.Join(header, ",") != "access_key_id,secret_access_key,account_id" {
		return nil, fmt.Errorf("header is %q, want access_key_id,secret_access_key,account_id", strings.Join(header, ","))
	}
	k := &Keys{byID: map[string]Account{}}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		a := Account{AccessKeyID: strings.TrimSpace(rec[0]), Secret: strings.TrimSpace(rec[1]), AccountID: strings.TrimSpace(rec[2])}
		switch {
		case a.AccessKeyID == "" || a.Secret == "":
			return nil, fmt.Errorf("line %d: empty access key id or secret", line)
		case !accountIDPattern.MatchString(a.AccountID):
			return nil, fmt.Errorf("line %d: account id %q is not 12 digits", line, a.AccountID)
		}
		if _, dup := k.byID[a.AccessKeyID]; dup {
			return nil, fmt.Errorf("line %d: access key %s appears twice", line, a.AccessKeyID)
		}
		k.byID[a.AccessKeyID] = a
	}
	if len(k.byID) == 0 {
		return nil, errors.New("no keys")
	}
	return k, nil
}

// Lookup returns the account of an access key.
func (k *Keys) Lookup(accessKeyID string) (Account, bool) {
	a, ok := k.byID[accessKeyID]
	if ok && a.All && k.testAccount != nil {
		if id := k.testAccount(); id != "" {
			a.AccountID = id
		}
	}
	return a, ok
}

// MustLookup returns the account of an access key that must exist.
func (k *Keys) MustLookup(accessKeyID string) Account {
	a, ok := k.Lookup(accessKeyID)
	if !ok {
		panic("auth: unknown access key " + accessKeyID)
	}
	return a
}

// Secret returns the secret of an access key (sigv4.Credentials).
func (k *Keys) Secret(accessKeyID string) (string, bool) {
	a, ok := k.byID[accessKeyID]
	return a.Secret, ok
}

type callerKey struct{}

// WithCaller returns ctx carrying the account that made the request.
func WithCaller(ctx context.Context, a Account) context.Context {
	return context.WithValue(ctx, callerKey{}, a)
}

// Caller returns the account that made the request, if any.
func Caller(ctx context.Context) (Account, bool) {
	a, ok := ctx.Value(callerKey{}).(Account)
	return a, ok
}
