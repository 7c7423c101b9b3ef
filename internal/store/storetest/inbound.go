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
		storeCase{"InboundMessageDedupCountPurge", testInboundMessages})
}

// testInboundMessages: a message with the same Message-ID and content hash
// is stored once per workspace; counts see one address, kind, workspace
// and time window (the boundary included); purge deletes what is older
// than its time, in bounded batches, in one workspace.
func testInboundMessages(t *testing.T, b *bundle) {
	in := func(ws int64, id, hash, kind string, at time.Time) bool {
		t.Helper()
		created, err := b.s.InboundMessageInsert(b.ctx, ws, &model.InboundMessage{ID: id, HeaderID: "m@x", ContentHash: hash,
			Kind: kind, Address: "anna@example.org", Evidence: "{}", Raw: []byte("raw"), ReceivedAt: at})
		require.NoError(t, err)
		return created
	}
	require.True(t, in(b.ws.ID, "i1", "h1", "soft_bounce", base))
	require.False(t, in(b.ws.ID, "i2", "h1", "soft_bounce", base), "same Message-ID and hash: a duplicate")
	require.True(t, in(b.other.ID, "i3", "h1", "soft_bounce", base), "another workspace's copy is its own")
	require.True(t, in(b.ws.ID, "i4", "h2", "soft_bounce", base.Add(time.Hour)))
	require.True(t, in(b.ws.ID, "i5", "h3", "hard_bounce", base.Add(time.Hour)))

	count := func(since time.Time) int {
		n, err := b.s.InboundMessageCount(b.ctx, &store.InboundCountParams{WorkspaceID: b.ws.ID, Address: "anna@example.org",
			Kind: "soft_bounce", Since: since})
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 2, count(base))
	require.Equal(t, 1, count(base.Add(time.Millisecond)))

	n, err := b.s.InboundMessagePurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: base.Add(time.Hour), Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 1, n, "only i1 is older")
	require.Equal(t, 1, count(base))
	n, err = b.s.InboundMessagePurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: base.Add(2 * time.Hour), Limit: 1})
	require.NoError(t, err)
	require.Equal(t, 1, n, "the limit bounds a batch")
}
