package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The kinds of digest window (Sammelnachricht).
const (
	// DigestFixed closes Duration after the digest's first item.
	DigestFixed = "fixed"
	// DigestSliding closes Duration after the latest item, but at most
	// Max after the first.
	DigestSliding = "sliding"
	// DigestCalendar closes at a local time of day ("daily at 08:00",
	// "weekly on Monday at 07:00") in the recipient's time zone.
	DigestCalendar = "calendar"
)

// Digest show orders: which items a digest's template receives.
const (
	DigestShowFirst = "first"
	DigestShowLast  = "last"
)

// Digest bounds.
const (
	// DefaultDigestShowItems is how many items the template receives
	// when ShowItems is 0.
	DefaultDigestShowItems = 10
	// MaxDigestShowItems bounds ShowItems.
	MaxDigestShowItems = 100
	// MaxDigestItems bounds MaxItems.
	MaxDigestItems = 10000
	// MinDigestWindow and MaxDigestWindow bound every window's length:
	// a digest waits at most a week, so that its first event is still
	// kept when it closes.
	MinDigestWindow = time.Minute
	MaxDigestWindow = 7 * 24 * time.Hour
)

// Digest collects a notification's messages to one recipient into one
// message over a window (Sammelnachricht). The template receives
// digest.items (the first or last ShowItems items) and digest.total (the
// exact number collected).
type Digest struct {
	// Key is a template (text/template) whose result separates digests
	// of one recipient, e.g. "{{ .object.id }}" for one digest per
	// ticket; empty: one digest per recipient.
	Key    string       `json:"key,omitempty" yaml:"key,omitempty"`
	Window DigestWindow `json:"window" yaml:"window"`
	// MaxItems, when set, closes the digest as soon as it holds that many
	// items. At most MaxDigestItems.
	MaxItems int `json:"max_items,omitempty" yaml:"max_items,omitempty"`
	// Show is "first" (default) or "last": which items the template
	// receives when there are more than ShowItems.
	Show string `json:"show,omitempty" yaml:"show,omitempty"`
	// ShowItems is how many items the template receives; default
	// DefaultDigestShowItems, at most MaxDigestShowItems.
	ShowItems int `json:"show_items,omitempty" yaml:"show_items,omitempty"`
}

// DigestWindow says when a digest closes.
type DigestWindow struct {
	// Type is fixed, sliding or calendar.
	Type string `json:"type" yaml:"type"`
	// Duration (fixed, sliding) is a Go duration such as "30m" or "4h".
	Duration string `json:"duration,omitempty" yaml:"duration,omitempty"`
	// Max (sliding) is the longest a sliding digest stays open after its
	// first item.
	Max string `json:"max,omitempty" yaml:"max,omitempty"`
	// Every (calendar) is "daily" or "weekly".
	Every string `json:"every,omitempty" yaml:"every,omitempty"`
	// At (calendar) is the local time of day, "08:00".
	At string `json:"at,omitempty" yaml:"at,omitempty"`
	// Weekday (calendar, weekly) is the English day name, "monday".
	Weekday string `json:"weekday,omitempty" yaml:"weekday,omitempty"`
}

// DigestProblem is one invalid field of a digest spec; Field is relative
// to the digest ("window.duration").
type DigestProblem struct {
	Field   string
	Message string
}

// Check validates the digest and returns its problems (none: valid).
func (d *Digest) Check() []DigestProblem {
	var out []DigestProblem
	add := func(field, format string, args ...any) {
		out = append(out, DigestProblem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if len(d.Key) > 500 || HasCRLF(d.Key) {
		add("key", "use at most 500 characters on one line")
	}
	w := d.Window
	switch w.Type {
	case DigestFixed, DigestSliding:
		dur, ok := windowDuration(w.Duration)
		if !ok {
			add("window.duration", "%q is not a duration between 1m and 168h; write e.g. \"30m\" or \"4h\"", w.Duration)
		}
		if w.Type == DigestSliding {
			max, mok := windowDuration(w.Max)
			switch {
			case !mok:
				add("window.max", "%q is not a duration between 1m and 168h; a sliding window needs its longest time, e.g. \"24h\"", w.Max)
			case ok && max < dur:
				add("window.max", "must be at least window.duration (%s)", w.Duration)
			}
		} else if w.Max != "" {
			add("window.max", "only a sliding window has a maximum; leave this out")
		}
		if w.Every != "" || w.At != "" || w.Weekday != "" {
			add("window.type", "every, at and weekday belong to a calendar window; use type calendar or leave them out")
		}
	case DigestCalendar:
		if w.Duration != "" || w.Max != "" {
			add("window.type", "duration and max belong to fixed and sliding windows; leave them out")
		}
		if _, _, ok := clockTime(w.At); !ok {
			add("window.at", "%q is not a time of day; write e.g. \"08:00\"", w.At)
		}
		switch w.Every {
		case "daily":
			if w.Weekday != "" {
				add("window.weekday", "a daily window has no weekday; use every: weekly or leave this out")
			}
		case "weekly":
			if _, ok := weekday(w.Weekday); !ok {
				add("window.weekday", "%q is not a weekday; use monday … sunday", w.Weekday)
			}
		default:
			add("window.every", "%q is not a calendar period; use daily or weekly", w.Every)
		}
	default:
		add("window.type", "%q is not a window; use fixed, sliding or calendar", w.Type)
	}
	if d.MaxItems != 0 && (d.MaxItems < 2 || d.MaxItems > MaxDigestItems) {
		add("max_items", "must be between 2 and %d (or 0: no limit)", MaxDigestItems)
	}
	if d.Show != "" && d.Show != DigestShowFirst && d.Show != DigestShowLast {
		add("show", "%q is not an order; use first or last", d.Show)
	}
	if d.ShowItems < 0 || d.ShowItems > MaxDigestShowItems {
		add("show_items", "must be between 1 and %d (or 0: %d)", MaxDigestShowItems, DefaultDigestShowItems)
	}
	return out
}

// Shown is the number of items the template receives.
func (d *Digest) Shown() int {
	if d.ShowItems > 0 {
		return d.ShowItems
	}
	return DefaultDigestShowItems
}

// Sliding reports whether each item moves the close.
func (d *Digest) Sliding() bool { return d.Window.Type == DigestSliding }

// Deadline is the latest a digest opened at opened closes: Duration
// after it (fixed), Max after it (sliding), or the next calendar time
// after it in loc (calendar). A spec that does not Check closes at once.
func (d *Digest) Deadline(opened time.Time, loc *time.Location) time.Time {
	w := d.Window
	switch w.Type {
	case DigestFixed:
		if dur, ok := windowDuration(w.Duration); ok {
			return opened.Add(dur)
		}
	case DigestSliding:
		if max, ok := windowDuration(w.Max); ok {
			return opened.Add(max)
		}
	case DigestCalendar:
		if t, ok := w.next(opened, loc); ok {
			return t
		}
	}
	return opened
}

// ClosesAt is when a digest whose latest item came at last closes, given
// its deadline: a sliding window Duration after last but not after the
// deadline; every other window at its deadline.
func (d *Digest) ClosesAt(last, deadline time.Time) time.Time {
	if d.Sliding() {
		if dur, ok := windowDuration(d.Window.Duration); ok && last.Add(dur).Before(deadline) {
			return last.Add(dur)
		}
	}
	return deadline
}

// next is the first calendar time of w strictly after t, in loc. A local
// time that a DST change skips is read as time.Date reads it (02:30 on a
// spring-forward day is 03:30).
func (w DigestWindow) next(t time.Time, loc *time.Location) (time.Time, bool) {
	h, m, ok := clockTime(w.At)
	if !ok {
		return time.Time{}, false
	}
	lt := t.In(loc)
	y, mo, day := lt.Date()
	for i := 0; i <= 8; i++ {
		c := time.Date(y, mo, day+i, h, m, 0, 0, loc)
		if !c.After(t) {
			continue
		}
		if w.Every == "weekly" {
			wd, ok := weekday(w.Weekday)
			if !ok {
				return time.Time{}, false
			}
			if c.Weekday() != wd {
				continue
			}
		}
		return c, true
	}
	return time.Time{}, false
}

func windowDuration(s string) (time.Duration, bool) {
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= MinDigestWindow && d <= MaxDigestWindow
}

// clockTime reads "HH:MM".
func clockTime(s string) (h, m int, ok bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, false
	}
	return t.Hour(), t.Minute(), true
}

func weekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, true
		}
	}
	return 0, false
}

// Digest states.
const (
	// DigestOpen collects items.
	DigestOpen = "open"
	// DigestFull reached its MaxItems: it takes no more items and closes
	// at once.
	DigestFull = "full"
	// DigestClosed was turned into its message.
	DigestClosed = "closed"
)

// DigestState is a stored digest: what it collected and what became of
// it, as explain and history show it.
type DigestState struct {
	ID           string `json:"id"`
	Flow         string `json:"flow"`
	Notification string `json:"notification"`
	// Recipient is the contact id, or the address of a literal one.
	Recipient string `json:"recipient"`
	// Key is the rendered key ("" for one digest per recipient).
	Key    string `json:"key"`
	Status string `json:"status"`
	// Total is the exact number of items collected.
	Total    int        `json:"total"`
	OpenedAt time.Time  `json:"opened_at"`
	ClosesAt time.Time  `json:"closes_at"`
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	// MessageID is the message the digest became once closed.
	MessageID string `json:"message_id,omitempty"`
}

// EncodeDigest is the stored form of a notification's digest spec: its
// JSON, or "" for none.
func EncodeDigest(d *Digest) string {
	if d == nil {
		return ""
	}
	b, _ := json.Marshal(d) // plain strings and ints: cannot fail
	return string(b)
}

// DecodeDigest reads EncodeDigest's form.
func DecodeDigest(s string) (*Digest, error) {
	if s == "" {
		return nil, nil
	}
	var d Digest
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return nil, fmt.Errorf("read digest spec: %w", err)
	}
	return &d, nil
}
