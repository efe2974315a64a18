// Command apigen generates a service package's wire types from an AWS model:
// a Go struct per structure shape, a string type per enum, Validate methods
// that enforce the model's constraints, the exception table, the API
// interface with an Unimplemented default, and the bindings that register
// every operation with an awsjson.Router.
//
// It reads the botocore model (the source of truth for names and shapes) and
// the Smithy model (for the fault and HTTP status of each exception, which
// botocore leaves out), and optionally the botocore paginators (for the page
// size members that a page token is not bound to). Service packages run it through go generate:
//
//	//go:generate go run ../../cmd/apigen -model ../../../shared/aws-models/ce-2017-10-25.service-2.json -smithy ../../../shared/aws-models/ce-2017-10-25.smithy.json -paginators ../../../shared/aws-models/ce-2017-10-25.paginators-1.json -pkg costexplorer -out api.gen.go
//
// Patterns RE2 cannot compile must have a hand-written matcher in
// awsjson.CompilePattern; apigen fails on any other, and reports on standard
// error the patterns and error statuses it did not take from the models as
// they are.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

// run parses the flags, generates the file and writes the report to stderr.
func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("apigen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "", "botocore service-2.json model")
	smithyPath := fs.String("smithy", "", "Smithy JSON model of the same service")
	paginatorsPath := fs.String("paginators", "", "botocore paginators-1.json of the same service (optional)")
	pkg := fs.String("pkg", "", "Go package name of the output")
	out := fs.String("out", "api.gen.go", "output file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *modelPath == "" || *smithyPath == "" || *pkg == "" {
		return fmt.Errorf("-model, -smithy and -pkg are required")
	}
	src, report, err := generateFiles(*modelPath, *smithyPath, *paginatorsPath, *pkg)
	if err != nil {
		return err
	}
	for _, line := range report {
		fmt.Fprintf(stderr, "apigen: %s: %s\n", *pkg, line)
	}
	return os.WriteFile(*out, src, 0o644)
}

// generateFiles reads the models and generates the package source;
// paginatorsPath may be empty.
func generateFiles(modelPath, smithyPath, paginatorsPath, pkg string) ([]byte, []string, error) {
	modelJSON, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, nil, err
	}
	smithyJSON, err := os.ReadFile(smithyPath)
	if err != nil {
		return nil, nil, err
	}
	var paginatorsJSON []byte
	if paginatorsPath != "" {
		if paginatorsJSON, err = os.ReadFile(paginatorsPath); err != nil {
			return nil, nil, err
		}
	}
	regenerate := fmt.Sprintf("go generate ./internal/%s (see doc.go)", pkg)
	return generate(modelJSON, smithyJSON, paginatorsJSON, pkg, filepath.Base(modelPath), regenerate)
}
