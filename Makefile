GO ?= go

.PHONY: build test vet generate
build:
	$(GO) build -o tally ./cmd/tally

test:
	$(GO) vet ./...
	$(GO) test ./...

generate:
	$(GO) generate ./...
