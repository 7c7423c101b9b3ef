# Herold's build and test entry points. `make test` is the one command that
# runs every test; it installs what the suite needs when missing.

GO ?= go
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: test unit lint build run

## test: everything (unit, store conformance on SQLite and PostgreSQL, end to
## end, browser, fuzzing); installs PostgreSQL and Chromium when missing
test:
	bash scripts/test.sh

## unit: the fast tests only, no race detector
unit:
	$(GO) test -count=1 ./...

## lint: gofmt, go vet and staticcheck
lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && echo "run gofmt -w ." && exit 1)
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

## build: the herold binary
build:
	$(GO) build -o herold ./cmd/herold

## run: start a local server (SQLite, capture mailbox)
run:
	$(GO) run ./cmd/herold serve
