package dbutil

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// stdJSON is what the columns held before the hand encoders: encoding/json.
func stdJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// awkward are strings that encoding/json escapes in every way it has.
var awkward = []string{
	"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\rcr",
	"\b\f\x00\x01\x1f\x7f", "Grüße, İstanbul, 日本", "\u2028line\u2029para",
	"bad \xff utf-8 \xc3", "\xe2\x80", "emoji 😀", "\ufffd real replacement",
}

func TestStepsMatchEncodingJSON(t *testing.T) {
	steps := []model.Step{
		{Code: model.StepScheduled, Params: map[string]string{"schedule": "mailing", "occurrence": "o-1", "run": "01a2"}},
		{Code: "event.received"},
		{Code: "message.queued", Notification: "newsletter", Recipient: "c-1", Message: "01a3",
			Params: map[string]string{"via": "email", "bcc": "", "cc": "", "z": "last", "a": "first", "m": "mid",
				"b": "1", "c": "2", "d": "3", "e": "4"}}, // more keys than the sort's room
		{Code: "condition.false", Notification: "n", Values: map[string]any{"contact.data.age": json.Number("17"),
			"x": []any{"<a>", nil, true}, "y": map[string]any{"k": 1.5}}},
		{Code: "empty.maps", Params: map[string]string{}, Values: map[string]any{}},
	}
	for _, s := range awkward {
		steps = append(steps, model.Step{Code: model.StepCode(s), Notification: s, Recipient: s, Message: s,
			Params: map[string]string{s: s, s + "2": "v"}})
	}
	if got, want := Steps(steps), stdJSON(t, steps); !bytes.Equal(got, want) {
		t.Fatalf("Steps:\n got %s\nwant %s", got, want)
	}
	for _, empty := range [][]model.Step{nil, {}} {
		if got := string(Steps(empty)); got != "[]" {
			t.Errorf("Steps(%#v) = %s, want []", empty, got)
		}
	}
}

func TestTimelineMatchesEncodingJSON(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	next := time.Date(2028, 2, 29, 23, 59, 59, 999_999_999, time.UTC)
	entries := []model.MessageEvent{
		{At: time.Date(2026, 3, 29, 2, 30, 0, 123_456_789, berlin), Status: model.MsgQueued},
		{At: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), Status: model.MsgRetrying, Attempt: 3,
			Detail: "451 4.7.1 <try> again & \"later\"", NextAttemptAt: &next},
		{At: time.Date(0, 1, 1, 0, 0, 0, 1_000_000, time.FixedZone("", 23*3600+59*60)), Status: model.MsgSent,
			Actor: "jana@example.org"},
		{At: time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("odd", -(5*3600+30*60+15))), Status: "x"},
	}
	for _, s := range awkward {
		entries = append(entries, model.MessageEvent{At: next, Status: model.MessageStatus(s), Actor: s, Detail: s})
	}
	if got, want := Timeline(entries), stdJSON(t, truncated(entries)); !bytes.Equal(got, want) {
		t.Fatalf("Timeline:\n got %s\nwant %s", got, want)
	}
	// Years encoding/json refuses still panic, as they did.
	for _, at := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Timeline with %v did not panic", at)
				}
			}()
			Timeline([]model.MessageEvent{{At: next, Status: "ok"}, {At: at, Status: "bad"}})
		}()
	}
}

// truncated is the old Timeline's copy: times cut to the millisecond.
func truncated(entries []model.MessageEvent) []model.MessageEvent {
	out := make([]model.MessageEvent, len(entries))
	for i, e := range entries {
		out[i] = toMillis(e)
	}
	return out
}

func FuzzStepsMatchEncodingJSON(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, s, "k", s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, code, text, key, value string, n uint8) {
		params := map[string]string{}
		for i := range int(n % 12) {
			params[key+strings.Repeat(text, i%3)] = value + code
		}
		steps := []model.Step{{Code: model.StepCode(code), Notification: text, Recipient: key, Message: value, Params: params}}
		if n%5 == 0 {
			steps = append(steps, model.Step{Code: "v", Values: map[string]any{text: value, key: []any{code}}})
		}
		if got, want := Steps(steps), stdJSON(t, steps); !bytes.Equal(got, want) {
			t.Fatalf("Steps:\n got %s\nwant %s", got, want)
		}
	})
}

func FuzzTimelineMatchesEncodingJSON(f *testing.F) {
	f.Add(int64(1796639292407123456), int32(3600), "sent", "250 2.0.0 <ok>", 1, true)
	f.Add(int64(-62135596800000000), int32(-86399), "\u2028", "\xff", 0, false)
	f.Fuzz(func(t *testing.T, nanos int64, offset int32, status, detail string, attempt int, retry bool) {
		at := time.Unix(0, nanos).In(time.FixedZone("z", int(offset%(24*3600))))
		e := model.MessageEvent{At: at, Status: model.MessageStatus(status), Attempt: attempt, Detail: detail, Actor: status}
		if retry {
			next := at.Add(time.Duration(attempt) * time.Second)
			e.NextAttemptAt = &next
		}
		entries := []model.MessageEvent{e, {At: at, Status: "x"}}
		want, err := json.Marshal(truncated(entries))
		if err != nil {
			t.Skip("encoding/json refuses this time; Timeline panics for it, as before")
		}
		if got := Timeline(entries); !bytes.Equal(got, want) {
			t.Fatalf("Timeline:\n got %s\nwant %s", got, want)
		}
	})
}
