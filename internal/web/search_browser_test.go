package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

// TestBrowserSearchByNameOrAddress: the header's search field finds
// contacts, their events and messages by part of a name or address in any
// letter case, umlauts included, and messages by their CC/BCC copies. At
// 1366 px in German and 390 px in English.
func TestBrowserSearchByNameOrAddress(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	job := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
	require.Len(t, job.Messages, 1)

	p := e.germanDesktop(t)
	p.do(chromedp.SendKeys(chromedp.CSS(`.header-search input`), "KÜHN"+kb.Enter), chromedp.WaitVisible(chromedp.ID("sr-contacts")))
	p.check("search")
	require.Contains(t, p.text("#search-contacts"), "Dora Kühn")
	p.screenshot("search-de-1366")

	// Anna's event and message, found by part of her address.
	p.open("/search?q=" + url.QueryEscape("BERGER@"))
	require.Contains(t, p.text("#search-contacts"), "Anna Berger")
	require.Contains(t, p.text("#search-events"), "job.requested")
	require.Contains(t, p.text("#search-messages"), "Neue Jobanfrage")
	// The agency only gets a BCC copy: found by its contact's name.
	p.open("/search?q=" + url.QueryEscape("disposition agentur"))
	require.Contains(t, p.text("#search-messages"), "anna.berger@example.com")

	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/search?q=" + url.QueryEscape("sørensen"))
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Contains(t, p.text("#search-contacts"), "Emil Sørensen")
	require.Contains(t, p.text("#sr-events"), "Events")
	p.fitsWidth("search")
	p.screenshot("search-en-390")
}

// TestSearchQueryBounded: an overlong search is refused next to the
// field, in the user's language.
func TestSearchQueryBounded(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)
	resp, body := c.get("/search?q=" + strings.Repeat("a", 201))
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-q"`)
	resp, body = c.get("/search?q=" + url.QueryEscape("müller"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "Nichts gefunden.")
}
