package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

type suppressionPage struct {
	Items []struct {
		Email     string     `json:"email"`
		Kind      string     `json:"kind"`
		Evidence  string     `json:"evidence"`
		ExpiresAt *time.Time `json:"expires_at"`
	} `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// TestSuppressionsAPI: an admin adds (201), replaces (200), searches,
// pages and removes entries; bad input names its field; the expiry must
// lie after now (now itself is refused); an ingest key is refused; another
// workspace sees and removes nothing.
func TestSuppressionsAPI(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	now := e.Clock.Now().UTC()

	e.Must(http.StatusCreated, "POST", "/v1/suppressions", map[string]any{"email": "Anna@Example.org", "note": "asked by phone"})
	r := e.Must(http.StatusOK, "POST", "/v1/suppressions", map[string]any{"email": "anna@example.org", "note": "again",
		"expires_at": now.Add(time.Millisecond)})
	require.Equal(t, "manual", r.Map(t)["kind"])
	e.Must(http.StatusCreated, "POST", "/v1/suppressions", map[string]any{"email": "ben@other.net"})
	e.Must(http.StatusCreated, "POST", "/v1/suppressions", map[string]any{"email": "clara@example.org"})

	for _, tt := range []struct {
		body        map[string]any
		field, code string
	}{
		{map[string]any{}, "email", "required"},
		{map[string]any{"email": "anna(at)example"}, "email", "invalid_email"},
		{map[string]any{"email": "a@example.org", "expires_at": now}, "expires_at", "invalid"},
		{map[string]any{"email": "a@example.org", "note": strings.Repeat("x", 1001)}, "note", "too_long"},
	} {
		r := e.Do("POST", "/v1/suppressions", tt.body)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%v", tt.body)
		requireField(t, r.Map(t), tt.field, tt.code)
	}
	r = e.Do("GET", "/v1/suppressions?q="+strings.Repeat("x", 255), nil)
	require.Equal(t, http.StatusUnprocessableEntity, r.Status)

	var pg suppressionPage
	e.Must(http.StatusOK, "GET", "/v1/suppressions?q=EXAMPLE.org&limit=1", nil).JSON(t, &pg)
	require.Len(t, pg.Items, 1)
	require.Equal(t, "anna@example.org", pg.Items[0].Email)
	require.Equal(t, "again", pg.Items[0].Evidence)
	require.NotNil(t, pg.Items[0].ExpiresAt)
	require.NotEmpty(t, pg.NextCursor)
	next := pg.NextCursor
	pg = suppressionPage{}
	e.Must(http.StatusOK, "GET", "/v1/suppressions?q=EXAMPLE.org&limit=1&cursor="+next, nil).JSON(t, &pg)
	require.Len(t, pg.Items, 1)
	require.Equal(t, "clara@example.org", pg.Items[0].Email)
	require.Empty(t, pg.NextCursor)

	ingest := e.Must(http.StatusCreated, "POST", "/v1/keys", map[string]any{"name": "sync", "scopes": []string{"ingest"}}).Map(t)["secret"].(string)
	require.Equal(t, http.StatusForbidden, e.DoKey(ingest, "GET", "/v1/suppressions", nil).Status)
	require.Equal(t, http.StatusForbidden, e.DoKey(ingest, "POST", "/v1/suppressions", map[string]any{"email": "x@example.org"}).Status)

	other := createWorkspace(t, e, "other")
	var otherPage suppressionPage
	e.DoKey(other, "GET", "/v1/suppressions", nil).JSON(t, &otherPage)
	require.Empty(t, otherPage.Items)
	require.Equal(t, http.StatusNotFound, e.DoKey(other, "DELETE", "/v1/suppressions/anna@example.org", nil).Status)

	e.Must(http.StatusNoContent, "DELETE", "/v1/suppressions/ANNA@example.org", nil)
	e.Must(http.StatusNotFound, "DELETE", "/v1/suppressions/anna@example.org", nil)
}
