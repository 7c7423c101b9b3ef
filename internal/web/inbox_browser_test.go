package web_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	herold "github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
)

// inboxServer starts Herold with a notification on in-app and a host
// application's page (another origin) that embeds the web component for
// contact anna in lang.
func inboxServer(t *testing.T) (e *apptest.Env, host *httptest.Server, ws string) {
	e = apptest.Start(t)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/reminder", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Termin {{ .data.n }}", "text": "<b>beginnt</b> in 15 Minuten",
		"inapp": map[string]any{"link": "/termine/{{ .data.n }}"},
	}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{"key": "r",
		"event_type": "reminder", "template": "reminder", "recipients": []string{"role:to"}, "channels": []string{"inapp"}}}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	e.Must(201, "PUT", "/v1/contacts/anna", map[string]any{"name": "Anna"})
	ws = e.Must(200, "GET", "/v1/workspace", nil).Map(t)["key"].(string)
	secret := e.Must(201, "POST", "/v1/inbox/secret", nil).Map(t)["secret"].(string)
	heroldURL := e.URL
	host = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := r.URL.Query().Get("lang")
		// The host signs a token for the signed-in person when it renders
		// the page; Herold's clock is the test's fake one.
		tok := herold.FeedToken(secret, ws, "anna", e.Clock.Now().Add(time.Hour))
		hold := ""
		if r.URL.Query().Get("hold") == "1" {
			hold = holdFirstPage
		}
		fmt.Fprintf(w, `<!doctype html><html lang="%s"><head><meta charset="utf-8"><title>Host</title>%s
<script src="%s/static/inbox.js"></script></head>
<body><h1>CRM</h1><herold-inbox server="%s" workspace="%s" token="%s"></herold-inbox>
<herold-toast server="%s" workspace="%s" token="%s" seconds="0"></herold-toast></body></html>`,
			lang, hold, heroldURL, heroldURL, ws, tok, heroldURL, ws, tok)
	}))
	t.Cleanup(host.Close)
	e.Must(200, "PUT", "/v1/inbox/settings", map[string]any{"origins": []string{host.URL}})
	return e, host, ws
}

// holdFirstPage, on the host's page before inbox.js, holds the feed's
// first page (GET /items?limit=30) until the test calls
// releaseFirstPage(): the request is not even sent before, so its answer
// holds whatever arrived meanwhile. firstPageHeld is set when the page
// asked for it, firstPageLoaded once the component has handled the answer
// (a task after the body was read, so every continuation of it ran).
const holdFirstPage = `
<script>
(() => {
  const realFetch = window.fetch.bind(window);
  let release;
  const released = new Promise((r) => { release = r; });
  window.releaseFirstPage = () => release();
  window.firstPageHeld = false;
  window.firstPageLoaded = false;
  window.fetch = async (url, init) => {
    if (!String(url).includes('/items?limit=30') || window.firstPageHeld) return realFetch(url, init);
    window.firstPageHeld = true;
    await released;
    const res = await realFetch(url, init);
    const json = res.json.bind(res);
    res.json = async () => {
      const v = await json();
      setTimeout(() => { window.firstPageLoaded = true; }, 0);
      return v;
    };
    return res;
  };
})();
</script>`

func sendReminder(t *testing.T, e *apptest.Env, n int) {
	t.Helper()
	e.Must(201, "POST", "/v1/events", map[string]any{"type": "reminder", "project": "p",
		"actors": map[string]any{"to": []string{"anna"}}, "data": map[string]any{"n": n}})
}

// shadow evaluates an expression over an element's shadow root.
func shadowJS(el, expr string) string {
	return fmt.Sprintf(`(() => { const r = document.querySelector(%q).shadowRoot; return %s; })()`, el, expr)
}

// waitJS polls a boolean expression for at most within.
func (p *page) waitJS(expr string, within time.Duration, what string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, within)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond)))
	require.NoError(p.t, err, "waiting %s for %s", within, what)
}

func (p *page) badge() string {
	s, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](shadowJS("herold-inbox", "r.querySelector('.badge').textContent")))
	require.NoError(p.t, err)
	return s
}

// TestBrowserInbox: the web component on a host's page shows an arriving
// item within a second without reload, a second tab follows "mark all
// read", and after Herold restarts the component reconnects and shows
// what arrived meanwhile exactly once.
func TestBrowserInbox(t *testing.T) {
	t.Parallel()
	e, host, _ := inboxServer(t)
	tab1 := tab(t, host.URL)
	tab1.open("/?lang=de")
	tab1.waitJS(shadowJS("herold-inbox", "r.querySelector('.empty') !== null"), 5*time.Second, "the empty feed")
	require.Equal(t, "", tab1.badge())

	sendReminder(t, e, 1)
	tab1.waitJS(shadowJS("herold-inbox", "r.querySelector('.badge').textContent === '1'"), time.Second, "badge 1")
	tab1.waitJS(shadowJS("herold-inbox", "r.querySelectorAll('li[data-seq]').length === 1"), time.Second, "one item")
	tab1.waitJS(shadowJS("herold-toast", "r.querySelectorAll('.toast').length === 1"), time.Second, "a toast")
	// Text from the feed is text: the template's <b> is not markup.
	body, err := chromedp.Run(tab1.ctx, chromedp.Evaluate[string](shadowJS("herold-inbox", "r.querySelector('li .b').textContent")))
	require.NoError(t, err)
	require.Equal(t, "<b>beginnt</b> in 15 Minuten", body)

	tab2 := tab(t, host.URL)
	tab2.open("/?lang=en")
	tab2.waitJS(shadowJS("herold-inbox", "r.querySelector('.badge').textContent === '1'"), 5*time.Second, "tab 2 badge 1")
	// Opened after the item arrived and it was never seen: the toast
	// tells it as missed.
	tab2.waitJS(shadowJS("herold-toast", "r.querySelector('.toast .missed') !== null"), time.Second, "missed toast")
	tab1.screenshot("inbox-de-new-item")
	tab1.do(chromedp.Evaluate[chromedp.Void](shadowJS("herold-inbox", "r.querySelector('.bell').click()")))
	tab1.do(chromedp.Evaluate[chromedp.Void](shadowJS("herold-inbox", "r.querySelector('.mark-all').click()")))
	tab2.waitJS(shadowJS("herold-inbox", "r.querySelector('.badge').textContent === ''"), time.Second, "tab 2 follows mark all read")
	tab2.do(chromedp.Evaluate[chromedp.Void](shadowJS("herold-inbox", "r.querySelector('.bell').click()")))
	tab2.screenshot("inbox-en-panel")
	tab1.screenshot("inbox-de-panel")

	// Restart Herold on the same address and database; an item arrives
	// before the tabs reconnect.
	s := e.Setup
	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	s.Opts.Addr = u.Host
	require.NoError(t, e.App.Stop(context.Background()))
	waitPortFree(t, u.Host)
	e2 := apptest.StartWith(t, s)
	sendReminder(t, e2, 2)
	for _, p := range []*page{tab1, tab2} {
		p.waitJS(shadowJS("herold-inbox", "r.querySelector('.badge').textContent === '1'"), 10*time.Second, "badge after restart")
		p.waitJS(shadowJS("herold-inbox", "r.querySelectorAll('li[data-seq]').length === 2"), time.Second, "two items")
		n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](shadowJS("herold-inbox",
			"r.querySelectorAll('li[data-seq=\"2\"]').length")))
		require.NoError(t, err)
		require.Equal(t, 1, n, "the item that arrived meanwhile shows once")
	}
	tab1.screenshot("inbox-de-after-restart")
}

// TestBrowserInboxItemDuringFirstPage: an item that arrives live while
// the component is still loading the feed's first page is toasted once,
// as it arrives, and not a second time as "missed" when the page (which
// holds it too) comes in.
func TestBrowserInboxItemDuringFirstPage(t *testing.T) {
	t.Parallel()
	e, host, _ := inboxServer(t)
	p := tab(t, host.URL)
	p.open("/?lang=de&hold=1")
	p.waitJS("window.firstPageHeld === true", 5*time.Second, "the first page to be asked for")
	sendReminder(t, e, 1)
	p.waitJS(shadowJS("herold-toast", "r.querySelectorAll('.toast').length === 1"), 5*time.Second, "the live toast")
	p.do(chromedp.Evaluate[chromedp.Void]("window.releaseFirstPage()"))
	p.waitJS("window.firstPageLoaded === true", 5*time.Second, "the first page to be handled")
	toasts, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](shadowJS("herold-toast", "r.querySelectorAll('.toast').length")))
	require.NoError(t, err)
	require.Equal(t, 1, toasts, "one toast for the one item")
	missed, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](shadowJS("herold-toast", "r.querySelector('.toast .missed') !== null")))
	require.NoError(t, err)
	require.False(t, missed, "the live item is not told again as missed")
	items, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](shadowJS("herold-inbox", "r.querySelectorAll('li[data-seq]').length")))
	require.NoError(t, err)
	require.Equal(t, 1, items)
	require.Equal(t, "1", p.badge())
}

// waitPortFree waits until nothing listens on addr any more.
func waitPortFree(t *testing.T, addr string) {
	t.Helper()
	apptest.Eventually(t, 5*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return true
		}
		c.Close()
		return false
	}, "%s to be free", addr)
}

// TestBrowserInboxTokenExpired: when the page's token has expired by the
// time the component reconnects, it says so (in the page's language)
// instead of retrying for ever.
func TestBrowserInboxTokenExpired(t *testing.T) {
	t.Parallel()
	e, host, _ := inboxServer(t)
	p := tab(t, host.URL)
	p.open("/?lang=en")
	p.waitJS(shadowJS("herold-inbox", "r.querySelector('.empty') !== null"), 5*time.Second, "the empty feed")
	// Two hours later Herold restarts: the page's token (one hour) has
	// expired when the component reconnects.
	e.Clock.Advance(2 * time.Hour)
	s := e.Setup
	u, err := url.Parse(e.URL)
	require.NoError(t, err)
	s.Opts.Addr = u.Host
	require.NoError(t, e.App.Stop(context.Background()))
	waitPortFree(t, u.Host)
	apptest.StartWith(t, s)
	p.waitJS(shadowJS("herold-inbox", "r.querySelector('.status').textContent.includes('Session expired')"),
		15*time.Second, "the expired message")
}
