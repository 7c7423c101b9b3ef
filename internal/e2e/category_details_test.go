package e2e_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/model"
)

// TestCategoryDetailsAPI: the workspace allows daily and weekly for the
// newsletter through PATCH /v1/workspace (a frequency that is none is
// refused with its path); the preferences API refuses a frequency the
// workspace does not allow with categories[0].frequency and writes
// nothing; an allowed one is stored; once the admin disallows it again,
// the contact's preferences show instantly.
func TestCategoryDetailsAPI(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t)
	ctx := context.Background()
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "anna", Email: "anna@example.org",
		Consents: []string{"newsletter"}}))

	bad := map[string]any{"category_details": map[string]any{"newsletter": map[string]any{"frequencies": []string{"daily", "hourly"}}}}
	require.Contains(t, fieldErrors(t, e.Must(422, "PATCH", "/v1/workspace", map[string]any{"vocabulary": bad})),
		"vocabulary.category_details.newsletter.frequencies[1]")

	// Not allowed yet: refused with the field path, nothing written.
	body := map[string]any{"categories": []any{map[string]any{"category": "newsletter", "frequency": "daily"}}}
	require.Contains(t, fieldErrors(t, e.Must(422, "PUT", "/v1/contacts/anna/preferences", body)), "categories[0].frequency")
	p, err := c.Preferences(ctx, "anna")
	require.NoError(t, err)
	require.Empty(t, p.Changes)

	voc := map[string]any{"categories": map[string]any{"newsletter": map[string]any{"de": "Rundbrief"}},
		"category_details": map[string]any{"newsletter": map[string]any{
			"description": map[string]any{"de": "Einmal im Monat", "en": "Once a month"}, "frequencies": []string{"daily", "weekly"}}}}
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"vocabulary": voc})
	ws, err := c.Workspace(ctx)
	require.NoError(t, err)
	require.Equal(t, client.CategoryDetail{Description: client.Label{DE: "Einmal im Monat", EN: "Once a month"},
		Frequencies: []string{"daily", "weekly"}}, ws.Vocabulary.CategoryDetails["newsletter"])

	p, err = c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "newsletter", Frequency: "daily"}})
	require.NoError(t, err)
	require.Contains(t, p.Categories, client.CategoryPreference{Category: "newsletter", Email: "in", InApp: "in",
		Frequency: "daily", Frequencies: []string{"instantly", "daily", "weekly"}})
	require.Len(t, p.Changes, 1)
	require.Equal(t, [3]string{"frequency", "instantly", "daily"}, [3]string{p.Changes[0].Setting, p.Changes[0].Old, p.Changes[0].New})

	// The admin allows weekly only: the stored daily is shown as instantly.
	voc["category_details"] = map[string]any{"newsletter": map[string]any{"frequencies": []string{"weekly"}}}
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"vocabulary": voc})
	p, err = c.Preferences(ctx, "anna")
	require.NoError(t, err)
	require.Contains(t, p.Categories, client.CategoryPreference{Category: "newsletter", Email: "in", InApp: "in",
		Frequency: model.FrequencyInstantly, Frequencies: []string{"instantly", "weekly"}})
}
