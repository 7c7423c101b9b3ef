package web_test

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// visible reports whether the element takes up space on screen.
func (p *page) visible(sel string) bool {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(() => { const el = document.querySelector(%s);
		return !!el && el.checkVisibility({visibilityProperty: true}); })()`, jsString(sel))))
	require.NoError(p.t, err)
	return v
}

// height is the element's height on screen.
func (p *page) height(sel string) float64 {
	p.t.Helper()
	h, err := chromedp.Run(p.ctx, chromedp.Evaluate[float64](fmt.Sprintf(`document.querySelector(%s).getBoundingClientRect().height`, jsString(sel))))
	require.NoError(p.t, err)
	return h
}

// tickBox is the screen box of one of the chart's labels.
type tickBox struct {
	Text                     string
	Left, Right, Top, Height float64
}

// TestBrowserPhoneLayout: at 390 px the navigation folds into a menu that
// names the current page and opens without JavaScript, a table's rows
// become cards with a label before each value, and the dashboard's chart
// fits with its day labels legible and apart; at 1366 px the wide bar and
// the table are back.
func TestBrowserPhoneLayout(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	e.jobRequest(t, "p-anna")
	p := tab(t, e.URL)
	p.do(chromedp.EmulateViewport(390, 844))
	p.signIn(e.Email, e.Password)
	p.open("/")
	p.submitLang("de")

	p.open("/flows/standard")
	require.False(t, p.visible("nav.main-nav > ul"), "the wide bar is hidden")
	require.Equal(t, "☰ Menü: Abläufe", p.text("nav.main-nav summary"))
	require.False(t, p.visible(`.nav-menu a[href="/contacts"]`), "the menu starts closed")
	p.do(chromedp.Click(chromedp.CSS("nav.main-nav summary")))
	require.True(t, p.visible(`.nav-menu a[href="/contacts"]`), "the menu opens")
	p.screenshot("menu-open")
	require.EqualValues(t, 200, p.submit(`.nav-menu a[href="/contacts"]`))
	p.do(chromedp.WaitVisible(chromedp.CSS("h1")))
	require.Equal(t, "☰ Menü: Kontakte", p.text("nav.main-nav summary"))

	// The flow's notifications: each row a card, each value with its label.
	p.open("/flows/standard")
	cell := `main table tbody tr:first-child td[data-label]`
	label, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](fmt.Sprintf(
		`getComputedStyle(document.querySelector(%s), '::before').content`, jsString(cell))))
	require.NoError(t, err)
	require.Equal(t, `"Ereignis"`, label)
	display, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('main table tbody tr')).display`))
	require.NoError(t, err)
	require.Equal(t, "block", display, "a row is a card")
	require.LessOrEqual(t, p.height("main table thead"), 1.0, "the header row is only for screen readers")
	p.fitsWidth("flow")

	// The chart: the phone's drawing, inside its card, labels apart.
	p.open("/")
	require.True(t, p.visible("svg.chart.phone"))
	require.False(t, p.visible("svg.chart.wide"))
	p.fitsWidth("dashboard")
	ticks, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]tickBox](`Array.from(document.querySelectorAll('svg.chart.phone text.tick'))
		.map(el => { const r = el.getBoundingClientRect(); return {Text: el.textContent, Left: r.left, Right: r.right, Top: r.top, Height: r.height}; })`))
	require.NoError(t, err)
	require.Greater(t, len(ticks), 6, "day and count labels")
	card, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]float64](`(() => { const r = document.querySelector('svg.chart.phone').closest('.card').getBoundingClientRect(); return [r.left, r.right]; })()`))
	require.NoError(t, err)
	for i, a := range ticks {
		require.GreaterOrEqual(t, a.Height, 11.0, "label %q is legible", a.Text)
		require.GreaterOrEqual(t, a.Left, card[0], "label %q inside the card", a.Text)
		require.LessOrEqual(t, a.Right, card[1], "label %q inside the card", a.Text)
		for _, b := range ticks[i+1:] {
			apart := a.Right <= b.Left || b.Right <= a.Left || a.Top+a.Height <= b.Top || b.Top+b.Height <= a.Top
			require.True(t, apart, "labels %q and %q overlap", a.Text, b.Text)
		}
	}
	p.screenshot("dashboard-390")

	p.do(chromedp.EmulateViewport(1366, 900))
	p.open("/flows/standard")
	require.True(t, p.visible("nav.main-nav > ul"))
	require.False(t, p.visible("nav.main-nav summary"))
	require.Greater(t, p.height("main table thead"), 10.0)
	display, err = chromedp.Run(p.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('main table tbody tr')).display`))
	require.NoError(t, err)
	require.Equal(t, "table-row", display)
	p.open("/")
	require.True(t, p.visible("svg.chart.wide"))
	require.False(t, p.visible("svg.chart.phone"))
}
