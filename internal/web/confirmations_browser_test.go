package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestBrowserConfirmationPreviewPhone: at 390 px, in German and English,
// an opened mail preview on Confirmations lies wholly inside its card and
// the window, wide enough to read, and the page does not scroll sideways.
func TestBrowserConfirmationPreviewPhone(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	res := e.ingest(t, "booking.confirmed", "messe-koeln", map[string][]string{"promoter": {"p-ben"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15"})
	require.Len(t, res.Messages, 1)
	require.Equal(t, model.MsgAwaitingConfirmation, res.Messages[0].Status)

	p := tab(t, e.URL)
	p.signIn(e.Email, e.Password)
	for _, lang := range []string{"de", "en"} {
		p.do(chromedp.EmulateViewport(1366, 900))
		p.open("/")
		p.submitLang(lang)
		p.do(chromedp.EmulateViewport(390, 844))
		p.open("/confirmations")
		p.do(chromedp.Click(chromedp.CSS("#pending .mail-preview summary")))
		p.do(chromedp.WaitVisible(chromedp.CSS("#pending .mail-preview iframe")))
		box, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]float64](`(() => {
			const f = document.querySelector('#pending .mail-preview iframe');
			const r = f.getBoundingClientRect(), c = f.closest('tr').getBoundingClientRect();
			return [r.left, r.right, c.left, c.right, document.documentElement.clientWidth]; })()`))
		require.NoError(t, err)
		left, right, cardLeft, cardRight, width := box[0], box[1], box[2], box[3], box[4]
		require.GreaterOrEqual(t, left, cardLeft, "%s: the preview starts inside its card", lang)
		require.LessOrEqual(t, right, cardRight, "%s: the preview ends inside its card (x %.0f–%.0f, card %.0f–%.0f)",
			lang, left, right, cardLeft, cardRight)
		require.LessOrEqual(t, right, width, "%s: the preview ends inside the window", lang)
		require.GreaterOrEqual(t, right-left, 0.8*(cardRight-cardLeft), "%s: the preview spans the card", lang)
		p.fitsWidth("confirmations " + lang)
		p.screenshot("confirmation-preview-" + lang)
	}
}
