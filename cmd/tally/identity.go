package main

import "regexp"

var accountIDPattern = regexp.MustCompile(`^\d{12}$`)

// checkTestAccount refuses a --test-account that is no account id or comes
// with --credentials, where every key has its own account.
func checkTestAccount(cfg serveConfig) error {
	switch {
	case cfg.testAccount == "":
		return nil
	case cfg.credentials != "":
		return usagef("--test-account names the account of the test key, which --credentials turns off")
	case !accountIDPattern.MatchString(cfg.testAccount):
		return usagef("--test-account %q is not a 12-digit account id", cfg.testAccount)
	}
	return nil
}
