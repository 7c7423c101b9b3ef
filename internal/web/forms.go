package web

import (
	"errors"
	"regexp"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/service"
)

// fieldErrors are the messages shown next to each form field; "" holds
// those that belong to no field.
type fieldErrors map[string][]fieldMsg

// For returns the messages of a field.
func (e fieldErrors) For(field string) []fieldMsg { return e[field] }

// Has reports whether a field has messages.
func (e fieldErrors) Has(field string) bool { return len(e[field]) > 0 }

// Any reports whether there is any message.
func (e fieldErrors) Any() bool { return len(e) > 0 }

func (e fieldErrors) add(field, msg string) { e[field] = append(e[field], fieldMsg{Text: msg}) }

// merge adds the messages of other for the fields e has none for: the
// form's own findings (a number that is none) stand, the service's
// findings on the other fields join them, so one submit names every
// problem.
func (e fieldErrors) merge(other fieldErrors) {
	for field, msgs := range other {
		if !e.Has(field) {
			e[field] = msgs
		}
	}
}

// fieldMap maps a service field path to a form field and a prefix for the
// message (e.g. the line of a recipient); ok false keeps the path.
type fieldMap func(path string) (field, prefix string, ok bool)

var indexed = regexp.MustCompile(`^([a-z_.]+)\[(\d+)\]$`)

// listLines maps "recipients[2]" to the field "recipients" with the line
// of the third entry, for textareas that take one entry per line.
func listLines(lines map[string][]int) fieldMap {
	return func(path string) (string, string, bool) {
		m := indexed.FindStringSubmatch(path)
		if m == nil {
			return "", "", false
		}
		i, _ := strconv.Atoi(m[2])
		if ls, ok := lines[m[1]]; ok && i < len(ls) {
			return m[1], strconv.Itoa(ls[i]), true
		}
		return m[1], "", true
	}
}

// formErrors turns a validation error into messages per field. It returns
// false for other errors.
func formErrors(l *localizer, err error, mapField fieldMap) (fieldErrors, bool) {
	var verr *service.ValidationError
	if !errors.As(err, &verr) {
		return nil, false
	}
	out := fieldErrors{}
	for _, f := range verr.Fields {
		field, line := f.Field, ""
		if mapField != nil {
			if mf, prefix, ok := mapField(f.Field); ok {
				field, line = mf, prefix
			}
		}
		msg := fieldMessageParts(l, f)
		if line != "" {
			msg.Text = l.T("web.error.entry_line", "line", line) + " " + msg.Text
		}
		out[field] = append(out[field], msg)
	}
	return out, true
}

// fieldMessage is fieldMessageParts as one line of text (the live
// template preview shows plain text).
func fieldMessage(l *localizer, f service.FieldError) string {
	m := fieldMessageParts(l, f)
	if m.Raw != "" {
		return m.Text + ": " + m.Raw
	}
	return m.Text
}

// splitLines splits a textarea into its non-empty lines and remembers the
// line number of each entry (1-based).
func splitLines(s string) ([]string, []int) {
	var out []string
	var nums []int
	for i, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
			nums = append(nums, i+1)
		}
	}
	return out, nums
}

// underscored maps nested paths such as "sender.from" to form fields
// such as "sender_from".
func underscored(path string) (string, string, bool) {
	return strings.ReplaceAll(path, ".", "_"), "", true
}
