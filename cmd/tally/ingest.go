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
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/profile"
)

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ingest", stderr)
	data := fs.String("data", "./tally-data", "data directory")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("ingest needs at least one file or folder")
	}
	paths := make([]string, fs.NArg())
	for i, p := range fs.Args() {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		paths[i] = abs
	}
	if sf, ok := readServerFile(*data); ok {
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
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := openApp(ctx, *data, profile.AWS, time.Now, logger, 0)
	if err != nil {
		return err
	}
	defer a.store.Close()
	report, err := a.ingest(ctx, paths)
	if err != nil {
		return givenPaths(err, paths, fs.Args())
	}
	printReport(stdout, report)
	return nil
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

func printReport(w io.Writer, r *ingest.Report) {
	b, _ := json.MarshalIndent(r, "", "  ")
	fmt.Fprintln(w, string(b))
}
