package transfer_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/transfer"
)

// TestCopyWorkspaceCarriesPreferences: a contact's current preferences
// (a daily frequency chosen on the page, an opt-out by one click, with
// their sources and times) and the workspace's summary schedule reach
// the simulation's copy and a whole export's import unchanged; the same
// contact id in another workspace keeps its own, and a contact without
// preferences gets none. A preference that is none is refused at import.
func TestCopyWorkspaceCarriesPreferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, ws := sourceStore(t)
	ws.SummarySchedule = model.SummarySchedule{At: "17:30", Weekday: "friday"}
	require.NoError(t, src.WorkspaceUpdate(ctx, ws))
	other := &model.Workspace{Key: "other", Name: "Other", DefaultLocale: "en", Timezone: "UTC", RetentionDays: 30,
		ConfirmationExpiryHours: 24, CreatedAt: at, UpdatedAt: at}
	require.NoError(t, src.WorkspaceInsert(ctx, other))
	for _, w := range []int64{ws.ID, other.ID} {
		require.NoError(t, src.ContactUpsertMany(ctx, w, []*model.Contact{
			{ID: "anna", Email: "anna@example.org", Consents: []string{"news", "newsletter"}, CreatedAt: at, UpdatedAt: at},
			{ID: "ben", Email: "ben@example.org", CreatedAt: at, UpdatedAt: at}}))
	}
	apply := func(w int64, src2 model.PreferenceSource, when time.Time, sets ...model.PreferenceSet) {
		t.Helper()
		_, err := src.PreferenceApply(ctx, &store.PreferenceApplyParams{WorkspaceID: w, ContactID: "anna", Sets: sets, Source: src2, At: when})
		require.NoError(t, err)
	}
	apply(ws.ID, model.PrefByPage, at.Add(time.Hour), model.PreferenceSet{Category: "news", Setting: model.SettingFrequency, Value: model.FrequencyDaily})
	apply(ws.ID, model.PrefByOneClick, at.Add(2*time.Hour), model.OptOutEverywhere("newsletter")...)
	apply(other.ID, model.PrefByAPI, at.Add(time.Hour), model.PreferenceSet{Category: "news", Setting: model.SettingFrequency, Value: model.FrequencyWeekly})
	want, err := src.ContactGet(ctx, ws.ID, "anna")
	require.NoError(t, err)
	require.Len(t, want.Preferences, 3)

	check := func(dst store.Store, wsID int64) {
		t.Helper()
		got, err := dst.ContactGet(ctx, wsID, "anna")
		require.NoError(t, err)
		require.Equal(t, want.Preferences, got.Preferences)
		require.Equal(t, want.OptOuts, got.OptOuts)
		require.Equal(t, model.FrequencyDaily, got.Frequency("news"), "this workspace's choice, not the other's weekly")
		_, p := got.ChannelOptedOut("newsletter", model.ChannelEmail)
		require.NotNil(t, p)
		require.Equal(t, model.PrefByOneClick, p.Source)
		require.Equal(t, at.Add(2*time.Hour), p.At)
		ben, err := dst.ContactGet(ctx, wsID, "ben")
		require.NoError(t, err)
		require.Empty(t, ben.Preferences)
	}
	dst := openStore(t)
	cp, err := transfer.CopyWorkspace(ctx, src, dst, ws)
	require.NoError(t, err)
	require.Equal(t, ws.SummarySchedule, cp.SummarySchedule)
	check(dst, cp.ID)

	var buf bytes.Buffer
	counts, err := transfer.Export(ctx, src, &buf)
	require.NoError(t, err)
	require.Equal(t, 2, counts[transfer.KindPreferences], "anna in each workspace; ben has none")
	full := openStore(t)
	_, err = transfer.Import(ctx, full, bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	imported, err := full.WorkspaceGetByKey(ctx, ws.Key)
	require.NoError(t, err)
	check(full, imported.ID)
	otherAnna, err := full.ContactGet(ctx, mustWorkspaceID(t, full, "other"), "anna")
	require.NoError(t, err)
	require.Equal(t, model.FrequencyWeekly, otherAnna.Frequency("news"))

	bad := bytes.Replace(buf.Bytes(), []byte(`"value":"daily"`), []byte(`"value":"hourly"`), 1)
	_, err = transfer.Import(ctx, openStore(t), bytes.NewReader(bad))
	require.ErrorContains(t, err, "is not a preference")
}

func mustWorkspaceID(t *testing.T, st store.Store, key string) int64 {
	t.Helper()
	w, err := st.WorkspaceGetByKey(context.Background(), key)
	require.NoError(t, err)
	return w.ID
}
