package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// IngestResult is what `tally ingest` of the data set measured.
type IngestResult struct {
	LineItems int64   `json:"line_items"`
	Seconds   float64 `json:"seconds"`
	// Rate is line items per second of wall time, process start included.
	Rate float64 `json:"line_items_per_second"`
	// PeakRSS is the child's peak resident set size in bytes.
	PeakRSS int64 `json:"peak_rss_bytes"`
	// StoreBytes is the size of the data directory afterwards.
	StoreBytes int64 `json:"store_bytes"`
	// Reused says these figures are from an earlier run whose data
	// directory this run reused.
	Reused bool `json:"reused,omitempty"`
}

// ingestChild runs `tally ingest --data data export` as a child process and
// measures its wall time and peak RSS. The child's log goes to logw.
func ingestChild(ctx context.Context, tally, data, export string, logw io.Writer, storeFlags ...string) (*IngestResult, error) {
	args := append(append([]string{"ingest", "--data", data}, storeFlags...), export)
	cmd := exec.CommandContext(ctx, tally, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, logw
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("tally ingest: %w", err)
	}
	var rep struct{ Rows int64 }
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return nil, fmt.Errorf("tally ingest: unreadable report %q: %w", out.String(), err)
	}
	r := &IngestResult{LineItems: rep.Rows, Seconds: wall.Seconds(), PeakRSS: peakRSS(cmd.ProcessState), StoreBytes: dirSize(data)}
	r.Rate = float64(r.LineItems) / wall.Seconds()
	return r, nil
}

// serveProcess is a `tally serve` child process.
type serveProcess struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// startServe starts `tally serve` on data with the unlimited profile (a
// cached data set may be older than AWS's history window) and the extra
// flags on a free loopback port, and waits until it answers /healthz.
func startServe(ctx context.Context, tally, data string, logw io.Writer, extra ...string) (*serveProcess, error) {
	sf := filepath.Join(data, "server.json")
	os.Remove(sf) // left by a server that crashed; ours writes a new one
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", data, "--profile", "unlimited"}, extra...)
	cmd := exec.Command(tally, args...)
	cmd.Stdout, cmd.Stderr = logw, logw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("tally serve: %w", err)
	}
	s := &serveProcess{cmd: cmd, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("tally serve exited before it was ready: %v", err)
		case <-deadline:
			s.stop()
			return nil, errors.New("tally serve was not ready after 2 minutes")
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		var f struct {
			URL string `json:"url"`
			PID int    `json:"pid"`
		}
		b, err := os.ReadFile(sf)
		if err != nil || json.Unmarshal(b, &f) != nil || f.PID != cmd.Process.Pid {
			continue
		}
		if resp, err := http.Get(f.URL + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				s.url = f.URL
				return s, nil
			}
		}
	}
}

// stop interrupts the server, as Ctrl-C would, and returns its peak RSS.
func (s *serveProcess) stop() (int64, error) {
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		s.cmd.Process.Kill()
	}
	var err error
	select {
	case err = <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		err = <-s.done
		if err == nil {
			err = errors.New("tally serve did not stop within 30 seconds")
		}
	}
	return peakRSS(s.cmd.ProcessState), err
}

// dirSize sums the sizes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
