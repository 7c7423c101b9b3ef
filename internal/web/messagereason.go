package web

import (
	"github.com/herold-dev/herold/internal/explain"
	"github.com/herold-dev/herold/internal/model"
)

// renderFailed reports whether m failed before any attempt to deliver
// it: it could not be created from its template, and its Reason is the
// render error.
func renderFailed(m *model.Message) bool {
	return m.Status == model.MsgFailed && m.Attempts == 0 && m.Reason != ""
}

// MessageReason says why m is where it is, in the page's language: why
// it could not be created from its template (the sentence the event's
// "why (not) sent?" gives), a suppression reason's name, or the reason
// as recorded (a mail server's reply is shown as it was received).
func (l *localizer) MessageReason(m *model.Message) fieldMsg {
	if renderFailed(m) {
		return l.renderFailure(m.Template, m.Reason)
	}
	return fieldMsg{Text: l.Reason(m.Reason)}
}

// EntryDetail is MessageReason for one entry of m's timeline: a render
// error or a suppression reason is said as for the message; any other
// detail as Detail shows it.
func (l *localizer) EntryDetail(m *model.Message, e model.MessageEvent) fieldMsg {
	switch {
	case e.Status == model.MsgFailed && e.Attempt == 0 && renderFailed(m):
		return l.renderFailure(m.Template, e.Detail)
	case e.Status == model.MsgSuppressed:
		return fieldMsg{Text: l.Reason(e.Detail)}
	}
	return fieldMsg{Text: l.Detail(e.Detail)}
}

// renderFailure explains a render error recorded for template; an error
// explain has no sentence for gets a general one, with the error itself
// (English) as Raw.
func (l *localizer) renderFailure(template, errText string) fieldMsg {
	if why, ok := explain.RenderFailure(l.cat, l.lang, template, errText); ok {
		return fieldMsg{Text: why}
	}
	return fieldMsg{Text: l.T("web.message.render_failed"), Raw: errText}
}

// noCopyKey names the sentence a message without a rendered copy shows
// in its place: suppressed before it was rendered, failed while it was
// rendered, or neither.
func noCopyKey(m *model.Message) string {
	switch {
	case m.Status == model.MsgSuppressed:
		return "web.message.no_copy"
	case renderFailed(m):
		return "web.message.no_copy_failed"
	}
	return "web.message.no_copy_other"
}
