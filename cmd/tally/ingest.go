package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/app"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/profile"
)

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ingest", stderr)
	data := fs.String("data", "./tally-data", "data directory")
	accounts := fs.String("accounts", "", accountsUsage)
	meta := fs.String("meta", "", metaUsage)
	storeAddr := fs.String("store", "", storeUsage)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var names map[string]string
	if *accounts != "" {
		var err error
		if names, err = ingest.ReadAccountNames(*accounts); err != nil {
			return err
		}
	}
	if fs.NArg() == 0 {
		return usagef("ingest needs at least one file or folder")
	}
	if slices.ContainsFunc(fs.Args(), func(a string) bool { return strings.HasPrefix(a, "s3://") }) {
		return ingestS3(ctx, *data, *meta, *storeAddr, fs.Args(), stdout, stderr)
	}
	paths := make([]string, fs.NArg())
	for i, p := range fs.Args() {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		paths[i] = abs
	}
	// With a shared store every node sees what is ingested: nothing to hand
	// over.
	if sf, ok := readServerFile(*data); ok && *storeAddr == "" {
		switch {
		case names != nil && serverAnswers(ctx, sf):
			return fmt.Errorf("a server is running on %s and ingests with its own account names: give it --accounts %s (tally serve --accounts), then ingest without --accounts", *data, *accounts)
		case names == nil:
			report, err, reached := handOff(ctx, sf, paths)
			if reached {
				if err != nil {
					return givenPaths(err, paths, fs.Args())
				}
				fmt.Fprintf(stdout, "ingested through the running server at %s:\n", sf.URL)
				printReport(stdout, report)
				return nil
			}
			fmt.Fprintf(stderr, "tally ingest: handing the files to the server at %s failed (%v); ingesting into %s directly\n", sf.URL, err, *data)
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := app.Open(ctx, app.Config{Data: *data, Profile: profile.AWS, Logger: logger, AccountNames: names, Meta: *meta, Store: *storeAddr})
	if err != nil {
		return err
	}
	defer a.Close()
	report, err := a.Ingest(ctx, paths)
	if err != nil {
		return givenPaths(err, paths, fs.Args())
	}
	printReport(stdout, report)
	return nil
}

// serverAnswers reports whether the server of a server file answers.
func serverAnswers(ctx context.Context, sf serverFile) bool {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sf.URL+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// givenPaths words err with the paths as the user gave them rather than the
// absolute paths ingest works with.
func givenPaths(err error, abs, given []string) error {
	msg := err.Error()
	for i := range abs {
		if abs[i] != given[i] {
			msg = strings.ReplaceAll(msg, abs[i], filepath.Clean(given[i]))
		}
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// handOff asks the server running on the data directory to ingest. reached
// is false when no server answered (err says why), so the caller ingests
// itself.
func handOff(ctx context.Context, sf serverFile, paths []string) (report *ingest.Report, err error, reached bool) {
	body, _ := json.Marshal(map[string][]string{"paths": paths})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sf.URL+"/_tally/ingest", bytes.NewReader(body))
	if err != nil {
		return nil, err, false
	}
	req.Header.Set("X-Tally-Token", sf.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err, false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		json.Unmarshal(b, &e)
		if e.Error == "" {
			e.Error = resp.Status
		}
		return nil, fmt.Errorf("%s", e.Error), true
	}
	report = new(ingest.Report)
	if err := json.Unmarshal(b, report); err != nil {
		return nil, fmt.Errorf("server answered an unreadable report: %w", err), true
	}
	return report, nil, true
}

// accountsUsage describes the --accounts flag of ingest and serve.
const accountsUsage = "file naming accounts for billing files without names (legacy CUR): the JSON of `aws organizations list-accounts`, or a CSV of account id and name"

func printReport(w io.Writer, r *ingest.Report) {
	b, _ := json.MarshalIndent(r, "", "  ")
	fmt.Fprintln(w, string(b))
}

// storeUsage documents --store of serve and ingest.
const storeUsage = "cost store: clickhouse://HOST:PORT[,HOST:PORT…]/DB[?cluster=NAME] (native TCP ports, one server per shard " +
	"of the cluster NAME, default tally; needs --meta) shared by every node given the same address (default: the DuckDB file of --data)"

// metaUsage documents --meta of serve and ingest.
const metaUsage = "PostgreSQL URL (postgres://user:pass@host:5432/db) that keeps budgets, tag statuses, backfills, " +
	"cost categories, anomaly monitors, the alert outbox and the page token key, shared by every node given the same URL " +
	"(default: in the DuckDB file of --data)"
