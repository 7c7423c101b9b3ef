package web

import (
	"regexp"

	"github.com/herold-dev/herold/internal/explain"
)

// WebhookError explains why a webhook attempt got no response in the
// page's language (see explain.WebhookError); the error itself stays as
// Raw (English, shown in small type), as it names the address or the
// certificate's problem.
func (l *localizer) WebhookError(detail string) fieldMsg {
	return fieldMsg{Text: explain.WebhookError(l.cat, l.lang, detail), Raw: detail}
}

var hookFailuresRE = regexp.MustCompile(`^(\d+) failed attempts in a row; last: (.*)$`)

// WebhookReason says what an attempt's recorded reason means, in the
// page's language (see explain.WebhookReason); the reason itself stays
// as Raw where the sentence does not say all of it.
func (l *localizer) WebhookReason(reason string) fieldMsg {
	text, quote := explain.WebhookReason(l.cat, l.lang, reason)
	if !quote {
		return fieldMsg{Text: text}
	}
	return fieldMsg{Text: text, Raw: reason}
}

// WebhookState explains why an endpoint is paused or disabled (the
// reason the webhook deliverer or an admin recorded), in the page's
// language; the recorded reason stays as Raw.
func (l *localizer) WebhookState(reason string) fieldMsg {
	switch reason {
	case "":
		return fieldMsg{}
	case "the endpoint answered 410 Gone":
		return fieldMsg{Text: l.T("web.hookstate.gone")}
	case "disabled by an admin":
		return fieldMsg{Text: l.T("web.hookstate.admin")}
	}
	if m := hookFailuresRE.FindStringSubmatch(reason); m != nil {
		return fieldMsg{Text: l.T("web.hookstate.failures", "n", m[1], "last", l.WebhookReason(m[2]).Text), Raw: reason}
	}
	return fieldMsg{Text: l.T("web.hookerr.other"), Raw: reason}
}
