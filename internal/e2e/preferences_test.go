package e2e_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// TestPreferencesEndToEnd: a newsletter carries the preference link in
// both bodies (transactional mail does not); the one-click unsubscribe
// writes the ledger with source one_click on every channel; the next
// newsletter is suppressed and explain names the rule that decided, in
// English and German; the host app opts the contact in again through the
// API (source api), and the newsletter goes out once more.
func TestPreferencesEndToEnd(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "anna", Email: "anna@example.org", Name: "Anna",
		Consents: []string{"newsletter"}}))
	anna := client.ContactID("anna")

	res, err := c.SendEvent(ctx, newsEvent(anna))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	res, err = c.SendEvent(ctx, ping(1, anna))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	mails := srv.Mails()
	require.Len(t, mails, 2)
	news, plain := mails[0], mails[1]
	if news.Header.Get("List-Unsubscribe") == "" {
		news, plain = plain, news
	}
	prefURL := regexp.MustCompile(regexp.QuoteMeta(e.URL) + `/p/[A-Za-z0-9_.-]+`).FindString(news.HTML)
	require.NotEmpty(t, prefURL, "the newsletter links to the preference page: %s", news.HTML)
	require.Contains(t, news.Text, prefURL)
	require.NotContains(t, plain.HTML+plain.Text, "/p/", "transactional mail has no preference link")
	status, page := fetch(t, "GET", prefURL, "en", "")
	require.Equal(t, 200, status)
	require.Contains(t, page, "Your notification settings")

	// One click.
	unsub := strings.TrimSuffix(strings.TrimPrefix(news.Header.Get("List-Unsubscribe"), "<"), ">")
	status, _ = fetch(t, "POST", unsub, "en", "List-Unsubscribe=One-Click")
	require.Equal(t, 200, status)
	p, err := c.Preferences(ctx, "anna")
	require.NoError(t, err)
	require.Len(t, p.Changes, 2)
	for _, ch := range p.Changes {
		require.Equal(t, "one_click", ch.Source)
		require.Equal(t, "anna@example.org", ch.Actor)
		require.Equal(t, [2]string{"in", "out"}, [2]string{ch.Old, ch.New})
	}
	require.Contains(t, p.Categories, client.CategoryPreference{Category: "newsletter", Email: "out", InApp: "out",
		Frequency: "instantly", Frequencies: []string{"instantly"}})
	day := p.Changes[0].At.UTC().Format("2006-01-02")

	res, err = c.SendEvent(ctx, newsEvent(anna))
	require.NoError(t, err)
	require.Equal(t, client.StatusSuppressed, res.Messages[0].Status)
	for lang, want := range map[string]string{
		"en": "opted out of newsletter by one-click unsubscribe on " + day,
		"de": "newsletter abbestellt per Ein-Klick-Abmeldung am " + day[8:10] + "." + day[5:7] + "." + day[:4],
	} {
		x, err := c.Explain(ctx, res.ID, lang)
		require.NoError(t, err)
		var texts []string
		for _, s := range x.Steps {
			texts = append(texts, s.Text)
		}
		require.Contains(t, strings.Join(texts, "\n"), want, lang)
	}

	// The host app opts her in again by e-mail.
	p, err = c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "newsletter", Email: "in"}})
	require.NoError(t, err)
	require.Equal(t, "api", p.Changes[0].Source)
	res, err = c.SendEvent(ctx, newsEvent(anna))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	require.Len(t, srv.Mails(), 3)
}
