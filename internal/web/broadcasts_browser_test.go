package web_test

import (
	"context"
	"net/http"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
)

// TestBrowserBroadcastCancelAsks: on a 390 px phone screen the broadcast
// pages fit, and cancelling a running broadcast asks first: declining the
// question leaves it running, accepting cancels it.
func TestBrowserBroadcastCancelAsks(t *testing.T) {
	t.Parallel()
	// Without the runner the broadcast stays running until cancelled.
	e := demoCockpit(t, func(s *apptest.Setup) { s.NoRunner, s.NoDelivery = true, true })
	ctx := context.Background()
	_, err := e.svc.BroadcastPut(ctx, e.ws, &model.Broadcast{Key: "nl", Name: "Newsletter mit einem recht langen Namen für das Frühjahr",
		Category: "newsletter", Content: &model.TemplateContent{Subject: "{{ .data.title }}", Text: "Hallo"},
		Data: map[string]any{"title": "Frühjahr"}, Audience: `contact.email.endsWith("@example.com")`, PerMinute: 120})
	require.NoError(t, err)
	_, err = e.svc.BroadcastStart(ctx, e.ws, "nl", nil)
	require.NoError(t, err)

	p := tab(t, e.URL)
	p.do(chromedp.EmulateViewport(390, 844))
	p.signIn(e.Email, e.Password)
	for _, path := range []string{"/broadcasts", "/broadcasts/_new", "/broadcasts/nl?preview=1"} {
		p.open(path)
		p.check(path)
		p.fitsWidth(path)
	}
	p.screenshot("phone-broadcast")

	// Answer the cancel question: no, then yes.
	answers := make(chan bool, 2)
	asked := make(chan string, 2)
	dialogs := chromedp.Events(p.ctx, cdppage.JavascriptDialogOpening)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			asked <- ev.Message
			_, _ = chromedp.Call(p.ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: <-answers})
		}
	}()
	cancel := `form[action="/broadcasts/nl/cancel"] button[type=submit]`
	answers <- false
	p.do(chromedp.Click(chromedp.CSS(cancel)))
	require.Contains(t, <-asked, "for good?")
	b, err := e.svc.BroadcastGet(ctx, e.ws, "nl")
	require.NoError(t, err)
	require.Equal(t, model.BroadcastRunning, b.Status, "declined: still running")
	require.Contains(t, p.text("#broadcast-status"), "sending")

	answers <- true
	require.EqualValues(t, http.StatusOK, p.submit(cancel))
	require.Contains(t, <-asked, "for good?")
	p.waitText("#broadcast-status", "cancelled")
	b, err = e.svc.BroadcastGet(ctx, e.ws, "nl")
	require.NoError(t, err)
	require.Equal(t, model.BroadcastCancelled, b.Status)
}
