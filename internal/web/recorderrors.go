package web

import (
	"regexp"
	"strings"
)

// recordErrors map what a schedule's evaluation says about a record it
// could not decide (the service's English error, see
// condition.Program.evalError and timeutil.Parse) to a sentence in the
// page's language with what to do (web.recerr.*); the groups of the
// pattern become the sentence's arguments by name. Matched in order.
var recordErrors = []struct {
	re  *regexp.Regexp
	key string
}{
	{regexp.MustCompile(`"(?P<v>[^"]*)" is not a date`), "web.recerr.not_date"},
	{regexp.MustCompile(`the value is empty, not a date`), "web.recerr.empty_date"},
	{regexp.MustCompile(`is out of range for a date|a value of type \S+ is not a date`), "web.recerr.date_type"},
	{regexp.MustCompile(`(?P<v>[\w.\[\]]+) has no field '(?P<f>[^']*)'`), "web.recerr.no_field"},
	{regexp.MustCompile(`(?P<v>[\w.\[\]]+) has no element \[(?P<n>\d+)\]`), "web.recerr.no_element"},
	{regexp.MustCompile(`(?P<v>[\w.]+) is not available here`), "web.recerr.not_available"},
	{regexp.MustCompile(`cannot apply '`), "web.recerr.types"},
	{regexp.MustCompile(`condition must be true or false`), "web.recerr.not_bool"},
	{regexp.MustCompile(`condition exceeded its cost limit|condition took too long`), "web.recerr.too_costly"},
}

// recordLabel reads the record a run's error sample starts with
// ("contact ID: …", "object COLLECTION/ID: …", see the service's
// record.label).
var recordLabel = regexp.MustCompile(`^(contact|object) (\S+): `)

// RecordError explains an error sample of a schedule's preview or run
// ("contact r-hans: \"unbekannt\" is not a date …") in the page's
// language: which record, what is wrong with it and what to do. The
// service's own text stays as Raw (English, shown in small type), as it
// names the specific value.
func (l *localizer) RecordError(sample string) fieldMsg {
	detail, who := sample, ""
	if m := recordLabel.FindStringSubmatch(sample); m != nil {
		who = l.T("web.recerr."+m[1], "id", m[2])
		detail = strings.TrimPrefix(sample, m[0])
	}
	text := ""
	for _, e := range recordErrors {
		sub := e.re.FindStringSubmatch(detail)
		if sub == nil {
			continue
		}
		var args []any
		for i, name := range e.re.SubexpNames() {
			if name != "" {
				args = append(args, name, sub[i])
			}
		}
		text = l.T(e.key, args...)
		break
	}
	if text == "" {
		text = l.T("web.recerr.other")
	}
	if who != "" {
		text = who + ": " + text
	}
	return fieldMsg{Text: text, Raw: detail}
}

// RunFailure says in the page's language that a run stopped; the
// failure itself (an internal error, in English) stays as Raw for whoever
// looks into it.
func (l *localizer) RunFailure(failure string) fieldMsg {
	return fieldMsg{Text: l.T("web.run.failure_text"), Raw: failure}
}
