package explain

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/channel/smtp"
	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
)

func TestReplyKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"250 2.0.0 Ok: queued as 4F2", "reply.accepted"},
		{"550 5.1.1 <ben@example.com>: Recipient address rejected: User unknown", "reply.no_mailbox"},
		{"550 user unknown", "reply.no_mailbox"},
		{"552 5.2.2 mailbox full", "reply.mailbox_full"},
		{"554 5.7.1 Message rejected as spam", "reply.policy"},
		{"421 4.3.2 Service shutting down", "reply.unavailable"},
		{"451 4.3.0 try again later", "reply.temporary"},
		{"550 5.0.0 no", "reply.permanent"},
		{"354 go ahead", "reply.unexpected"},
		{"dial tcp 127.0.0.1:25: connection refused", ""},
		{"Termin abgesagt", ""},
		{"", ""},
		{"5x0 nonsense", ""},
		{"650 not smtp", ""},
	} {
		if got := ReplyKey(tc.in); got != tc.want {
			t.Errorf("ReplyKey(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestReplyExplainsDeliveryErrors: besides SMTP replies, a connection
// that never came about and the delivery engine's "gave up" (with the
// last error explained after it) get a sentence; other text gets none.
func TestReplyExplainsDeliveryErrors(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	require.Equal(t, "Der Mailserver war nicht erreichbar (keine Verbindung).",
		Reply(cat, "de", "dial tcp 127.0.0.1:25: connect: connection refused"))
	require.Equal(t, "The mail server could not be reached (no connection).",
		Reply(cat, "en", "temporary delivery error: connect to mx.example.org:25: dial tcp: lookup mx.example.org: no such host"))
	require.Equal(t, "Herold hat die Zustellung nach wiederholten Versuchen aufgegeben. Das Postfach des Empfängers ist voll.",
		Reply(cat, "de", "gave up after 72h0m0s of retries; last error: 452 4.2.2 mailbox full"))
	require.Equal(t, "Herold hat die Zustellung nach wiederholten Versuchen aufgegeben.",
		Reply(cat, "de", "gave up after 72h0m0s of retries; last error: something odd"))
	require.Equal(t, "", Reply(cat, "de", "Termin abgesagt"))
}

// TestReplyExplainsAnAddressThatNeedsSMTPUTF8: the error the SMTP sender
// gives for a local part that is not ASCII at a server without SMTPUTF8
// gets its sentence in both languages.
func TestReplyExplainsAnAddressThatNeedsSMTPUTF8(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	srv := smtptest.Start(t)
	s, err := smtp.New(smtp.Config{Host: srv.Host(), Port: srv.Port(), TLS: smtp.TLSNone, Timeout: 5 * time.Second}, nil)
	require.NoError(t, err)
	defer func() { _ = s.Close() }()
	_, err = s.Send(context.Background(), &channel.Email{MessageID: "m1@example.org", From: "info@example.org",
		To: []model.Address{{Email: "jürgen@example.org"}}, Subject: "Hallo", Text: "Hallo"})
	require.Error(t, err)
	require.Contains(t, Reply(cat, "de", err.Error()), "vor dem @ Zeichen außerhalb von ASCII")
	require.Contains(t, Reply(cat, "en", err.Error()), "does not offer SMTPUTF8")
	require.Contains(t, Reply(cat, "en", "gave up after 24h0m0s of retries; last error: "+err.Error()), "does not offer SMTPUTF8")
}
