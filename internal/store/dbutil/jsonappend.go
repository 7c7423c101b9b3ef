package dbutil

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
)

// The trace of every event and the timeline of every message are encoded
// by hand: encoding/json's reflection, sorting and copying took 3–4 % of a
// mailing's server CPU. The bytes are exactly what json.Marshal writes
// for the same values (HTML characters, U+2028 and U+2029 escaped,
// invalid UTF-8 as U+FFFD, map keys sorted, empty fields omitted), which
// FuzzStepsMatchEncodingJSON and FuzzTimelineMatchesEncodingJSON hold
// them to; a stored column reads back the same either way.

// Steps encodes a trace for an events.trace column, nil as [].
func Steps(steps []model.Step) []byte {
	b, _ := appendArray(steps, 160, func(b []byte, s *model.Step) ([]byte, bool) { return appendStep(b, s), true })
	return b
}

// appendArray writes items as a JSON array (nil or empty as []), each
// with each, room bytes per item reserved. It stops at the first item
// each refuses and reports false.
func appendArray[T any](items []T, room int, each func([]byte, *T) ([]byte, bool)) ([]byte, bool) {
	if len(items) == 0 {
		return []byte("[]"), true
	}
	b := make([]byte, 0, room*len(items))
	b = append(b, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = each(b, &items[i]); !ok {
			return nil, false
		}
	}
	return append(b, ']'), true
}

func appendStep(b []byte, s *model.Step) []byte {
	b = append(b, `{"code":`...)
	b = appendString(b, string(s.Code))
	b = appendField(b, `,"notification":`, s.Notification)
	b = appendField(b, `,"recipient":`, s.Recipient)
	b = appendField(b, `,"message":`, s.Message)
	if len(s.Params) > 0 {
		b = append(b, `,"params":`...)
		b = appendStringMap(b, s.Params)
	}
	if len(s.Values) > 0 {
		// Values a condition saw: any JSON value, rare and small.
		b = append(b, `,"values":`...)
		b = append(b, ToJSON(s.Values)...)
	}
	return append(b, '}')
}

// appendField writes a string field (name with its leading comma and
// colon) unless v is empty, as omitempty does.
func appendField(b []byte, name, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, name...), v)
}

// appendStringMap writes m with its keys in order, as encoding/json does.
func appendStringMap(b []byte, m map[string]string) []byte {
	var room [8]string
	keys := room[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, m[k])
	}
	return append(b, '}')
}

// appendMessageEvent writes a timeline entry with its times already cut
// to the millisecond. ok is false for a time that time.Time.MarshalJSON
// refuses (a year outside 0–9999), which Timeline leaves to json.Marshal.
func appendMessageEvent(b []byte, e *model.MessageEvent) (_ []byte, ok bool) {
	b = append(b, `{"at":`...)
	if b, ok = appendTime(b, e.At); !ok {
		return b, false
	}
	b = append(b, `,"status":`...)
	b = appendString(b, string(e.Status))
	if e.Attempt != 0 {
		b = append(b, `,"attempt":`...)
		b = strconv.AppendInt(b, int64(e.Attempt), 10)
	}
	b = appendField(b, `,"actor":`, e.Actor)
	b = appendField(b, `,"detail":`, e.Detail)
	if e.NextAttemptAt != nil {
		b = append(b, `,"next_attempt_at":`...)
		if b, ok = appendTime(b, *e.NextAttemptAt); !ok {
			return b, false
		}
	}
	return append(b, '}'), true
}

// appendTime writes t as time.Time.MarshalJSON does: RFC 3339 with
// nanoseconds as needed, for years 0–9999 and zone offsets within a day.
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string exactly as encoding/json does
// with its default HTML escaping.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
