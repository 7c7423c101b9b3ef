package httpapi_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestBodyReadFailuresAreTheClients: a body that ends before its
// Content-Length answers 400 and one that does not arrive within the read
// timeout 408, both problems of the client's making: neither is a 500 nor
// logged at ERROR, so clients cannot flood the error log and 5xx metrics.
func TestBodyReadFailuresAreTheClients(t *testing.T) {
	t.Parallel()
	logs := &apptest.LogBuffer{}
	const readTimeout = 500 * time.Millisecond
	e := apptest.Start(t, func(s *apptest.Setup) {
		s.Opts.HTTP.ReadTimeout = readTimeout
		s.LogTo, s.Opts.LogLevel = logs, "info"
	})
	addr := strings.TrimPrefix(e.URL, "http://")
	head := "POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + e.Key +
		"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n" + `{"type":`

	for _, tc := range []struct {
		name     string
		closeOut bool // the client stops sending: the body ends early
		status   int
		typ      string
	}{
		{"ends early", true, http.StatusBadRequest, "/problems/malformed-request"},
		{"too slow", false, http.StatusRequestTimeout, "/problems/request-timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, head); err != nil {
				t.Fatal(err)
			}
			if tc.closeOut {
				if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
					t.Fatal(err)
				}
			}
			_ = conn.SetReadDeadline(time.Now().Add(readTimeout + 5*time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var p struct {
				Type   string `json:"type"`
				Status int    `json:"status"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || p.Type != tc.typ || p.Status != tc.status {
				t.Fatalf("answer %d %s (%d), want %d %s", resp.StatusCode, p.Type, p.Status, tc.status, tc.typ)
			}
		})
	}
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a client's body read failure was logged at ERROR:\n%s", logs.String())
	}
}
