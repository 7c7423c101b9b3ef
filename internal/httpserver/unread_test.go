package httpserver

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// unreadServer is a server behind Observe whose /refuse answers 401
// without reading the body and whose /read reads the body, then answers.
func unreadServer(t *testing.T) string {
	t.Helper()
	h := Observe(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/read" {
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.WriteHeader(http.StatusUnauthorized)
	}), ObserveConfig{Handler: "api", Route: func(*http.Request) string { return "" }})
	srv := httptest.NewServer(h) // no read timeout: a kept connection would wait for ever
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// TestAnswerWithoutBodyClosesConnection: an answer given before the body
// has arrived goes out at once and ends the connection, instead of
// waiting for a body the handler does not need; an answer after the body
// was read keeps the connection.
func TestAnswerWithoutBodyClosesConnection(t *testing.T) {
	t.Parallel()
	addr := unreadServer(t)

	t.Run("body never sent", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_ = conn.SetReadDeadline(start.Add(time.Second))
		br := bufio.NewReader(conn)
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("no answer within a second: %v", err)
		}
		if resp.StatusCode != http.StatusUnauthorized || !resp.Close {
			t.Fatalf("status %d, Connection %q; want 401 with Connection: close", resp.StatusCode, resp.Header.Get("Connection"))
		}
		// The server lets go of the connection after the grace, not after
		// a read timeout (here: never).
		_ = conn.SetReadDeadline(start.Add(unreadBodyGrace + 3*time.Second))
		if _, err := io.Copy(io.Discard, br); err != nil {
			t.Fatalf("connection not closed within %v of the answer: %v", unreadBodyGrace+3*time.Second, err)
		}
	})

	t.Run("body sent at once", func(t *testing.T) {
		t.Parallel()
		// The client sends its whole body; the answer refusing it must
		// reach the client, not be lost to a reset of the connection.
		for range 5 {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			_ = conn.SetDeadline(time.Now().Add(unreadBodyGrace + 3*time.Second))
			req := "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + strings.Repeat("x", 100000)
			if _, err := io.WriteString(conn, req); err != nil {
				t.Fatal(err)
			}
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", resp.StatusCode)
			}
			if _, err := io.Copy(io.Discard, br); err != nil {
				t.Fatalf("after the answer: %v, want the connection closed in order", err)
			}
			conn.Close()
		}
	})

	t.Run("body read", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(conn)
		for i := range 2 { // the second request on the same connection
			if _, err := io.WriteString(conn, "POST /read HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"); err != nil {
				t.Fatal(err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("request %d: %v", i+1, err)
			}
			if resp.StatusCode != http.StatusNoContent || resp.Close {
				t.Fatalf("request %d: status %d, close %v; want 204 keeping the connection", i+1, resp.StatusCode, resp.Close)
			}
		}
	})
}
