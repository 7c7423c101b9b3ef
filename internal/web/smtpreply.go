package web

import (
	"strings"

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

// replyKey names the sentence that explains a mail server's reply
// ("550 5.1.1 <x@example.com>: user unknown") in the user's language, or
// "" when the reply does not start with an SMTP code. The enhanced status
// code (RFC 3463), when present, is more precise than the basic code.
func replyKey(reply string) string {
	code, rest, _ := strings.Cut(strings.TrimSpace(reply), " ")
	if len(code) != 3 || code[0] < '2' || code[0] > '5' || code[1] < '0' || code[1] > '5' || code[2] < '0' || code[2] > '9' {
		return ""
	}
	enhanced, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	switch {
	case code[0] == '2':
		return "web.reply.accepted"
	case code[0] == '3':
		return "web.reply.unexpected"
	case enhanced == "5.1.1" || enhanced == "5.1.10" || code == "550" && strings.Contains(strings.ToLower(rest), "user unknown"):
		return "web.reply.no_mailbox"
	case enhanced == "5.2.2" || enhanced == "4.2.2" || code == "552":
		return "web.reply.mailbox_full"
	case strings.HasPrefix(enhanced, "5.7.") || strings.HasPrefix(enhanced, "4.7."):
		return "web.reply.policy"
	case code == "421":
		return "web.reply.unavailable"
	case code[0] == '4':
		return "web.reply.temporary"
	default:
		return "web.reply.permanent"
	}
}

// Reply explains a mail server's reply in the user's language (the raw
// reply stays on the page next to it); "" when it is not an SMTP reply.
func (l *localizer) Reply(reply string) string {
	if _, last, ok := strings.Cut(reply, gaveUpMarker); ok && strings.HasPrefix(reply, "gave up after ") {
		// The delivery engine's "gave up after 72h0m0s of retries; last
		// error: …": say so, and explain the last error.
		return strings.TrimSpace(l.T("web.reply.gave_up") + " " + l.Reply(last))
	}
	key := replyKey(reply)
	if key == "" && unreachable(reply) {
		key = "web.reply.unreachable"
	}
	if key == "" {
		return ""
	}
	return l.T(key)
}

// gaveUpMarker separates the delivery engine's "gave up" sentence from
// the last error (internal/delivery, decide.go).
const gaveUpMarker = " of retries; last error: "

// unreachable reports whether a delivery error says that no connection to
// the mail server came about (as Go's net package words it).
func unreachable(detail string) bool {
	d := strings.ToLower(detail)
	for _, s := range []string{"connection refused", "i/o timeout", "no such host", "network is unreachable",
		"connection reset", "no route to host"} {
		if strings.Contains(d, s) {
			return true
		}
	}
	return false
}

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
