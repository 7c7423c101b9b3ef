package web_test

import (
	"context"
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

	p := tab(t, e.URL)
	p.do(chromedp.EmulateViewport(1366, 900))
	p.signIn(e.Email, e.Password)
	p.german()
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
