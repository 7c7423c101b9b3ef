package httpapi_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestRefusalDoesNotWaitForTheBody: a request the API refuses without
// reading its body (no key, an unknown route) is answered at once and its
// connection closed, though the body has not arrived: a client trickling
// bodies cannot hold connections for the read timeout, nor wait for it
// to learn that its key is missing.
func TestRefusalDoesNotWaitForTheBody(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	addr := strings.TrimPrefix(e.URL, "http://")
	for _, tc := range []struct {
		name, head string
		want       int
	}{
		{"no key", "POST /v1/events HTTP/1.1\r\n", http.StatusUnauthorized},
		{"unknown route", "POST /v1/no-such-thing HTTP/1.1\r\nAuthorization: Bearer " + e.Key + "\r\n", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			req := tc.head + "Host: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
			if _, err := io.WriteString(conn, req); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_ = conn.SetReadDeadline(start.Add(time.Second))
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatalf("no answer within a second: %v", err)
			}
			if resp.StatusCode != tc.want || !resp.Close {
				t.Fatalf("status %d, Connection %q; want %d with Connection: close", resp.StatusCode, resp.Header.Get("Connection"), tc.want)
			}
			// The read timeout is a minute; the connection ends long before.
			_ = conn.SetReadDeadline(start.Add(5 * time.Second))
			if _, err := io.Copy(io.Discard, br); err != nil {
				t.Fatalf("connection still open: %v", err)
			}
		})
	}
}
