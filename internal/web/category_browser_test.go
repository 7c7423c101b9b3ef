package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// checkedFrequency returns the value of the checked radio button of a
// category's frequency group ("" when none is checked).
func (p *page) checkedFrequency(cat string) string {
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](
		`(document.querySelector('input[name="freq-`+cat+`"]:checked') || {value: ""}).value`))
	require.NoError(p.t, err)
	return v
}

// TestBrowserPreferenceFrequency: the preference page shows a category's
// description and, where the workspace allows more than instantly, a
// radio group of frequencies, in German (1366 px) and English (390 px).
// GET changes nothing; choosing "täglich" writes exactly one ledger entry
// (setting frequency, source page); a category without a choice shows
// none; once the admin no longer allows daily, the page shows instantly
// and does not offer daily.
func TestBrowserPreferenceFrequency(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	ctx := context.Background()
	for _, c := range []*model.Contact{
		{ID: "anna", Email: "anna@example.org", Locale: "de-DE", Consents: []string{"newsletter", "birthday"}},
		{ID: "bert", Email: "bert@example.org", Locale: "en", Consents: []string{"newsletter"}},
	} {
		_, err := e.svc.ContactPut(ctx, e.ws, c)
		require.NoError(t, err)
	}
	voc := model.Vocabulary{
		Categories: map[string]model.Label{"newsletter": {DE: "Rundbrief", EN: "Newsletter"}},
		CategoryDetails: map[string]model.CategoryDetail{
			"newsletter": {Description: model.Label{DE: "Neuigkeiten aus dem Haus, etwa einmal im Monat.",
				EN: "News from the house, about once a month."}, Frequencies: []string{"daily", "weekly"}},
			"birthday": {Description: model.Label{DE: "Ein Gruß zum Geburtstag."}},
		},
	}
	_, err := e.svc.WorkspaceUpdate(ctx, e.ws, service.WorkspacePatch{Vocabulary: &voc})
	require.NoError(t, err)

	p := tab(t, e.URL)
	p.open(e.preferenceLink(t, "anna"))
	p.check("preference page with frequencies")
	require.Equal(t, "Neuigkeiten aus dem Haus, etwa einmal im Monat.", p.text("#desc-newsletter"))
	require.Equal(t, "Ein Gruß zum Geburtstag.", p.text("#desc-birthday"))
	freq := p.text("#freq-newsletter")
	require.Contains(t, freq, "Wie oft?")
	require.Contains(t, freq, "Sofort")
	require.Contains(t, freq, "Täglich, gesammelt in einer Nachricht")
	require.Contains(t, freq, "Wöchentlich, gesammelt in einer Nachricht")
	require.Equal(t, "instantly", p.checkedFrequency("newsletter"))
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#cat-birthday input[type=radio], #cat-transactional input[type=radio]').length`))
	require.NoError(t, err)
	require.Zero(t, n, "no choice where the workspace allows instantly only")
	require.Empty(t, e.ledger(t, "anna"), "GET changes nothing")
	p.screenshot("preferences-frequency-de-1366")

	// Choose "täglich": one ledger entry, nothing else changes.
	p.do(chromedp.Click(chromedp.CSS(`#freq-newsletter input[value="daily"]`)))
	require.EqualValues(t, http.StatusOK, p.submit("#prefs-save"))
	require.Contains(t, p.text("#prefs-saved"), "Gespeichert")
	list := e.ledger(t, "anna")
	require.Len(t, list, 1, "only what was chosen changes")
	require.Equal(t, model.PreferenceChange{ID: list[0].ID, ContactID: "anna", Category: "newsletter", Setting: "frequency",
		Old: "instantly", New: "daily", Source: model.PrefByPage, Actor: "anna@example.org", At: list[0].At}, *list[0])
	require.Equal(t, "daily", p.checkedFrequency("newsletter"), "the page shows the saved choice")
	c, err := e.svc.ContactGet(ctx, e.ws, "anna")
	require.NoError(t, err)
	require.Equal(t, "daily", service.ContactFrequency(c, "newsletter"))
	require.Empty(t, c.Suppression("newsletter", "email"))
	require.EqualValues(t, http.StatusOK, p.submit("#prefs-save"))
	require.Len(t, e.ledger(t, "anna"), 1, "saving again changes nothing")

	// English at phone width.
	q := tab(t, e.URL)
	q.do(chromedp.EmulateViewport(390, 844))
	q.open(e.preferenceLink(t, "bert"))
	q.check("preference page with frequencies (phone)")
	require.Equal(t, "News from the house, about once a month.", q.text("#desc-newsletter"))
	require.Contains(t, q.text("#freq-newsletter"), "Weekly, collected in one message")
	q.fitsWidth("preference page with frequencies")
	q.do(chromedp.Click(chromedp.CSS(`#freq-newsletter input[value="weekly"]`)))
	require.EqualValues(t, http.StatusOK, q.submit("#prefs-save"))
	require.Contains(t, q.text("#prefs-saved"), "Saved")
	bl := e.ledger(t, "bert")
	require.Len(t, bl, 1)
	require.Equal(t, [3]string{"frequency", "instantly", "weekly"}, [3]string{bl[0].Setting, bl[0].Old, bl[0].New})
	q.screenshot("preferences-frequency-en-390")

	// The admin allows weekly only: anna's daily is shown as instantly,
	// daily is not offered.
	d := voc.CategoryDetails["newsletter"]
	d.Frequencies = []string{"weekly"}
	voc.CategoryDetails["newsletter"] = d
	_, err = e.svc.WorkspaceUpdate(ctx, e.ws, service.WorkspacePatch{Vocabulary: &voc})
	require.NoError(t, err)
	p.open(e.preferenceLink(t, "anna"))
	require.Equal(t, "instantly", p.checkedFrequency("newsletter"))
	require.NotContains(t, p.text("#freq-newsletter"), "Täglich")

	// The admin's page (Settings → Categories) at phone width shows
	// what is allowed, every control labelled.
	a := tab(t, e.URL)
	a.do(chromedp.EmulateViewport(390, 844))
	a.signIn(e.Email, e.Password)
	a.open("/settings/categories")
	a.check("categories settings")
	a.fitsWidth("categories settings")
	require.Contains(t, a.text("#category-newsletter"), "newsletter")
	weekly, err := chromedp.Run(a.ctx, chromedp.Evaluate[bool](
		`document.querySelector('#category-newsletter input[value="weekly"]').checked && !document.querySelector('#category-newsletter input[value="daily"]').checked`))
	require.NoError(t, err)
	require.True(t, weekly, "weekly ticked, daily not")
	a.screenshot("categories-settings-390")
}
