package web_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/service"
)

// TestRunPageListsMatchesByName: a run's page lists each record it
// matched by name with what became of it — in the test mailbox, excluded
// with the reason, unreadable — linking to the event's explanation; it
// filters by outcome and pages from where the previous page ended, in
// German and English, without JavaScript.
func TestRunPageListsMatchesByName(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	run := birthdayRun(t, e)
	all, err := e.svc.ScheduleRunMatches(context.Background(), e.ws, "geburtstage", run.ID, service.RunMatchParams{})
	require.NoError(t, err)
	event := map[string]string{} // contact → event
	for _, m := range all.Items {
		event[m.Contact] = m.Event
	}
	require.Contains(t, event, "r-anna")

	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)
	section := func(path string) (rows map[string]string, text string) {
		t.Helper()
		resp, body := c.get(path)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		s := regexp.MustCompile(`(?s)<section class="card" aria-labelledby="matches-title" id="run-matches">.*?</section>`).FindString(body)
		require.NotEmpty(t, s, body)
		rows = map[string]string{}
		for _, m := range regexp.MustCompile(`(?s)<tr id="match-([^"]+)">(.*?)</tr>`).FindAllStringSubmatch(s, -1) {
			rows[m[1]] = m[2]
		}
		return rows, regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, " "), " ")
	}
	plain := func(s string) string {
		return regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(s, " "), " ")
	}

	base := "/schedules/geburtstage?run=" + run.ID
	rows, text := section(base)
	require.Len(t, rows, len(all.Items))
	require.Contains(t, text, "Datensätze dieses Laufs")
	anna := rows[event["r-anna"]]
	require.Contains(t, anna, `href="/events/`+event["r-anna"]+`">Warum (nicht) gesendet?</a>`)
	require.Contains(t, plain(anna), "anna@verein.example")
	require.Contains(t, plain(anna), "im Testpostfach", "no SMTP server: the capture mailbox, not sent")
	require.NotContains(t, plain(anna), "gesendet ")
	require.Contains(t, plain(rows[event["r-emil"]]), "ausgeschlossen: Ausschlussregel")
	require.Contains(t, plain(rows[event["r-hans"]]), "ausgeschlossen: nicht auswertbar")
	for _, english := range []string{"excluded", "sent", "exclusion rule", "Records", "Outcome"} {
		require.NotContains(t, text, english)
	}

	// Only the excluded ones.
	rows, _ = section(base + "&outcome=excluded")
	require.Contains(t, rows, event["r-emil"])
	require.NotContains(t, rows, event["r-anna"])
	for id, row := range rows {
		require.Contains(t, plain(row), "ausgeschlossen:", id)
	}
	// Only the mailed ones.
	rows, _ = section(base + "&outcome=sent")
	require.Contains(t, rows, event["r-anna"])
	require.NotContains(t, rows, event["r-emil"])

	// From where the previous page ended: the first match is not on it,
	// and the page links back to the first.
	first := all.Items[0].Event
	rows, text = section(base + "&after=" + first)
	require.NotContains(t, rows, first)
	require.Len(t, rows, len(all.Items)-1)
	require.Contains(t, text, "Erste Seite")

	// An outcome the cockpit does not offer lists all.
	rows, _ = section(base + "&outcome=nonsense")
	require.Len(t, rows, len(all.Items))

	c.lang = "en"
	rows, text = section(base)
	require.Contains(t, text, "Records of this run")
	require.Contains(t, plain(rows[event["r-anna"]]), "in the test mailbox")
	require.Contains(t, plain(rows[event["r-emil"]]), "excluded: exclusion rule")
	require.Contains(t, rows[event["r-anna"]], "Why (not) sent?")
}
