package service

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// broadcastSetup is a service on a real SQLite file with a fake clock and
// no background loops: tests send batches with SendDueBroadcast.
type broadcastSetup struct {
	ctx context.Context
	s   *Service
	clk *clock.Fake
	ws  *model.Workspace
}

var broadcastT0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

func newBroadcastSetup(t *testing.T) *broadcastSetup {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(broadcastT0)
	s, err := New(Config{Store: openSQLite(t), Clock: clk})
	require.NoError(t, err)
	created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "verein", AllowedSenders: []string{"verein.example"},
		WorkspaceSettings: WorkspaceSettings{Sender: model.Sender{From: "Verein <info@verein.example>"}}})
	require.NoError(t, err)
	return &broadcastSetup{ctx: ctx, s: s, clk: clk, ws: created.Workspace}
}

// members stores n contacts m-0001 …: every 10th without consent to the
// newsletter, every 25th opted out of it, every 7th "gekündigt".
func (b *broadcastSetup) members(t *testing.T, n int) {
	t.Helper()
	cs := make([]*model.Contact, n)
	for i := range cs {
		c := &model.Contact{ID: fmt.Sprintf("m-%04d", i+1), Email: fmt.Sprintf("m%d@example.org", i+1), Name: "Mitglied",
			Consents: []string{"newsletter"}, OptOuts: []string{}, Attributes: map[string]any{"status": "aktiv"},
			CreatedAt: broadcastT0, UpdatedAt: broadcastT0}
		if i%10 == 0 {
			c.Consents = []string{}
		}
		if i%25 == 1 {
			c.OptOuts = []string{"newsletter"}
		}
		if i%7 == 2 {
			c.Attributes["status"] = "gekündigt"
		}
		cs[i] = c
	}
	require.NoError(t, b.s.store.WithTx(b.ctx, func(tx store.Tx) error { return tx.ContactUpsertMany(b.ctx, b.ws.ID, cs) }))
}

// step sends the next due batch, reporting whether one was due.
func (b *broadcastSetup) step(t *testing.T) bool {
	t.Helper()
	worked, err := b.s.SendDueBroadcast(b.ctx, "test", 30*time.Second)
	require.NoError(t, err)
	return worked
}

func (b *broadcastSetup) report(t *testing.T, key string) *BroadcastReport {
	t.Helper()
	r, err := b.s.BroadcastReportGet(b.ctx, b.ws, key)
	require.NoError(t, err)
	return r
}

// dueOf returns when the broadcast's message to contact may be sent.
func (b *broadcastSetup) dueOf(t *testing.T, key, contact string) time.Time {
	t.Helper()
	ev, err := b.s.store.EventGetByIdempotencyKey(b.ctx, b.ws.ID, "broadcast:"+key+":"+contact)
	require.NoError(t, err)
	ms, err := b.s.store.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, EventID: ev.ID, Limit: 2})
	require.NoError(t, err)
	require.Len(t, ms, 1)
	require.Equal(t, model.MsgQueued, ms[0].Status)
	require.NotNil(t, ms[0].NextAttemptAt)
	return ms[0].NextAttemptAt.UTC()
}

func newsletter(key string) *model.Broadcast {
	return &model.Broadcast{Key: key, Name: "Mitgliederbrief", Category: "newsletter",
		Content: &model.TemplateContent{Subject: "{{ .data.title }}",
			HTML: "<h1>{{ .data.title }}</h1>{{ range .data.articles }}<p>{{ .title }}</p>{{ end }}",
			Text: "{{ .data.title }} für {{ .recipient.name }}"},
		Data: map[string]any{"title": "Ausgabe 3", "articles": []any{map[string]any{"title": "Sommerfest"}}}}
}

// TestBroadcastPacing sends 250 members at 100 messages a minute: each
// batch waits as long as the previous one's messages take at that pace,
// to the second, and the report counts what the messages say.
func TestBroadcastPacing(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t)
	b.members(t, 250)
	nl := newsletter("nl-pace")
	nl.PerMinute = 100
	_, err := b.s.BroadcastPut(b.ctx, b.ws, nl)
	require.NoError(t, err)
	require.False(t, b.step(t), "a draft is not sent")
	got, err := b.s.BroadcastStart(b.ctx, b.ws, "nl-pace", nil)
	require.NoError(t, err)
	require.Equal(t, model.BroadcastRunning, got.Status)

	require.True(t, b.step(t))
	require.Equal(t, 100, b.report(t, "nl-pace").Messages, "one minute's worth")
	// Spread over the minute: the 100th waits 59.4 s in the queue.
	require.Equal(t, broadcastT0.Add(59400*time.Millisecond), b.dueOf(t, "nl-pace", "m-0100"))
	require.Equal(t, broadcastT0.Add(1200*time.Millisecond), b.dueOf(t, "nl-pace", "m-0003"))
	b.clk.Advance(59 * time.Second)
	require.False(t, b.step(t), "59 seconds later the next batch is not due yet")
	b.clk.Advance(time.Second)
	require.True(t, b.step(t))
	require.Equal(t, 200, b.report(t, "nl-pace").Messages)
	b.clk.Advance(time.Minute)
	require.True(t, b.step(t))
	require.False(t, b.step(t))

	r := b.report(t, "nl-pace")
	require.Equal(t, model.BroadcastDone, r.Status)
	require.Equal(t, 250, r.Scanned)
	require.Equal(t, 250, r.Audience)
	require.Equal(t, 250, r.Messages)
	// i%10 == 0: no consent (25); i%25 == 1 and consent: opted out (10).
	require.Equal(t, map[string]int{"no_consent": 25, "opted_out": 10}, r.SuppressedBy)
	require.Equal(t, 215, r.Queued, "no delivery runs in this test: the rest waits")
	require.NotNil(t, r.FinishedAt)
	require.True(t, r.FinishedAt.Equal(broadcastT0.Add(2*time.Minute)))
}

// TestBroadcastStates walks a broadcast through pause, resume and cancel
// with an audience condition: a paused batch is rolled back whole, resume
// goes on from the stored cursor, cancel suppresses what waits, and
// nothing is ever emitted twice.
func TestBroadcastStates(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t)
	b.members(t, 1200)
	nl := newsletter("nl")
	nl.Audience = `contact.status == "aktiv"`
	_, err := b.s.BroadcastPut(b.ctx, b.ws, nl)
	require.NoError(t, err)

	start := broadcastT0.Add(time.Hour)
	got, err := b.s.BroadcastStart(b.ctx, b.ws, "nl", &start)
	require.NoError(t, err)
	require.Equal(t, model.BroadcastScheduled, got.Status)
	require.False(t, b.step(t), "not before its start")
	b.clk.Set(start)
	require.True(t, b.step(t), "due exactly at its start")
	r := b.report(t, "nl")
	require.Equal(t, 500, r.Scanned)
	first := r.Messages
	require.Equal(t, r.Audience, first)

	// Paused while a batch is claimed: that batch stores nothing.
	c, err := b.s.store.BroadcastClaim(b.ctx, &store.RunClaimParams{Owner: "other", Now: start, LeaseUntil: start.Add(time.Minute)})
	require.NoError(t, err)
	_, err = b.s.BroadcastPause(b.ctx, b.ws, "nl")
	require.NoError(t, err)
	require.ErrorIs(t, b.s.sendBatch(b.ctx, "other", c, start), errBroadcastStopped)
	require.Equal(t, first, b.report(t, "nl").Messages, "the paused batch was rolled back")
	require.False(t, b.step(t), "a paused broadcast is not due")

	var conflict *ConflictError
	_, err = b.s.BroadcastPut(b.ctx, b.ws, newsletter("nl"))
	require.ErrorAs(t, err, &conflict, "a started broadcast's content stays")
	require.ErrorAs(t, b.s.BroadcastDelete(b.ctx, b.ws, "nl"), &conflict)
	require.Contains(t, conflict.Detail, "cancel it instead", "a paused broadcast can be cancelled")
	_, err = b.s.BroadcastStart(b.ctx, b.ws, "nl", nil)
	require.ErrorAs(t, err, &conflict)

	_, err = b.s.BroadcastResume(b.ctx, b.ws, "nl")
	require.NoError(t, err)
	require.True(t, b.step(t))
	r = b.report(t, "nl")
	require.Equal(t, 1000, r.Scanned, "goes on after the first 500")

	// A sender that died holding the lease: taken over when it runs out,
	// from the stored cursor.
	_, err = b.s.store.BroadcastClaim(b.ctx, &store.RunClaimParams{Owner: "dead", Now: start, LeaseUntil: start.Add(30 * time.Second)})
	require.NoError(t, err)
	require.False(t, b.step(t), "held by the dead sender's lease")
	b.clk.Advance(30 * time.Second)
	require.True(t, b.step(t))
	r = b.report(t, "nl")
	require.Equal(t, 1200, r.Scanned)
	require.Equal(t, model.BroadcastDone, r.Status)
	aktiv := 0
	for i := range 1200 {
		if i%7 != 2 {
			aktiv++
		}
	}
	require.Equal(t, aktiv, r.Audience)
	require.Zero(t, r.Errors, "%v", r.ErrorSamples)
	require.Equal(t, aktiv, r.Messages, "one event and message per audience contact, none twice")

	// Cancel after the end is refused; a fresh one is cancelled while
	// its messages wait: they are suppressed with the reason.
	_, err = b.s.BroadcastCancel(b.ctx, b.ws, "nl")
	require.ErrorAs(t, err, &conflict)
	// Nor does deleting it suggest the cancel that is refused.
	require.ErrorAs(t, b.s.BroadcastDelete(b.ctx, b.ws, "nl"), &conflict)
	require.NotContains(t, conflict.Detail, "cancel it")
	require.Contains(t, conflict.Detail, "stays with its report")
	_, err = b.s.BroadcastPut(b.ctx, b.ws, newsletter("nl-2"))
	require.NoError(t, err)
	_, err = b.s.BroadcastStart(b.ctx, b.ws, "nl-2", nil)
	require.NoError(t, err)
	require.True(t, b.step(t))
	_, err = b.s.BroadcastCancel(b.ctx, b.ws, "nl-2")
	require.NoError(t, err)
	require.False(t, b.step(t), "a cancelled broadcast sends nothing more")
	r = b.report(t, "nl-2")
	require.Equal(t, model.BroadcastCancelled, r.Status)
	require.Equal(t, 500, r.Messages)
	require.Zero(t, r.Queued)
	require.Equal(t, 500-r.SuppressedBy["no_consent"]-r.SuppressedBy["opted_out"], r.SuppressedBy["broadcast_cancelled"])
	_, err = b.s.BroadcastResume(b.ctx, b.ws, "nl-2")
	require.ErrorAs(t, err, &conflict, "cancelled is final")
}

// TestBroadcastExplained: a broadcast's event says which broadcast it came
// from, and a member without consent is told why they got nothing.
func TestBroadcastExplained(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t)
	b.members(t, 3)
	_, err := b.s.BroadcastPut(b.ctx, b.ws, newsletter("nl"))
	require.NoError(t, err)

	p, err := b.s.BroadcastPreviewGet(b.ctx, b.ws, "nl", "")
	require.NoError(t, err)
	require.Equal(t, 3, p.Audience)
	require.Equal(t, map[string]int{"no_consent": 1, "opted_out": 1}, p.Excluded)
	require.Equal(t, 1, p.Recipients)
	require.Equal(t, "m-0003", p.Contact, "the first who would get it")
	require.Equal(t, "Ausgabe 3", p.Message.Subject)
	require.Contains(t, p.Message.HTML, "<p>Sommerfest</p>")
	require.Equal(t, "Ausgabe 3 für Mitglied", p.Message.Text)

	_, err = b.s.BroadcastStart(b.ctx, b.ws, "nl", nil)
	require.NoError(t, err)
	require.True(t, b.step(t))
	ev, err := b.s.store.EventGetByIdempotencyKey(b.ctx, b.ws.ID, "broadcast:nl:m-0001")
	require.NoError(t, err)
	require.Equal(t, model.SourceBroadcast, ev.Source)
	require.Equal(t, model.StepBroadcast, ev.Trace[0].Code)
	require.Equal(t, "nl", ev.Trace[0].Params["broadcast"])
	var reason string
	for _, st := range ev.Trace {
		require.NotEqual(t, model.StepManual, st.Code, "a broadcast is not sent by hand")
		if st.Code == model.StepRecipientSuppressed {
			reason = st.Params["reason"]
		}
	}
	require.Equal(t, string(model.ReasonNoConsent), reason)
}

// TestBroadcastRejected: what a broadcast cannot be is refused at save,
// each problem with its field.
func TestBroadcastRejected(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t)
	for _, tc := range []struct {
		name   string
		edit   func(*model.Broadcast)
		fields []string
	}{
		{"audience does not compile", func(nl *model.Broadcast) { nl.Audience = "contact.status ==" }, []string{"audience"}},
		{"audience reads an object", func(nl *model.Broadcast) { nl.Audience = `object.attributes.status == "open"` }, []string{"audience"}},
		{"audience reads an event", func(nl *model.Broadcast) { nl.Audience = `event.type == "x"` }, []string{"audience"}},
		{"unknown template", func(nl *model.Broadcast) { nl.Content, nl.Template = nil, "missing" }, []string{"template"}},
		{"template and content", func(nl *model.Broadcast) { nl.Template = "x" }, []string{"content"}},
		{"neither", func(nl *model.Broadcast) { nl.Content = nil }, []string{"template"}},
		{"template syntax", func(nl *model.Broadcast) { nl.Content.HTML = "{{ .data.title " }, []string{"content.html"}},
		{"pacing", func(nl *model.Broadcast) { nl.PerMinute = -1 }, []string{"per_minute"}},
		{"category", func(nl *model.Broadcast) { nl.Category = "" }, []string{"category"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nl := newsletter("nl")
			tc.edit(nl)
			_, err := b.s.BroadcastPut(b.ctx, b.ws, nl)
			var verr *ValidationError
			require.ErrorAs(t, err, &verr)
			var fields []string
			for _, f := range verr.Fields {
				fields = append(fields, f.Field)
			}
			require.Equal(t, tc.fields, fields)
		})
	}
}

// stoppingStore cancels its context while the first page of contacts is
// read: a stop in the middle of a batch.
type stoppingStore struct {
	store.Store
	cancel context.CancelFunc
}

func (s *stoppingStore) ContactScan(ctx context.Context, p *store.ContactScanParams) (*store.ContactScanPage, error) {
	s.cancel()
	return s.Store.ContactScan(ctx, p)
}

// TestBroadcastStopGivesLeaseUp: a stop during a batch rolls it back and
// gives the lease up, so the next start goes on at once, not after the
// lease.
func TestBroadcastStopGivesLeaseUp(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t)
	b.members(t, 20)
	_, err := b.s.BroadcastPut(b.ctx, b.ws, newsletter("nl"))
	require.NoError(t, err)
	_, err = b.s.BroadcastStart(b.ctx, b.ws, "nl", nil)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(b.ctx)
	stopping, err := New(Config{Store: &stoppingStore{Store: b.s.store, cancel: cancel}, Clock: b.clk})
	require.NoError(t, err)
	worked, err := stopping.SendDueBroadcast(ctx, "stopping", 30*time.Second)
	require.True(t, worked)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, b.report(t, "nl").Messages, "the batch was rolled back")
	require.True(t, b.step(t), "due again at once, at the same instant")
	r := b.report(t, "nl")
	require.Equal(t, model.BroadcastDone, r.Status)
	require.Equal(t, 20, r.Messages)
}
