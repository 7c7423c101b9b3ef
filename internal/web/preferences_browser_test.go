package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
)

var prefLink = regexp.MustCompile(`/p/[A-Za-z0-9_.-]+`)

// preferenceLink returns the path of the preference link that a
// newsletter to contact id carries (from the composed mail's footer).
func (e *cockpitEnv) preferenceLink(t *testing.T, id string) string {
	t.Helper()
	m := &model.Message{ID: "m-" + id, Category: "newsletter", To: model.Address{ContactID: id, Email: id + "@example.org"},
		Text: "Hallo", HTML: "<p>Hallo</p>", CreatedAt: e.svc.Now()}
	mail, err := e.svc.Compose(context.Background(), e.ws, m)
	require.NoError(t, err)
	link := prefLink.FindString(mail.TextBody())
	require.NotEmpty(t, link, "the newsletter carries a preference link: %s", mail.TextBody())
	require.Contains(t, mail.HTMLBody(), link, "in the HTML body too")
	return link
}

func (e *cockpitEnv) ledger(t *testing.T, id string) []*model.PreferenceChange {
	t.Helper()
	list, err := e.App.Store().PreferenceChangeList(context.Background(), &store.PreferenceChangeListParams{
		WorkspaceID: e.ws.ID, ContactID: id, Limit: 100})
	require.NoError(t, err)
	return list
}

// TestBrowserPreferencePage: the page behind a mail's preference link in
// Chromium, in German (the contact's locale) at 1366 px and English at
// 390 px: GET changes nothing; unticking one box changes exactly that
// setting, recorded in the ledger as the page's with the address; the
// language switch works without a session; a changed link gets a clear
// page, not an error.
func TestBrowserPreferencePage(t *testing.T) {
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
	// The workspace names the newsletter category; the page shows the
	// name, not the key.
	voc := model.Vocabulary{Categories: map[string]model.Label{"newsletter": {DE: "Rundbrief", EN: "Monthly news"}}}
	_, err := e.svc.WorkspaceUpdate(ctx, e.ws, service.WorkspacePatch{Vocabulary: &voc})
	require.NoError(t, err)
	link := e.preferenceLink(t, "anna")

	p := tab(t, e.URL)
	p.open(link)
	p.check("preference page")
	require.Equal(t, "Ihre Benachrichtigungseinstellungen", p.text("h1"), "German: the contact's locale")
	require.Equal(t, "Rundbrief", p.text("#cat-newsletter legend"), "the category's German name")
	require.Contains(t, p.text("main"), "anna@example.org")
	require.Contains(t, p.text("#cat-transactional"), "Wird immer gesendet")
	require.Empty(t, e.ledger(t, "anna"), "GET changes nothing")
	p.screenshot("preferences-de-1366")

	// Untick e-mail for the newsletter; everything else stays.
	p.do(chromedp.Click(chromedp.CSS(`#cat-newsletter input[name="email-newsletter"]`)))
	require.EqualValues(t, http.StatusOK, p.submit("#prefs-save"))
	require.Contains(t, p.text("#prefs-saved"), "Gespeichert")
	list := e.ledger(t, "anna")
	require.Len(t, list, 1, "only what was chosen changes")
	require.Equal(t, model.PreferenceChange{ID: list[0].ID, ContactID: "anna", Category: "newsletter", Setting: "email",
		Old: "in", New: "out", Source: model.PrefByPage, Actor: "anna@example.org", At: list[0].At}, *list[0])
	c, err := e.svc.ContactGet(ctx, e.ws, "anna")
	require.NoError(t, err)
	require.Equal(t, model.ReasonOptedOut, c.Suppression("newsletter", "email"))
	require.Empty(t, c.Suppression("newsletter", "inapp"))
	require.Empty(t, c.Suppression("birthday", "email"))
	checked, err := chromedp.Run(p.ctx, chromedp.Evaluate[bool](
		`document.querySelector('input[name="email-newsletter"]').checked`))
	require.NoError(t, err)
	require.False(t, checked, "the page shows the saved state")

	// Saving again without a change writes nothing.
	require.EqualValues(t, http.StatusOK, p.submit("#prefs-save"))
	require.Contains(t, p.text("#prefs-saved"), "nichts geändert")
	require.Len(t, e.ledger(t, "anna"), 1)

	// The language switch (no session needed) turns the page English.
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Equal(t, "Your notification settings", p.text("h1"))

	// A changed link: a clear page in the reader's language, no change.
	tampered := link[:len(link)-2] + map[bool]string{true: "AB", false: "BA"}[!strings.HasSuffix(link, "AB")]
	resp, err := chromedp.RunResponse(p.ctx, chromedp.Navigate(e.URL+tampered))
	require.NoError(t, err)
	require.EqualValues(t, http.StatusNotFound, resp.Status)
	require.Equal(t, "Link not valid", p.text("h1"))
	require.Len(t, e.ledger(t, "anna"), 1)

	// English by the contact's locale, at phone width.
	q := tab(t, e.URL)
	q.do(chromedp.EmulateViewport(390, 844))
	q.open(e.preferenceLink(t, "bert"))
	q.check("preference page (phone)")
	require.Equal(t, "Your notification settings", q.text("h1"))
	q.fitsWidth("preference page")
	q.do(chromedp.Click(chromedp.CSS(`input[name="inapp-newsletter"]`)))
	require.EqualValues(t, http.StatusOK, q.submit("#prefs-save"))
	require.Contains(t, q.text("#prefs-saved"), "Saved")
	list = e.ledger(t, "bert")
	require.Len(t, list, 1)
	require.Equal(t, "inapp", list[0].Setting)
	q.screenshot("preferences-en-390")
}

// TestBrowserContactPreferences: the contact page shows the preferences
// and the ledger (who, when, old → new) in the cockpit; an administrator
// opts the contact out of one channel, recorded as the admin's change
// with the user's address, and nothing else changes.
func TestBrowserContactPreferences(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	ctx := context.Background()
	_, err := e.svc.ContactPut(ctx, e.ws, &model.Contact{ID: "anna", Email: "anna@example.org",
		Consents: []string{"newsletter", "birthday"}})
	require.NoError(t, err)
	_, err = e.svc.PreferencesUpdate(ctx, e.ws, "anna", []service.CategoryPreference{{Category: "birthday", Email: "out"}},
		model.PrefByAPI, "key k1")
	require.NoError(t, err)

	p := tab(t, e.URL)
	p.signIn(e.Email, e.Password)
	p.open("/contacts/anna")
	p.check("contact page")
	ledger := p.text("#ledger")
	require.Contains(t, ledger, "birthday")
	require.Contains(t, ledger, "the host application (API) (key k1)")
	require.Contains(t, ledger, "receives → opted out")

	p.do(chromedp.Click(chromedp.CSS(`#pref-newsletter input[name="inapp-newsletter"]`)))
	require.EqualValues(t, http.StatusOK, p.submit("#cprefs-save"))
	require.Contains(t, p.text("main"), "The preferences were saved.")
	list := e.ledger(t, "anna")
	require.Len(t, list, 2, "only the ticked box changed")
	require.Equal(t, [5]string{"newsletter", "inapp", "in", "out", e.Email},
		[5]string{list[0].Category, list[0].Setting, list[0].Old, list[0].New, list[0].Actor})
	require.Equal(t, model.PrefByAdmin, list[0].Source)
	require.Contains(t, p.text("#ledger"), "an administrator ("+e.Email+")")
	p.screenshot("contact-preferences-en")

	// In German as well.
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=de]`))
	require.Contains(t, p.text("#ledger"), "Administrator ("+e.Email+")")
	require.Contains(t, p.text("#ledger"), "erhält → abbestellt")
	p.check("contact page (de)")
}
