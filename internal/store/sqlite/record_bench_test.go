package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// BenchmarkRecordTurn measures, per message, the time recording a batch
// of 256 delivered outcomes (W2's shape: "sending" and "sent" entries)
// holds SQLite's one writer: "entries" has MessageRecord encode the
// timeline entries in the transaction, "encoded" gets them encoded
// before it (store.EncodeOutcomes, as the dispatcher does); "encode" is
// the encoding alone, what "encoded" saves the writer. Queueing and
// claiming the messages is not timed.
//
//	go test -run '^$' -bench RecordTurn -benchtime 5120x -count 4 ./internal/store/sqlite/
func BenchmarkRecordTurn(b *testing.B) {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const batch = 256
	turn := func(b *testing.B, encodeBefore bool) {
		s, ws := benchStore(b)
		ev := &model.Event{ID: "e", Type: "newsletter", Project: "p", Actors: map[string][]string{}, Data: map[string]any{},
			OccurredAt: now, ReceivedAt: now, Source: model.SourceAPI}
		if err := s.EventInsert(ctx, ws.ID, ev); err != nil {
			b.Fatal(err)
		}
		seq := 0
		for i := 0; i < b.N; i += batch {
			b.StopTimer()
			n := min(batch, b.N-i)
			ms := make([]*model.Message, n)
			for k := range ms {
				seq++
				id := fmt.Sprintf("m%08d", seq)
				ms[k] = &model.Message{ID: id, EventID: ev.ID, EventType: ev.Type, Channel: model.ChannelEmail,
					Category: "newsletter", To: model.Address{Email: id + "@example.org"}, CC: []model.Address{},
					BCC: []model.Address{}, From: "News <news@example.org>", Subject: "Hallo", Text: "Hallo",
					MessageID: id + "@example.org", Status: model.MsgQueued, QueuedAt: &now, CreatedAt: now, UpdatedAt: now,
					Timeline: []model.MessageEvent{{At: now, Status: model.MsgPlanned}, {At: now, Status: model.MsgQueued}}}
			}
			if err := s.MessageInsertMany(ctx, ws.ID, ms); err != nil {
				b.Fatal(err)
			}
			claimed, err := s.MessageClaim(ctx, &store.MessageClaimParams{Owner: "p", Now: now,
				LeaseUntil: now.Add(time.Minute), Limit: n})
			if err != nil || len(claimed) != n {
				b.Fatal(len(claimed), err)
			}
			outcomes := make([]*store.MessageOutcome, n)
			for k, c := range claimed {
				sent := now.Add(time.Duration(k) * time.Millisecond)
				reply := "250 2.0.0 Ok: queued as " + c.ID
				outcomes[k] = &store.MessageOutcome{WorkspaceID: ws.ID, ID: c.ID, Owner: "p", To: model.MsgSent,
					Delivered: true, Attempts: 1, LastReply: reply, SentAt: &sent, At: sent,
					Entries: []model.MessageEvent{{At: now, Status: model.MsgSending, Attempt: 1},
						{At: sent, Status: model.MsgSent, Attempt: 1, Detail: reply}}}
			}
			if encodeBefore {
				store.EncodeOutcomes(outcomes)
			}
			b.StartTimer()
			err = s.WithTx(ctx, func(tx store.Tx) error {
				_, err := tx.MessageRecord(ctx, outcomes)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("entries", func(b *testing.B) { turn(b, false) })
	b.Run("encoded", func(b *testing.B) { turn(b, true) })
	// encode is what "encoded" moves out of the turn.
	b.Run("encode", func(b *testing.B) {
		outcomes := make([]*store.MessageOutcome, batch)
		for k := range outcomes {
			sent := now.Add(time.Duration(k) * time.Millisecond)
			reply := fmt.Sprintf("250 2.0.0 Ok: queued as m%08d", k)
			outcomes[k] = &store.MessageOutcome{Entries: []model.MessageEvent{{At: now, Status: model.MsgSending, Attempt: 1},
				{At: sent, Status: model.MsgSent, Attempt: 1, Detail: reply}}}
		}
		for i := 0; i < b.N; i += batch {
			store.EncodeOutcomes(outcomes[:min(batch, b.N-i)])
		}
	})
}
