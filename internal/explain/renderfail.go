package explain

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
)

// A render failure is recorded as render.Error's text after the
// template's name (see render.ParseError). Two failures make up most of
// them, and each gets a sentence: a placeholder without a value for the
// event (render.MissingKey), and a value a date function cannot read.
// A message without a sender address (model.NoSenderReason) gets one too.
var renderNotADate = regexp.MustCompile(`^(\w+): ("(?:[^"\\]|\\.)*") is not a date\b`)

// RenderFailure says in lang why a message could not be created from the
// template (its key) that failed with errText, as recorded on the message
// and in the event's trace: the sentence "why (not) sent?" gives, without
// the recipient, so that a message's page and the message list read as
// the event's page does. ok is false for an error it has no sentence for.
func RenderFailure(cat *i18n.Catalog, lang, template, errText string) (string, bool) {
	f := &formatter{cat: cat, lang: i18n.Normalize(lang)}
	why, ok := f.renderFailure(errText, template)
	if !ok {
		return "", false
	}
	// The sentence follows a colon in the step's; alone it starts one.
	r, n := utf8.DecodeRuneInString(why)
	return string(unicode.ToUpper(r)) + why[n:], true
}

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

// renderFailure says what is wrong with a recorded render error, and
// where (part and line), as the tail of a sentence (explain.render.*).
// ok is false for an error it has no sentence for, which is shown as
// recorded.
func (f *formatter) renderFailure(errText, template string) (why string, ok bool) {
	data := map[string]any{"template": template}
	if errText == model.NoSenderReason {
		return f.cat.T(f.lang, "explain.render.no_sender", data), true
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
		return f.cat.T(f.lang, "explain.render.missing", data), true
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
		return f.cat.T(f.lang, "explain.render.not_a_date", data), true
	}
	return "", false
}
