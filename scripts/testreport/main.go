// Command testreport runs `go test -json` with the arguments it is given and
// prints one line per package as soon as the package finishes, with the
// output of its failed tests, so that a long run shows its progress (plain
// `go test ./...` prints results in package order, holding back every
// package behind a slow one). It exits with the status of go test.
//
// Usage: go run ./scripts/testreport [go test flags] packages
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

func main() {
	cmd := exec.Command("go", append([]string{"test", "-json"}, os.Args[1:]...)...)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	}
	n := report(out)
	err = cmd.Wait()
	fmt.Printf("total %.0fs\n", time.Since(start).Seconds())
	// The closing line CI reads: tests, not packages, counted.
	fmt.Printf("%d passed, %d failed, %d skipped\n", n.passed, n.failed, n.skipped)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		os.Exit(exit.ExitCode())
	case err != nil:
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(2)
	case n.failed > 0 || n.broken:
		os.Exit(1)
	}
}

// counts are the outcomes of the tests of a run; broken is set when a
// package failed outside its tests (a build failure, a panic in TestMain).
type counts struct {
	passed, failed, skipped int
	broken                  bool
}

// report prints the events read from r and counts the outcomes.
func report(r interface{ Read([]byte) (int, error) }) (n counts) {
	output := map[string]*strings.Builder{} // by package and test
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Println(sc.Text()) // not an event: pass it on
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output", "build-output":
			if output[key] == nil {
				output[key] = &strings.Builder{}
			}
			output[key].WriteString(e.Output)
		case "fail", "build-fail":
			if e.Test != "" {
				n.failed++
			} else {
				n.broken = true
			}
			if b := output[key]; b != nil {
				fmt.Print(b.String())
			}
			if e.Test == "" {
				fmt.Printf("FAIL\t%s\t%.1fs\n", e.Package, e.Elapsed)
			}
			delete(output, key)
		case "pass", "skip":
			switch {
			case e.Test != "" && e.Action == "pass":
				n.passed++
			case e.Test != "":
				n.skipped++
				if b := output[key]; b != nil { // say what was skipped and why
					fmt.Print(b.String())
				}
			}
			if e.Test == "" {
				verdict := "ok  "
				if e.Action == "skip" {
					verdict = "?   "
				}
				fmt.Printf("%s\t%s\t%.1fs\n", verdict, e.Package, e.Elapsed)
			}
			delete(output, key)
		}
	}
	return n
}
