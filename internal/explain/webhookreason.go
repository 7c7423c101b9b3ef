package explain

import (
	"regexp"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/i18n"
)

// webhookErrors map a webhook attempt's transport error (Go's net/http
// and the endpoint guard's English text, see internal/webhook) to a
// sentence with what to do (web.hookerr.*, shared with the cockpit), by
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

// WebhookError says in lang why a webhook attempt got no response, from
// its recorded transport error; an error without a sentence of its own
// gets the general one.
func WebhookError(cat *i18n.Catalog, lang, detail string) string {
	d := strings.ToLower(detail)
	for _, e := range webhookErrors {
		for _, f := range e.fragments {
			if strings.Contains(d, f) {
				return cat.T(lang, e.key, nil)
			}
		}
	}
	return cat.T(lang, "web.hookerr.other", nil)
}

var (
	hookGaveUpRE = regexp.MustCompile(`^gave up after (\S+) of retries; last: (.*)$`)
	hookHTTPRE   = regexp.MustCompile(`^HTTP (\d{3})(: redirect)?`)
)

// WebhookReason says in lang what a delivery's recorded reason
// (webhook.Decide: "HTTP 500", a transport error, "gave up after …;
// last: …") means; "" for none. quote is false where the sentence says
// all the reason does (a plain HTTP status), so the reason itself need
// not be shown beside it.
func WebhookReason(cat *i18n.Catalog, lang, reason string) (text string, quote bool) {
	if reason == "" {
		return "", false
	}
	if m := hookGaveUpRE.FindStringSubmatch(reason); m != nil {
		hours := 0
		if d, err := time.ParseDuration(m[1]); err == nil {
			hours = int(d.Hours())
		}
		last, _ := WebhookReason(cat, lang, m[2])
		return cat.T(lang, "web.hookstate.gave_up", map[string]any{"hours": hours, "last": last}), true
	}
	if m := hookHTTPRE.FindStringSubmatch(reason); m != nil {
		switch {
		case m[1] == "410":
			return cat.T(lang, "web.hookstate.gone", nil), true
		case m[2] != "":
			return cat.T(lang, "web.hookstate.redirect", map[string]any{"code": m[1]}), true
		}
		return cat.T(lang, "web.hookstate.http", map[string]any{"code": m[1]}), false
	}
	return WebhookError(cat, lang, reason), true
}
