GO ?= go

# make bench ROWS=10000000 RUNS=20 RAW_RUNS=5 BENCH_FLAGS=-reuse-store
ROWS ?= 1000000
SEED ?= 1
RUNS ?= 20
RAW_RUNS ?= 5
BENCH_FLAGS ?=
# make bench BACKEND=clickhouse STORE=clickhouse://… META=postgres://…
BACKEND ?= duckdb
STORE ?=
META ?=

.PHONY: build test lint generate bench demo backtest
build:
	$(GO) build -o tally ./cmd/tally

# One line per package as soon as it finishes (scripts/testreport reads
# go test -json, which streams; plain go test holds every result back behind
# the slowest package before it). -timeout bounds a hung test binary.
TEST_TIMEOUT ?= 15m
test:
	$(GO) vet ./...
	$(GO) run ./scripts/testreport -timeout $(TEST_TIMEOUT) ./...

# gofmt, go vet and staticcheck (fetched through the module proxy).
lint:
	@test -z "$$(gofmt -l cmd internal)" || { gofmt -l cmd internal; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.7.0 ./...

generate:
	$(GO) generate ./...

# Generates ROWS line items (kept in bench-out/data for the next run),
# measures `tally ingest` and the request set of bench/README.md against
# DuckDB, and writes bench-out/results.json and bench-out/results.md.
bench: build
	$(GO) build -o bin/tallybench ./cmd/tallybench
	./bin/tallybench -tally ./tally -out bench-out -rows $(ROWS) -seed $(SEED) -runs $(RUNS) -raw-runs $(RAW_RUNS) -backend $(BACKEND) -store "$(STORE)" -meta "$(META)" $(BENCH_FLAGS)

demo: build
	./tally demo

# Forecast accuracy on a synthetic organisation and the Workshop CUR files.
backtest:
	$(GO) run ./cmd/tally backtest --samples ../shared/billing-samples --out backtest.md
