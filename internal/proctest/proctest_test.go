// Package proctest runs Herold as an operator does: a real `herold serve`
// process (built from this tree) on a real SQLite file, delivering to a
// real SMTP server in the test, stopped with real signals.
package proctest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // reads the database the process left behind

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// key is the servers' admin key.
const key = "hk_proctest_bootstrap_key_0123456789"

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
	buildDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// heroldBinary builds cmd/herold once for the package's tests.
func heroldBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "herold-proctest-")
		if buildErr != nil {
			return
		}
		binary = filepath.Join(buildDir, "herold")
		cmd := exec.Command("go", "build", "-o", binary, "github.com/herold-dev/herold/cmd/herold")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out.String())
		}
	})
	require.NoError(t, buildErr)
	return binary
}

// server is one `herold serve` process on a database of its own.
type server struct {
	t        *testing.T
	dir      string
	addr     string
	url      string
	smtpPort int
	cmd      *exec.Cmd
	log      *apptest.LogBuffer
	exited   chan struct{}
	exitErr  error
}

func newServer(t *testing.T, smtpPort int) *server {
	t.Helper()
	return &server{t: t, dir: t.TempDir(), addr: freeAddr(t), smtpPort: smtpPort}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// start starts the process (again, on the same database) and waits until
// it is ready.
func (s *server) start() {
	s.t.Helper()
	s.url = "http://" + s.addr
	s.log = &apptest.LogBuffer{}
	s.cmd = exec.Command(heroldBinary(s.t), "serve", "--addr", s.addr, "--database", filepath.Join(s.dir, "herold.db"),
		"--smtp-host", "127.0.0.1", "--smtp-port", strconv.Itoa(s.smtpPort), "--smtp-tls", "none",
		"--bootstrap-key", key, "--log-level", "warn")
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, s.log
	dieWithTest(s.cmd)
	require.NoError(s.t, s.cmd.Start())
	s.exited = make(chan struct{})
	go func() {
		s.exitErr = s.cmd.Wait()
		close(s.exited)
	}()
	s.t.Cleanup(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.url + "/readyz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-s.exited:
			s.t.Fatalf("herold serve exited at start: %v\n%s", s.exitErr, s.logText())
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("herold serve not ready after 30 s\n%s", s.logText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) logText() string { return s.log.String() }

// signal sends sig and, for SIGTERM, waits for the exit and returns how
// long it took.
func (s *server) signal(sig syscall.Signal) time.Duration {
	s.t.Helper()
	t0 := time.Now()
	require.NoError(s.t, s.cmd.Process.Signal(sig))
	select {
	case <-s.exited:
	case <-time.After(45 * time.Second):
		s.t.Fatalf("herold serve did not exit within 45 s of %v\n%s", sig, s.logText())
	}
	return time.Since(t0)
}

func (s *server) client() *client.Client { return client.MustNew(s.url, key) }

// configure sets up a mailing: event "mailing" sends template "m" to the
// contact in role "to".
func configure(t *testing.T, c *client.Client) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, c.Do(ctx, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Agentur Nord <news@agentur-nord.example>"}}, nil))
	require.NoError(t, c.Put(ctx, "/v1/templates/m", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Hallo {{ .recipient.name }}", "text": "Die Saison beginnt."}}}))
	require.NoError(t, c.Put(ctx, "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{
		"key": "m", "event_type": "mailing", "template": "m", "recipients": []string{"role:to"}}}}))
	require.NoError(t, c.Put(ctx, "/v1/projects/p", map[string]any{"flow": "f"}))
}

// queue posts n mailing events (one message each) in batches.
// startMailing starts a server sending to the SMTP server on smtpPort and
// queues a mailing of n messages on it.
func startMailing(t *testing.T, smtpPort, n int) *server {
	t.Helper()
	s := newServer(t, smtpPort)
	s.start()
	c := s.client()
	configure(t, c)
	queue(t, c, n)
	return s
}

func queue(t *testing.T, c *client.Client, n int) {
	t.Helper()
	for lo := 0; lo < n; lo += 1000 {
		var evs []*client.Event
		for i := lo; i < min(lo+1000, n); i++ {
			evs = append(evs, &client.Event{Type: "mailing", Project: "p", IdempotencyKey: fmt.Sprintf("m-%d", i),
				Actors: map[string][]client.Actor{"to": {client.Inline(client.Contact{ID: fmt.Sprintf("c%05d", i),
					Email: fmt.Sprintf("c%05d@example.org", i), Name: fmt.Sprintf("Person %d", i)})}}})
		}
		_, err := c.SendEvents(context.Background(), evs)
		require.NoError(t, err)
	}
}

// counts tallies the sink's mails by Message-ID.
func counts(mails []smtptest.Mail) (byID map[string]int, dups int) {
	byID = map[string]int{}
	for _, m := range mails {
		byID[m.MessageID]++
		if byID[m.MessageID] > 1 {
			dups++
		}
	}
	return byID, dups
}

// recordedSent reads, from the database a stopped process left, the
// Message-IDs of the messages recorded as sent.
func recordedSent(t *testing.T, dir string) map[string]bool {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "herold.db")+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`SELECT message_id_header FROM messages WHERE status = 'sent'`)
	require.NoError(t, err)
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		out[id] = true
	}
	require.NoError(t, rows.Err())
	return out
}

// waitMails waits (bounded) until the sink has n distinct messages.
func waitMails(t *testing.T, srv *smtptest.Server, n int, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		byID, _ := counts(srv.Mails())
		if len(byID) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sink has %d of %d messages after %v", len(byID), n, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
