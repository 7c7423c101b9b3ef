// Package dbutil holds what both store drivers need alike: JSON columns
// (numbers kept exact as json.Number, nil maps and lists as {} and []) and
// collecting rows.
package dbutil

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// ToJSON encodes v for a JSON column.
func ToJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Values come from decoded JSON or model types; failing here is a
		// programming error worth surfacing loudly.
		panic(fmt.Sprintf("store: encode json column: %v", err))
	}
	return b
}

// Map encodes a map, nil as {}.
func Map[V any](m map[string]V) []byte {
	if m == nil {
		return []byte("{}")
	}
	return ToJSON(m)
}

// List encodes a slice, nil as [].
func List[V any](s []V) []byte {
	if s == nil {
		return []byte("[]")
	}
	return ToJSON(s)
}

// FromJSON decodes a JSON column, keeping numbers exact (json.Number).
func FromJSON(b []byte, v any) error {
	return fromColumn(columnText{b: b}, v)
}

// FromJSONString is FromJSON for a column read as a string, without
// copying it to a byte slice first.
func FromJSONString(s string, v any) error {
	return fromColumn(columnText{s: s}, v)
}

// Scanner is what a row offers.
type Scanner interface {
	Scan(dest ...any) error
}

// Rows is what both database/sql and pgx result sets offer.
type Rows interface {
	Next() bool
	Err() error
	Scanner
}

// Collect scans every row with scan. close releases the rows.
func Collect[T any](rows Rows, close func(), scan func(Scanner) (T, error)) ([]T, error) {
	defer close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Timeline encodes timeline entries for a message's timeline column (a
// JSON array, nil as []). Times are kept to the millisecond, as every
// other time column, so a timeline reads back as it was written.
func Timeline(entries []model.MessageEvent) []byte {
	b, ok := appendArray(entries, 96, func(b []byte, e *model.MessageEvent) ([]byte, bool) {
		m := toMillis(*e)
		return appendMessageEvent(b, &m)
	})
	if !ok {
		return timelineSlow(entries)
	}
	return b
}

// timelineSlow is Timeline through encoding/json, for a time it refuses.
func timelineSlow(entries []model.MessageEvent) []byte {
	out := make([]model.MessageEvent, len(entries))
	for i, e := range entries {
		out[i] = toMillis(e)
	}
	return ToJSON(out)
}

// toMillis cuts an entry's times to the millisecond.
func toMillis(e model.MessageEvent) model.MessageEvent {
	e.At = e.At.Truncate(time.Millisecond)
	if e.NextAttemptAt != nil {
		next := e.NextAttemptAt.Truncate(time.Millisecond)
		e.NextAttemptAt = &next
	}
	return e
}

// InterruptedEntry is the timeline entry a claim appends to a message
// whose earlier attempt never recorded an outcome (its sender stopped); the
// store fills in the attempt.
func InterruptedEntry(at time.Time) []byte {
	return ToJSON(model.MessageEvent{At: at.Truncate(time.Millisecond), Status: model.MsgSending,
		Detail: model.InterruptedDetail})
}

// Words encodes a list of words that contain no comma (such as allowed
// sender domains) for a TEXT column, comma separated; the column stays
// readable in a SQL shell.
func Words(list []string) string { return strings.Join(list, ",") }

// FromWords decodes a Words column; an empty column is an empty list.
func FromWords(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// ContentHTML is what a message's content row keeps in its html column:
// the HTML body of an e-mail, or the JSON of an in-app message's item
// (title, body, link, actions), so that in-app messages needed no new
// column.
func ContentHTML(m *model.Message) string {
	if m.Channel == model.ChannelInApp && m.InApp != nil {
		return string(ToJSON(m.InApp))
	}
	return m.HTML
}

// SetContentHTML reads the html column back into m (see ContentHTML).
func SetContentHTML(m *model.Message, html string) error {
	if m.Channel != model.ChannelInApp || html == "" {
		m.HTML = html
		return nil
	}
	m.InApp = &model.InAppContent{}
	return FromJSON([]byte(html), m.InApp)
}
