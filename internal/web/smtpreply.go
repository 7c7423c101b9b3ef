package web

import (
	"github.com/herold-dev/herold/internal/explain"
	"github.com/herold-dev/herold/internal/model"
)

// englishOnly keeps a service detail (written in English) for English
// pages; other languages get the page's own translated text alone, never
// an English sentence.
func englishOnly(l *localizer, detail string) string {
	if l.lang == "en" {
		return detail
	}
	return ""
}

// Reply explains a mail server's reply in the user's language (the raw
// reply stays on the page next to it); "" when there is nothing to
// explain (see explain.Reply).
func (l *localizer) Reply(reply string) string { return explain.Reply(l.cat, l.lang, reply) }

// Detail shows a timeline detail or last reply: the fixed English
// sentences Herold itself records are translated; anything else (a mail
// server's reply, a person's reason) is shown as it was recorded.
func (l *localizer) Detail(detail string) string {
	switch detail {
	case model.CaptureReply:
		return l.T("web.detail.captured")
	case model.InterruptedDetail:
		return l.T("web.detail.interrupted")
	}
	return detail
}
