package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// The settings page edits the workspace's summary schedule in German and
// English: it shows the defaults (08:00, Monday), saves a new time and
// day, stores the defaults as none (so workspace.yaml stays without
// them), and names a wrong time or day in the page's language next to
// its field.
func TestCockpitSummarySchedule(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	for _, tt := range []struct{ lang, label, day, badTime, badDay string }{
		{"de", "Uhrzeit der Zusammenfassungen", "Freitag", "„5 Uhr“ ist keine Uhrzeit: Schreiben Sie HH:MM, z. B. 07:00.",
			"„funday“ ist kein Wochentag: Wählen Sie Montag bis Sonntag."},
		{"en", "Time of summaries", "Friday", "“5 Uhr” is not a time of day: write HH:MM, e.g. 07:00.",
			"“funday” is not a weekday: choose Monday to Sunday."},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		_, body := c.get("/settings")
		require.Contains(t, body, tt.label)
		require.Contains(t, body, `name="summary_schedule_at" type="text" value="08:00"`)
		require.Contains(t, body, `<option value="monday" selected>`)

		settings := url.Values{"name": {"Default"}, "default_locale": {"de"}, "timezone": {"Europe/Berlin"},
			"retention_days": {"30"}, "confirmation_expiry_hours": {"168"},
			"summary_schedule_at": {"17:30"}, "summary_schedule_weekday": {"friday"}}
		resp, body := c.submit("/settings", "/settings", settings)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
		require.Equal(t, map[string]any{"at": "17:30", "weekday": "friday"}, e.Must(200, "GET", "/v1/workspace", nil).Map(t)["summary_schedule"])
		_, body = c.get("/settings")
		require.Contains(t, body, `name="summary_schedule_at" type="text" value="17:30"`)
		require.Contains(t, body, `<option value="friday" selected>`+tt.day+`</option>`)

		settings.Set("summary_schedule_at", "5 Uhr")
		settings.Set("summary_schedule_weekday", "funday")
		resp, body = c.submit("/settings", "/settings", settings)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		require.Contains(t, body, `id="err-summary_schedule_at"`)
		require.Contains(t, body, tt.badTime)
		require.Contains(t, body, `id="err-summary_schedule_weekday"`)
		require.Contains(t, body, tt.badDay)
		require.Equal(t, map[string]any{"at": "17:30", "weekday": "friday"}, e.Must(200, "GET", "/v1/workspace", nil).Map(t)["summary_schedule"], "nothing saved")

		settings.Set("summary_schedule_at", "08:00")
		settings.Set("summary_schedule_weekday", "monday")
		resp, body = c.submit("/settings", "/settings", settings)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
		require.Equal(t, map[string]any{}, e.Must(200, "GET", "/v1/workspace", nil).Map(t)["summary_schedule"], "the defaults are stored as none")
	}
}
