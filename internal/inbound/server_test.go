package inbound

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

var start = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	ws    *model.Workspace
	clock *clock.Fake
	recv  *Receiver
	srv   *Server
}

// setup starts a listener for domain inbound.test on a real SQLite file,
// with workspace "acme" holding a sent message to Anna (the one the
// Postfix sample bounces) and a newsletter to contact Fritz (the one the
// ARF sample complains about).
func setup(t *testing.T, mod func(*ServerConfig)) *fixture {
	t.Helper()
	st, ws := openStore(t)
	ctx := context.Background()
	f := &fixture{t: t, ctx: ctx, st: st, ws: ws, clock: clock.NewFake(start)}
	_, err := st.ContactUpsert(ctx, f.ws.ID, &model.Contact{ID: "c-fritz", Email: "fritz@example.net",
		Consents: []string{"newsletter"}, CreatedAt: start, UpdatedAt: start})
	require.NoError(t, err)
	ev := &model.Event{ID: "evt-1", Type: "ping", Project: "p", Actors: map[string][]string{}, Data: map[string]any{},
		OccurredAt: start, ReceivedAt: start, Source: model.SourceAPI}
	require.NoError(t, st.EventInsert(ctx, f.ws.ID, ev))
	msg := func(id, email, contact, category string) *model.Message {
		return &model.Message{ID: id, EventID: ev.ID, EventType: ev.Type, Channel: model.ChannelEmail, Category: category,
			To: model.Address{Email: email, ContactID: contact}, CC: []model.Address{}, BCC: []model.Address{},
			From: "Acme <info@acme.example>", Subject: "Hallo", Text: "x", MessageID: id + "@herold.example",
			Status: model.MsgSent, CreatedAt: start, UpdatedAt: start,
			Timeline: []model.MessageEvent{{At: start, Status: model.MsgPlanned}, {At: start, Status: model.MsgSent}}}
	}
	require.NoError(t, st.MessageInsertMany(ctx, f.ws.ID, []*model.Message{
		msg("01a24c54-632b-731a-bee5-ba64e53cd353", "anna@example.org", "", "transactional"),
		msg("01a24c54-0000-7000-8000-000000000006", "fritz@example.net", "c-fritz", "newsletter"),
	}))
	f.recv, err = NewReceiver(ReceiverConfig{Store: st, Clock: f.clock, Domain: "Inbound.Test", Logger: discard()})
	require.NoError(t, err)
	cfg := ServerConfig{Addr: "127.0.0.1:0", Receiver: f.recv, Timeout: 5 * time.Second, Logger: discard()}
	if mod != nil {
		mod(&cfg)
	}
	f.srv, err = NewServer(cfg)
	require.NoError(t, err)
	require.NoError(t, f.srv.Start())
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		require.NoError(t, f.srv.Stop(ctx))
	})
	return f
}

// openStore is a migrated SQLite file with workspace "acme".
func openStore(tb testing.TB) (store.Store, *model.Workspace) {
	tb.Helper()
	st, err := sqlite.Open(filepath.Join(tb.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = st.Close() })
	require.NoError(tb, st.Migrate(context.Background()))
	ws := &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin",
		AllowedSenders: []string{"*"}, RetentionDays: 30, ConfirmationExpiryHours: 168, CreatedAt: start, UpdatedAt: start}
	require.NoError(tb, st.WorkspaceInsert(context.Background(), ws))
	return st, ws
}

func sample(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := readSample(name)
	require.NoError(tb, err)
	return raw
}

// readSample reads a corpus sample with CRLF line ends, as SMTP carries it.
func readSample(name string) ([]byte, error) {
	raw, err := os.ReadFile(filepath.Join("testdata", "corpus", name))
	return bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n")), err
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

// send delivers raw to the listener with a real SMTP client.
func (f *fixture) send(rcpt string, raw []byte) error {
	return smtp.SendMail(f.srv.Addr(), nil, "", []string{rcpt}, raw)
}

func (f *fixture) suppression(email string) *model.Suppression {
	f.t.Helper()
	got, err := f.st.SuppressionGetMany(f.ctx, f.ws.ID, []string{email})
	require.NoError(f.t, err)
	return got[email]
}

func (f *fixture) timeline(id string) []model.MessageEvent {
	f.t.Helper()
	m, err := f.st.MessageGet(f.ctx, f.ws.ID, id)
	require.NoError(f.t, err)
	return m.Timeline
}

func replyCode(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

// TestListenerHardBounce: a DSN sent to the workspace's address over SMTP
// marks the message it reports on bounced (in its timeline) and puts the
// address on the suppression list with the diagnostic; the same DSN
// delivered again changes nothing.
func TestListenerHardBounce(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	raw := sample(t, "postfix-user-unknown.eml")
	require.NoError(t, f.send("acme+bounces@inbound.test", raw))
	s := f.suppression("anna@example.org")
	require.NotNil(t, s)
	require.Equal(t, model.SuppressionHardBounce, s.Kind)
	require.Equal(t, "550 5.1.1 <anna@example.org>: Recipient address rejected: User unknown in local recipient table", s.Evidence)
	require.Equal(t, "01a24c54-632b-731a-bee5-ba64e53cd353", s.MessageID)
	tl := f.timeline("01a24c54-632b-731a-bee5-ba64e53cd353")
	require.Len(t, tl, 3)
	require.Equal(t, model.MsgBounced, tl[2].Status)
	require.Equal(t, "anna@example.org", tl[2].Actor)

	require.NoError(t, f.send("ACME@inbound.test", raw), "a redelivery is accepted")
	require.Len(t, f.timeline("01a24c54-632b-731a-bee5-ba64e53cd353"), 3, "and processed once")
}

// TestListenerRefuses: an address of no workspace is refused at RCPT; a
// message over the size limit at DATA; nothing is stored.
func TestListenerRefuses(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *ServerConfig) { c.MaxMessageBytes = 2048 })
	raw := sample(t, "postfix-user-unknown.eml")
	require.Equal(t, 550, replyCode(f.send("nobody@inbound.test", raw)))
	require.Equal(t, 550, replyCode(f.send("acme@elsewhere.test", raw)))
	require.Equal(t, 552, replyCode(f.send("acme@inbound.test", append(raw, bytes.Repeat([]byte("xxxxxxxxxx\r\n"), 300)...))))
	require.Nil(t, f.suppression("anna@example.org"))
}

// TestSoftBouncesReachTheThreshold: the first two soft bounces of an
// address in the window only record it; the third suppresses it; one
// older than the window does not count.
func TestSoftBouncesReachTheThreshold(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	delayed := func(n int) []byte {
		return bytes.Replace(sample(t, "postfix-delayed.eml"), []byte("<20261201130000.77A1@mail.example.net>"),
			[]byte("<delay-"+string(rune('a'+n))+"@mail.example.net>"), 1)
	}
	require.NoError(t, f.send("acme@inbound.test", delayed(0)))
	f.clock.Advance(7*24*time.Hour + time.Millisecond) // the first falls out of the window
	require.NoError(t, f.send("acme@inbound.test", delayed(1)))
	require.NoError(t, f.send("acme@inbound.test", delayed(2)))
	require.Nil(t, f.suppression("ben@example.com"), "two in the window")
	require.NoError(t, f.send("acme@inbound.test", delayed(3)))
	s := f.suppression("ben@example.com")
	require.NotNil(t, s)
	require.Equal(t, model.SuppressionSoftBounces, s.Kind)
	require.True(t, strings.HasPrefix(s.Evidence, "3 soft bounces, the last: connect to mx.example.com"), s.Evidence)
}

// TestComplaintOptsOutAndSuppresses: an ARF report opts the contact out of
// the message's category (recorded in the preference ledger as the
// complaint's), suppresses the address and marks the message.
func TestComplaintOptsOutAndSuppresses(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	require.NoError(t, f.send("acme@inbound.test", sample(t, "arf-rfc5965.eml")))
	c, err := f.st.ContactGet(f.ctx, f.ws.ID, "c-fritz")
	require.NoError(t, err)
	require.Equal(t, []string{"newsletter"}, c.OptOuts)
	// The preference ledger names the complaint, on every channel.
	ledger, err := f.st.PreferenceChangeList(f.ctx, &store.PreferenceChangeListParams{WorkspaceID: f.ws.ID,
		ContactID: "c-fritz", Limit: 10})
	require.NoError(t, err)
	require.Len(t, ledger, 2)
	for _, ch := range ledger {
		require.Equal(t, model.PrefByComplaint, ch.Source)
		require.Equal(t, "fritz@example.net", ch.Actor)
		require.Equal(t, [2]string{"newsletter", "out"}, [2]string{ch.Category, ch.New})
	}
	s := f.suppression("fritz@example.net")
	require.NotNil(t, s)
	require.Equal(t, model.SuppressionComplaint, s.Kind)
	tl := f.timeline("01a24c54-0000-7000-8000-000000000006")
	require.Equal(t, model.MsgComplained, tl[len(tl)-1].Status)
}

// TestAutoReplyIsOnlyRecorded: an automatic reply about a message
// suppresses nothing and leaves the message's timeline alone.
func TestAutoReplyIsOnlyRecorded(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	out, err := f.recv.Receive(f.ctx, f.ws, Envelope{To: "acme@inbound.test"}, sample(t, "auto-submitted.eml"))
	require.NoError(t, err)
	require.Equal(t, KindAutoReply, out.Result.Kind)
	require.False(t, out.Duplicate)
	require.Nil(t, f.suppression("anna@example.org"))
	require.Len(t, f.timeline("01a24c54-632b-731a-bee5-ba64e53cd353"), 2)
	out, err = f.recv.Receive(f.ctx, f.ws, Envelope{To: "acme@inbound.test"}, sample(t, "auto-submitted.eml"))
	require.NoError(t, err)
	require.True(t, out.Duplicate)
}

// TestListenerLMTP: with LMTP on, an MTA hands mail over by LMTP (LHLO,
// one reply per recipient) and it is processed like SMTP mail.
func TestListenerLMTP(t *testing.T) {
	t.Parallel()
	f := setup(t, func(c *ServerConfig) { c.LMTP = true })
	conn, err := net.Dial("tcp", f.srv.Addr())
	require.NoError(t, err)
	c := gosmtp.NewClientLMTP(conn)
	defer c.Close()
	require.NoError(t, c.SendMail("", []string{"acme@inbound.test"}, bytes.NewReader(sample(t, "postfix-user-unknown.eml"))))
	require.NotNil(t, f.suppression("anna@example.org"))
}
