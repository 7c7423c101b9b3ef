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
// and accepted requests it does not allow are reported, that conforming and
// unread answers and refused requests are not, and that the caller still
// reads the whole body.
func TestContractTransport(t *testing.T) {
	t.Parallel()
	const js = "application/json"
	const unauthorized = `{"type":"/problems/unauthorized","title":"Unauthorized","status":401,"detail":"no key"}`
	const rejectedFirst = `{"results":[{"index":0,"errors":[{"field":"events[0].type","code":"invalid","detail":"bad"}]}]}`
	const endpoint = `{"id":"w1","url":"https://crm.example.com/herold","description":"","event_types":["booking.*"],
		"outcomes":["failed"],"state":"disabled","failures":0,"created_at":"2026-12-06T09:00:00Z","updated_at":"2026-12-06T09:00:00Z"}`
	tests := []struct {
		name   string
		method string
		path   string
		sent   string // the request's JSON body, if any
		a      answer
		want   string // in the problems reported; "" for none
	}{
		{"a workspace without its fields", "GET", "/v1/workspace", "", answer{200, js, `{"x":1}`}, "missing"},
		{"an undocumented status", "GET", "/v1/workspace", "", answer{418, js, `{}`}, "status 418 is not documented"},
		{"not JSON", "GET", "/v1/workspace", "", answer{200, js, `{`}, "not JSON"},
		{"a problem as documented", "GET", "/v1/workspace", "", answer{401, "application/problem+json", unauthorized}, ""},
		{"no body, documented status", "DELETE", "/v1/contacts/anna", "", answer{204, "", ""}, ""},
		{"a mail is not read", "GET", "/v1/messages/m1/eml", "", answer{200, "message/rfc822", "Subject: x\r\n\r\nx"}, ""},
		{"outside /v1", "GET", "/healthz", "", answer{200, js, `{"x":1}`}, ""},
		// Requests are checked when the API accepted them.
		{"an accepted request as documented", "POST", "/v1/webhooks/w1/state", `{"state":"disabled"}`,
			answer{200, js, endpoint}, ""},
		{"an accepted request with an undocumented value", "POST", "/v1/webhooks/w1/state", `{"state":"off"}`,
			answer{200, js, endpoint}, `request.state: "off" is not one of`},
		{"an accepted request with an undocumented field", "POST", "/v1/webhooks/w1/state", `{"state":"active","x":1}`,
			answer{200, js, endpoint}, `"x" is not in the schema`},
		{"an accepted request without the body the document requires", "POST", "/v1/webhooks/w1/state", "",
			answer{200, js, endpoint}, "accepted without a body"},
		{"an accepted body where the document takes none", "DELETE", "/v1/contacts/anna", `{}`,
			answer{204, "", ""}, "where the document takes none"},
		{"a batch's invalid event that the answer rejects", "POST", "/v1/events/batch",
			`{"events":[{"type":"bad type!","project":"p"}]}`, answer{200, js, rejectedFirst}, ""},
		{"a batch's invalid event that the answer accepts", "POST", "/v1/events/batch",
			`{"events":[{"type":"bad type!","project":"p"}]}`, answer{200, js, `{"results":[{"index":0,"id":"e1"}]}`},
			"request.events[0].type"},
		{"a batch's invalid event when the answer rejects another", "POST", "/v1/events/batch",
			`{"events":[{"type":"ok","project":"p"},{"type":"bad type!","project":"p"}]}`,
			answer{200, js, `{"results":[{"index":0,"errors":[{"field":"events[0].type","code":"invalid","detail":"bad"}]},{"index":1,"id":"e1"}]}`},
			"request.events[1].type"},
		{"a refused request is not held to the document", "POST", "/v1/webhooks/w1/state", `{"state":"off"}`,
			answer{401, "application/problem+json", unauthorized}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var problems []string
			c := contractTransport{next: tt.a, report: func(p string) { problems = append(problems, p) }}
			var body io.Reader
			if tt.sent != "" {
				body = strings.NewReader(tt.sent)
			}
			req, err := http.NewRequest(tt.method, "http://127.0.0.1"+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.sent != "" {
				req.Header.Set("Content-Type", js)
			}
			resp, err := c.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			if err != nil || string(b) != tt.a.body {
				t.Errorf("body %q, %v; want %q", b, err, tt.a.body)
			}
			got := strings.Join(problems, "; ")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("problems %q, want %q", got, tt.want)
			}
		})
	}
}
