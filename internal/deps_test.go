// Package internal_test holds the layering test of Tally's internal
// packages, in the style of pkgsite's dependency tests: what each package
// may import is written down here, so a layer cannot silently come back.
package internal_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/tallyhq/tally/"

// allowed lists, for every package under internal/, the packages of this
// module and the third-party modules its non-test files may import, beyond
// the standard library. A package missing here fails the test: decide where
// it sits before adding it.
var allowed = map[string][]string{
	// The domain vocabulary and the query model: the standard library only
	// (the query model speaks the vocabulary).
	"internal/billing": {},
	"internal/query":   {"internal/billing"},

	// Leaves.
	"internal/auth":            {},
	"internal/profile":         {},
	"internal/forecast":        {},
	"internal/anomaly":         {},
	"internal/recommend":       {},
	"internal/sigv4":           {},
	"internal/awsjson":         {},
	"internal/pager":           {},
	"internal/sdkhttp":         {},
	"internal/costdrivers":     {},
	"internal/notify/smtptest": {},

	// The storage contracts, and their backends: backends import the
	// contracts, the query model, the vocabulary and their driver only.
	"internal/store":         {"internal/billing", "internal/query"},
	"internal/store/columns": {"internal/billing", "internal/query"},
	"internal/store/duckdb":  {"internal/store", "internal/query", "internal/billing", "internal/store/columns", "github.com/duckdb/duckdb-go"},
	"internal/store/clickhouse": {"internal/store", "internal/query", "internal/billing", "internal/store/columns",
		"github.com/ClickHouse/clickhouse-go", "github.com/jackc/pgx", "github.com/shopspring/decimal"},
	"internal/store/postgres":  {"internal/store", "internal/query", "internal/billing", "github.com/jackc/pgx"},
	"internal/store/storetest": {"internal/store", "internal/query", "internal/billing", "github.com/google/go-cmp"},

	// Users of the contracts.
	"internal/ingest":   {"internal/billing", "internal/store", "github.com/parquet-go/parquet-go"},
	"internal/notify":   {"internal/store"},
	"internal/backfill": {"internal/store"},
	// RI and Savings Plans figures from the commitment rollup.
	"internal/commitments": {"internal/billing", "internal/store"},

	// The services: no HTTP, no backend.
	"internal/costexplorer": {"internal/anomaly", "internal/auth", "internal/awsjson", "internal/backfill", "internal/billing", "internal/commitments",
		"internal/costdrivers", "internal/forecast", "internal/notify", "internal/pager", "internal/profile", "internal/query", "internal/recommend", "internal/store"},
	"internal/budgets": {"internal/auth", "internal/awsjson", "internal/billing", "internal/commitments", "internal/forecast",
		"internal/notify", "internal/pager", "internal/profile", "internal/query", "internal/store"},

	// HTTP: the server, the web UI.
	"internal/server": {"internal/auth", "internal/awsjson", "internal/sigv4", "internal/sts", "internal/web", "golang.org/x/sync"},

	// Other protocols on the same port and the same services: STS's query
	// protocol, MCP for agents. S3 deliveries feed ingest from outside.
	"internal/sts": {"internal/auth"},
	"internal/mcp": {"internal/auth", "internal/awsjson", "internal/budgets", "internal/costexplorer",
		"github.com/modelcontextprotocol/go-sdk", "github.com/google/jsonschema-go"},
	"internal/s3sync": {"github.com/aws/aws-sdk-go-v2"},
	// Budget actions carried out in AWS through the SDK.
	"internal/actions": {"internal/budgets", "github.com/aws/aws-sdk-go-v2", "github.com/aws/smithy-go"},
	"internal/web":     {"internal/auth", "internal/billing", "internal/ingest"},

	// The assembly: the only package that knows the backend besides tools.
	"internal/app": {"internal/auth", "internal/awsjson", "internal/backfill", "internal/billing", "internal/budgets",
		"internal/costexplorer", "internal/ingest", "internal/mcp", "internal/notify", "internal/profile", "internal/query",
		"internal/server", "internal/store", "internal/store/clickhouse", "internal/store/duckdb", "internal/store/postgres", "internal/web"},

	// Tools and test helpers.
	"internal/awsjson/awsjsontest": {"internal/awsjson"},
	"internal/synth":               {"github.com/klauspost/compress", "github.com/parquet-go/parquet-go"},
	"internal/bench":               {"internal/sdkhttp", "internal/synth", "github.com/aws/aws-sdk-go-v2", "github.com/duckdb/duckdb-go"},
	"internal/testenv":             {},
	"internal/fakeaws":             {},
	"internal/web/e2e":             {"internal/testenv"},
}

// httpAllowed are the packages that may import net/http: the server and the
// web UI, and the clients that talk HTTP (SNS delivery, SDK clients, tools).
var httpAllowed = []string{"internal/server", "internal/web", "internal/mcp", "internal/notify", "internal/sdkhttp",
	"internal/awsjson/awsjsontest", "internal/bench", "internal/fakeaws"}

func TestDependencies(t *testing.T) {
	imports, err := packageImports(".")
	if err != nil {
		t.Fatal(err)
	}
	for pkg, imps := range imports {
		allow, ok := allowed[pkg]
		if !ok {
			t.Errorf("%s is not in the allowed table of deps_test.go: add it with the imports it may have", pkg)
			continue
		}
		for _, imp := range imps {
			switch {
			case imp == "net/http" && !slices.Contains(httpAllowed, pkg):
				t.Errorf("%s imports net/http; only %v may", pkg, httpAllowed)
			case isStd(imp):
			case !slices.ContainsFunc(allow, func(a string) bool { return allows(a, imp) }):
				t.Errorf("%s imports %s, which it may not (allowed: %v)", pkg, imp, allow)
			}
		}
	}
	for pkg := range allowed {
		if _, ok := imports[pkg]; !ok {
			t.Errorf("deps_test.go lists %s, which has no Go files: remove it", pkg)
		}
	}
}

// packageImports parses the non-test Go files under dir (the internal
// folder) and returns each package's imports, keyed by its path from the
// module root.
func packageImports(dir string) (map[string][]string, error) {
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != dir {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Join("internal", filepath.Dir(path)))
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			if !slices.Contains(out[pkg], imp) {
				out[pkg] = append(out[pkg], imp)
			}
		}
		return nil
	})
	return out, err
}

// isStd reports whether an import path is of the standard library, whose
// paths have no dot in their first element.
func isStd(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

// allows reports whether an entry of the allowed table admits imp: a
// package of this module exactly, a third-party module with every package
// in it.
func allows(entry, imp string) bool {
	if rest, ok := strings.CutPrefix(imp, module); ok {
		return rest == entry
	}
	return imp == entry || strings.HasPrefix(imp, entry+"/")
}
