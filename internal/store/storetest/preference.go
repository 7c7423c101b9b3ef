package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func testPreferences(t *testing.T, b *bundle) {
	c := sampleContact("c-1")
	c.OptOuts = []string{"newsletter"} // set by the host app: every channel
	_, err := b.s.ContactUpsert(b.ctx, b.ws.ID, c)
	require.NoError(t, err)
	_, err = b.s.ContactUpsert(b.ctx, b.other.ID, sampleContact("c-1"))
	require.NoError(t, err)

	t1 := base.Add(time.Hour)
	apply := func(at time.Time, src model.PreferenceSource, sets ...model.PreferenceSet) []model.PreferenceChange {
		t.Helper()
		out, err := b.s.PreferenceApply(b.ctx, &store.PreferenceApplyParams{WorkspaceID: b.ws.ID, ContactID: "c-1",
			Sets: sets, Source: src, Actor: "anna@example.org", At: at})
		require.NoError(t, err)
		return out
	}
	set := func(cat, setting, value string) model.PreferenceSet {
		return model.PreferenceSet{Category: cat, Setting: setting, Value: value}
	}

	t.Run("OptInOneChannel", func(t *testing.T) {
		changes := apply(t1, model.PrefByPage, set("newsletter", "email", "in"), set("newsletter", "inapp", "out"),
			set("newsletter", "frequency", "weekly"))
		require.Len(t, changes, 2, "inapp was out already (opt_outs): only email and the frequency change")
		require.Equal(t, "email", changes[0].Setting)
		require.Equal(t, [2]string{"out", "in"}, [2]string{changes[0].Old, changes[0].New})
		require.Equal(t, [2]string{"instantly", "weekly"}, [2]string{changes[1].Old, changes[1].New})
		require.NotZero(t, changes[0].ID)

		got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
		require.NoError(t, err)
		require.Empty(t, got.OptOuts, "not every channel is out any more")
		require.Equal(t, model.SuppressReason(""), got.Suppression("newsletter", "email"))
		require.Equal(t, model.ReasonOptedOut, got.Suppression("newsletter", "inapp"))
		require.Equal(t, "weekly", got.Frequency("newsletter"))
		require.Equal(t, t1, got.UpdatedAt)
		_, p := got.ChannelOptedOut("newsletter", "inapp")
		require.NotNil(t, p)
		require.Equal(t, model.PreferenceSource(""), p.Source, "inapp was spelled out from opt_outs, not chosen on the page")
	})

	t.Run("NothingChanged", func(t *testing.T) {
		require.Empty(t, apply(t1.Add(time.Minute), model.PrefByAPI, set("newsletter", "email", "in")))
		got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
		require.NoError(t, err)
		require.Equal(t, t1, got.UpdatedAt, "a request that changes nothing writes nothing")
	})

	t.Run("EveryChannelOut", func(t *testing.T) {
		changes := apply(t1.Add(2*time.Minute), model.PrefByOneClick, set("newsletter", "email", "out"),
			set("newsletter", "inapp", "out"))
		require.Len(t, changes, 1)
		got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
		require.NoError(t, err)
		require.Equal(t, []string{"newsletter"}, got.OptOuts, "opt_outs lists a category out on every channel")
		_, p := got.ChannelOptedOut("newsletter", "email")
		require.Equal(t, model.PrefByOneClick, p.Source)
		require.Equal(t, t1.Add(2*time.Minute), p.At)
	})

	t.Run("HostUpsertKeepsPreferences", func(t *testing.T) {
		c := sampleContact("c-1")
		c.Name = "renamed"
		c.OptOuts = nil
		_, err := b.s.ContactUpsert(b.ctx, b.ws.ID, c)
		require.NoError(t, err)
		got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
		require.NoError(t, err)
		require.Equal(t, "weekly", got.Frequency("newsletter"))
		require.Len(t, got.Preferences, 3)
	})

	t.Run("Ledger", func(t *testing.T) {
		list, err := b.s.PreferenceChangeList(b.ctx, &store.PreferenceChangeListParams{WorkspaceID: b.ws.ID,
			ContactID: "c-1", Limit: 10})
		require.NoError(t, err)
		require.Len(t, list, 3)
		require.Equal(t, model.PrefByOneClick, list[0].Source, "newest first")
		require.Equal(t, &model.PreferenceChange{ID: list[2].ID, ContactID: "c-1", Category: "newsletter",
			Setting: "email", Old: "out", New: "in", Source: model.PrefByPage, Actor: "anna@example.org", At: t1}, list[2])
		page, err := b.s.PreferenceChangeList(b.ctx, &store.PreferenceChangeListParams{WorkspaceID: b.ws.ID,
			ContactID: "c-1", Before: list[0].ID, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []*model.PreferenceChange{list[1]}, page)

		other, err := b.s.PreferenceChangeList(b.ctx, &store.PreferenceChangeListParams{WorkspaceID: b.other.ID,
			ContactID: "c-1", Limit: 10})
		require.NoError(t, err)
		require.Empty(t, other, "the same id in another workspace has its own ledger")
		got, err := b.s.ContactGet(b.ctx, b.other.ID, "c-1")
		require.NoError(t, err)
		require.Nil(t, got.Preferences)
	})

	t.Run("TwoWritersAtOnce", func(t *testing.T) {
		// Writers set two categories in and out at once; every change
		// lands, each entry's old value is the one before it, and the
		// state is the last entry.
		c := sampleContact("c-1")
		c.Consents, c.OptOuts = []string{"a", "b"}, nil
		_, err := b.s.ContactUpsert(b.ctx, b.ws.ID, c)
		require.NoError(t, err)
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cat := []string{"a", "b"}[i%2]
				_, errs[i] = b.s.PreferenceApply(b.ctx, &store.PreferenceApplyParams{WorkspaceID: b.ws.ID,
					ContactID: "c-1", Sets: []model.PreferenceSet{set(cat, "email", []string{"out", "in"}[i/2%2])},
					Source: model.PrefByAPI, At: t1.Add(time.Hour)})
			}()
		}
		wg.Wait()
		for _, err := range errs {
			require.NoError(t, err)
		}
		list, err := b.s.PreferenceChangeList(b.ctx, &store.PreferenceChangeListParams{WorkspaceID: b.ws.ID,
			ContactID: "c-1", Limit: 100})
		require.NoError(t, err)
		last := map[string]string{}
		for i := len(list) - 1; i >= 0; i-- {
			ch := list[i]
			if ch.Category != "a" && ch.Category != "b" {
				continue
			}
			if prev := last[ch.Category]; prev != "" {
				require.Equal(t, prev, ch.Old, "entry %d continues from the one before", ch.ID)
			} else {
				require.Equal(t, "in", ch.Old, "consent to %s before", ch.Category)
			}
			require.NotEqual(t, ch.Old, ch.New)
			last[ch.Category] = ch.New
		}
		got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
		require.NoError(t, err)
		for _, cat := range []string{"a", "b"} {
			want := last[cat]
			require.NotEmpty(t, want)
			require.Equal(t, want, got.Effective(cat, "email"), "the state is the ledger's last entry for %s", cat)
		}
	})

	t.Run("OptOutWithoutConsent", func(t *testing.T) {
		// No consent to marketing: nothing reaches the contact, yet the
		// opt-out is recorded, so that a consent given later does not
		// undo it.
		changes := apply(t1.Add(3*time.Hour), model.PrefByOneClick, model.OptOutEverywhere("marketing")...)
		require.Len(t, changes, 2)
		got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
		require.NoError(t, err)
		require.Contains(t, got.OptOuts, "marketing")
		got.Consents = append(got.Consents, "marketing")
		require.Equal(t, model.ReasonOptedOut, got.Suppression("marketing", "email"))
		require.Empty(t, apply(t1.Add(4*time.Hour), model.PrefByOneClick, model.OptOutEverywhere("marketing")...),
			"a second one-click changes nothing")
	})

	t.Run("UnknownContact", func(t *testing.T) {
		_, err := b.s.PreferenceApply(b.ctx, &store.PreferenceApplyParams{WorkspaceID: b.ws.ID, ContactID: "c-404",
			Sets: []model.PreferenceSet{set("newsletter", "email", "out")}, Source: model.PrefByAPI, At: t1})
		require.ErrorIs(t, err, store.ErrNotFound)
	})

	t.Run("DeletedWithContact", func(t *testing.T) {
		require.NoError(t, b.s.ContactDelete(b.ctx, b.ws.ID, "c-1"))
		list, err := b.s.PreferenceChangeList(b.ctx, &store.PreferenceChangeListParams{WorkspaceID: b.ws.ID,
			ContactID: "c-1", Limit: 10})
		require.NoError(t, err)
		require.Empty(t, list, "a deleted contact's ledger goes with it")
	})
}
