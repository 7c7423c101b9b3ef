package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestIDsNotUTF8Refused: a path parameter that is not UTF-8 once
// percent-decoded is refused with 422 naming it, on every route, after the
// key is checked; so is a string in a body. Nothing is stored under an id
// that would be shown as U+FFFD.
func TestIDsNotUTF8Refused(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	for _, tc := range []struct {
		method, path, body, field string
	}{
		{"PUT", "/v1/contacts/%ff", `{"email":"a@example.org"}`, "id"},
		{"GET", "/v1/contacts/%ff", "", "id"},
		{"DELETE", "/v1/contacts/a%fe", "", "id"},
		{"PUT", "/v1/objects/tasks/%c3", `{}`, "id"},
		{"GET", "/v1/flows/%ff/notifications/n", "", "key"},
		{"GET", "/v1/feed/%ff/items", "", "workspace"},
	} {
		var body any
		if tc.body != "" {
			body = tc.body
		}
		r := e.Do(tc.method, tc.path, body)
		require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s %s: %s", tc.method, tc.path, r.Body)
		requireField(t, r.Map(t), tc.field, "invalid")
	}
	r := e.DoKey("", "PUT", "/v1/contacts/%ff", `{"email":"a@example.org"}`)
	require.Equal(t, http.StatusUnauthorized, r.Status, "the key comes first: %s", r.Body)

	r = e.Do("PUT", "/v1/contacts/c-1", "{\"email\":\"a@example.org\",\"name\":\"Jo\xffrg\"}")
	require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s", r.Body)
	requireField(t, r.Map(t), "name", "invalid")

	var contacts struct {
		Items []any `json:"items"`
	}
	e.Must(http.StatusOK, "GET", "/v1/contacts", nil).JSON(t, &contacts)
	require.Empty(t, contacts.Items)
	// U+FFFD itself is a valid id, and names nothing here.
	e.Must(http.StatusNotFound, "GET", "/v1/contacts/%EF%BF%BD", nil)
}
