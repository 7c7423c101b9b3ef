package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// cardLabel is a phone card's label: its text, the width of its column
// and the width of its longest word in the label's font.
type cardLabel struct {
	Label        string
	Column, Word float64
	Align        string
}

// TestBrowserSchedulePhoneCards: at 390 px, in German and English, the
// labels of a schedule's preview and runs cards break between words only
// ("Auslöseschlüssel" whole), and every label and value of a card is
// aligned alike (the runs' numbers too). The German page calls the
// preset "Muster", since "Vorlage" is the mail template everywhere else.
func TestBrowserSchedulePhoneCards(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	e.runBirthdays(t)
	p := tab(t, e.URL)
	p.signIn(e.Email, e.Password)
	for _, lang := range []string{"de", "en"} {
		p.do(chromedp.EmulateViewport(1366, 900))
		p.open("/")
		p.submitLang(lang)
		p.do(chromedp.EmulateViewport(390, 844))
		p.open("/schedules/geburtstagsgruesse?preview=1")
		labels, err := chromedp.Run(p.ctx, chromedp.Evaluate[[]cardLabel](`(() => {
			const ctx = document.createElement('canvas').getContext('2d');
			return Array.from(document.querySelectorAll('main table td[data-label]')).map(td => {
				const b = getComputedStyle(td, '::before');
				ctx.font = b.fontWeight + ' ' + b.fontSize + ' ' + b.fontFamily;
				const words = td.dataset.label.split(/\s+/);
				return {Label: td.dataset.label, Column: parseFloat(b.width),
					Word: Math.max(...words.map(w => ctx.measureText(w).width)), Align: getComputedStyle(td).textAlign};
			}); })()`))
		require.NoError(t, err)
		require.NotEmpty(t, labels)
		seen := map[string]bool{}
		for _, l := range labels {
			seen[l.Label] = true
			require.LessOrEqual(t, l.Word, l.Column, "%s: a word of the label %q is wider than its column", lang, l.Label)
			require.Contains(t, []string{"left", "start"}, l.Align, "%s: %q is aligned like the other lines", lang, l.Label)
		}
		if lang == "de" {
			require.True(t, seen["Auslöseschlüssel"], "the preview shows the occurrence key: %v", seen)
			require.True(t, seen["Gelesen"], "the runs card shows its counts: %v", seen)
			require.Contains(t, p.text("main"), "Muster")
			require.NotContains(t, p.text("main"), "Vorlage: Geburtstag")
		}
		p.fitsWidth("schedule " + lang)
		p.screenshot("schedule-" + lang)
	}
}
