package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
)

// waitMessage polls until the message reaches status (or the deadline).
func (e *cockpitEnv) waitMessage(t *testing.T, id string, status model.MessageStatus) *model.Message {
	t.Helper()
	var m *model.Message
	require.Eventually(t, func() bool {
		var err error
		m, err = e.svc.MessageGet(context.Background(), e.ws, id)
		return err == nil && m.Status == status
	}, 15*time.Second, 20*time.Millisecond, "message %s never became %s", id, status)
	return m
}

// TestBrowserCaptureMailboxNotSent: without an SMTP server the mail goes
// to the capture mailbox, and the cockpit says so ("im Testpostfach")
// instead of "gesendet", on the message, the event and the message list;
// a message that does not exist gets a German page with no English
// sentence. At 1366 px in German and 390 px in English.
func TestBrowserCaptureMailboxNotSent(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	res := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
	require.Len(t, res.Messages, 1)
	id := res.Messages[0].ID
	m := e.waitMessage(t, id, model.MsgSent)
	require.NotNil(t, m.CapturedAt, "no SMTP server: captured")

	p := e.germanDesktop(t)
	for _, path := range []string{"/messages/" + id, "/events/" + res.Event.ID, "/messages"} {
		p.open(path)
		p.check(path)
		require.Contains(t, p.text("main"), "im Testpostfach", path)
		badges, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](
			`Array.from(document.querySelectorAll('main .status')).map(el => el.textContent.trim())`))
		require.NoError(t, err)
		require.NotContains(t, badges, "gesendet", path)
		require.NotContains(t, p.text("main"), "capture mailbox", "no English sentence on "+path)
	}
	p.screenshot("captured-de-1366")

	resp, err := chromedp.RunResponse(p.ctx, chromedp.Navigate(e.URL+"/messages/00000000-0000-0000-0000-000000000000"))
	require.NoError(t, err)
	require.EqualValues(t, http.StatusNotFound, resp.Status)
	main := p.text("main")
	require.Contains(t, main, "Nicht gefunden")
	require.NotContains(t, main, "not found")
	p.screenshot("notfound-de-1366")

	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/messages/" + id)
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Contains(t, p.text("main"), "in the test mailbox")
	p.fitsWidth("captured message")
	p.screenshot("captured-en-390")
}

// TestBrowserSMTPReplyExplained: a mail server's refusal is explained in
// the user's language next to the raw reply, which stays visible.
func TestBrowserSMTPReplyExplained(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithRcptReply(func(string) *smtptest.Reply {
		return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "Recipient address rejected: User unknown"}
	}))
	e := demoCockpit(t, apptest.WithSMTP(srv))
	res := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
	require.Len(t, res.Messages, 1)
	id := res.Messages[0].ID
	e.waitMessage(t, id, model.MsgFailed)

	p := e.germanDesktop(t)
	p.open("/messages/" + id)
	require.Contains(t, p.text("#reply-explained"), "Diese Adresse gibt es beim Empfänger nicht")
	require.Contains(t, p.text("#headers, main"), "550 5.1.1")
	p.check("failed message")
	p.screenshot("reply-de-1366")
	p.do(chromedp.EmulateViewport(390, 844))
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Contains(t, p.text("#reply-explained"), "This address does not exist at the recipient")
	p.fitsWidth("failed message")
	p.screenshot("reply-en-390")
}

// TestBrowserRenderFailureExplained: an event whose template needs a value
// it does not carry shows, on its page, which placeholder is missing and
// where, in the user's language and without the renderer's own words, at
// desktop and at phone width.
func TestBrowserRenderFailureExplained(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	res := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"date": "2026-04-15", "reply_by": "2026-03-20"}) // no "job"
	require.Len(t, res.Messages, 1)
	require.Equal(t, model.MsgFailed, res.Messages[0].Status)

	p := e.germanDesktop(t)
	p.open("/events/" + res.Event.ID)
	why := p.text("#why")
	require.Contains(t, why, "Die Vorlage job-requested verwendet .data.job (Betreff Zeile 1")
	require.NotContains(t, why, "map has no entry")
	p.check("render failure")
	p.screenshot("render-failed-de-1366")
	p.do(chromedp.EmulateViewport(390, 844))
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Contains(t, p.text("#why"), "the template job-requested uses .data.job (subject line 1")
	p.fitsWidth("render failure")
	p.screenshot("render-failed-en-390")
}
