package explain

import (
	"regexp"
	"strings"
)

// conditionErrors are the messages internal/condition gives for a
// condition it could not evaluate (describeMissing, describeOverload,
// evalError, the date helpers), each with the catalog sentence that says
// it in the reader's language and the names of its parts.
var conditionErrors = []struct {
	re    *regexp.Regexp
	id    string
	names []string
}{
	{regexp.MustCompile(`^(\S+) has no field '(.*)' \(guard optional fields with has\((.*)\)\)$`), "explain.cond.no_field", []string{"parent", "key", "field"}},
	{regexp.MustCompile(`^(\S+) has no element \[(-?\d+)\] \(check its size\(\) first\)$`), "explain.cond.no_element", []string{"parent", "index"}},
	{regexp.MustCompile(`^(\S+) is not available here$`), "explain.cond.unavailable", []string{"root"}},
	{regexp.MustCompile(`^cannot apply '(.+?)' to (.+)$`), "explain.cond.overload", []string{"op", "args"}},
	{regexp.MustCompile(`^condition exceeded its cost limit \((\d+) units\)$`), "explain.cond.cost", []string{"units"}},
	{regexp.MustCompile(`^condition must be true or false, got (.+)$`), "explain.cond.not_bool", []string{"type"}},
	{regexp.MustCompile(`^(\w+): ("(?:[^"\\]|\\.)*") is not a date \(use YYYY-MM-DD or RFC 3339\)$`), "explain.cond.not_a_date", []string{"function", "value"}},
	{regexp.MustCompile(`^(\w+): the value is empty, not a date$`), "explain.cond.empty_date", []string{"function"}},
}

// conditionError says a condition's evaluation error in the reader's
// language; an error it has no sentence for is returned as recorded.
func (f *formatter) conditionError(msg string) string {
	for _, c := range conditionErrors {
		m := c.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		data := map[string]any{}
		for i, name := range c.names {
			data[name] = m[i+1]
		}
		if args, ok := data["args"].(string); ok {
			// "a (string) and 3 (int)": the last "and" in the reader's words.
			if i := strings.LastIndex(args, " and "); i >= 0 {
				data["args"] = args[:i] + f.cat.T(f.lang, "explain.cond.and", nil) + args[i+len(" and "):]
			}
		}
		return f.cat.T(f.lang, c.id, data)
	}
	return msg
}
