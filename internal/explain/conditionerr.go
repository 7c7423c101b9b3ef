package explain

import (
	"strings"

	"github.com/herold-dev/herold/internal/condition"
)

// conditionError says a condition's evaluation error in the reader's
// language (explain.cond.KIND, see condition.ReadFailure); an error that
// is not one of the condition checker's own is returned as recorded.
func (f *formatter) conditionError(msg string) string {
	fl, ok := condition.ReadFailure(msg)
	if !ok {
		return msg
	}
	data := make(map[string]any, len(fl.Parts))
	for name, v := range fl.Parts {
		data[name] = v
	}
	if args := fl.Parts["args"]; args != "" {
		// "a (string) and 3 (int)": the last "and" in the reader's words.
		if i := strings.LastIndex(args, " and "); i >= 0 {
			data["args"] = args[:i] + f.cat.T(f.lang, "explain.cond.and", nil) + args[i+len(" and "):]
		}
	}
	return f.cat.T(f.lang, "explain.cond."+fl.Kind, data)
}
