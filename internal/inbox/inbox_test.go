package inbox

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

var t0 = time.Date(2028, 2, 29, 23, 59, 0, 0, time.UTC)

type fixture struct {
	x     *Inbox
	ws    *model.Workspace
	clock *clock.Fake
}

func setup(t *testing.T, cfg Config) fixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	ws := &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin",
		RetentionDays: 30, ConfirmationExpiryHours: 1, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, st.WorkspaceInsert(context.Background(), ws))
	clk := clock.NewFake(t0)
	cfg.Store, cfg.Clock = st, clk
	x, err := New(cfg)
	require.NoError(t, err)
	return fixture{x: x, ws: ws, clock: clk}
}

// TestAuthenticate: the token's edges (a second before and at expiry, 24
// hours and a minute's tolerance), the previous secret after a rotation,
// and workspaces that do not match.
func TestAuthenticate(t *testing.T) {
	t.Parallel()
	f := setup(t, Config{})
	ctx := context.Background()
	_, _, err := f.x.Authenticate(ctx, "acme", client.FeedToken("s", "acme", "anna", t0.Add(time.Hour)))
	require.ErrorIs(t, err, ErrTokenSignature, "no secret yet: nothing is valid")
	old, err := f.x.RotateSecret(ctx, f.ws)
	require.NoError(t, err)
	tests := []struct {
		name  string
		token string
		ws    string
		want  error
	}{
		{"valid", client.FeedToken(old, "acme", "anna", t0.Add(time.Hour)), "acme", nil},
		{"a second before expiry", client.FeedToken(old, "acme", "anna", t0.Add(time.Second)), "acme", nil},
		{"at expiry", client.FeedToken(old, "acme", "anna", t0), "acme", ErrTokenExpired},
		{"24 hours ahead", client.FeedToken(old, "acme", "anna", t0.Add(MaxTokenTTL)), "acme", nil},
		{"24 hours and 2 minutes ahead", client.FeedToken(old, "acme", "anna", t0.Add(MaxTokenTTL+2*time.Minute)), "acme", ErrTokenTooLong},
		{"forged", client.FeedToken("guess", "acme", "anna", t0.Add(time.Hour)), "acme", ErrTokenSignature},
		{"other workspace in the URL", client.FeedToken(old, "acme", "anna", t0.Add(time.Hour)), "other", ErrTokenWorkspace},
		{"unknown workspace", client.FeedToken(old, "nope", "anna", t0.Add(time.Hour)), "nope", ErrTokenSignature},
		{"no dot", "abc", "acme", ErrTokenMalformed},
		{"empty claims", "e30.abc", "acme", ErrTokenMalformed},
		{"missing", "", "acme", ErrTokenMissing},
	}
	for _, tt := range tests {
		_, contact, err := f.x.Authenticate(ctx, tt.ws, tt.token)
		if tt.want != nil {
			require.ErrorIs(t, err, tt.want, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		require.Equal(t, "anna", contact, tt.name)
	}
	newer, err := f.x.RotateSecret(ctx, f.ws)
	require.NoError(t, err)
	require.NotEqual(t, old, newer)
	for _, s := range []string{old, newer} {
		_, _, err := f.x.Authenticate(ctx, "acme", client.FeedToken(s, "acme", "anna", t0.Add(time.Hour)))
		require.NoError(t, err, "during a rotation both secrets sign")
	}
}

// TestDeliverOnce: a retried delivery of one message adds no second item
// and says so in its reply.
func TestDeliverOnce(t *testing.T) {
	t.Parallel()
	f := setup(t, Config{})
	m := &model.Message{ID: "m1", Channel: model.ChannelInApp, To: model.Address{ContactID: "anna"},
		InApp: &model.InAppContent{Title: "T", Link: "/x"}}
	reply, err := f.x.Deliver(context.Background(), f.ws, m)
	require.NoError(t, err)
	require.Equal(t, "feed item 1", reply)
	reply, err = f.x.Deliver(context.Background(), f.ws, m)
	require.NoError(t, err)
	require.Equal(t, "already in the feed as item 1", reply)
	pg, err := f.x.List(context.Background(), f.ws, "anna", ListParams{})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	require.Equal(t, "/x", pg.Items[0].Link)
	require.Equal(t, 1, pg.Counts.Unread)
	_, err = f.x.Mark(context.Background(), f.ws, "anna", MarkParams{Mark: model.FeedSnoozed, Seqs: []int64{1}})
	require.ErrorContains(t, err, "until", "a snooze needs its end")
}
