package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/config"
	"github.com/herold-dev/herold/internal/imaptest"
)

// TestIMAPPollingReceivesRepliesAndBounces: with --inbound-imap the app
// polls a real IMAP server; a customer's reply in the mailbox becomes a
// mail.received event on the ticket, a DSN marks the notification
// bounced (in its timeline), and both are marked \Seen.
func TestIMAPPollingReceivesRepliesAndBounces(t *testing.T) {
	t.Parallel()
	im := imaptest.Start(t)
	pw := filepath.Join(t.TempDir(), "imap-password")
	require.NoError(t, os.WriteFile(pw, []byte(imaptest.Password+"\n"), 0o600))
	e, c, srv := ticketEnv(t, func(s *apptest.Setup) {
		s.Opts.Inbound.IMAP = config.InboundIMAP{URL: "imaps://" + imaptest.User + "@" + im.Addr + "/INBOX",
			PasswordFile: pw, Workspace: "default", Interval: 50 * time.Millisecond, InsecureSkipVerify: true}
	})
	res, err := c.SendEvent(context.Background(), &client.Event{Type: "ticket.updated", Project: "support",
		Object: &client.ObjectRef{Collection: "tickets", ID: "T-1234"}, Data: map[string]any{"status": "in Arbeit"},
		Actors: map[string][]client.Actor{"customer": {inline("kunde", "kunde@example.org")}}})
	require.NoError(t, err)
	id := res.Messages[0].ID
	e.WaitStatus(id, "sent", wait)
	sent := srv.WaitForMails(t, 1, wait)[0]

	im.Append(replyTo(sent.MessageID, "", "Danke, geht wieder"))
	im.Append(dsnFor(sent, "kunde@example.org"))
	require.Eventually(t, func() bool {
		m, err := c.Message(context.Background(), id)
		require.NoError(t, err)
		return m.Timeline[len(m.Timeline)-1].Status == "bounced"
	}, wait, 10*time.Millisecond, "the DSN marks the notification bounced in its timeline")
	require.Eventually(t, func() bool { return im.Unseen() == 0 }, wait, 10*time.Millisecond, "both are marked \\Seen")
	evs := replies(t, c)
	require.Len(t, evs, 1)
	require.Equal(t, "Danke, geht wieder", evs[0].Data["text"])
	require.Equal(t, id, evs[0].Data["in_reply_to"])
}
