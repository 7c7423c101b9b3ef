package web

import (
	"regexp"
	"strings"
	"time"
)

// webhookErrors map a webhook attempt's transport error (Go's net/http
// and the endpoint guard's English text, see internal/webhook) to a
// sentence in the page's language with what to do (web.hookerr.*), by
// the first of its fragments the error contains, in order.
var webhookErrors = []struct {
	fragments []string
	key       string
}{
	{[]string{"special range"}, "web.hookerr.private"},
	{[]string{"must use https", "must start with https"}, "web.hookerr.https"},
	{[]string{"webhook endpoint refused"}, "web.hookerr.refused"},
	{[]string{"no such host", "resolve ", "server misbehaving"}, "web.hookerr.no_host"},
	{[]string{"connection refused"}, "web.hookerr.conn_refused"},
	{[]string{"client.timeout", "deadline exceeded", "i/o timeout", "timeout awaiting"}, "web.hookerr.timeout"},
	{[]string{"x509:", "tls:", "certificate"}, "web.hookerr.tls"},
	{[]string{"network is unreachable", "no route to host"}, "web.hookerr.unreachable"},
	{[]string{"connection reset", "eof", "broken pipe"}, "web.hookerr.reset"},
}

// WebhookError explains why a webhook attempt got no response in the
// page's language; the error itself stays as Raw (English, shown in
// small type), as it names the address or the certificate's problem.
func (l *localizer) WebhookError(detail string) fieldMsg {
	d := strings.ToLower(detail)
	for _, e := range webhookErrors {
		for _, f := range e.fragments {
			if strings.Contains(d, f) {
				return fieldMsg{Text: l.T(e.key), Raw: detail}
			}
		}
	}
	return fieldMsg{Text: l.T("web.hookerr.other"), Raw: detail}
}

var (
	hookFailuresRE = regexp.MustCompile(`^(\d+) failed attempts in a row; last: (.*)$`)
	hookGaveUpRE   = regexp.MustCompile(`^gave up after (\S+) of retries; last: (.*)$`)
	hookHTTPRE     = regexp.MustCompile(`^HTTP (\d{3})(: redirect)?`)
)

// WebhookReason says what an attempt's recorded reason (webhook.Decide:
// "HTTP 500", a transport error, "gave up after …; last: …") means, in
// the page's language; the reason itself stays as Raw.
func (l *localizer) WebhookReason(reason string) fieldMsg {
	if reason == "" {
		return fieldMsg{}
	}
	if m := hookGaveUpRE.FindStringSubmatch(reason); m != nil {
		hours := 0
		if d, err := time.ParseDuration(m[1]); err == nil {
			hours = int(d.Hours())
		}
		return fieldMsg{Text: l.T("web.hookstate.gave_up", "hours", hours, "last", l.WebhookReason(m[2]).Text), Raw: reason}
	}
	if m := hookHTTPRE.FindStringSubmatch(reason); m != nil {
		switch {
		case m[1] == "410":
			return fieldMsg{Text: l.T("web.hookstate.gone"), Raw: reason}
		case m[2] != "":
			return fieldMsg{Text: l.T("web.hookstate.redirect", "code", m[1]), Raw: reason}
		}
		return fieldMsg{Text: l.T("web.hookstate.http", "code", m[1])}
	}
	return l.WebhookError(reason)
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
