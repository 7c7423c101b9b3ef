package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// Settings and the contact page save business hours by weekday, and a
// bad rule is named by its number and text, with what is wrong, in
// German and English.
func TestCockpitBusinessHours(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	e.Must(201, "PUT", "/v1/contacts/anna", map[string]any{"email": "anna@example.org"})
	for _, tt := range []struct{ lang, hint, badRule, noTime, badDay string }{
		{"de", "Geschäftszeiten: open Mo-Fr 08:00-18:00; Sa 09:00-12:00",
			"Regel 2 („Sa 25:00-12:00“): „25:00“ ist keine Uhrzeit: Schreiben Sie HH:MM, z. B. 07:00.",
			"„Mo-So“ lässt keine Zeit zum Senden: E-Mails gingen nie hinaus.",
			"„Mo-Fry“ ist kein Wochentag: Schreiben Sie Mo Di Mi Do Fr Sa So"},
		{"en", "Business hours: open Mon-Fri 08:00-18:00; Sat 09:00-12:00",
			"Rule 2 (“Sa 25:00-12:00”): “25:00” is not a time of day: write HH:MM, e.g. 07:00.",
			"“Mo-So” leaves no time to send: e-mail would never go out.",
			"“Mo-Fry” is not a day: write Mon Tue Wed Thu Fri Sat Sun"},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		_, body := c.get("/settings")
		require.Contains(t, body, tt.hint)
		settings := settingsForm("open Mo-Fr 08:00-18:00; Sa 09:00-12:00")
		resp, body := c.submit("/settings", "/settings", settings)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
		require.Equal(t, "open Mo-Fr 08:00-18:00; Sa 09:00-12:00", e.Must(200, "GET", "/v1/workspace", nil).Map(t)["quiet_hours"])
		_, body = c.get("/settings")
		require.Contains(t, body, `value="open Mo-Fr 08:00-18:00; Sa 09:00-12:00"`)

		settings.Set("quiet_hours", "open Mo-Fr 08:00-18:00; Sa 25:00-12:00")
		resp, body = c.submit("/settings", "/settings", settings)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		require.Contains(t, body, tt.badRule)
		settings.Set("quiet_hours", "Mo-So")
		resp, body = c.submit("/settings", "/settings", settings)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		require.Contains(t, body, tt.noTime)
		require.Equal(t, "open Mo-Fr 08:00-18:00; Sa 09:00-12:00", e.Must(200, "GET", "/v1/workspace", nil).Map(t)["quiet_hours"], "a bad value changes nothing")

		resp, body = c.submit("/contacts/anna", "/contacts/anna", url.Values{"quiet_hours": {"Mo-Fry 18:00-08:00"}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		require.Contains(t, body, tt.badDay)
		resp, body = c.submit("/contacts/anna", "/contacts/anna", url.Values{"quiet_hours": {"22:00-07:00; Sat-Sun"}})
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
		require.Equal(t, map[string]any{"quiet_hours": "22:00-07:00; Sat-Sun"}, e.Must(200, "GET", "/v1/contacts/anna", nil).Map(t)["attributes"])
	}
}

// settingsForm is the settings form of the test workspace with the
// given quiet hours.
func settingsForm(quiet string) url.Values {
	return url.Values{"name": {"Default"}, "default_locale": {"de"}, "timezone": {"Europe/Berlin"},
		"retention_days": {"30"}, "confirmation_expiry_hours": {"168"}, "quiet_hours": {quiet}}
}

// TestCockpitContactQuietHoursRefused: the contact's quiet-hours form
// posts to the contact's page and, refused, comes back like every other
// form: at the contact's address, with what was typed in the field (not
// the stored value), the error summary, and the value quoted as typed in
// a sentence about rules (not weekdays).
func TestCockpitContactQuietHoursRefused(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	for _, tt := range []struct{ lang, summary, msg string }{
		{"de", "Es wurde nichts gespeichert.", "„nachts irgendwann“ ist keine Regel: Schreiben Sie ein Zeitfenster wie 22:00-07:00"},
		{"en", "Nothing was saved.", "“nachts irgendwann” is not a rule"},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		_, body := c.get("/contacts/p-anna")
		require.Contains(t, body, `<form method="post" action="/contacts/p-anna" id="quiet-hours-form">`, tt.lang)
		resp, body := c.submit("/contacts/p-anna", "/contacts/p-anna", url.Values{"quiet_hours": {"nachts irgendwann"}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, tt.lang)
		require.Contains(t, body, `class="alert error-summary"`, tt.lang)
		require.Contains(t, body, tt.summary, tt.lang)
		require.Contains(t, body, `name="quiet_hours" type="text" value="nachts irgendwann"`, "%s: what was typed stays", tt.lang)
		msgs := fieldErrorList(t, body, "quiet_hours")
		require.Len(t, msgs, 1, tt.lang)
		require.True(t, strings.HasPrefix(msgs[0], tt.msg), "%s: %s", tt.lang, msgs[0])
		require.NotContains(t, msgs[0], "Wochentag", tt.lang)
		require.NotContains(t, msgs[0], "weekday", tt.lang)
		anna, err := e.svc.ContactGet(context.Background(), e.ws, "p-anna")
		require.NoError(t, err)
		require.NotContains(t, anna.Attributes, model.ContactQuietHoursAttribute, "nothing saved")
	}
}
