package client_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
)

// TestPreferences: a host application reads and changes a contact's
// preferences; each change lands in the ledger as the API's, with the
// key; a value already in effect writes nothing; a wrong value names its
// field, and transactional messages cannot be opted out of.
func TestPreferences(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	ctx := context.Background()
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "anna", Email: "anna@example.org",
		Consents: []string{"newsletter"}}))

	p, err := c.Preferences(ctx, "anna")
	require.NoError(t, err)
	require.Equal(t, "anna", p.ContactID)
	require.Contains(t, p.Categories, client.CategoryPreference{Category: "transactional", Locked: true, Email: "in",
		InApp: "in", Frequency: "instantly", Frequencies: []string{"instantly"}})
	require.Contains(t, p.Categories, client.CategoryPreference{Category: "newsletter", Email: "in", InApp: "in",
		Frequency: "instantly", Frequencies: []string{"instantly"}})
	require.Empty(t, p.Changes)

	// The workspace lets recipients choose a weekly digest of the newsletter.
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"vocabulary": map[string]any{
		"category_details": map[string]any{"newsletter": map[string]any{"frequencies": []string{"weekly"}}}}})

	p, err = c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "newsletter", Email: "out", Frequency: "weekly"}})
	require.NoError(t, err)
	require.Contains(t, p.Categories, client.CategoryPreference{Category: "newsletter", Email: "out", InApp: "in",
		Frequency: "weekly", Frequencies: []string{"instantly", "weekly"}}, "in-app was not given: it stays")
	require.Len(t, p.Changes, 2)
	for _, ch := range p.Changes {
		require.Equal(t, "api", ch.Source)
		require.Contains(t, ch.Actor, "key ")
		require.False(t, ch.At.IsZero())
	}
	require.Equal(t, [3]string{"email", "in", "out"}, [3]string{p.Changes[1].Setting, p.Changes[1].Old, p.Changes[1].New})

	// The same again changes nothing.
	p, err = c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "newsletter", Email: "out"}})
	require.NoError(t, err)
	require.Len(t, p.Changes, 2)

	// The contact's opt-outs list only categories out on every channel.
	ct, err := c.Contact(ctx, "anna")
	require.NoError(t, err)
	require.Empty(t, ct.OptOuts)
	_, err = c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "newsletter", InApp: "out"}})
	require.NoError(t, err)
	ct, err = c.Contact(ctx, "anna")
	require.NoError(t, err)
	require.Equal(t, []string{"newsletter"}, ct.OptOuts)

	_, err = c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "newsletter", Email: "no"},
		{Category: "transactional", Email: "out"}, {Category: "birthday", Frequency: "hourly"}})
	require.ErrorIs(t, err, client.ErrValidation)
	var apiErr *client.Error
	require.ErrorAs(t, err, &apiErr)
	for _, f := range []string{"categories[0].email", "categories[1].category", "categories[2].frequency"} {
		require.NotNil(t, apiErr.Field(f), f)
		require.Equal(t, client.CodeInvalid, apiErr.Field(f).Code, f)
	}
	p, err = c.Preferences(ctx, "anna")
	require.NoError(t, err)
	require.Len(t, p.Changes, 3, "a rejected request changes nothing")

	_, err = c.Preferences(ctx, "nobody")
	require.ErrorIs(t, err, client.ErrNotFound)
	_, err = c.SetPreferences(ctx, "nobody", []client.PreferenceUpdate{{Category: "newsletter", Email: "out"}})
	require.ErrorIs(t, err, client.ErrNotFound)
}
