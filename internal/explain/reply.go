package explain

import (
	"strings"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/i18n"
)

// ReplyKey names the sentence (a catalog id) that explains a mail
// server's reply ("550 5.1.1 <x@example.com>: user unknown") in the
// reader's language, or "" when the reply does not start with an SMTP
// code. The enhanced status code (RFC 3463), when present, is more precise
// than the basic code.
func ReplyKey(reply string) string {
	code, rest, _ := strings.Cut(strings.TrimSpace(reply), " ")
	if len(code) != 3 || code[0] < '2' || code[0] > '5' || code[1] < '0' || code[1] > '5' || code[2] < '0' || code[2] > '9' {
		return ""
	}
	enhanced, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
	switch {
	case code[0] == '2':
		return "reply.accepted"
	case code[0] == '3':
		return "reply.unexpected"
	case enhanced == "5.1.1" || enhanced == "5.1.10" || code == "550" && strings.Contains(strings.ToLower(rest), "user unknown"):
		return "reply.no_mailbox"
	case enhanced == "5.2.2" || enhanced == "4.2.2" || code == "552":
		return "reply.mailbox_full"
	case strings.HasPrefix(enhanced, "5.7.") || strings.HasPrefix(enhanced, "4.7."):
		return "reply.policy"
	case code == "421":
		return "reply.unavailable"
	case code[0] == '4':
		return "reply.temporary"
	default:
		return "reply.permanent"
	}
}

// Reply explains a delivery detail in lang: a mail server's reply, a
// connection to it that never came about, an address that needs SMTPUTF8
// at a mail server without it, and the delivery engine's "gave
// up after …; last error: …" with the last error explained after it. It
// is "" for anything else (a person's reason, an error it has no sentence
// for), which the caller shows as it was recorded.
func Reply(cat *i18n.Catalog, lang, detail string) string {
	if last, ok := gaveUp(detail); ok {
		return strings.TrimSpace(cat.T(lang, "reply.gave_up", nil) + " " + Reply(cat, lang, last))
	}
	key := ReplyKey(detail)
	switch {
	case key != "":
	case unreachable(detail):
		key = "reply.unreachable"
	case strings.Contains(detail, channel.NotASCIIBeforeAt):
		key = "reply.utf8_local"
	}
	if key == "" {
		return ""
	}
	return cat.T(lang, key, nil)
}

// serverReply returns the mail server's own reply in a delivery detail
// (for a "gave up", in its last error), or "" when it holds none.
func serverReply(detail string) string {
	if last, ok := gaveUp(detail); ok {
		detail = last
	}
	if ReplyKey(detail) == "" {
		return ""
	}
	return strings.TrimSpace(detail)
}

// gaveUp reads the delivery engine's "gave up after 72h0m0s of retries;
// last error: …" (internal/delivery, decide.go): the last error, and
// whether detail is such a sentence.
func gaveUp(detail string) (last string, ok bool) {
	if !strings.HasPrefix(detail, "gave up after ") {
		return "", false
	}
	_, last, ok = strings.Cut(detail, " of retries; last error: ")
	return last, ok
}

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
