package web

import "strings"

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
