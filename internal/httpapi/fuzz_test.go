package httpapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/herold-dev/herold/internal/service"
)

// FuzzDecodeEvent feeds arbitrary bodies to the strict decoder of
// POST /v1/events: it must never panic, must answer every bad body with a
// field error (syntax errors with a position), and what it accepts must
// convert to a service input.
func FuzzDecodeEvent(f *testing.F) {
	for _, seed := range []string{
		`{"type":"job.requested","project":"messe","actors":{"promoter":["p-1",{"id":"p-2","email":"a@b.de"}]},"data":{"n":1}}`,
		`{"type":"x","project":"p","object":{"collection":"tasks","id":"t-1"},"occurred_at":"2026-03-01T10:00:00Z"}`,
		`{"type": 5}`, `[]`, `{"actors":{"r":[{"id":"x","nope":1}]}}`, `{"contact":7}`, "{\n\"a\":", ``, `{} {}`,
		`{"type":"x","project":"p","data":` + strings.Repeat(`{"a":[`, 30) + "1" + strings.Repeat("]}", 30) + "}",
		`{"data":{"s":"[[[[\"","b":` + strings.Repeat("[", 60),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in eventInput
		err := decodeBytes(body, &in)
		if err == nil {
			out := in.service()
			if len(out.Contacts) != len(out.ContactFields) {
				t.Fatalf("%d inline contacts but %d paths", len(out.Contacts), len(out.ContactFields))
			}
			return
		}
		var verr *service.ValidationError
		var malformed *malformedError
		switch {
		case errors.As(err, &malformed):
			if malformed.Line < 1 && len(strings.TrimSpace(string(body))) > 0 {
				t.Fatalf("syntax error without a line: %v", err)
			}
		case errors.As(err, &verr):
			if len(verr.Fields) == 0 {
				t.Fatalf("validation error without fields: %v", err)
			}
		default:
			t.Fatalf("unexpected error type %T: %v", err, err)
		}
	})
}
