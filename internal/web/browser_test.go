package web_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// The browser tests drive Debian's chromium through chromedp. One browser
// process serves every test; each test gets its own browser context (its own
// cookies) and tab.

// browserTimeout bounds one browser test.
const browserTimeout = 3 * time.Minute

var browser struct {
	once   sync.Once
	ctx    context.Context
	stop   []context.CancelFunc
	dir    string
	err    error
	path   string
	locate sync.Once
}

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(browser.stop) - 1; i >= 0; i-- {
		browser.stop[i]()
	}
	if browser.dir != "" {
		_ = os.RemoveAll(browser.dir)
	}
	os.Exit(code)
}

// chromiumPath finds the browser: $HEROLD_CHROMIUM, else Debian's chromium.
func chromiumPath() string {
	browser.locate.Do(func() {
		if p := os.Getenv("HEROLD_CHROMIUM"); p != "" {
			browser.path = p
			return
		}
		for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
			if p, err := exec.LookPath(name); err == nil {
				browser.path = p
				return
			}
		}
	})
	return browser.path
}

func startBrowser(path string) {
	dir, err := os.MkdirTemp("", "herold-chromium-")
	if err != nil {
		browser.err = err
		return
	}
	browser.dir = dir
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.UserDataDir(dir), chromedp.Headless, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.WindowSize(1280, 900),
		chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true), chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("lang", "en-US"), chromedp.Flag("hide-scrollbars", true),
	)
	ctx, cancel := chromedp.NewContext(alloc)
	browser.stop = append(browser.stop, cancelAlloc, cancel)
	browser.ctx = ctx
	browser.err = chromedp.Do(ctx)
}

// tab opens a tab in a fresh browser context, or skips the test when no
// chromium is installed (fails instead with HEROLD_REQUIRE_BROWSER=1).
func tab(t *testing.T, base string) *page {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		if os.Getenv("HEROLD_REQUIRE_BROWSER") == "1" {
			t.Fatal("chromium is not installed, and HEROLD_REQUIRE_BROWSER=1 requires the browser tests")
		}
		t.Skip("browser test skipped: install Debian's chromium (apt-get install chromium) or run `make test`")
	}
	browser.once.Do(func() { startBrowser(path) })
	require.NoError(t, browser.err, "start chromium")
	ctx, closeTab := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(closeTab)
	require.NoError(t, chromedp.Do(ctx), "open a tab")
	tctx, cancel := context.WithTimeout(ctx, browserTimeout)
	t.Cleanup(cancel)
	return &page{t: t, ctx: tctx, base: base}
}

// page is one tab with helpers that fail the test on error.
type page struct {
	t    *testing.T
	ctx  context.Context
	base string
	shot int
}

func (p *page) do(actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.ctx, actions...))
}

// open navigates to a path, checks that it loaded and waits for the
// page's heading.
func (p *page) open(path string) {
	p.t.Helper()
	resp, err := chromedp.Run(p.ctx, chromedp.NavigateResponse(p.base+path))
	require.NoError(p.t, err, "open %s", path)
	require.EqualValues(p.t, http.StatusOK, resp.Status, "open %s", path)
	p.do(chromedp.WaitVisible(chromedp.CSS("h1")))
}

// submit clicks a button that sends a form and waits for the next page;
// it returns the status of that page.
func (p *page) submit(button string) int64 {
	p.t.Helper()
	resp, err := chromedp.RunResponse(p.ctx, chromedp.Click(chromedp.CSS(button)))
	require.NoError(p.t, err, "submit %s", button)
	return resp.Status
}

func (p *page) text(sel string) string {
	p.t.Helper()
	s, err := chromedp.Run(p.ctx, chromedp.Text(chromedp.CSS(sel)))
	require.NoError(p.t, err, "text of %s", sel)
	return s
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// waitText waits until the element's text contains want.
func (p *page) waitText(sel, want string) {
	p.t.Helper()
	expr := fmt.Sprintf(`(() => { const el = document.querySelector(%s); return !!el && el.textContent.includes(%s); })()`,
		jsString(sel), jsString(want))
	_, err := chromedp.Run(p.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		got, _ := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(
			`(document.querySelector(%s) || {textContent: "(no element)"}).textContent`, jsString(sel))))
		p.t.Fatalf("waiting for %q in %s: %v; it reads: %s", want, sel, err, got)
	}
}

// setValue replaces a field's value and fires the input event, as typing
// would (long texts are too slow to type key by key).
func (p *page) setValue(sel, value string) {
	p.t.Helper()
	p.do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const el = document.querySelector(%s);
		el.value = %s; el.dispatchEvent(new Event('input', {bubbles: true})); })()`, jsString(sel), jsString(value))))
}

func (p *page) signIn(email, password string) {
	p.t.Helper()
	p.open("/login")
	p.do(chromedp.SendKeys(chromedp.ID("f-email"), email), chromedp.SendKeys(chromedp.ID("f-password"), password))
	require.Equal(p.t, int64(http.StatusOK), p.submit(`form[action="/login"] button[type=submit]`))
	p.do(chromedp.WaitVisible(chromedp.CSS("nav.main-nav")))
}

var untranslated = regexp.MustCompile(`\bweb\.[a-z_]+\.[a-z_.]+`)

// check asserts what every cockpit page must get right: no string id left
// untranslated, and a label for every form control.
func (p *page) check(name string) {
	p.t.Helper()
	body := p.text("body")
	require.Empty(p.t, untranslated.FindAllString(body, 5), "untranslated strings on %s", name)
	unlabelled, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(
		'input:not([type=hidden]), select, textarea')).filter(el =>
		!(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
		.map(el => el.outerHTML.slice(0, 120))`))
	require.NoError(p.t, err)
	require.Empty(p.t, unlabelled, "form controls without a label on %s", name)
}

// screenshot saves the page as a PNG for reviewers: under the test's
// artifact directory with -artifacts, else under
// $TMPDIR/herold-cockpit-screenshots/<test>.
func (p *page) screenshot(name string) {
	p.t.Helper()
	p.shot++
	buf, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	require.NoError(p.t, err, "screenshot %s", name)
	dir := screenshotDir(p.t)
	file := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", p.shot, name))
	require.NoError(p.t, os.WriteFile(file, buf, 0o644))
}

var screenshotDirs sync.Map

func screenshotDir(t *testing.T) string {
	if d, ok := screenshotDirs.Load(t.Name()); ok {
		return d.(string)
	}
	var dir string
	if f := flag.Lookup("test.artifacts"); f != nil && f.Value.String() == "true" {
		dir = t.ArtifactDir()
	} else {
		dir = filepath.Join(os.TempDir(), "herold-cockpit-screenshots", strings.ReplaceAll(t.Name(), "/", "_"))
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	t.Logf("screenshots of %s: %s", t.Name(), dir)
	screenshotDirs.Store(t.Name(), dir)
	return dir
}
