package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
)

func TestReplyKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"250 2.0.0 Ok: queued as 4F2", "web.reply.accepted"},
		{"550 5.1.1 <ben@example.com>: Recipient address rejected: User unknown", "web.reply.no_mailbox"},
		{"550 user unknown", "web.reply.no_mailbox"},
		{"552 5.2.2 mailbox full", "web.reply.mailbox_full"},
		{"554 5.7.1 Message rejected as spam", "web.reply.policy"},
		{"421 4.3.2 Service shutting down", "web.reply.unavailable"},
		{"451 4.3.0 try again later", "web.reply.temporary"},
		{"550 5.0.0 no", "web.reply.permanent"},
		{"354 go ahead", "web.reply.unexpected"},
		{"dial tcp 127.0.0.1:25: connection refused", ""},
		{"Termin abgesagt", ""},
		{"", ""},
		{"5x0 nonsense", ""},
		{"650 not smtp", ""},
	} {
		if got := replyKey(tc.in); got != tc.want {
			t.Errorf("replyKey(%q) = %q, want %q", tc.in, got, tc.want)
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
	de := &localizer{cat: cat, lang: "de", loc: time.UTC}
	require.Equal(t, "Der Mailserver war nicht erreichbar (keine Verbindung).",
		de.Reply("dial tcp 127.0.0.1:25: connect: connection refused"))
	require.Equal(t, "Herold hat die Zustellung nach wiederholten Versuchen aufgegeben. Das Postfach des Empfängers ist voll.",
		de.Reply("gave up after 72h0m0s of retries; last error: 452 4.2.2 mailbox full"))
	require.Equal(t, "Herold hat die Zustellung nach wiederholten Versuchen aufgegeben.",
		de.Reply("gave up after 72h0m0s of retries; last error: something odd"))
	require.Equal(t, "", de.Reply("Termin abgesagt"))
}
