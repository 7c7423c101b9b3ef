package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
)

// TestBroadcastPages creates, previews, starts, pauses, resumes and
// cancels a broadcast through the cockpit's forms, in English and German,
// with the form's field errors.
func TestBroadcastPages(t *testing.T) {
	t.Parallel()
	// Without the runner nothing is sent: the broadcast stays as the
	// buttons leave it.
	e := demoCockpit(t, func(s *apptest.Setup) { s.NoRunner, s.NoDelivery = true, true })
	ctx := context.Background()
	for _, ct := range []*model.Contact{
		{ID: "nl-1", Email: "eins@example.org", Name: "Eins", Consents: []string{"newsletter"}},
		{ID: "nl-2", Email: "zwei@example.org", Name: "Zwei"},
		{ID: "nl-3", Email: "drei@example.org", Name: "Drei", Consents: []string{"newsletter"}, OptOuts: []string{"newsletter"}},
	} {
		_, err := e.svc.ContactPut(ctx, e.ws, ct)
		require.NoError(t, err)
	}
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)

	_, body := c.get("/")
	require.Contains(t, body, `href="/broadcasts"`, "in the navigation")
	form := url.Values{"key": {"nl-maerz"}, "name": {"Newsletter März"}, "category": {"newsletter"},
		"subject": {"{{ .data.title }}"}, "html": {"<h1>{{ .data.title }}</h1><p>Hallo {{ .recipient.name }}</p>"},
		"text": {"{{ .data.title }}"}, "data": {`{"title": "Ausgabe 3"`}, "audience": {`contact.id.startsWith("nl-") &&`},
		"per_minute": {"60"}}
	resp, body := c.submit("/broadcasts/_new", "/broadcasts", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-data"`, "the JSON is cut off")
	form.Set("data", `{"title": "Ausgabe 3"}`)
	resp, body = c.submit("/broadcasts/_new", "/broadcasts", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-audience"`, "the condition does not compile")
	require.Contains(t, body, "The condition ends too early: something is missing at the end", "in words")
	require.NotContains(t, body, "NUM_FLOAT", "not the parser's token list")
	require.NotContains(t, body, `id="err-data"`)
	form.Set("audience", `contact.id.startsWith("nl-")`)
	resp, body = c.submit("/broadcasts/_new", "/broadcasts", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	require.Equal(t, "/broadcasts/nl-maerz?notice=saved", resp.Header.Get("Location"))

	_, body = c.get("/broadcasts")
	require.Contains(t, body, `href="/broadcasts/nl-maerz">Newsletter März</a>`)
	_, body = c.get("/broadcasts/nl-maerz?preview=1")
	require.Regexp(t, `in the audience, 1 would get the mail`, body)
	require.Contains(t, body, `id="preview-subject">Ausgabe 3<`)
	require.Contains(t, body, "Hallo Eins", "rendered for the one who gets it")
	require.Contains(t, body, `action="/broadcasts/nl-maerz/start"`)
	require.NotContains(t, body, `action="/broadcasts/nl-maerz/cancel"`, "a draft is not cancelled but deleted")

	resp, _ = c.submit("/broadcasts/nl-maerz", "/broadcasts/nl-maerz/start", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get("/broadcasts/nl-maerz?notice=broadcast_start")
	require.Contains(t, body, "The broadcast was started.")
	require.Contains(t, body, `action="/broadcasts/nl-maerz/pause"`)
	require.Regexp(t, `action="/broadcasts/nl-maerz/cancel" class="inline" data-confirm="Cancel Newsletter März for good\?`, body)
	require.NotContains(t, body, `/edit"`, "a started broadcast is not edited")

	resp, _ = c.submit("/broadcasts/nl-maerz", "/broadcasts/nl-maerz/pause", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get("/broadcasts/nl-maerz")
	require.Contains(t, body, `id="broadcast-status">paused<`)
	require.Contains(t, body, `action="/broadcasts/nl-maerz/resume"`)
	// The report says when its messages were counted (a large
	// broadcast's count is kept for a few seconds).
	r, err := e.svc.BroadcastReportGet(ctx, e.ws, "nl-maerz")
	require.NoError(t, err)
	require.Contains(t, body, `Counted at</dt><dd id="report-counted">`+r.CountedAt.In(e.ws.Location()).Format("2 Jan 2006, 15:04")+`<`)

	resp, _ = c.post("/language", url.Values{"lang": {"de"}, "next": {"/broadcasts/nl-maerz"}, "csrf": {c.csrf("/broadcasts/nl-maerz")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = c.submit("/broadcasts/nl-maerz", "/broadcasts/nl-maerz/cancel", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get("/broadcasts/nl-maerz")
	require.Contains(t, body, `id="broadcast-status">abgebrochen<`)
	require.Contains(t, body, `Gezählt um</dt><dd id="report-counted">`+r.CountedAt.In(e.ws.Location()).Format("02.01.2006, 15:04")+`<`)
	require.Contains(t, body, "Mailings")
	require.NotContains(t, body, `action="/broadcasts/nl-maerz/resume"`)
	b, err := e.svc.BroadcastGet(ctx, e.ws, "nl-maerz")
	require.NoError(t, err)
	require.Equal(t, model.BroadcastCancelled, b.Status)
}
