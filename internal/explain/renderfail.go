package explain

import (
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/render"
)

// A render failure is recorded as render.Error's text, "template: PART:
// LINE:COL: MESSAGE; …", after the template's name. Two failures make up
// most of them, and each gets a sentence: a placeholder without a value
// for the event, and a value a date function cannot read.
var (
	renderMissing  = regexp.MustCompile(`\b(subject|html|text):(\d+)(?::\d+)?: ([.$][^\s:]*): map has no entry for key "([^"]+)"`)
	renderNotADate = regexp.MustCompile(`\b(subject|html|text):(\d+)(?::\d+)?: (\w+): ("(?:[^"\\]|\\.)*") is not a date\b`)
)

// renderFailure chooses the sentence for a recorded render error and
// fills its data: what is wrong, and where (part and line). ok is false
// for an error it has no sentence for, which is shown as recorded.
func (f *formatter) renderFailure(errText string, data map[string]any) (id string, ok bool) {
	var where []string
	addWhere := func(part, line string) {
		at := f.cat.T(f.lang, "explain.part_line", map[string]any{
			"part": f.cat.T(f.lang, "explain.part."+part, nil), "line": line})
		if !slices.Contains(where, at) {
			where = append(where, at)
		}
	}
	if ms := renderMissing.FindAllStringSubmatch(errText, -1); ms != nil {
		var paths []string
		for _, m := range ms {
			if p := render.KeyPath(m[3], m[4]); !slices.Contains(paths, p) {
				paths = append(paths, p)
			}
			addWhere(m[1], m[2])
		}
		data["paths"], data["where"] = strings.Join(paths, ", "), strings.Join(where, ", ")
		return "explain.message.render_failed.missing", true
	}
	if ms := renderNotADate.FindAllStringSubmatch(errText, -1); ms != nil {
		for _, m := range ms {
			addWhere(m[1], m[2])
		}
		value, err := strconv.Unquote(ms[0][4])
		if err != nil {
			value = ms[0][4]
		}
		data["value"], data["function"], data["where"] = value, ms[0][3], strings.Join(where, ", ")
		return "explain.message.render_failed.not_a_date", true
	}
	return "", false
}
