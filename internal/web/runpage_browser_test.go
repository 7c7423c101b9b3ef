package web_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
)

// TestBrowserRunPageAndWebhookErrors: in Chromium, a run's page lists
// its records by name and a webhook delivery whose receiver refused the
// connection explains it — in German with no English service text (the
// raw text stays, marked English), at 1366 and 390 px (the run's records
// become cards, nothing scrolls sideways), and in English.
func TestBrowserRunPageAndWebhookErrors(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t, func(s *apptest.Setup) {
		s.Opts.Webhooks.AllowPrivate, s.Opts.Webhooks.AllowHTTP = true, true
		s.Opts.Retry.BaseDelay, s.Opts.Retry.MaxDelay = time.Hour, time.Hour // one attempt is enough
	})
	ctx := context.Background()
	run := birthdayRun(t, e)
	// A port nobody listens on: the connection is refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := l.Addr().String()
	require.NoError(t, l.Close())
	_, err = e.svc.CreateWebhookEndpoint(ctx, e.ws, &service.WebhookEndpointInput{URL: "http://" + closed + "/hook",
		EventTypes: []string{"booking.*"}})
	require.NoError(t, err)
	e.ingest(t, "booking.confirmed", "messe-koeln", nil, nil)
	var delivery string
	apptest.Eventually(t, 10*time.Second, func() bool {
		ds, err := e.svc.WebhookDeliveries(ctx, e.ws, store.WebhookDeliveryListParams{})
		require.NoError(t, err)
		if len(ds) == 1 && ds[0].Attempts == 1 {
			delivery = ds[0].ID
			return true
		}
		return false
	}, "the first attempt is recorded")

	p := e.germanDesktop(t)
	runPage := "/schedules/geburtstage/runs/" + run.ID
	p.open(runPage)
	p.do(chromedp.WaitVisible(chromedp.ID("run-match-list")))
	require.Contains(t, p.text("#run-matches"), "anna@verein.example")
	require.Contains(t, p.text("#run-matches"), "im Testpostfach")
	require.Contains(t, p.text("#run-matches"), "ausgeschlossen: Ausschlussregel")
	require.Contains(t, p.text("#report-errors"), "Kontakt r-hans: „unbekannt“ ist kein Datum.")
	p.noEnglish("schedule run")
	p.screenshot("run-1366")

	// The outcome filter without JavaScript: a plain GET form.
	p.do(chromedp.SetValue(chromedp.ID("f-outcome"), "excluded"))
	require.EqualValues(t, 200, p.submit(`#run-matches button[type=submit]`))
	p.do(chromedp.WaitVisible(chromedp.ID("run-match-list")))
	require.NotContains(t, p.text("#run-match-list"), "anna@verein.example")
	require.Contains(t, p.text("#run-match-list"), "ausgeschlossen")

	p.open("/webhooks/deliveries/" + delivery)
	attempts := p.text("#webhook-attempts")
	require.Contains(t, attempts, "Der Server hat die Verbindung abgelehnt.")
	require.Contains(t, attempts, "neuer Versuch")
	require.Contains(t, attempts, "connection refused", "the raw error stays visible")
	p.noEnglish("webhook delivery")
	p.screenshot("webhook-1366")

	p.do(chromedp.EmulateViewport(390, 844))
	p.open(runPage)
	p.do(chromedp.WaitVisible(chromedp.ID("run-match-list")))
	display, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('#run-match-list tbody tr')).display`))
	require.NoError(t, err)
	require.Equal(t, "block", display, "a record is a card")
	p.fitsWidth("schedule run")
	p.noEnglish("schedule run at 390 px")
	p.screenshot("run-390")
	p.open("/webhooks/deliveries/" + delivery)
	p.fitsWidth("webhook delivery")
	p.screenshot("webhook-390")

	p.submitLang("en")
	p.open(runPage)
	p.do(chromedp.WaitVisible(chromedp.ID("run-match-list")))
	require.Contains(t, p.text("#run-matches"), "in the test mailbox")
	p.open("/webhooks/deliveries/" + delivery)
	require.Contains(t, p.text("#webhook-attempts"), "The server refused the connection.")
}
