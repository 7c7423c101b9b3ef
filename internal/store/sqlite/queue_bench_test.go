package sqlite

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// BenchmarkQueue measures a message's way through the store, per message:
// inserted with its event (insert), claimed in batches of 256 (claim),
// recorded as sent in batches of 256 (record).
//
//	go test -run '^$' -bench Queue -benchtime 20000x ./internal/store/sqlite/
func BenchmarkQueue(b *testing.B) {
	s, ws := benchStore(b)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	html := strings.Repeat("<p>Die Saison beginnt: Für die Messe Köln suchen wir wieder Promoter.</p>\n", 12)
	const batch = 256
	seq := 0 // ids go on across the runs of a sub-benchmark
	b.Run("insert", func(b *testing.B) {
		for i := 0; i < b.N; i += batch {
			n := min(batch, b.N-i)
			evs := make([]*model.Event, n)
			ms := make([]*model.Message, n)
			for j := range n {
				seq++
				id := fmt.Sprintf("%08d", seq)
				evs[j] = &model.Event{ID: "e" + id, Type: "mailing", Project: "p", Actors: map[string][]string{"contact": {"c" + id}},
					Data: map[string]any{"schedule": "mailing"}, OccurredAt: now, ReceivedAt: now, Source: model.SourceSchedule,
					Trace: []model.Step{{Code: model.StepEventReceived}, {Code: model.StepMessageQueued, Message: "m" + id}}}
				ms[j] = &model.Message{ID: "m" + id, EventID: "e" + id, EventType: "mailing", Project: "p", Flow: "f",
					Notification: "n", Template: "t", Channel: model.ChannelEmail, Category: "newsletter", Locale: "de",
					To: model.Address{ContactID: "c" + id, Email: "c" + id + "@example.org", Name: "Person " + id},
					CC: []model.Address{}, BCC: []model.Address{}, From: "Agentur <news@agentur.example>",
					Subject: "Hallo Person " + id, HTML: html, Text: html, MessageID: "m" + id + "@agentur.example",
					Status: model.MsgQueued, QueuedAt: &now, CreatedAt: now, UpdatedAt: now,
					Timeline: []model.MessageEvent{{At: now, Status: model.MsgPlanned}, {At: now, Status: model.MsgQueued}}}
			}
			err := s.WithTx(ctx, func(tx store.Tx) error {
				if err := tx.EventInsertMany(ctx, ws.ID, evs); err != nil {
					return err
				}
				return tx.MessageInsertMany(ctx, ws.ID, ms)
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	var claimed []store.ClaimedMessage
	b.Run("claim", func(b *testing.B) {
		claimed = claimed[:0]
		for i := 0; i < b.N; i += batch {
			got, err := s.MessageClaim(ctx, &store.MessageClaimParams{Owner: "p", Now: now, LeaseUntil: now.Add(time.Minute),
				Limit: min(batch, b.N-i)})
			if err != nil {
				b.Fatal(err)
			}
			claimed = append(claimed, got...)
		}
	})
	b.Run("record", func(b *testing.B) {
		for i := 0; i < b.N && i < len(claimed); i += batch {
			var outs []*store.MessageOutcome
			for _, c := range claimed[i:min(i+batch, b.N, len(claimed))] {
				outs = append(outs, &store.MessageOutcome{WorkspaceID: ws.ID, ID: c.ID, Owner: "p", To: model.MsgSent,
					Delivered: true, Attempts: 1, LastReply: "250 2.0.0 Ok: queued as 4F2A1", SentAt: &now, At: now,
					Entries: []model.MessageEvent{{At: now, Status: model.MsgSending, Attempt: 1},
						{At: now, Status: model.MsgSent, Attempt: 1, Detail: "250 2.0.0 Ok: queued as 4F2A1"}}})
			}
			if _, err := s.MessageRecord(ctx, outs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchStore opens a migrated store in a temporary file, closed when b
// ends, with one workspace.
func benchStore(b *testing.B) (*Store, *model.Workspace) {
	s, err := Open(b.TempDir()+"/herold.db", Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	ws := &model.Workspace{Key: "w", Name: "W", DefaultLocale: "de", Timezone: "Europe/Berlin", RetentionDays: 30,
		ConfirmationExpiryHours: 168}
	if err := s.WorkspaceInsert(ctx, ws); err != nil {
		b.Fatal(err)
	}
	return s, ws
}
