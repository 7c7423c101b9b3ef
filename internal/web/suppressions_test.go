package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// TestSuppressionsPage: the cockpit lists the suppression list with the
// kind and evidence of each entry in German and English,
// searches it, refuses a bad address next to its field, adds an address by
// hand and removes one; the evidence is escaped.
func TestSuppressionsPage(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	_, err := e.App.Store().SuppressionUpsert(context.Background(), &store.SuppressionUpsertParams{WorkspaceID: e.ws.ID,
		Suppression: &model.Suppression{Email: "anna@example.org", Kind: model.SuppressionHardBounce,
			Evidence: "550 5.1.1 <anna@example.org>: user unknown", CreatedAt: e.Clock.Now()}})
	require.NoError(t, err)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	c.lang = "de"

	resp, body := c.get("/suppressions")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "Sperrliste")
	require.Contains(t, body, "harter Bounce")
	require.Contains(t, body, "550 5.1.1 &lt;anna@example.org&gt;: user unknown")
	c.lang = "en"
	_, body = c.get("/suppressions")
	require.Contains(t, body, "hard bounce")
	_, body = c.get("/suppressions?q=nobody")
	require.Contains(t, body, "No address is on the suppression list.")

	resp, body = c.submit("/suppressions", "/suppressions", url.Values{"email": {"ben(at)example"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-email"`)
	resp, _ = c.submit("/suppressions", "/suppressions", url.Values{"email": {"ben@example.org"}, "note": {"asked by phone"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get("/suppressions?notice=suppression_added")
	require.Contains(t, body, "blocked by an administrator")
	require.Contains(t, body, "asked by phone")

	resp, _ = c.submit("/suppressions", "/suppressions/delete", url.Values{"email": {"anna@example.org"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	got, err := e.App.Store().SuppressionGetMany(context.Background(), e.ws.ID, []string{"anna@example.org", "ben@example.org"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.NotNil(t, got["ben@example.org"])
}
