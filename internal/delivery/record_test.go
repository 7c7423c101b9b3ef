package delivery

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

// The recorder encodes each outcome's timeline entries before the
// transaction, so SQLite's one writer only binds them; what is stored is
// the same timeline.
func TestRecordEncodesTimelinesBeforeTheTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids := f.queue(5)
	var mu sync.Mutex
	var seen []*store.MessageOutcome
	d := f.dispatcher(func(c *Config) {
		c.AfterRecord = func(_ context.Context, _ store.Tx, outcomes []*store.MessageOutcome, _ []bool) error {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, outcomes...)
			return nil
		}
	})
	d.Notify()
	f.waitStatus(ids, model.MsgSent)
	waitIdle(t, d)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 5)
	for _, o := range seen {
		require.Len(t, o.Entries, 2, o.ID)
		require.Equal(t, string(dbutil.Timeline(o.Entries)), o.Timeline, "%s: encoded before the write", o.ID)
	}
	m := f.message(ids[0])
	require.Equal(t, []model.MessageStatus{model.MsgPlanned, model.MsgQueued, model.MsgSending, model.MsgSent}, statuses(m.Timeline))
}

// A delivered message logs nothing, and so costs its attempt's log no
// allocation; one that did not deliver is logged at WARN.
func TestLogAttemptIsFreeForASentMessage(t *testing.T) { // not parallel: AllocsPerRun
	f := newFixture(t)
	d, err := New(Config{Store: f.st, Capture: true, Compose: compose, Owner: "test-owner", Clock: f.clock})
	require.NoError(t, err)
	j := &job{ws: f.ws.ID, msg: f.messages(1)[0]}
	allocs := testing.AllocsPerRun(100, func() { d.logAttempt(j, Decision{Verdict: Sent, Reply: "250 2.0.0 OK"}) })
	require.Zero(t, allocs)
}
