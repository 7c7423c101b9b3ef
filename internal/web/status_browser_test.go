package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestBrowserStatusSwitchAppliesInPlace: changing a notification's status
// applies it at once, without a button, a reload or a jump, with the
// notice in the row; a long recipient list wraps and keeps the row's
// buttons in view. At 1366 px in German and 390 px in English.
func TestBrowserStatusSwitchAppliesInPlace(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	var many []model.Recipient
	for i := range 12 {
		many = append(many, model.Recipient(fmt.Sprintf("email:sehr.lange.adresse.nummer.%d@agentur-nord.example", i)))
	}
	_, err := e.svc.NotificationPut(ctx, e.ws, "standard", &model.Notification{Key: "viele", EventType: "job.requested",
		Template: "job-requested", Recipients: many, Status: model.StatusInactive})
	require.NoError(t, err)
	status := func(key string) model.NotificationStatus {
		n, err := e.svc.NotificationGet(ctx, e.ws, "standard", key)
		require.NoError(t, err)
		return n.Status
	}

	p := e.germanDesktop(t)
	p.open("/flows/standard")
	p.check("flow")
	inView, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](
		`document.querySelector('#n-viele .row-actions .button').getBoundingClientRect().right <= window.innerWidth`))
	require.NoError(t, err)
	require.True(t, inView, "the edit button of a row with many recipients stays in view")
	hidden, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](
		`getComputedStyle(document.querySelector('#n-job-requested form.status-form button')).display === 'none'`))
	require.NoError(t, err)
	require.True(t, hidden, "with JavaScript no separate button")
	p.do(chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 200); window.__samePage = true`))
	p.choose("status-job-requested", "inactive")
	p.waitText("#status-notice-job-requested", "Die Benachrichtigung ist jetzt inaktiv.")
	require.Equal(t, model.StatusInactive, status("job-requested"))
	same, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](`window.__samePage === true && window.scrollY === 200`))
	require.NoError(t, err)
	require.True(t, same, "no reload, no jump")
	p.screenshot("status-de-1366")

	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/flows/standard")
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	p.choose("status-viele", "confirm")
	p.waitText("#status-notice-viele", "The notification now asks for confirmation.")
	require.Equal(t, model.StatusConfirm, status("viele"))
	p.fitsWidth("flow")
	p.screenshot("status-en-390")
}

// TestStatusSwitchWithoutJavaScript: without JavaScript the button posts
// the form; the answer returns to the row, which repeats the notice.
func TestStatusSwitchWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)
	_, page := c.get("/flows/standard")
	require.Contains(t, page, `data-noscript>`, "the button is there for browsers without JavaScript")
	resp, body := c.submit("/flows/standard", "/flows/standard/notifications/job-requested/status", url.Values{"status": {"inactive"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasSuffix(loc, "#n-job-requested"), loc)
	_, page = c.get(loc)
	require.Contains(t, page, `id="status-notice-job-requested">Die Benachrichtigung ist jetzt inaktiv.</span>`)
	require.Contains(t, page, `id="status-notice-booking-confirmed"></span>`, "only the changed row")
}
