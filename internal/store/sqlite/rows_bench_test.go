package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// BenchmarkWriterTurn measures, per event of W1-max's shape (a trace of
// 3 notifications × 2 recipients, 6 messages), the time a group of 256
// events holds SQLite's one writer: "models" encodes the JSON columns in
// the transaction (EventInsertMany, MessageInsertMany), "rows" before it
// (store.EncodeEvents, store.EncodeMessages, as ingest does), outside the
// timed turn; "encode" is the encoding alone, what "rows" saves the
// writer. Building the models is not timed. "spread" is "rows" with each
// message to another of a million contacts instead of each event to two
// new ones: their entries in messages_to_contact land on pages all over
// the index instead of at its end, as a real installation's history does
// once it has grown. Compare the two each in a process of its own (the
// cases share one database) with a large -benchtime, a grown database.
//
//	go test -run '^$' -bench WriterTurn -benchtime 5000x -count 4 ./internal/store/sqlite/
//	for c in rows spread; do go test -run '^$' -bench "WriterTurn/$c\$" -benchtime 60000x ./internal/store/sqlite/; done
func BenchmarkWriterTurn(b *testing.B) {
	s, ws := benchStore(b)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const batch = 256
	seq := 0
	turn := func(b *testing.B, encodeBefore bool, to recipient) {
		for i := 0; i < b.N; i += batch {
			b.StopTimer()
			evs, ms := w1EventsTo(&seq, min(batch, b.N-i), now, to)
			var evRows []store.EventRow
			var msRows []store.MessageRow
			if encodeBefore {
				evRows, msRows = store.EncodeEvents(evs), store.EncodeMessages(ms)
			}
			b.StartTimer()
			err := s.WithTx(ctx, func(tx store.Tx) error {
				if encodeBefore {
					if err := tx.EventInsertRows(ctx, ws.ID, evRows); err != nil {
						return err
					}
					return tx.MessageInsertRows(ctx, ws.ID, "", time.Time{}, msRows)
				}
				if err := tx.EventInsertMany(ctx, ws.ID, evs); err != nil {
					return err
				}
				return tx.MessageInsertMany(ctx, ws.ID, ms)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("models", func(b *testing.B) { turn(b, false, newRecipients) })
	b.Run("rows", func(b *testing.B) { turn(b, true, newRecipients) })
	b.Run("spread", func(b *testing.B) { turn(b, true, spreadRecipients) })
	// encode is what rows moves out of the turn.
	b.Run("encode", func(b *testing.B) {
		for i := 0; i < b.N; i += batch {
			b.StopTimer()
			evs, ms := w1Events(&seq, min(batch, b.N-i), now)
			b.StartTimer()
			store.EncodeEvents(evs)
			store.EncodeMessages(ms)
		}
	})
}

// recipient is the contact id of recipient r (0 or 1) of notification k
// (0–2) of event seq.
type recipient func(seq, k, r int) string

// newRecipients gives each event two contacts of its own (c1…, c2…).
func newRecipients(seq, _, r int) string { return fmt.Sprintf("c%d%08d", r+1, seq) }

// spreadRecipients sends each message to one of 1,000,003 contacts, far
// from the previous message's (a stride that is prime to the modulus).
func spreadRecipients(seq, k, r int) string {
	return fmt.Sprintf("c%07d", (seq*7919+k*104729+r*1299709)%1000003)
}

// w1Events builds n events of W1-max's shape (a trace of 3 notifications ×
// 2 recipients) and their 6 messages each, numbered on from *seq.
func w1Events(seq *int, n int, now time.Time) ([]*model.Event, []*model.Message) {
	return w1EventsTo(seq, n, now, newRecipients)
}

// w1EventsTo is w1Events with the recipients to gives.
func w1EventsTo(seq *int, n int, now time.Time, to recipient) ([]*model.Event, []*model.Message) {
	evs := make([]*model.Event, n)
	var ms []*model.Message
	for j := range n {
		*seq++
		id := fmt.Sprintf("%08d", *seq)
		ev := &model.Event{ID: "e" + id, Type: "booking.confirmed", Project: "messe",
			Actors: map[string][]string{"promoter": {"c1" + id, "c2" + id}},
			Data:   map[string]any{"job": "Messe Köln", "hours": "8", "shift": "früh"}, OccurredAt: now, ReceivedAt: now,
			Source: model.SourceAPI, Trace: []model.Step{{Code: model.StepEventReceived,
				Params: map[string]string{"type": "booking.confirmed", "project": "messe"}},
				{Code: model.StepFlowUsed, Params: map[string]string{"flow": "standard", "version": "3"}}}}
		for k := range 3 {
			n := fmt.Sprintf("n%d", k)
			ev.Trace = append(ev.Trace, model.Step{Code: model.StepNotificationMatched, Notification: n})
			for r := range 2 {
				mid := fmt.Sprintf("m%s-%d-%d", id, k, r)
				to := to(*seq, k, r)
				ev.Trace = append(ev.Trace, model.Step{Code: model.StepMessageQueued, Notification: n, Recipient: to,
					Message: mid, Params: map[string]string{"channel": "email", "locale": "de"}})
				ms = append(ms, &model.Message{ID: mid, EventID: ev.ID, EventType: ev.Type, Project: "messe", Flow: "standard",
					FlowVersion: 3, Notification: n, Template: "t", Channel: model.ChannelEmail, Category: "transactional",
					Locale: "de", To: model.Address{ContactID: to, Email: to + "@example.org", Name: "Person " + to},
					CC: []model.Address{}, BCC: []model.Address{}, From: "Agentur <info@agentur.example>",
					Subject: "Buchung bestätigt", HTML: "<p>Hallo</p>", Text: "Hallo", MessageID: mid + "@agentur.example",
					Status: model.MsgQueued, QueuedAt: &now, CreatedAt: now, UpdatedAt: now,
					Timeline: []model.MessageEvent{{At: now, Status: model.MsgPlanned}, {At: now, Status: model.MsgQueued}}})
			}
		}
		evs[j] = ev
	}
	return evs, ms
}
