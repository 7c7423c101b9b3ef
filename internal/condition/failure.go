package condition

import (
	"regexp"
	"strconv"
)

// Failure is what an evaluation error says, read back from its message
// (the messages evalError, describeMissing, describeOverload and the date
// helpers write, also as recorded in explanations and run samples), so
// that the cockpit and explain can say it in the reader's language.
type Failure struct {
	// Kind is one of not_date, empty_date, date_type, no_field,
	// no_element, not_available, types, not_bool, too_costly, too_slow,
	// over_budget.
	Kind string
	// Parts are the values the message names, by kind: function and value
	// (not_date), function (empty_date), parent, key and guard (no_field),
	// parent and index (no_element), root (not_available), op and args
	// (types), type (not_bool), units (too_costly), limit (too_slow),
	// budget (over_budget). A part the message does not hold is "".
	Parts map[string]string
}

// messagePattern reads one kind of message; the names of its groups are
// the Failure's parts.
type messagePattern struct {
	kind string
	re   *regexp.Regexp
}

// read returns the first of patterns that matches msg as a Failure.
func read(patterns []messagePattern, msg string) (f Failure, ok bool) {
	for _, p := range patterns {
		m := p.re.FindStringSubmatch(msg)
		if m == nil {
			continue
		}
		f = Failure{Kind: p.kind, Parts: map[string]string{}}
		for i, name := range p.re.SubexpNames() {
			if name != "" {
				f.Parts[name] = m[i]
			}
		}
		return f, true
	}
	return Failure{}, false
}

// failures are the messages' patterns, in the order they are tried.
var failures = []messagePattern{
	{"not_date", regexp.MustCompile(`(?:\b(?P<function>\w+): )?(?P<value>"(?:[^"\\]|\\.)*") is not a date`)},
	{"empty_date", regexp.MustCompile(`(?:\b(?P<function>\w+): )?the value is empty, not a date`)},
	{"date_type", regexp.MustCompile(`is out of range for a date|a value of type \S+ is not a date`)},
	{"no_field", regexp.MustCompile(`(?P<parent>[\w.\[\]"]+) has no field '(?P<key>[^']*)'(?: \(guard optional fields with has\((?P<guard>.*)\)\))?`)},
	{"no_element", regexp.MustCompile(`(?P<parent>[\w.\[\]"]+) has no element \[(?P<index>-?\d+)\]`)},
	{"not_available", regexp.MustCompile(`(?P<root>[\w.]+) is not available here`)},
	{"types", regexp.MustCompile(`cannot apply '(?P<op>.+?)' to (?P<args>.+)$`)},
	{"not_bool", regexp.MustCompile(`condition must be true or false, got (?P<type>.+)$`)},
	{"too_costly", regexp.MustCompile(`condition exceeded its cost limit(?: \((?P<units>\d+) units\))?`)},
	{"too_slow", regexp.MustCompile(`condition took too long to evaluate(?: \(more than (?P<limit>[^)]+)\))?`)},
	{"over_budget", regexp.MustCompile(`this event's conditions used up their budget(?: of (?P<budget>\d+) cost units)?`)},
}

// ReadFailure reads an evaluation error's message back; ok is false for
// a message none of the checker's own.
func ReadFailure(msg string) (f Failure, ok bool) {
	if f, ok = read(failures, msg); ok {
		if v, err := strconv.Unquote(f.Parts["value"]); err == nil {
			f.Parts["value"] = v
		}
	}
	return f, ok
}
