package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/cli"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/pgtest"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/store"
)

// lines parses every line logged so far, failing the test on a line that
// is not a JSON object or that repeats a key (as two "component"
// attributes would), or that has no component.
func logLines(t *testing.T, b *apptest.LogBuffer) []map[string]any {
	t.Helper()
	raw := b.String()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if err := uniqueKeys(json.NewDecoder(bytes.NewReader(line))); err != nil {
			t.Fatalf("log line %s: %v", line, err)
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(line, &m))
		require.NotEmpty(t, m["component"], "a log line without a component: %s", line)
		out = append(out, m)
	}
	return out
}

// find returns the lines with msg.
func find(lines []map[string]any, msg string) []map[string]any {
	var out []map[string]any
	for _, l := range lines {
		if l["msg"] == msg {
			out = append(out, l)
		}
	}
	return out
}

// uniqueKeys reads one JSON value from dec and fails when an object in
// it has a key twice (encoding/json would keep the last one silently).
func uniqueKeys(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			key := k.(string)
			if seen[key] {
				return fmt.Errorf("key %q appears twice", key)
			}
			seen[key] = true
			if err := uniqueKeys(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for dec.More() {
			if err := uniqueKeys(dec); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

// logTo makes the server log JSON into b at level.
func logTo(b *apptest.LogBuffer, level string) func(*apptest.Setup) {
	return func(s *apptest.Setup) { s.LogTo, s.Opts.LogLevel = b, level }
}

// TestOperatorLogs: a real run against a mail server answering 451, then
// 550: every failed or retried attempt is logged at WARN with the
// workspace, the message, its Message-ID and the server's reply; API
// errors are logged once, 4xx at DEBUG and 5xx at ERROR, with method,
// route, status and request id; the start and stop lines say where mail
// goes; every line has exactly one component and no key twice.
func TestOperatorLogs(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithDataReply(func(n int, _ string, rcpts []string, _ []byte) *smtptest.Reply {
		if rcpts[0] == "gone@example.org" {
			return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "Mailbox unavailable"}
		}
		if n == 1 {
			return &smtptest.Reply{Code: 451, Enhanced: "4.3.0", Message: "Try again later"}
		}
		return nil
	}))
	var logs apptest.LogBuffer
	e, c := simpleEnv(t, apptest.WithSMTP(srv), logTo(&logs, "debug"))
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	retried := res.Messages[0].ID
	e.WaitStatusAdvancing(retried, "sent", 100*time.Millisecond, wait)
	res, err = c.SendEvent(ctx, ping(2, inline("gone", "gone@example.org")))
	require.NoError(t, err)
	failed := res.Messages[0].ID
	e.WaitStatus(failed, "failed", wait)

	// A client error and a server error, each with a request id.
	req, _ := http.NewRequest("GET", e.URL+"/v1/flows/nope", nil)
	req.Header.Set("Authorization", "Bearer "+e.Key)
	req.Header.Set("X-Request-Id", "req-404")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 404, resp.StatusCode)
	breakTable(t, e, "flows")
	req, _ = http.NewRequest("GET", e.URL+"/v1/flows/f", nil)
	req.Header.Set("Authorization", "Bearer "+e.Key)
	req.Header.Set("X-Request-Id", "req-500")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 500, resp.StatusCode)
	require.NoError(t, e.App.Stop(ctx))

	lines := logLines(t, &logs)
	retry := find(lines, "delivery attempt failed; retrying")
	require.Len(t, retry, 1, "one retried attempt")
	r := retry[0]
	require.Equal(t, "WARN", r["level"])
	require.Equal(t, "delivery", r["component"])
	require.Equal(t, model.DefaultWorkspaceKey, r["workspace"])
	require.Equal(t, retried, r["message"])
	require.NotEmpty(t, r["message_id"])
	require.Equal(t, "451 4.3.0 Try again later", r["reply"])
	require.NotEmpty(t, r["next_attempt"])
	fail := find(lines, "delivery attempt failed; giving up")
	require.Len(t, fail, 1, "one failed attempt")
	f := fail[0]
	require.Equal(t, "WARN", f["level"])
	require.Equal(t, model.DefaultWorkspaceKey, f["workspace"])
	require.Equal(t, failed, f["message"])
	require.Equal(t, "550 5.1.1 Mailbox unavailable", f["reply"])

	var refused, broken map[string]any
	for _, l := range find(lines, "request refused") {
		if l["request_id"] == "req-404" {
			refused = l
		}
	}
	for _, l := range find(lines, "request failed") {
		if l["request_id"] == "req-500" {
			require.Nil(t, broken, "a 5xx is logged once")
			broken = l
		}
	}
	require.NotNil(t, refused, "the 404 is logged")
	require.Equal(t, "DEBUG", refused["level"])
	require.Equal(t, "api", refused["component"])
	require.Equal(t, "GET", refused["method"])
	require.Equal(t, "GET /v1/flows/{key}", refused["route"])
	require.EqualValues(t, 404, refused["status"])
	require.NotNil(t, broken, "the 500 is logged")
	require.Equal(t, "ERROR", broken["level"])
	require.Equal(t, "GET /v1/flows/{key}", broken["route"])
	require.EqualValues(t, 500, broken["status"])
	require.NotEmpty(t, broken["error"], "with its cause")

	require.NotEmpty(t, find(lines, "connected"), "the SMTP client's lines are among those checked")
	started := find(lines, "herold started")
	require.Len(t, started, 1)
	require.Equal(t, "server", started[0]["component"])
	require.Equal(t, "SMTP "+srv.Addr(), started[0]["mail"])
	stopped := find(lines, "herold stopped")
	require.Len(t, stopped, 1)
	require.Equal(t, "server", stopped[0]["component"])
}

// breakTable renames a table away, so that the requests reading it fail
// with a database error (an answer 500), as a damaged database would.
func breakTable(t *testing.T, e *apptest.Env, table string) {
	t.Helper()
	ctx := context.Background()
	stmt := "ALTER TABLE " + table + " RENAME TO " + table + "_gone"
	require.NoError(t, e.App.Store().WithTx(ctx, func(tx store.Tx) error {
		switch raw := tx.Raw().(type) {
		case *sql.Tx:
			_, err := raw.ExecContext(ctx, stmt)
			return err
		case pgx.Tx:
			_, err := raw.Exec(ctx, stmt)
			return err
		}
		return fmt.Errorf("a %T transaction", tx.Raw())
	}))
}

// TestStartLineNamesCaptureMailbox: without SMTP the start line says mail
// goes to the capture mailbox, at the default level.
func TestStartLineNamesCaptureMailbox(t *testing.T) {
	t.Parallel()
	var logs apptest.LogBuffer
	apptest.Start(t, logTo(&logs, "info"))
	started := find(logLines(t, &logs), "herold started")
	require.Len(t, started, 1)
	require.Equal(t, "INFO", started[0]["level"])
	require.Equal(t, "capture mailbox", started[0]["mail"])
}

// TestStartLineRedactsDatabasePassword: a PostgreSQL URL with a password
// is logged without it.
func TestStartLineRedactsDatabasePassword(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(pgtest.NewDatabase(t))
	require.NoError(t, err)
	const secret = "hunter2-do-not-log"
	u.User = url.UserPassword(u.User.Username(), secret) // the test server trusts local users
	var logs apptest.LogBuffer
	apptest.Start(t, logTo(&logs, "info"), func(s *apptest.Setup) { s.Opts.Database = u.String() })
	require.NotContains(t, logs.String(), secret)
	started := find(logLines(t, &logs), "herold started")
	require.Len(t, started, 1)
	require.Contains(t, started[0]["database"], ":xxxxx@")
}

// TestSMTPPasswordFile: the SMTP password is read from a file, without
// its trailing newline, and authenticates at a real server.
func TestSMTPPasswordFile(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithAuth("herold", "s3cret pass"))
	file := filepath.Join(t.TempDir(), "smtp-password")
	require.NoError(t, os.WriteFile(file, []byte("s3cret pass\n"), 0o600))
	e, c := simpleEnv(t, apptest.WithSMTP(srv), func(s *apptest.Setup) {
		s.Opts.SMTP.Username, s.Opts.SMTP.PasswordFile = "herold", file
	})
	res, err := c.SendEvent(context.Background(), ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	require.Equal(t, 1, srv.Count())
}

// TestServeRefusesTwoSMTPPasswords: the flag, its environment twin and
// the errors an operator sees when the password is given twice or its
// file cannot be read (before anything is opened).
func TestServeRefusesTwoSMTPPasswords(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "smtp-password")
	require.NoError(t, os.WriteFile(file, []byte("x\n"), 0o600))
	db := filepath.Join(dir, "herold.db")
	serve := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := cli.Execute(context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0", "--database", db,
			"--smtp-host", "127.0.0.1"}, args...), &out, &errOut)
		return code, errOut.String()
	}
	code, msg := serve("--smtp-password", "inline", "--smtp-password-file", file)
	require.Equal(t, 1, code)
	require.Contains(t, msg, "--smtp-password and --smtp-password-file are both given")
	require.Contains(t, msg, "keep only --smtp-password-file")

	t.Setenv("HEROLD_SMTP_PASSWORD_FILE", filepath.Join(dir, "missing"))
	code, msg = serve()
	require.Equal(t, 1, code)
	require.Contains(t, msg, "cannot read the SMTP password from "+filepath.Join(dir, "missing"))
	_, err := os.Stat(db)
	require.True(t, errors.Is(err, os.ErrNotExist), "nothing was opened: %v", err)
}

// readUntilClosed reads from conn until the server closes it, failing the
// test when that takes longer than limit.
func readUntilClosed(t *testing.T, conn net.Conn, limit time.Duration) {
	t.Helper()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(limit)))
	_, err := io.Copy(io.Discard, conn)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the server kept the connection open for %v", limit)
	}
}

// TestSlowAndIdleClientsAreDisconnected: a client that declares a body
// and never sends it, and a keep-alive connection left idle, are closed
// by the server after the configured timeouts.
func TestSlowAndIdleClientsAreDisconnected(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	e := apptest.Start(t, func(s *apptest.Setup) {
		s.Opts.HTTP.ReadTimeout, s.Opts.HTTP.IdleTimeout = timeout, timeout
	})
	addr := e.App.Addr()

	t.Run("body never sent", func(t *testing.T) {
		// The server's deadline counts from when it starts reading, which
		// can be before Dial returns here: start the clock before dialling.
		start := time.Now()
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "POST /login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nemail=a", addr)
		require.NoError(t, err)
		readUntilClosed(t, conn, 10*time.Second)
		require.GreaterOrEqual(t, time.Since(start), timeout, "closed by the read timeout, not before")
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		require.NoError(t, err)
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Equal(t, 200, resp.StatusCode)
		idleFrom := time.Now()
		require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
		_, err = br.ReadByte()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the server kept the idle connection open")
		}
		require.Error(t, err)
		require.GreaterOrEqual(t, time.Since(idleFrom), timeout-50*time.Millisecond, "closed by the idle timeout, not before")
	})
}

// TestConnectionsAreBounded: beyond --http-max-conns a client waits to be
// accepted until a connection ends.
func TestConnectionsAreBounded(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, func(s *apptest.Setup) { s.Opts.HTTP.MaxConns = 1 })
	addr := e.App.Addr()
	get := func(conn net.Conn) (*http.Response, error) {
		if _, err := fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr); err != nil {
			return nil, err
		}
		return http.ReadResponse(bufio.NewReader(conn), nil)
	}
	first, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	resp, err := get(first)
	require.NoError(t, err)
	resp.Body.Close()

	second, err := net.Dial("tcp", addr) // the kernel accepts it; the server does not yet
	require.NoError(t, err)
	defer second.Close()
	answered := make(chan error, 1)
	go func() {
		resp, err := get(second)
		if err == nil {
			resp.Body.Close()
		}
		answered <- err
	}()
	select {
	case err := <-answered:
		t.Fatalf("the second connection was served while the first was open (err %v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	require.NoError(t, first.Close())
	select {
	case err := <-answered:
		require.NoError(t, err)
	case <-time.After(wait):
		t.Fatal("the second connection was not served after the first closed")
	}
}

// scrape returns the server's metrics text.
func scrape(t *testing.T, e *apptest.Env) string {
	t.Helper()
	resp, err := http.Get(e.URL + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	return string(body)
}

// TestMetricsOfRequestsRunsAndWrites: after real requests, a schedule run
// and deliveries, /metrics counts the requests by route pattern (not the
// raw path) and status with their latency, the schedule run by outcome,
// and the grouped database writes with their latency.
func TestMetricsOfRequestsRunsAndWrites(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	// 17 May 2026, 05:00 in Berlin.
	e, c := associationEnv(t, srv, time.Date(2026, 5, 17, 3, 0, 0, 0, time.UTC))
	_, err := c.SendEvent(context.Background(), &client.Event{Type: "nothing.to.send", Project: "verein"})
	require.NoError(t, err)
	e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": []any{member("anna", "1980-05-17", "active", true)}})
	e.Must(201, "PUT", "/v1/schedules/birthdays", map[string]any{"name": "Geburtstage", "project": "verein", "role": "member",
		"preset": map[string]any{"kind": "birthday"}})
	runNow(t, e, "birthdays")
	srv.WaitForMails(t, 1, wait)
	e.Must(200, "GET", "/v1/flows/verein", nil)
	e.Must(404, "GET", "/v1/flows/nope", nil)
	e.Must(404, "GET", "/v1/no/such/route", nil)
	resp, err := http.Get(e.URL + "/login")
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)

	var text string
	apptest.Eventually(t, wait, func() bool {
		text = scrape(t, e)
		return strings.Contains(text, `herold_db_write_batch_duration_seconds_count{batch="delivery_outcomes"}`)
	}, "the delivery's outcome was not recorded")
	for _, want := range []string{
		`herold_http_request_duration_seconds_count{code="200",handler="api",route="GET /v1/flows/{key}"} 1`,
		`herold_http_request_duration_seconds_count{code="404",handler="api",route="GET /v1/flows/{key}"} 1`,
		`herold_http_request_duration_seconds_count{code="404",handler="api",route="unmatched"} 1`,
		`herold_http_request_duration_seconds_count{code="202",handler="api",route="POST /v1/schedules/{key}/run"} 1`,
		`herold_http_request_duration_seconds_count{code="200",handler="cockpit",route="GET /login"} 1`,
		`herold_http_request_duration_seconds_bucket{code="200",handler="cockpit",route="GET /login",le="+Inf"} 1`,
		`herold_schedule_runs_total{outcome="finished"} 1`,
		`herold_db_write_batch_duration_seconds_count{batch="events"}`,
		`herold_db_write_batch_size_count{batch="delivery_outcomes"}`,
	} {
		require.True(t, strings.Contains(text, want), "missing in /metrics: %s", want)
	}
	require.False(t, strings.Contains(text, `route="/v1/flows/nope"`), "raw paths never label a metric")
	if e.App.Store().Dialect() == "sqlite" {
		require.True(t, strings.Contains(text, `herold_db_write_batch_duration_seconds_count{batch="sqlite_group_commit"}`),
			"the SQLite writer's group commits are measured")
	}
}

// TestStartWarnsOfWorkspacesThatMayNotSend: a workspace without any
// allowed sender (every workspace but the bootstrap one after the upgrade
// that introduced allowed senders) is named at WARN at every start, so the
// operator learns why its mail fails; the bootstrap workspace is not.
func TestStartWarnsOfWorkspacesThatMayNotSend(t *testing.T) {
	t.Parallel()
	var first apptest.LogBuffer
	setup := apptest.NewSetup(t)
	logTo(&first, "info")(&setup)
	e := apptest.StartWith(t, setup)
	const msg = "workspace may not send: no sender allowed; messages fail until the operator runs `herold workspaces senders KEY DOMAIN`"
	require.Empty(t, find(logLines(t, &first), msg))
	ctx := context.Background()
	_, err := e.App.Service().WorkspaceCreate(ctx, service.WorkspaceCreateParams{Key: "silent"})
	require.NoError(t, err)
	_, err = e.App.Service().WorkspaceCreate(ctx, service.WorkspaceCreateParams{Key: "allowed", AllowedSenders: []string{"example.org"}})
	require.NoError(t, err)
	require.NoError(t, e.App.Stop(ctx))

	var again apptest.LogBuffer
	logTo(&again, "info")(&setup)
	apptest.StartWith(t, setup) // same database file
	warned := find(logLines(t, &again), msg)
	require.Len(t, warned, 1)
	require.Equal(t, "WARN", warned[0]["level"])
	require.Equal(t, "silent", warned[0]["workspace"])
	require.Equal(t, "server", warned[0]["component"])
}
