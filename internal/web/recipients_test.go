package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestNotificationRecipientsFromLists: the notification form offers
// recipients from a list — roles seen in flows, projects and events, the
// object's subscribers, addresses the flows use, the contacts — and a
// bare e-mail address typed or picked is accepted as email:ADDRESS
// (without JavaScript: the picked entry joins its list when the form is
// saved). Something that is neither still gets its error in German at
// its line.
func TestNotificationRecipientsFromLists(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"teamleitung": {"p-anna"}}, map[string]any{"job": "Stand"})
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)

	_, body := c.get("/flows/standard/notifications/_new")
	list := regexp.MustCompile(`(?s)<datalist id="recipient-choices">.*?</datalist>`).FindString(body)
	for _, want := range []string{
		`<option value="role:promoter" label="Rolle: Promoter (promoter)">`, // in the demo's flow, named
		`<option value="role:teamleitung" label="Rolle: teamleitung">`,      // seen in an event only, no name
		`<option value="watchers" label="Beobachter des Objekts">`,
		`<option value="contact:p-anna" label="Kontakt: Anna Berger &lt;anna.berger@example.com&gt;">`,
	} {
		require.Contains(t, list, want)
	}
	require.Contains(t, body, `list="recipient-choices"`)

	form := url.Values{"event_type": {"job.withdrawn"}, "template": {"booking-cancelled"}, "status": {"active"},
		"category": {"transactional"}, "key": {"absage"}, "channels": {"email"},
		"recipients": {"office@agentur-nord.example"}, "add_recipients": {"role:promoter"},
		"add_cc": {"Dispo <dispo@agentur-nord.example>"}, "add_bcc": {"contact:p-anna"}}
	resp, body := c.submit("/flows/standard/notifications/_new", "/flows/standard/notifications", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	n, err := e.svc.NotificationGet(ctx, e.ws, "standard", "absage")
	require.NoError(t, err)
	require.Equal(t, []model.Recipient{"email:office@agentur-nord.example", "role:promoter"}, n.Recipients)
	require.Equal(t, []model.Recipient{"email:Dispo <dispo@agentur-nord.example>"}, n.CC)
	require.Equal(t, []model.Recipient{"contact:p-anna"}, n.BCC)

	// Neither a recipient nor an address: the error names the line, in German.
	form.Set("key", "absage2")
	form.Set("recipients", "role:promoter\nbüro at agentur")
	form.Del("add_recipients")
	resp, body = c.submit("/flows/standard/notifications/_new", "/flows/standard/notifications", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	errs := regexp.MustCompile(`(?s)id="err-recipients">(.*?)</ul>`).FindStringSubmatch(body)
	require.NotNil(t, errs, body)
	require.Contains(t, errs[1], "Zeile 2")
	require.Contains(t, errs[1], "„büro at agentur“ ist weder eine E-Mail-Adresse noch ein Eintrag der Liste")
	require.NotContains(t, errs[1], "is not a recipient")
}
