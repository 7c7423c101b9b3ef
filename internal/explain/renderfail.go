package explain

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
)

// A render failure is recorded as render.Error's text after the
// template's name (see render.ParseError). Two failures make up most of
// them, and each gets a sentence: a placeholder without a value for the
// event (render.MissingKey), and a value a date function cannot read.
// A message without a sender address (model.NoSenderReason) gets one too.
var renderNotADate = regexp.MustCompile(`^(\w+): ("(?:[^"\\]|\\.)*") is not a date\b`)

// inAppAction reads an in-app action's part name, "inapp.actions[0].url".
var inAppAction = regexp.MustCompile(`^inapp\.actions\[(\d+)\]\.(label|url)$`)

// partName names a template part for people: "Betreff", "Titel der
// In-App-Nachricht", "Beschriftung der In-App-Aktion 2" (counted from 1).
func (f *formatter) partName(part string) string {
	if m := inAppAction.FindStringSubmatch(part); m != nil {
		i, _ := strconv.Atoi(m[1])
		return f.cat.T(f.lang, "explain.part.inapp.action_"+m[2], map[string]any{"n": i + 1})
	}
	return f.cat.T(f.lang, "explain.part."+part, nil)
}

// renderFailure chooses the sentence for a recorded render error and
// fills its data: what is wrong, and where (part and line). ok is false
// for an error it has no sentence for, which is shown as recorded.
func (f *formatter) renderFailure(errText string, data map[string]any) (id string, ok bool) {
	if errText == model.NoSenderReason {
		return "explain.message.render_failed.no_sender", true
	}
	var where []string
	addWhere := func(part string, line int) {
		at := f.cat.T(f.lang, "explain.part_line", map[string]any{
			"part": f.partName(part), "line": line})
		if !slices.Contains(where, at) {
			where = append(where, at)
		}
	}
	problems := render.ParseError(errText)
	var paths []string
	for _, p := range problems {
		if path, _, ok := render.MissingKey(p.Message); ok {
			if !slices.Contains(paths, path) {
				paths = append(paths, path)
			}
			addWhere(p.Part, p.Line)
		}
	}
	if paths != nil {
		data["paths"], data["where"] = strings.Join(paths, ", "), strings.Join(where, ", ")
		return "explain.message.render_failed.missing", true
	}
	for _, p := range problems {
		if m := renderNotADate.FindStringSubmatch(p.Message); m != nil {
			if data["value"] == nil {
				value, err := strconv.Unquote(m[2])
				if err != nil {
					value = m[2]
				}
				data["value"], data["function"] = value, m[1]
			}
			addWhere(p.Part, p.Line)
		}
	}
	if data["value"] != nil {
		data["where"] = strings.Join(where, ", ")
		return "explain.message.render_failed.not_a_date", true
	}
	return "", false
}
