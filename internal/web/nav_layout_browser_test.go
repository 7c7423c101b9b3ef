package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// navBox is the screen box of one navigation link.
type navBox struct {
	Href                     string
	Left, Right, Top, Bottom float64
	Visible                  bool
}

// navBoxes measures the links under sel and the viewport's width.
func (p *page) navBoxes(sel string) ([]navBox, float64) {
	p.t.Helper()
	boxes, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]navBox](fmt.Sprintf(`Array.from(document.querySelectorAll(%s)).map(a => {
		const r = a.getBoundingClientRect();
		return {Href: a.getAttribute('href'), Left: r.left, Right: r.right, Top: r.top, Bottom: r.bottom,
			Visible: a.checkVisibility({visibilityProperty: true})}; })`, jsString(sel))))
	require.NoError(p.t, err)
	width, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](`document.documentElement.clientWidth`))
	require.NoError(p.t, err)
	return boxes, width
}

// insideViewport asserts that every link is shown and lies wholly inside
// the viewport's width, none cut at the edge.
func (p *page) insideViewport(what string, boxes []navBox, width float64) {
	p.t.Helper()
	require.GreaterOrEqual(p.t, len(boxes), 13, "%s: every page has a link", what)
	for _, b := range boxes {
		require.True(p.t, b.Visible, "%s: %s is shown", what, b.Href)
		require.GreaterOrEqual(p.t, b.Left, 0.0, "%s: %s starts inside the window", what, b.Href)
		require.LessOrEqual(p.t, b.Right, width, "%s: %s ends inside the window (%.0f px wide)", what, b.Href, width)
		require.Greater(p.t, b.Bottom-b.Top, 10.0, "%s: %s has a height", what, b.Href)
	}
}

// TestBrowserNavigationReachable: at 1024 and 1366 px, in German and
// English, every link of the main navigation stands inside the window
// (the bar wraps onto a second row rather than hiding its last links
// behind the edge); at 390 px the menu button is in view and, opened,
// shows every link inside the window.
func TestBrowserNavigationReachable(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := tab(t, e.URL)
	p.signIn(e.Email, e.Password)
	for _, lang := range []string{"de", "en"} {
		p.do(chromedp.EmulateViewport(1366, 900))
		p.open("/")
		p.submitLang(lang)
		for _, w := range []int64{1366, 1024} {
			p.do(chromedp.EmulateViewport(w, 900))
			p.open("/settings")
			boxes, width := p.navBoxes("nav.main-nav > ul a")
			p.insideViewport(fmt.Sprintf("%s at %d px", lang, w), boxes, width)
			p.fitsWidth(fmt.Sprintf("%s at %d px", lang, w))
			p.screenshot(fmt.Sprintf("nav-%s-%d", lang, w))
		}

		p.do(chromedp.EmulateViewport(390, 844))
		p.open("/settings")
		summary, width := p.navBoxes("nav.main-nav summary")
		require.Len(t, summary, 1)
		require.True(t, summary[0].Visible, "%s at 390 px: the menu button is shown", lang)
		require.LessOrEqual(t, summary[0].Right, width)
		p.do(chromedp.Click(chromedp.CSS("nav.main-nav summary")))
		boxes, width := p.navBoxes(".nav-menu a")
		p.insideViewport(lang+" at 390 px, menu open", boxes, width)
		p.fitsWidth(lang + " at 390 px")
		p.screenshot("nav-" + lang + "-390")
	}
}
