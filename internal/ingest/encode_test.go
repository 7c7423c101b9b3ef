package ingest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Events to store are encoded while they are prepared, on the callers'
// goroutines, not in the (on SQLite serial) write transaction; a dry run
// encodes nothing.
func TestPreparedEventsAreEncodedBeforeTheTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"), contact("ben"))
	ins := []*Input{ping("anna", "ben"), ping("ben")}
	ps, err := f.g.prepareAll(f.ctx, f.st, f.ws, ins, start, false)
	require.NoError(t, err)
	require.Len(t, ps, 2)
	for _, p := range ps {
		require.NotEmpty(t, p.res.Event.Trace)
		require.Same(t, p.res.Event, p.event.Event)
		require.Equal(t, store.EncodeEvents([]*model.Event{p.res.Event})[0], p.event)
		require.Equal(t, store.EncodeMessages(p.res.Messages), p.messages)
		require.Len(t, p.messages, len(p.res.Messages))
	}
	require.Len(t, ps[0].messages, 2)

	dry, err := f.g.prepareAll(f.ctx, f.st, f.ws, ins, start, true)
	require.NoError(t, err)
	require.Nil(t, dry[0].event.Event)
	require.Nil(t, dry[0].messages)
}
