package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
)

// TestAddressesMustBeBare: where a bare address is expected (a contact, a
// contact sent inline with an event, a suppression-list entry), anything
// else is a 422 invalid_email naming the field, so that a contact cannot
// be stored as "<a@example.org>" and mailed at a@example.org past the
// suppression list.
func TestAddressesMustBeBare(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	forms := []string{
		"<anna@example.org>",
		"Anna <anna@example.org>",
		"anna@example.org (Anna)",
		"anna@ example.org",
		`"anna"@example.org`,
	}
	places := []struct {
		name   string
		method string
		path   string
		body   func(addr string) any
		field  string
	}{
		{"contact", "PUT", "/v1/contacts/c-1", func(a string) any { return map[string]any{"email": a} }, "email"},
		{"bulk contact", "POST", "/v1/contacts/bulk", func(a string) any {
			return map[string]any{"contacts": []any{map[string]any{"id": "c-2", "email": a}}}
		}, "contacts[0].email"},
		{"inline event contact", "POST", "/v1/explain", func(a string) any {
			return map[string]any{"type": "a.b", "project": "p", "actors": map[string]any{"to": []any{map[string]any{"id": "x", "email": a}}}}
		}, "actors.to[0].email"},
		{"suppression", "POST", "/v1/suppressions", func(a string) any { return map[string]any{"email": a} }, "email"},
	}
	for _, pl := range places {
		for _, addr := range forms {
			r := e.Do(pl.method, pl.path, pl.body(addr))
			if pl.name == "bulk contact" {
				// A bulk request answers per item.
				require.Equal(t, http.StatusOK, r.Status, "%s with %q: %s", pl.name, addr, r.Body)
				require.Contains(t, string(r.Body), `"field":"contacts[0].email","code":"invalid_email"`, "%s with %q", pl.name, addr)
				continue
			}
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s with %q: %s", pl.name, addr, r.Body)
			requireField(t, r.Map(t), pl.field, "invalid_email")
		}
		r := e.Do(pl.method, pl.path, pl.body("anna@example.org"))
		require.Less(t, r.Status, 300, "%s with the bare address: %s", pl.name, r.Body)
	}
}

// TestStoredNonBareAddressIsSuppressed: a contact whose address an older
// version stored as "<a2@example.org>" (written here straight into the
// database) is suppressed when the bare address is listed, and one stored
// as "<b@example.org>" is the same person as a contact with
// B@example.org: mailed once.
func TestStoredNonBareAddressIsSuppressed(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	ctx := context.Background()
	st := e.App.Store()
	ws, err := st.WorkspaceGetByKey(ctx, "default")
	require.NoError(t, err)
	for id, addr := range map[string]string{"old": "<A2@Example.org>", "old-dup": "<b@example.org>"} {
		c := &model.Contact{ID: id, Email: addr, Name: "Old " + id}
		c.Normalize()
		_, err = st.ContactUpsert(ctx, ws.ID, c)
		require.NoError(t, err)
	}
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/plain", map[string]any{"email": "c@example.org"})
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/bare-dup", map[string]any{"email": "B@example.org"})
	e.Must(http.StatusCreated, "POST", "/v1/suppressions", map[string]any{"email": "a2@example.org"})

	var out struct {
		Messages []struct {
			To     model.Address `json:"to"`
			Status string        `json:"status"`
			Reason string        `json:"reason"`
		} `json:"messages"`
	}
	e.Must(http.StatusCreated, "POST", "/v1/messages", map[string]any{"template": "tmpl",
		"recipients": []string{"contact:old", "contact:plain", "contact:bare-dup", "contact:old-dup"},
		"data":       map[string]any{"job": "x"}}).JSON(t, &out)
	got := map[string]string{}
	for _, m := range out.Messages {
		got[m.To.ContactID] = m.Status + "/" + m.Reason
	}
	require.Equal(t, map[string]string{
		"old":      "suppressed/blocked",
		"bare-dup": "queued/", // old-dup is the same mailbox: mailed once
		"plain":    "queued/",
	}, got)
}
