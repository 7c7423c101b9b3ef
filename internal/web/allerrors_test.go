package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestCockpitFormsReportEveryProblem: the settings and mailing forms name
// every problem of a submit at once, the form's own (a number that is
// none, data that is not JSON) and the service's (time zone, quiet hours,
// sender, retention; the audience, the rate) together, and a negative
// rate is said as its rule, not as "enter a whole number".
func TestCockpitFormsReportEveryProblem(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t, func(s *apptest.Setup) { s.NoRunner, s.NoDelivery = true, true })
	for _, tt := range []struct {
		lang     string
		settings map[string]string
		mailing  map[string]string
	}{
		{"de", map[string]string{
			"confirmation_expiry_hours": "Geben Sie eine ganze Zahl ein.",
			"timezone":                  "„Berlin“ ist keine Zeitzone",
			"quiet_hours":               "„nachts“ ist keine Regel",
			"sender_from":               "",
			"retention_days":            "Geben Sie eine Zahl von 1 bis 3650 Tagen an.",
		}, map[string]string{
			"data":       "",
			"audience":   "",
			"per_minute": "Geben Sie 0 an (so schnell der Versand sie abnimmt) oder 1 bis 100000 Nachrichten pro Minute.",
		}},
		{"en", map[string]string{
			"confirmation_expiry_hours": "Enter a whole number.",
			"timezone":                  "“Berlin” is not a time zone",
			"quiet_hours":               "“nachts” is not a rule",
			"sender_from":               "",
			"retention_days":            "Enter a number of days from 1 to 3650.",
		}, map[string]string{
			"data":       "",
			"audience":   "",
			"per_minute": "Enter 0 (as fast as delivery takes them) or 1 to 100000 messages a minute.",
		}},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		resp, body := c.submit("/settings", "/settings", url.Values{"name": {"Agentur Nord"}, "default_locale": {"de"},
			"timezone": {"Berlin"}, "sender_from": {"kein Absender"}, "retention_days": {"0"},
			"confirmation_expiry_hours": {""}, "quiet_hours": {"nachts"}, "summary_schedule_at": {"08:00"},
			"summary_schedule_weekday": {"monday"}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, tt.lang)
		for field, want := range tt.settings {
			msgs := fieldErrorList(t, body, field)
			require.Len(t, msgs, 1, "%s settings %s: %q", tt.lang, field, msgs)
			require.Contains(t, msgs[0], want, "%s settings %s", tt.lang, field)
		}

		resp, body = c.submit("/broadcasts/_new", "/broadcasts", url.Values{"key": {"nl-" + tt.lang}, "category": {"newsletter"},
			"subject": {"Hallo"}, "text": {"Hallo"}, "data": {`{"title": "Ausgabe 3"`},
			"audience": {`contact.id.startsWith("nl-") &&`}, "per_minute": {"-5"}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, tt.lang)
		for field, want := range tt.mailing {
			msgs := fieldErrorList(t, body, field)
			require.Len(t, msgs, 1, "%s mailing %s: %q", tt.lang, field, msgs)
			require.Contains(t, msgs[0], want, "%s mailing %s", tt.lang, field)
		}
	}
}
