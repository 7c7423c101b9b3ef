package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTemplateFormEmptyParts: a new template without subject and body
// says what to enter next to each field, in the page's language, once
// and without the service's English.
func TestTemplateFormEmptyParts(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	form := url.Values{"key": {"leer"}, "locale": {"de"}, "name": {"Leer"}, "subject": {" "}, "html": {""}, "text": {""}}
	for _, tc := range []struct{ lang, subject, body, prefix string }{
		{"de", "Geben Sie einen Betreff ein.", "Geben Sie einen HTML-Inhalt oder einen Text-Inhalt ein; einer von beiden genügt.", "Fehler in der Vorlage"},
		{"en", "Enter a subject.", "Enter an HTML body or a text body; one of them is enough.", "Template error"},
	} {
		c.lang = tc.lang
		resp, body := c.submit("/templates/_new", "/templates", form)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		require.Contains(t, body, `id="err-subject"><li>`+tc.subject+`</li></ul>`, tc.lang)
		require.Contains(t, body, `id="err-html"><li>`+tc.body+`</li></ul>`, tc.lang)
		require.NotContains(t, body, tc.prefix, tc.lang)
		require.NotContains(t, body, "is required", tc.lang)
	}
}
