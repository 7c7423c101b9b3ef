package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCockpitFormErrorsSayWhy: the mistakes people make often (a short
// password, retention out of range, a cron expression with four fields,
// a webhook URL without https or into a private network, a throttle line
// that is no rule, a search term too long) come back with a sentence in
// the page's language that says why, no "Ungültig" with the service's
// English reason under it, and no Go slice print. A throttle line that is
// no rule gets one message, and a failed search does not say that
// nothing was saved.
func TestCockpitFormErrorsSayWhy(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	sc, err := e.svc.ScheduleGet(context.Background(), e.ws, "geburtstagsgruesse")
	require.NoError(t, err)
	schedule := url.Values{"name": {sc.Name}, "cron": {"99 * * *"}, "source_kind": {string(sc.Source.Kind)},
		"condition": {sc.Condition}, "event_type": {sc.EventType}, "project": {sc.Project},
		"occurrence_key": {sc.OccurrenceKey}, "consent_category": {sc.ConsentCategory}}
	notification := url.Values{"event_type": {"job.requested"}, "template": {"job-requested"}, "recipients": {"role:promoter"},
		"status": {"active"}, "category": {"transactional"}, "channels": {"email"}, "throttle": {"5/1h\nabc"}}
	settings := func(retention string) url.Values {
		return url.Values{"name": {"Agentur Nord"}, "default_locale": {"de"}, "timezone": {"Europe/Berlin"},
			"retention_days": {retention}, "confirmation_expiry_hours": {"168"}, "summary_schedule_at": {"08:00"},
			"summary_schedule_weekday": {"monday"}}
	}
	type post struct {
		name, page, action string
		form               url.Values
		field              string
		de, en             string
	}
	posts := []post{
		{"new user", "/settings", "/settings/users", url.Values{"user_email": {"neu@agentur-nord.example"}, "user_password": {"kurz"}},
			"user_password", "Zu kurz: mindestens 12 Zeichen.", "Too short: use at least 12 characters."},
		{"own password", "/settings", "/settings/password", url.Values{"pw_current": {e.Password}, "pw_password": {"kurz"}},
			"pw_password", "Zu kurz: mindestens 12 Zeichen.", "Too short: use at least 12 characters."},
		{"retention", "/settings", "/settings", settings("0"),
			"retention_days", "Geben Sie eine Zahl von 1 bis 3650 Tagen an.", "Enter a number of days from 1 to 3650."},
		{"cron", "/schedules/geburtstagsgruesse/edit", "/schedules/geburtstagsgruesse", schedule,
			"cron", "„99 * * *“ hat 4 Felder, ein Cron-Ausdruck hat fünf: Minute, Stunde, Tag, Monat, Wochentag",
			"“99 * * *” has 4 fields; a cron expression has five: minute, hour, day, month, weekday"},
		{"webhook scheme", "/webhooks", "/webhooks", url.Values{"url": {"ftp://example.org/hook"}},
			"url", "Die URL muss mit https:// beginnen.", "The URL must start with https://."},
		{"webhook private", "/webhooks", "/webhooks", url.Values{"url": {"https://127.0.0.24/hook"}},
			"url", "Die Adresse 127.0.0.24 liegt in einem privaten oder besonderen Netz (127.0.0.0/8)",
			"The address 127.0.0.24 lies in a private or special network (127.0.0.0/8)"},
		{"throttle", "/flows/standard/notifications/_new", "/flows/standard/notifications", notification,
			"throttle", "Zeile 2: „abc“ ist keine Regel: Schreiben Sie Anzahl/Zeitraum, z. B. 5/1h",
			"“abc” is not a rule: write count/window, e.g. 5/1h"},
	}
	for _, lang := range []string{"de", "en"} {
		c := newClient(t, e.URL)
		c.lang = lang
		c.signIn(e.Email, e.Password)
		for _, p := range posts {
			resp, body := c.submit(p.page, p.action, p.form)
			require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, "%s %s", lang, p.name)
			msgs := fieldErrorList(t, body, p.field)
			want := p.de
			if lang == "en" {
				want = p.en
			}
			require.Len(t, msgs, 1, "%s %s: one message: %q", lang, p.name, msgs)
			require.Contains(t, msgs[0], want, "%s %s", lang, p.name)
			require.NotContains(t, msgs[0], `class="raw"`, "%s %s: no English detail", lang, p.name)
			require.NotContains(t, body, "[99", "%s %s: no Go slice print", lang, p.name)
		}

		long := strings.Repeat("ä", 150) // 300 bytes
		resp, body := c.get("/search?q=" + url.QueryEscape(long))
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		msgs := fieldErrorList(t, body, "q")
		require.Len(t, msgs, 1)
		if lang == "de" {
			require.Equal(t, "Zu lang: höchstens 200 Bytes.", msgs[0])
			require.Contains(t, body, "Es wurde nicht gesucht. Bitte korrigieren Sie den Suchbegriff.")
			require.NotContains(t, body, "Es wurde nichts gespeichert")
		} else {
			require.Equal(t, "Too long: at most 200 bytes.", msgs[0])
			require.Contains(t, body, "Nothing was searched. Please correct the search term.")
			require.NotContains(t, body, "Nothing was saved")
		}
	}
}

// fieldErrorList returns the messages of a field's error list, as HTML.
func fieldErrorList(t *testing.T, body, field string) []string {
	t.Helper()
	start := strings.Index(body, `<ul class="field-errors" id="err-`+field+`">`)
	require.GreaterOrEqual(t, start, 0, "no messages for %s", field)
	list := body[start:]
	list = list[strings.Index(list, ">")+1 : strings.Index(list, "</ul>")]
	var out []string
	for _, li := range strings.Split(list, "<li>")[1:] {
		out = append(out, strings.TrimSuffix(li, "</li>"))
	}
	return out
}
