package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func testSecrets(t *testing.T, b *bundle) {
	first := []byte("first candidate, 32 bytes long!!")
	got, err := b.s.SecretGetOrCreate(b.ctx, "unsubscribe", first, base)
	require.NoError(t, err)
	require.Equal(t, first, got, "the first call stores its candidate")
	got, err = b.s.SecretGetOrCreate(b.ctx, "unsubscribe", []byte("another candidate"), base.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, first, got, "later calls get the stored secret, not their candidate")
	got, err = b.s.SecretGetOrCreate(b.ctx, "other", []byte("x"), base)
	require.NoError(t, err)
	require.Equal(t, []byte("x"), got, "names are separate secrets")

	// Replicas racing to create a secret all end up with the same one.
	var wg sync.WaitGroup
	results := make([][]byte, 8)
	errs := make([]error, len(results))
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = b.s.SecretGetOrCreate(b.ctx, "raced", []byte{byte(i)}, base)
		}()
	}
	wg.Wait()
	for i := range results {
		require.NoError(t, errs[i])
		require.Equal(t, results[0], results[i])
	}
}

func testContactOptOut(t *testing.T, b *bundle) {
	c := sampleContact("c-1")
	c.OptOuts = []string{"birthday"}
	_, err := b.s.ContactUpsert(b.ctx, b.ws.ID, c)
	require.NoError(t, err)
	_, err = b.s.ContactUpsert(b.ctx, b.other.ID, sampleContact("c-1"))
	require.NoError(t, err)

	later := base.Add(time.Hour)
	p := &store.ContactOptOutParams{WorkspaceID: b.ws.ID, ContactID: "c-1", Category: "newsletter", At: later}
	added, err := b.s.ContactOptOut(b.ctx, p)
	require.NoError(t, err)
	require.True(t, added)
	got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, []string{"birthday", "newsletter"}, got.OptOuts)
	require.Equal(t, later, got.UpdatedAt)
	require.True(t, got.OptedOut("newsletter"))

	p.At = later.Add(time.Hour)
	added, err = b.s.ContactOptOut(b.ctx, p)
	require.NoError(t, err)
	require.False(t, added, "a second opt-out of the same category changes nothing")
	got, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, []string{"birthday", "newsletter"}, got.OptOuts)
	require.Equal(t, later, got.UpdatedAt)

	got, err = b.s.ContactGet(b.ctx, b.other.ID, "c-1")
	require.NoError(t, err)
	require.Empty(t, got.OptOuts, "the same id in another workspace is untouched")

	_, err = b.s.ContactOptOut(b.ctx, &store.ContactOptOutParams{WorkspaceID: b.ws.ID, ContactID: "c-404",
		Category: "newsletter", At: later})
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testMessageEventAppend(t *testing.T, b *bundle) {
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-1", base)))
	m := sampleMessage("msg-1", "evt-1", model.MsgSent, base)
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{m}))

	at := base.Add(time.Hour)
	entry := model.MessageEvent{At: at, Status: model.MsgUnsubscribed, Actor: "anna@example.org", Detail: "newsletter"}
	require.NoError(t, b.s.MessageEventAppend(b.ctx, b.ws.ID, "msg-1", &entry))
	got, err := b.s.MessageGet(b.ctx, b.ws.ID, "msg-1")
	require.NoError(t, err)
	require.Equal(t, model.MsgSent, got.Status, "the status stays")
	require.Equal(t, []model.MessageEvent{m.Timeline[0], m.Timeline[1], entry}, got.Timeline)

	require.ErrorIs(t, b.s.MessageEventAppend(b.ctx, b.other.ID, "msg-1", &entry), store.ErrNotFound,
		"another workspace cannot write to the message's timeline")
	require.ErrorIs(t, b.s.MessageEventAppend(b.ctx, b.ws.ID, "msg-404", &entry), store.ErrNotFound)
}
