package web_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestSimulateInBrowser: from a flow's page, "Simulate" opens
// the form prefilled with the flow's recent event; submitting it shows
// the timeline; every string is translated and every field labelled.
func TestSimulateInBrowser(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t, roomySimulations)
	e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
	p := tab(t, e.URL)
	p.signIn(e.Email, e.Password)
	p.open("/flows/standard")
	require.Equal(t, int64(http.StatusOK), p.submit("a#simulate"))
	p.do(chromedp.WaitVisible(chromedp.ID("f-events")))
	p.check("simulate form")
	require.Equal(t, int64(http.StatusOK), p.submit(`#simulate-form button[type=submit]`))
	p.waitText("#simulation", "would be sent")
	p.waitText("#sim-messages", "Neue Jobanfrage: Standbetreuung am 15. April 2026")
	p.check("simulation")
	p.screenshot("simulation")
}
