package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// german switches the signed-in browser to German with the language
// buttons, as a user would.
func (p *page) german() {
	p.t.Helper()
	require.EqualValues(p.t, http.StatusOK, p.submit(`form.lang button[value=de]`))
	p.do(chromedp.WaitVisible(chromedp.CSS(`html[lang=de]`)))
}

// germanDesktop opens a tab at 1366 px, signs in and switches to German:
// where the tests of issue 18 start.
func (e *cockpitEnv) germanDesktop(t *testing.T) *page {
	t.Helper()
	p := tab(t, e.URL)
	p.do(chromedp.EmulateViewport(1366, 900))
	p.signIn(e.Email, e.Password)
	p.german()
	return p
}

// choose picks a value in a select and fires its change event, as a user
// picking it would.
func (p *page) choose(id, value string) {
	p.t.Helper()
	p.do(chromedp.SetValue(chromedp.ID(id), value),
		chromedp.Evaluate[chromedp.Void](`document.getElementById(`+jsString(id)+`).dispatchEvent(new Event('change'))`))
}

// TestBrowserConfirmationRowDecisions: each row of the queue has its own
// approve and decline; declining asks on a page of its own (no
// JavaScript needed) with an optional reason, and the notice names the
// message. At 1366 px in German, and at 390 px in English.
func TestBrowserConfirmationRowDecisions(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	held := func(promoter string) *model.Message {
		res := e.ingest(t, "booking.confirmed", "messe-koeln", map[string][]string{"promoter": {promoter}},
			map[string]any{"job": "Standbetreuung", "date": "2026-04-15"})
		require.Len(t, res.Messages, 1)
		require.Equal(t, model.MsgAwaitingConfirmation, res.Messages[0].Status)
		return res.Messages[0]
	}
	anna, ben, cem := held("p-anna"), held("p-ben"), held("p-anna")
	status := func(id string) model.MessageStatus {
		m, err := e.svc.MessageGet(context.Background(), e.ws, id)
		require.NoError(t, err)
		return m.Status
	}

	p := e.germanDesktop(t)
	p.open("/confirmations")
	p.check("confirmations")
	p.screenshot("queue-de-1366")
	require.EqualValues(t, http.StatusOK, p.submit(`button[name=approve_one][value="`+anna.ID+`"]`))
	p.waitText(".notice", "Freigegeben: „Buchung bestätigt: Messe Köln 2026“ an anna.berger@example.com")
	require.NotEqual(t, model.MsgAwaitingConfirmation, status(anna.ID), "approved at once")

	// Decline asks first, naming the message.
	require.EqualValues(t, http.StatusOK, p.submit(`button[name=decline_one][value="`+ben.ID+`"]`))
	require.Contains(t, p.text("#decline-list"), "ben.okafor@example.com")
	require.NotContains(t, p.text("#decline-list"), "anna.berger", "only the row's message")
	p.check("decline question")
	p.screenshot("decline-de-1366")
	require.Equal(t, model.MsgAwaitingConfirmation, status(ben.ID), "asking declines nothing")
	p.setValue("#f-reason", "Termin telefonisch abgesagt")
	require.EqualValues(t, http.StatusOK, p.submit(`#decline-confirm`))
	p.waitText(".notice", "Abgelehnt: „Booking confirmed: Messe Köln 2026“ an ben.okafor@example.com wird nicht gesendet.")
	require.Equal(t, model.MsgDeclined, status(ben.ID))
	m, err := e.svc.MessageGet(context.Background(), e.ws, ben.ID)
	require.NoError(t, err)
	require.Equal(t, "Termin telefonisch abgesagt", m.Timeline[len(m.Timeline)-1].Detail)

	// At phone width, in English: the question fits, and "keep waiting"
	// declines nothing.
	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/confirmations")
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	p.fitsWidth("confirmations")
	p.screenshot("queue-en-390")
	require.EqualValues(t, http.StatusOK, p.submit(`button[name=decline_one][value="`+cem.ID+`"]`))
	require.Contains(t, p.text("main"), "Declined messages are never sent.")
	p.fitsWidth("decline question")
	p.screenshot("decline-en-390")
	require.EqualValues(t, http.StatusOK, p.submit(`main a.button.secondary`))
	require.Equal(t, model.MsgAwaitingConfirmation, status(cem.ID))
}

// TestBrowserEventOutcomesAndDashboard: each event in the list carries
// its outcome (sent, held, nothing and why, in two words); the dashboard
// shows today's figures next to the 30-day totals, counts events without
// any message apart from suppressed messages, and its cards lead to the
// filtered lists. At 1366 px in German and 390 px in English.
func TestBrowserEventOutcomesAndDashboard(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	sent := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
	e.waitMessage(t, sent.Messages[0].ID, model.MsgSent)
	held := e.ingest(t, "booking.confirmed", "messe-koeln", map[string][]string{"promoter": {"p-ben"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15"})
	noFlow := e.ingest(t, "job.requested", "sommerfest", map[string][]string{"promoter": {"p-anna"}}, nil)
	unhandled := e.ingest(t, "invoice.paid", "messe-koeln", nil, nil)
	require.Empty(t, noFlow.Messages)
	require.Empty(t, unhandled.Messages)
	before, err := e.svc.Dashboard(context.Background(), e.ws, 30)
	require.NoError(t, err)
	require.GreaterOrEqual(t, before.SilentToday, 2)

	p := e.germanDesktop(t)
	p.open("/events")
	p.check("events")
	chip := func(id string) string { return p.text("#e-" + id + " .chip") }
	require.Equal(t, "im Testpostfach", chip(sent.Event.ID))
	require.Equal(t, "wartet auf Freigabe", chip(held.Event.ID))
	require.Equal(t, "nichts gesendet: kein Ablauf", chip(noFlow.Event.ID))
	require.Equal(t, "nichts gesendet: Ereignis unbehandelt", chip(unhandled.Event.ID))
	p.screenshot("events-de-1366")

	p.open("/")
	p.check("dashboard")
	require.Contains(t, p.text("#card-silent"), "Ereignisse ohne Nachricht")
	require.Equal(t, fmt.Sprintf("heute: %d", before.SilentToday), p.text("#today-silent"))
	require.Equal(t, fmt.Sprintf("heute: %d", before.Today.Sent), p.text("#today-sent"))
	require.NotEqual(t, p.text("#stat-silent"), p.text("#stat-suppressed"), "events without messages are not suppressed messages")
	p.screenshot("dashboard-de-1366")
	// The card leads to the events that sent nothing, and only those.
	p.do(chromedp.Click(chromedp.CSS("#today-silent")), chromedp.WaitVisible(chromedp.CSS("#silent-filter")))
	rows, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#events tbody tr')).map(r => r.id)`))
	require.NoError(t, err)
	require.Contains(t, rows, "e-"+noFlow.Event.ID)
	require.Contains(t, rows, "e-"+unhandled.Event.ID)
	require.NotContains(t, rows, "e-"+sent.Event.ID)
	require.NotContains(t, rows, "e-"+held.Event.ID)
	require.Len(t, rows, before.SilentToday)
	p.do(chromedp.Navigate(e.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#card-sent")))
	p.do(chromedp.Click(chromedp.CSS("#card-sent")), chromedp.WaitVisible(chromedp.CSS("h1")))
	require.Contains(t, p.text("main"), sent.Messages[0].To.Email)

	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/events")
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Equal(t, "nothing sent: no flow", chip(noFlow.Event.ID))
	p.fitsWidth("events")
	p.screenshot("events-en-390")
	p.open("/")
	require.Equal(t, fmt.Sprintf("today: %d", before.SilentToday), p.text("#today-silent"))
	p.fitsWidth("dashboard")
	p.screenshot("dashboard-en-390")
}
