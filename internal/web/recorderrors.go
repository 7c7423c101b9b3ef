package web

import (
	"regexp"
	"strings"

	"github.com/herold-dev/herold/internal/condition"
)

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
	// What the condition checker says (condition.ReadFailure), in the
	// page's language with what to do (web.recerr.KIND, with the parts).
	text := l.T("web.recerr.other")
	if f, ok := condition.ReadFailure(detail); ok {
		args := make([]any, 0, 2*len(f.Parts))
		for name, v := range f.Parts {
			args = append(args, name, v)
		}
		text = l.T("web.recerr."+f.Kind, args...)
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
