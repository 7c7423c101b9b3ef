package web

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
)

// jsonProblem says in the user's language what is wrong with JSON an
// admin typed, and where: key names the sentence ("… ist kein gültiges
// JSON: {{.error}}"), line and col come from jsonErrorPos.
func jsonProblem(l *localizer, key string, line, col int, err error) string {
	what := l.T(jsonHint(err))
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		what = l.T("web.json.type", "field", te.Field, "want", l.T(jsonKind(te.Type)))
	}
	if line > 0 {
		what = l.T("web.error.at_line_column", "line", line, "column", col) + " " + what
	}
	return l.T(key, "error", what)
}

// jsonHint names the sentence that explains a JSON syntax error: what is
// usually the cause of the decoder's message.
func jsonHint(err error) string {
	msg := err.Error()
	switch {
	case strings.HasSuffix(msg, "end of JSON input"):
		return "web.json.eof"
	case strings.HasPrefix(msg, "invalid character '\\''"):
		return "web.json.single_quote"
	case strings.Contains(msg, "looking for beginning of object key string"):
		return "web.json.key"
	case strings.Contains(msg, "after object key:value pair"), strings.Contains(msg, "after array element"):
		return "web.json.comma"
	case strings.Contains(msg, "after object key"):
		return "web.json.colon"
	case strings.Contains(msg, "looking for beginning of value"):
		return "web.json.value"
	case strings.Contains(msg, "after top-level value"):
		return "web.json.trailing"
	}
	return "web.json.other"
}

// jsonKind names what a JSON type error expected, for people.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "web.json.kind_value"
	}
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "web.json.kind_object"
	case reflect.Slice, reflect.Array:
		return "web.json.kind_list"
	case reflect.String:
		return "web.json.kind_text"
	}
	return "web.json.kind_value"
}
