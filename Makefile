GO ?= go

.PHONY: build test vet generate backtest
build:
	$(GO) build -o tally ./cmd/tally

test:
	$(GO) vet ./...
	$(GO) test ./...

generate:
	$(GO) generate ./...

# Forecast accuracy on a synthetic organisation and the Workshop CUR files.
backtest:
	$(GO) run ./cmd/tally backtest --samples ../shared/billing-samples --out backtest.md
