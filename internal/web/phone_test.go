package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/service"
)

// fitsWidth asserts that the page does not scroll sideways: at phone
// width everything must wrap or scroll inside its own box.
func (p *page) fitsWidth(name string) {
	p.t.Helper()
	over, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
	require.NoError(p.t, err)
	require.LessOrEqual(p.t, over, 0, "%s scrolls sideways by %d px at phone width", name, over)
}

// TestBrowserPhoneWidthSignInAndData: at 390 px the pages of the sign-in
// hardening (the workspace choice, the throttled sign-in) and an event
// whose data is cut off with its download link fit the screen and speak
// the user's language.
func TestBrowserPhoneWidthSignInAndData(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	// The demo user's address and password in a second workspace: signing
	// in offers the choice.
	second, err := e.svc.WorkspaceCreate(ctx, service.WorkspaceCreateParams{Key: "zweite",
		WorkspaceSettings: service.WorkspaceSettings{Name: "Zweite Agentur mit einem recht langen Namen"}})
	require.NoError(t, err)
	_, err = e.svc.UserCreate(ctx, second.Workspace, service.UserCreateParams{Email: e.Email, Password: e.Password})
	require.NoError(t, err)
	big := e.ingest(t, "job.requested", "sommerfest", nil,
		map[string]any{"notes": strings.Repeat("Standbetreuung am Messestand in Halle 7, ", 2000)})

	p := tab(t, e.URL)
	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/login")
	p.do(chromedp.SendKeys(chromedp.ID("f-email"), e.Email), chromedp.SendKeys(chromedp.ID("f-password"), e.Password))
	require.EqualValues(t, http.StatusOK, p.submit(`form[action="/login"] button[type=submit]`))
	p.do(chromedp.WaitVisible(chromedp.CSS(`form[action="/login/workspace"]`)))
	require.Contains(t, p.text("main"), "Zweite Agentur")
	p.check("workspace choice")
	p.fitsWidth("workspace choice")
	p.screenshot("phone-workspace-choice")
	p.do(chromedp.Click(chromedp.CSS(`input[name=user]`))) // the first: the demo workspace
	require.EqualValues(t, http.StatusOK, p.submit(`form[action="/login/workspace"] button[type=submit]`))
	p.do(chromedp.WaitVisible(chromedp.CSS("nav.main-nav")))

	p.open("/events/" + big.Event.ID)
	require.Contains(t, p.text("main"), "Download all as JSON")
	p.check("event with cut data")
	p.fitsWidth("event with cut data")
	p.screenshot("phone-event-cut")

	// A fresh browser failing at sign-in until it is throttled.
	q := tab(t, e.URL)
	q.do(chromedp.EmulateViewport(390, 844))
	q.open("/login")
	for i := range 6 {
		q.do(chromedp.SetValue(chromedp.ID("f-email"), "nobody@example.org"),
			chromedp.SetValue(chromedp.ID("f-password"), "not the password"))
		status := q.submit(`form[action="/login"] button[type=submit]`)
		if i < 5 {
			require.EqualValues(t, http.StatusUnauthorized, status, "attempt %d", i+1)
		} else {
			require.EqualValues(t, http.StatusTooManyRequests, status)
		}
	}
	require.Contains(t, q.text("#login-error"), "Too many failed sign-ins. Try again in 1 second.")
	q.check("throttled sign-in")
	q.fitsWidth("throttled sign-in")
	q.screenshot("phone-throttled")
}
