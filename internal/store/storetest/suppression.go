package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"SuppressionUpsertReplaces", testSuppressionUpsert},
		storeCase{"SuppressionGetManyCaseAndWorkspace", testSuppressionGetMany},
		storeCase{"SuppressionListSearchPages", testSuppressionList},
		storeCase{"SuppressionDelete", testSuppressionDelete})
}

func suppress(t *testing.T, b *bundle, ws int64, email string, kind model.SuppressionKind, evidence string) bool {
	t.Helper()
	created, err := b.s.SuppressionUpsert(b.ctx, &store.SuppressionUpsertParams{WorkspaceID: ws,
		Suppression: &model.Suppression{Email: email, Kind: kind, Evidence: evidence, CreatedAt: base}})
	require.NoError(t, err)
	return created
}

// testSuppressionUpsert: the first entry is created, a later one for the
// same address (any case) replaces it with the newer evidence and expiry.
func testSuppressionUpsert(t *testing.T, b *bundle) {
	require.True(t, suppress(t, b, b.ws.ID, "Anna@Example.org", model.SuppressionComplaint, "abuse"))
	exp := base.Add(48 * time.Hour)
	created, err := b.s.SuppressionUpsert(b.ctx, &store.SuppressionUpsertParams{WorkspaceID: b.ws.ID,
		Suppression: &model.Suppression{Email: "anna@example.org", Kind: model.SuppressionHardBounce,
			Evidence: "550 5.1.1 user unknown", MessageID: "m1", CreatedAt: base.Add(time.Hour), ExpiresAt: &exp}})
	require.NoError(t, err)
	require.False(t, created, "the address was listed already")
	got, err := b.s.SuppressionGetMany(b.ctx, b.ws.ID, []string{"anna@example.org"})
	require.NoError(t, err)
	require.Equal(t, &model.Suppression{Email: "anna@example.org", Kind: model.SuppressionHardBounce,
		Evidence: "550 5.1.1 user unknown", MessageID: "m1", CreatedAt: base.Add(time.Hour), ExpiresAt: &exp}, got["anna@example.org"])
}

// testSuppressionGetMany: lookups ignore case and never see another
// workspace's list.
func testSuppressionGetMany(t *testing.T, b *bundle) {
	suppress(t, b, b.ws.ID, "a@example.org", model.SuppressionManual, "")
	suppress(t, b, b.other.ID, "b@example.org", model.SuppressionManual, "")
	got, err := b.s.SuppressionGetMany(b.ctx, b.ws.ID, []string{"A@EXAMPLE.ORG", "b@example.org", "c@example.org"})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, model.SuppressionManual, got["a@example.org"].Kind)
	got, err = b.s.SuppressionGetMany(b.ctx, b.ws.ID, nil)
	require.NoError(t, err)
	require.Empty(t, got)
}

// testSuppressionList: pages in address order, searches by substring
// (a LIKE wildcard is matched literally), one workspace only.
func testSuppressionList(t *testing.T, b *bundle) {
	for _, e := range []string{"c@example.org", "a@example.org", "b@other.net", "x_y@example.org"} {
		suppress(t, b, b.ws.ID, e, model.SuppressionManual, "")
	}
	suppress(t, b, b.other.ID, "aa@example.org", model.SuppressionManual, "")
	emails := func(list []*model.Suppression) []string {
		var out []string
		for _, s := range list {
			out = append(out, s.Email)
		}
		return out
	}
	page, err := b.s.SuppressionList(b.ctx, &store.SuppressionListParams{WorkspaceID: b.ws.ID, Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"a@example.org", "b@other.net"}, emails(page))
	page, err = b.s.SuppressionList(b.ctx, &store.SuppressionListParams{WorkspaceID: b.ws.ID, After: "b@other.net", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"c@example.org", "x_y@example.org"}, emails(page))
	page, err = b.s.SuppressionList(b.ctx, &store.SuppressionListParams{WorkspaceID: b.ws.ID, Search: "EXAMPLE", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"a@example.org", "c@example.org", "x_y@example.org"}, emails(page))
	page, err = b.s.SuppressionList(b.ctx, &store.SuppressionListParams{WorkspaceID: b.ws.ID, Search: "_", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"x_y@example.org"}, emails(page))
}

// testSuppressionDelete: removes one workspace's entry; a second delete,
// or one from another workspace, is ErrNotFound.
func testSuppressionDelete(t *testing.T, b *bundle) {
	suppress(t, b, b.ws.ID, "a@example.org", model.SuppressionManual, "")
	err := b.s.SuppressionDelete(b.ctx, b.other.ID, "a@example.org")
	require.True(t, errors.Is(err, store.ErrNotFound), "got %v", err)
	require.NoError(t, b.s.SuppressionDelete(b.ctx, b.ws.ID, "A@example.org"))
	err = b.s.SuppressionDelete(b.ctx, b.ws.ID, "a@example.org")
	require.True(t, errors.Is(err, store.ErrNotFound), "got %v", err)
}
