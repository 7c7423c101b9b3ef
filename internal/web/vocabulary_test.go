package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestVocabularyNamesWithoutJavaScript: Settings → Names lists the event
// types, roles and categories in use, the admin adds German and English
// names as lines, and the cockpit shows them instead of the keys (the
// key stays in small type): on the flow, in the event list, in the
// recipient list. A wrong line is named in German and nothing is saved.
func TestVocabularyNamesWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}}, map[string]any{"job": "Stand"})
	// The demo names its own keys; a notification the admin added uses
	// an event type, a role and a category nobody named yet.
	require.NoError(t, e.svc.NotificationAdd(ctx, e.ws, "standard", &model.Notification{Key: "rueckzug",
		EventType: "job.withdrawn", Template: "booking-cancelled", Recipients: []model.Recipient{"role:teamleitung"},
		Category: "intern", Status: model.StatusInactive}))
	demo, err := e.svc.WorkspaceGet(ctx, e.ws.Key)
	require.NoError(t, err)
	require.NotEmpty(t, demo.Vocabulary.EventTypes)
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)

	_, body := c.get("/settings")
	require.Contains(t, body, `href="/settings/names"`)
	_, body = c.get("/settings/names")
	field := func(body, name string) string {
		m := regexp.MustCompile(`(?s)<textarea id="f-` + name + `"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
		require.NotNil(t, m, name)
		return m[1]
	}
	require.Contains(t, field(body, "event_types"), "job.withdrawn =\n", "keys in use are listed without a name")
	require.Contains(t, field(body, "roles"), "teamleitung =\n")
	require.Contains(t, field(body, "categories"), "intern =\n")
	require.Contains(t, field(body, "event_types"), "job.requested = Jobanfrage | Job request\n", "named keys with their names")
	require.Contains(t, field(body, "roles"), "promoter = Promoter | Promoter\n")
	require.Contains(t, field(body, "categories"), "transactional = Vorgangsbezogen | Transactional\n")

	// A line whose key is no key: refused in German, nothing saved.
	resp, body := c.submit("/settings/names", "/settings/names", url.Values{"event_types": {"job.requested = Jobanfrage | Job request\njob angefragt = Jobanfrage"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Regexp(t, `id="err-event_types"><li>Zeile 2: Der Schlüssel vor dem „=“ darf nur Buchstaben`, body)
	ws, err := e.svc.WorkspaceGet(ctx, e.ws.Key)
	require.NoError(t, err)
	require.Equal(t, demo.Vocabulary, ws.Vocabulary)
	resp, body = c.submit("/settings/names", "/settings/names", url.Values{"roles": {"promoter = " + strings.Repeat("ä", model.MaxLabelLength+1)}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "Zeile 1: Ein Name darf höchstens 100 Zeichen lang sein.")

	resp, body = c.submit("/settings/names", "/settings/names", url.Values{
		"event_types": {"job.requested = Jobanfrage | Job request\nbooking.confirmed =\n"},
		"roles":       {"promoter = Promoter:in\nagency = | Agency"},
		"categories":  {"transactional = Dienstlich | Service"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	ws, err = e.svc.WorkspaceGet(ctx, e.ws.Key)
	require.NoError(t, err)
	require.Equal(t, model.Vocabulary{
		EventTypes: map[string]model.Label{"job.requested": {DE: "Jobanfrage", EN: "Job request"}},
		Roles:      map[string]model.Label{"promoter": {DE: "Promoter:in"}, "agency": {EN: "Agency"}},
		Categories: map[string]model.Label{"transactional": {DE: "Dienstlich", EN: "Service"}},
	}, ws.Vocabulary)
	_, body = c.get("/settings/names")
	require.Contains(t, field(body, "event_types"), "job.requested = Jobanfrage | Job request\n")

	term := `<span class="term" title="job.requested">Jobanfrage <code class="sub">job.requested</code></span>`
	_, body = c.get("/flows/standard")
	require.Contains(t, body, term)
	require.Contains(t, body, `<span class="term" title="promoter">Promoter:in <code class="sub">promoter</code></span>`)
	require.Contains(t, body, `<span class="term" title="agency">Agency <code class="sub">agency</code></span>`, "the other language when one is missing")
	require.Contains(t, body, `<span class="term" title="transactional">Dienstlich <code class="sub">transactional</code></span>`)
	require.Contains(t, body, "<code>booking.confirmed</code>", "a key without a name is shown as it is")
	_, body = c.get("/events")
	require.Contains(t, body, term)
	_, body = c.get("/flows/standard/notifications/_new")
	require.Contains(t, body, `<option value="role:promoter" label="Rolle: Promoter:in (promoter)">`)
	require.Contains(t, body, `<option value="job.requested" label="Jobanfrage (job.requested)">`)

	c.lang = "en"
	_, body = c.get("/flows/standard")
	require.Contains(t, body, `<span class="term" title="job.requested">Job request <code class="sub">job.requested</code></span>`)
	require.Contains(t, body, `<span class="term" title="promoter">Promoter:in <code class="sub">promoter</code></span>`)
}
