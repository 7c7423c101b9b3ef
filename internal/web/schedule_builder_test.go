package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// builderForm is a new birthday schedule as the builder posts it.
func builderForm(key string, kv ...string) url.Values {
	f := url.Values{"key": {key}, "preset": {"birthday"}, "enabled": {"1"}, "project": {"personalpool"},
		"repeat_at": {"06:00"}, "repeat_weekday": {"1"}, "repeat_monthday": {"1"}}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

var (
	selectedRepeat = regexp.MustCompile(`<option value="([a-z0-9]+)" selected>[^<]*</option>`)
	advancedOpen   = regexp.MustCompile(`<details class="wide advanced" id="advanced" open>`)
)

// TestScheduleBuilderWithoutJavaScript: schedules are built from choices
// (daily at a time, every N minutes, a weekday, a day of the month) that
// become the cron expression or every_minutes; wrong choices are shown
// next to their field in the page's language; a stored rule the builder
// can express opens in it, any other under "advanced" with its cron.
func TestScheduleBuilderWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)

	// A new schedule opens in the builder: daily at 06:00, cron hidden.
	_, body := c.get("/schedules/_new")
	require.Contains(t, body, `<option value="daily" selected>täglich</option>`)
	require.Contains(t, body, `name="repeat_at" type="time" value="06:00"`)
	require.NotRegexp(t, advancedOpen, body)
	// The emitted event is offered from the event types the flows react
	// to, by their names.
	_, err := e.svc.WorkspaceUpdate(ctx, e.ws, service.WorkspacePatch{Vocabulary: &model.Vocabulary{
		EventTypes: map[string]model.Label{"contact.birthday": {DE: "Geburtstag"}}}})
	require.NoError(t, err)
	_, body = c.get("/schedules/_new")
	require.Contains(t, body, `list="schedule-event-types"`)
	require.Contains(t, body, `<option value="contact.birthday" label="Geburtstag (contact.birthday)">`)
	require.Contains(t, body, `<option value="job.requested" label="job.requested">`)

	tests := []struct {
		name  string
		form  url.Values
		cron  string
		every int
		says  string
	}{
		{"weekly", builderForm("montags", "repeat", "weekly", "repeat_at", "07:00"), "0 7 * * 1", 0, "montags um 07:00"},
		{"every 20 minutes", builderForm("minuten", "repeat", "minutes", "repeat_minutes", "20", "cron", "0 6 * * *"), "", 20, "alle 20 Min."},
		{"monthly", builderForm("monatlich", "repeat", "monthly", "repeat_at", "06:30", "repeat_monthday", "28"), "30 6 28 * *", 0, "am 28. des Monats um 06:30"},
		{"daily", builderForm("taeglich", "repeat", "daily", "repeat_at", "23:59"), "59 23 * * *", 0, "täglich um 23:59"},
		{"advanced keeps the cron", builderForm("werktags", "repeat", "advanced", "cron", "0 6 * * 1-5"), "0 6 * * 1-5", 0, "0 6 * * 1-5"},
	}
	for _, tc := range tests {
		resp, body := c.submit("/schedules/_new", "/schedules", tc.form)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, "%s: %s", tc.name, body)
		sc, err := e.svc.ScheduleGet(ctx, e.ws, tc.form.Get("key"))
		require.NoError(t, err)
		require.Equal(t, tc.cron, sc.Cron, tc.name)
		require.Equal(t, tc.every, sc.EveryMinutes, tc.name)
		_, body = c.get("/schedules/" + sc.Key)
		require.Contains(t, body, tc.says, tc.name)
	}

	// Wrong choices, next to their fields, in German; nothing is saved.
	for field, form := range map[string]url.Values{
		"repeat_monthday": builderForm("falsch", "repeat", "monthly", "repeat_monthday", "29"),
		"repeat_at":       builderForm("falsch", "repeat", "daily", "repeat_at", "24:00"),
		"repeat_minutes":  builderForm("falsch", "repeat", "minutes", "repeat_minutes", "0"),
	} {
		resp, body := c.submit("/schedules/_new", "/schedules", form)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, field)
		require.Regexp(t, `id="err-`+field+`"><li>(Geben Sie einen Tag von 1 bis 28 an\.|Geben Sie eine Uhrzeit wie 06:00 an\.|Geben Sie eine Zahl von 1 bis 10080 \(eine Woche\) an\.)</li>`, body, field)
		_, err := e.svc.ScheduleGet(ctx, e.ws, "falsch")
		require.Error(t, err, field)
	}

	// Editing opens each rule where it can be read: the builder for the
	// weekly one, "advanced" (open, with the cron) for the workdays.
	_, body = c.get("/schedules/montags/edit")
	require.Equal(t, []string{"weekly", "1"}, selectedValues(body)[:2], "repeat weekly, Monday")
	require.Contains(t, body, `name="repeat_at" type="time" value="07:00"`)
	require.NotRegexp(t, advancedOpen, body)
	_, body = c.get("/schedules/werktags/edit")
	require.Equal(t, "advanced", selectedValues(body)[0])
	require.Regexp(t, advancedOpen, body)
	require.Contains(t, body, `value="0 6 * * 1-5"`)

	// Saving the weekly one unchanged keeps its rule.
	sc, err := e.svc.ScheduleGet(ctx, e.ws, "montags")
	require.NoError(t, err)
	resp, body := c.submit("/schedules/montags/edit", "/schedules/montags", url.Values{"name": {sc.Name}, "enabled": {"1"},
		"repeat": {"weekly"}, "repeat_at": {"07:00"}, "repeat_weekday": {"1"}, "repeat_monthday": {"1"},
		"source_kind": {"contacts"}, "condition": {sc.Condition}, "event_type": {sc.EventType}, "project": {"personalpool"},
		"occurrence_key": {sc.OccurrenceKey}, "cron": {"0 7 * * 1"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	sc, err = e.svc.ScheduleGet(ctx, e.ws, "montags")
	require.NoError(t, err)
	require.Equal(t, "0 7 * * 1", sc.Cron)

	// In English, the rule in words and the choices.
	c.lang = "en"
	_, body = c.get("/schedules/montags")
	require.Contains(t, body, "Mondays at 07:00")
	_, body = c.get("/schedules/_new")
	require.Contains(t, body, `<option value="daily" selected>daily</option>`)
	require.Contains(t, body, "Advanced: cron, condition (CEL), exclusion, occurrence key")
}

// selectedValues lists the values of the selected options in page order.
func selectedValues(body string) []string {
	var out []string
	for _, m := range selectedRepeat.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}
