package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"PreferenceStateSet", testPreferenceStateSet})
}

// testPreferenceStateSet: a contact's current preferences copied from
// another database are stored as they are (values, sources, times),
// without ledger entries and without touching the contact's opt-outs or
// times; the same contact id in another workspace keeps its own; an
// unknown contact is ErrNotFound.
func testPreferenceStateSet(t *testing.T, b *bundle) {
	c := sampleContact("c-state")
	c.OptOuts = []string{"newsletter"}
	_, err := b.s.ContactUpsert(b.ctx, b.ws.ID, c)
	require.NoError(t, err)
	_, err = b.s.ContactUpsert(b.ctx, b.other.ID, sampleContact("c-state"))
	require.NoError(t, err)
	before, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-state")
	require.NoError(t, err)

	at := base.Add(-48 * time.Hour)
	prefs := []model.Preference{
		{Category: "news", Setting: model.SettingFrequency, Value: model.FrequencyDaily, Source: model.PrefByPage, At: at},
		{Category: "newsletter", Setting: model.ChannelEmail, Value: model.ValueOut, Source: model.PrefByOneClick, At: at.Add(time.Minute)},
		{Category: "newsletter", Setting: model.ChannelInApp, Value: model.ValueOut, At: at.Add(time.Minute)},
	}
	require.NoError(t, b.s.PreferenceStateSet(b.ctx, &store.PreferenceStateSetParams{WorkspaceID: b.ws.ID, ContactID: "c-state", Preferences: prefs}))
	got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-state")
	require.NoError(t, err)
	require.Equal(t, prefs, got.Preferences)
	require.Equal(t, "daily", got.Frequency("news"))
	require.Equal(t, []string{"newsletter"}, got.OptOuts)
	require.Equal(t, before.UpdatedAt, got.UpdatedAt)
	ledger, err := b.s.PreferenceChangeList(b.ctx, &store.PreferenceChangeListParams{WorkspaceID: b.ws.ID, ContactID: "c-state", Limit: 10})
	require.NoError(t, err)
	require.Empty(t, ledger, "no ledger entries")

	other, err := b.s.ContactGet(b.ctx, b.other.ID, "c-state")
	require.NoError(t, err)
	require.Empty(t, other.Preferences, "the other workspace's contact keeps its own")

	err = b.s.PreferenceStateSet(b.ctx, &store.PreferenceStateSetParams{WorkspaceID: b.ws.ID, ContactID: "nobody", Preferences: prefs})
	require.ErrorIs(t, err, store.ErrNotFound)
}
