package httpapi_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestBulkRequestsAreBounded: at most --max-bulk-requests (default 2) bulk
// requests with a body larger than --max-body-bytes are in progress at
// once; one more answers 503 with Retry-After before its body is read,
// small bulk requests and other writes go on, and the slots come back
// when the requests holding them end.
func TestBulkRequestsAreBounded(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	addr := strings.TrimPrefix(e.URL, "http://")

	// Two large bulk requests whose bodies have not arrived hold the slots
	// while their handlers wait for them.
	type held struct {
		conn net.Conn
		br   *bufio.Reader
		rest string
	}
	hold := func(i int) *held {
		body := large(fmt.Sprintf(`{"contacts":[{"id":"slow-%d","email":"slow%d@example.org"}]}`, i, i))
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		_, err = fmt.Fprintf(conn, "POST /v1/contacts/bulk HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", e.Key, len(body), body[:5])
		require.NoError(t, err)
		return &held{conn, bufio.NewReader(conn), body[5:]}
	}
	holding := []*held{hold(0), hold(1)}
	defer func() {
		for _, h := range holding {
			_ = h.conn.Close()
		}
	}()
	// answered reports whether the server answered h: it was refused,
	// since the other or a probe had a slot first.
	answered := func(h *held) bool {
		_ = h.conn.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		_, err := h.br.Peek(1)
		_ = h.conn.SetReadDeadline(time.Time{})
		return err == nil
	}
	// probe sends only the header of a large request to path and returns
	// its answer, or nil when none comes at once: the request then holds
	// a slot itself, and is closed again, which ends it.
	probe := func(path string) (*http.Response, string) {
		conn, err := net.Dial("tcp", addr)
		require.NoError(t, err)
		defer conn.Close()
		_, err = fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
			"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, e.Key, 2<<20)
		require.NoError(t, err)
		_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return nil, ""
		}
		body, _ := io.ReadAll(resp.Body)
		return resp, string(body)
	}

	// The server takes the held requests in its own time: a third is
	// refused once both hold their slots.
	var refused *http.Response
	var problem string
	apptest.Eventually(t, 20*time.Second, func() bool {
		for i, h := range holding {
			if answered(h) {
				_ = h.conn.Close()
				holding[i] = hold(i)
			}
		}
		refused, problem = probe("/v1/contacts/bulk")
		return refused != nil && refused.StatusCode == http.StatusServiceUnavailable
	}, "no large bulk request was refused while two were in progress")
	require.Equal(t, "1", refused.Header.Get("Retry-After"))
	require.Contains(t, problem, `"type":"/problems/overloaded"`)
	r, body := probe("/v1/events/batch")
	require.NotNil(t, r, "a large batch waited for its body although both slots were taken")
	require.Equal(t, http.StatusServiceUnavailable, r.StatusCode, "the bound is on all bulk routes: %s", body)

	// A small bulk request, and a write that is not bulk, are not held up.
	e.Must(http.StatusOK, "POST", "/v1/contacts/bulk", `{"contacts":[{"id":"c-6","email":"c6@example.org"}]}`)
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/c-4", `{"email":"c4@example.org"}`)

	// The held requests finish, and their slots come back.
	for _, h := range holding {
		_ = h.conn.SetDeadline(time.Now().Add(10 * time.Second))
		_, err := io.WriteString(h.conn, h.rest)
		require.NoError(t, err)
		resp, err := http.ReadResponse(h.br, nil)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}
	e.Must(http.StatusOK, "POST", "/v1/contacts/bulk", large(`{"contacts":[{"id":"c-3","email":"c3@example.org"},{"id":"c-5","email":"c5@example.org"}]}`))
}

// large pads a JSON object to more than the 1 MiB any other route takes,
// with blanks before its closing brace.
func large(object string) string {
	return object[:len(object)-1] + strings.Repeat(" ", 1<<20) + "}"
}
