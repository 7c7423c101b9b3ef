package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// TestConfigurationForms runs the cockpit's configuration forms without a
// browser: flows, templates, schedules and settings, with their field
// errors.
func TestConfigurationForms(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	ctx := context.Background()

	// A new flow; its key is taken afterwards.
	resp, body := c.submit("/flows", "/flows", url.Values{"key": {"vereine"}, "name": {"Vereine"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	require.Equal(t, "/flows/vereine?notice=flow_created", resp.Header.Get("Location"))
	resp, body = c.submit("/flows", "/flows", url.Values{"key": {"vereine"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "A flow with this key exists already.")
	resp, body = c.submit("/flows", "/flows", url.Values{"key": {"no spaces"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-key"><li>“no spaces” is not a valid name: use letters`)

	// The flow's sender, checked like the API checks it.
	resp, body = c.submit("/flows/vereine", "/flows/vereine", url.Values{"name": {"Vereine"}, "sender_from": {"not an address"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-sender_from"`)
	// The settings show what the operator allows; the form cannot change it.
	_, body = c.get("/settings")
	require.Contains(t, body, `Allowed senders (From and Reply-To), set by the operator: agentur-nord.example`)
	require.NotContains(t, body, `name="allowed_senders"`)

	// A sender outside the demo workspace's allowed domain is refused,
	// in the user's language, naming what is allowed.
	resp, body = c.submit("/flows/vereine", "/flows/vereine", url.Values{"name": {"Vereine"}, "sender_from": {"Verein <info@verein.example>"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Regexp(t, `id="err-sender_from"><li>Sender not allowed: [^<]*allowed: agentur-nord.example`, body)
	resp, _ = c.submit("/flows/vereine", "/flows/vereine", url.Values{"name": {"Vereine"}, "sender_from": {"Vereine <vereine@agentur-nord.example>"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	f, err := e.svc.FlowGet(ctx, e.ws, "vereine")
	require.NoError(t, err)
	require.Equal(t, "Vereine <vereine@agentur-nord.example>", f.Sender.From)

	// A new template with a syntax error: nothing is saved, the error names
	// its line.
	form := url.Values{"key": {"willkommen"}, "locale": {"de"}, "name": {"Willkommen"},
		"subject": {"Willkommen {{ .recipient.name }}"}, "html": {"<p>Hallo</p>\n<p>{{ .recipient.name </p>"}}
	resp, body = c.submit("/templates/_new", "/templates", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Regexp(t, `id="err-html"><li>Line 2[^<]*Template error`, body)
	_, err = e.svc.TemplateGet(ctx, e.ws, "willkommen")
	require.Error(t, err)
	form.Set("html", "<p>Hallo</p>\n<p>{{ .recipient.name }}</p>")
	resp, body = c.submit("/templates/_new", "/templates", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	require.Equal(t, "/templates/willkommen?locale=de&notice=saved", resp.Header.Get("Location"))
	// Add English, then remove it again.
	resp, _ = c.submit("/templates/willkommen?locale=en", "/templates/willkommen",
		url.Values{"locale": {"en"}, "name": {"Willkommen"}, "subject": {"Welcome"}, "text": {"Hello"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	tmpl, err := e.svc.TemplateGet(ctx, e.ws, "willkommen")
	require.NoError(t, err)
	require.Len(t, tmpl.Locales, 2)
	resp, _ = c.submit("/templates/willkommen?locale=en", "/templates/willkommen",
		url.Values{"locale": {"en"}, "remove_locale": {"1"}, "name": {"Willkommen"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	tmpl, err = e.svc.TemplateGet(ctx, e.ws, "willkommen")
	require.NoError(t, err)
	require.Len(t, tmpl.Locales, 1)

	// A schedule from a preset, previewed, edited, run and deleted.
	resp, body = c.submit("/schedules/_new", "/schedules", url.Values{"key": {"geburtstage"}, "preset": {"birthday"},
		"enabled": {"1"}, "project": {"messe-koeln"}, "consent_category": {"birthday"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	sc, err := e.svc.ScheduleGet(ctx, e.ws, "geburtstage")
	require.NoError(t, err)
	require.Equal(t, "birthday", sc.Preset)
	require.Equal(t, model.SourceContacts, sc.Source.Kind)
	require.Equal(t, "birthday", sc.ConsentCategory, "checked like a notification's category")
	resp, body = c.get("/schedules/geburtstage?preview=1&date=2026-13-01")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "Enter a day as YYYY-MM-DD.")
	resp, body = c.submit("/schedules/geburtstage/edit", "/schedules/geburtstage", url.Values{"name": {"Geburtstage"},
		"cron": {"0 25 * * *"}, "source_kind": {"contacts"}, "condition": {sc.Condition}, "event_type": {sc.EventType},
		"project": {"messe-koeln"}, "occurrence_key": {sc.OccurrenceKey}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-cron"`)
	// A contacts schedule whose condition reads object.… is refused at
	// save, next to the field.
	resp, body = c.submit("/schedules/geburtstage/edit", "/schedules/geburtstage", url.Values{"name": {"Geburtstage"},
		"cron": {"0 6 * * *"}, "source_kind": {"contacts"}, "condition": {"has(object.expires_on)"}, "event_type": {sc.EventType},
		"project": {"messe-koeln"}, "occurrence_key": {sc.OccurrenceKey}, "consent_category": {"birthday"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Regexp(t, `id="err-condition"><li>[^<]*a contacts schedule has no object`, body)
	resp, _ = c.submit("/schedules/geburtstage/run", "/schedules/geburtstage/run", url.Values{"confirmed": {"1"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	runs, err := e.svc.ScheduleRuns(ctx, e.ws, "geburtstage", service.PageParams{})
	require.NoError(t, err)
	require.Len(t, runs.Items, 1)
	resp, _ = c.get("/schedules/geburtstage/runs/" + runs.Items[0].ID)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "run reports link here")
	resp, _ = c.submit("/schedules/geburtstage", "/schedules/geburtstage/delete", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, err = e.svc.ScheduleGet(ctx, e.ws, "geburtstage")
	require.Error(t, err)

	// Settings: the workspace, a new user with a generated password, and
	// the own password.
	resp, body = c.submit("/settings", "/settings", url.Values{"name": {"Agentur Nord"}, "default_locale": {"de"},
		"timezone": {"Mars/Olympus"}, "retention_days": {"30"}, "confirmation_expiry_hours": {"48"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-timezone"`)
	resp, _ = c.submit("/settings", "/settings", url.Values{"name": {"Agentur Nord"}, "default_locale": {"de"},
		"timezone": {"Europe/Vienna"}, "retention_days": {"30"}, "confirmation_expiry_hours": {"48"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	ws, err := e.svc.WorkspaceGet(ctx, "demo")
	require.NoError(t, err)
	require.Equal(t, "Europe/Vienna", ws.Timezone)
	require.Equal(t, 48, ws.ConfirmationExpiryHours)

	resp, body = c.submit("/settings", "/settings/users", url.Values{"user_email": {"anna@agentur-nord.example"}, "user_name": {"Anna"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	pw := regexp.MustCompile(`<code class="secret">([a-z0-9]{24})</code>`).FindStringSubmatch(body)
	require.NotNil(t, pw, "the generated password is shown once")
	anna := newClient(t, e.URL)
	anna.signIn("anna@agentur-nord.example", pw[1])
	resp, body = c.submit("/settings", "/settings/users", url.Values{"user_email": {"anna@agentur-nord.example"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-user_email"`)

	resp, body = anna.submit("/settings", "/settings/password", url.Values{"pw_current": {"wrong"}, "pw_password": {"a brand new password"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-pw_current"`)
	resp, _ = anna.submit("/settings", "/settings/password", url.Values{"pw_current": {pw[1]}, "pw_password": {"a brand new password"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/login?notice=password_changed", resp.Header.Get("Location"))
	resp, _ = anna.get("/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "signed out after the change")
	anna.signIn("anna@agentur-nord.example", "a brand new password")

	u, err := e.svc.UserFind(ctx, e.ws, "anna@agentur-nord.example")
	require.NoError(t, err)
	resp, _ = c.submit("/settings", "/settings/users/"+u.ID+"/delete", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, _ = anna.get("/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, "a deleted user is signed out")
}

// TestHistoryAndMailbox searches the history, opens a message, downloads it
// as .eml and reads the capture mailbox.
func TestHistoryAndMailbox(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	res := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna", "p-clara"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
	var sent, suppressed string
	for _, m := range res.Messages {
		if m.Status == model.MsgSuppressed {
			suppressed = m.ID
		} else {
			sent = m.ID
		}
	}
	e.WithKey(e.App.Demo.Secret).WaitStatus(sent, "sent", deliveryWait)

	_, body := c.get("/messages?recipient=anna.berger%40example.com")
	require.Contains(t, body, "/messages/"+sent)
	require.NotContains(t, body, "/messages/"+suppressed)
	_, body = c.get("/messages?recipient=p-clara&status=suppressed")
	require.Contains(t, body, "/messages/"+suppressed)
	require.Contains(t, body, "no e-mail address")
	_, body = c.get("/messages?project=sommerfest")
	require.Contains(t, body, "No messages match.")
	_, body = c.get("/messages?since=2026-03-03")
	require.Contains(t, body, "No messages match.", "the fake clock is on 2 March")
	_, body = c.get("/messages?since=2026-03-02&until=2026-03-02&event=" + res.Event.ID)
	require.Contains(t, body, "/messages/"+sent)
	resp, body := c.get("/messages?since=yesterday")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "Enter a day as YYYY-MM-DD.")

	resp, body = c.get("/messages/" + sent)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Security-Policy"), "script-src 'self'")
	require.Contains(t, body, `<iframe class="mail" sandbox title=`)
	require.Contains(t, body, `srcdoc="&lt;p&gt;Hallo Anna Berger,&lt;/p&gt;`, "the mail is escaped into srcdoc")
	resp, eml := c.get("/messages/" + sent + "/eml")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "message/rfc822", resp.Header.Get("Content-Type"))
	require.Contains(t, resp.Header.Get("Content-Disposition"), `attachment; filename="`+sent+`.eml"`)
	require.Contains(t, eml, "Subject: ")
	resp, _ = c.get("/messages/" + suppressed + "/eml")
	require.Equal(t, http.StatusConflict, resp.StatusCode, "a suppressed message has no copy")

	_, body = c.get("/mailbox")
	require.Contains(t, body, "/messages/"+sent+"/eml")
	require.Contains(t, body, "Neue Jobanfrage")
	_, body = c.get("/")
	require.Contains(t, body, `id="stat-sent">1<`)
}

// TestMailboxHiddenWithSMTP keeps the mailbox out of the navigation when
// mail is sent.
func TestMailboxHiddenWithSMTP(t *testing.T) {
	t.Parallel()
	e := startCockpit(t, func(s *apptest.Setup) { s.Opts.SMTP.Host = "127.0.0.1"; s.Opts.SMTP.Port = 1; s.Opts.SMTP.TLS = "none" })
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	_, body := c.get("/")
	require.NotContains(t, body, `href="/mailbox"`)
	_, body = c.get("/mailbox")
	require.Contains(t, body, "An SMTP server is configured")
}
