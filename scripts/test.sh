#!/usr/bin/env bash
# The full test suite, as `make test` runs it: installs what it needs when
# missing (PostgreSQL, Chromium and dkimpy from Debian's packages), starts a private
# PostgreSQL cluster on a loopback port in a temporary directory, and runs
# every test with the race detector, then the end-to-end and API tests
# again on PostgreSQL and the cockpit's accessibility walk (both without
# the detector, see below), then each fuzz target for a while.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

log() { printf '\n=== %s\n' "$*"; }

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

install_missing() {
	local pkgs=()
	command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
	[ -x "$(pg_bindir)/initdb" ] || pkgs+=(postgresql)
	# dkimpy verifies Herold's DKIM signatures in the tests (smtptest.VerifyDKIM
	# looks for it in the python3 on PATH and in Debian's /usr/bin/python3).
	python3 -c 'import dkim' >/dev/null 2>&1 || /usr/bin/python3 -c 'import dkim' >/dev/null 2>&1 || pkgs+=(python3-dkim)
	if [ ${#pkgs[@]} -eq 0 ]; then
		return
	fi
	log "installing ${pkgs[*]}"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

PGTMP=""
stop_postgres() {
	if [ -n "$PGTMP" ] && [ -d "$PGTMP" ]; then
		as_pg "$(pg_bindir)/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
		rm -rf "$PGTMP"
	fi
}

# as_pg runs a PostgreSQL program as the postgres user when we are root
# (initdb refuses to run as root).
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start_postgres() {
	local bin port
	bin="$(pg_bindir)"
	port="$(free_port)"
	PGTMP="$(mktemp -d /tmp/herold-pg.XXXXXX)"
	chmod 755 "$PGTMP"
	[ "$(id -u)" -eq 0 ] && chown postgres "$PGTMP"
	log "starting a private PostgreSQL ($bin) on 127.0.0.1:$port"
	as_pg "$bin/initdb" -D "$PGTMP/data" -U herold --auth=trust -E UTF8 --no-locale >/dev/null
	as_pg "$bin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w -o \
		"-p $port -k $PGTMP -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null
	export HEROLD_TEST_POSTGRES="postgres://herold@127.0.0.1:$port/postgres?sslmode=disable"
	export HEROLD_TEST_PG_CTL="$bin/pg_ctl"
	export HEROLD_TEST_PG_DATA="$PGTMP/data"
}

install_missing
trap stop_postgres EXIT
start_postgres
export HEROLD_REQUIRE_BROWSER=1 HEROLD_REQUIRE_POSTGRES=1

log "go vet"
go vet ./...

log "go test -race (SQLite, and PostgreSQL where a test needs it)"
# The longest packages first: go test starts packages in the order given
# (two at a time on two cores), so the cockpit's and the end-to-end tests
# no longer start last and run on alone while the other core idles.
go test -race -count=1 -timeout 30m ./internal/web/ ./internal/e2e/ ./internal/store/sqlite/ ./...

# Without the race detector: this pass checks that the same behaviour
# holds on PostgreSQL. The code it runs is the code the race run above
# already ran under the detector on SQLite, and the PostgreSQL-specific
# code (internal/store/postgres, River's PostgreSQL driver, replicas in
# internal/scaletest) runs under the detector there too; -race would
# multiply this pass's time for no new finding.
log "end-to-end and API tests again on PostgreSQL"
HEROLD_E2E_DATABASE=postgres go test -count=1 -timeout 20m ./internal/e2e/ ./internal/httpapi/

# The walk over every cockpit page with axe-core (a11y_walk_browser_test.go
# is built only without -race): Chromium does most of its work, and the
# detector would only slow the server's side.
log "accessibility walk of every cockpit page"
go test -count=1 -timeout 10m -run '^TestBrowserEveryPageAccessibleAndFits$' ./internal/web/

# A count, not a duration: with -fuzztime 10s, Go 1.26's fuzz coordinator
# can report "context deadline exceeded" as a failure when the time runs out
# while a worker is mid-input (go.dev/issue/75804, fixed in Go 1.27).
log "fuzzing (20,000 inputs per target)"
for target in $(grep -rl --include='*_test.go' '^func Fuzz' internal | sort); do
	dir="./$(dirname "$target")"
	for fn in $(grep -o '^func Fuzz[A-Za-z0-9_]*' "$target" | sed 's/^func //'); do
		echo "--- $fn in $dir"
		go test -run '^$' -fuzz "^${fn}\$" -fuzztime 20000x "$dir"
	done
done
log "all tests passed"
