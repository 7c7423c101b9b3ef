package apptest

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// answer is a transport that gives one canned answer.
type answer struct {
	status int
	ct     string
	body   string
}

func (a answer) RoundTrip(*http.Request) (*http.Response, error) {
	h := http.Header{}
	if a.ct != "" {
		h.Set("Content-Type", a.ct)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader(a.body)),
		ContentLength: int64(len(a.body))}, nil
}

// TestContractTransport checks that answers the document does not describe
// are reported, that conforming and unread answers are not, and that the
// caller still reads the whole body.
func TestContractTransport(t *testing.T) {
	t.Parallel()
	const js = "application/json"
	tests := []struct {
		name   string
		method string
		path   string
		a      answer
		bad    bool
	}{
		{"a workspace without its fields", "GET", "/v1/workspace", answer{200, js, `{"x":1}`}, true},
		{"an undocumented status", "GET", "/v1/workspace", answer{418, js, `{}`}, true},
		{"not JSON", "GET", "/v1/workspace", answer{200, js, `{`}, true},
		{"a problem as documented", "GET", "/v1/workspace", answer{401, "application/problem+json",
			`{"type":"/problems/unauthorized","title":"Unauthorized","status":401,"detail":"no key"}`}, false},
		{"no body, documented status", "DELETE", "/v1/contacts/anna", answer{204, "", ""}, false},
		{"a mail is not read", "GET", "/v1/messages/m1/eml", answer{200, "message/rfc822", "Subject: x\r\n\r\nx"}, false},
		{"outside /v1", "GET", "/healthz", answer{200, js, `{"x":1}`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var problems []string
			c := contractTransport{next: tt.a, report: func(p string) { problems = append(problems, p) }}
			req, err := http.NewRequest(tt.method, "http://127.0.0.1"+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := c.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil || string(b) != tt.a.body {
				t.Errorf("body %q, %v; want %q", b, err, tt.a.body)
			}
			if tt.bad != (len(problems) > 0) {
				t.Errorf("problems %v, want some: %v", problems, tt.bad)
			}
		})
	}
}
