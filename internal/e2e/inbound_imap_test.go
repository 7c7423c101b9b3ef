package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/config"
	"github.com/herold-dev/herold/internal/imaptest"
	"github.com/herold-dev/herold/internal/store"
)

// withIMAP has the app poll im's INBOX for workspace default every 20 ms,
// logging in with password (kept in a file).
func withIMAP(t *testing.T, im *imaptest.Server, password string) func(*apptest.Setup) {
	pw := filepath.Join(t.TempDir(), "imap-password")
	require.NoError(t, os.WriteFile(pw, []byte(password+"\n"), 0o600))
	return func(s *apptest.Setup) {
		s.Opts.Inbound.IMAP = config.InboundIMAP{URL: "imaps://" + imaptest.User + "@" + im.Addr + "/INBOX",
			PasswordFile: pw, Workspace: "default", Interval: 20 * time.Millisecond, InsecureSkipVerify: true}
	}
}

// TestIMAPPollingReceivesRepliesAndBounces: with --inbound-imap the app
// polls a real IMAP server; a customer's reply in the mailbox becomes a
// mail.received event on the ticket, a DSN marks the notification
// bounced (in its timeline), and both are marked \Seen.
func TestIMAPPollingReceivesRepliesAndBounces(t *testing.T) {
	t.Parallel()
	im := imaptest.Start(t)
	e, c, srv := ticketEnv(t, withIMAP(t, im, imaptest.Password))
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

// TestIMAPPollingWrongPassword: a login the IMAP server refuses is logged
// at WARN (without the password) at every poll, and nothing is received.
func TestIMAPPollingWrongPassword(t *testing.T) {
	t.Parallel()
	im := imaptest.Start(t)
	im.Append(newMail("Kunde <kunde@example.org>", "default@inbound.test", "Hallo", "Eine Frage", ""))
	logs := &apptest.LogBuffer{}
	e := apptest.Start(t, withInbound, withIMAP(t, im, "wrong-pass"), func(s *apptest.Setup) { s.LogTo = logs })
	failed := func() int {
		return strings.Count(logs.String(), `"msg":"IMAP poll failed; retrying at the next interval"`)
	}
	require.Eventually(t, func() bool { return failed() >= 2 }, wait, 10*time.Millisecond, "every poll fails and is retried")
	var line string
	for l := range strings.Lines(logs.String()) {
		if strings.Contains(l, `"msg":"IMAP poll failed`) {
			line = l
			break
		}
	}
	require.Contains(t, line, `"level":"WARN"`)
	require.Contains(t, line, "log in as herold")
	require.Contains(t, line, `"component":"inbound"`)
	require.NotContains(t, logs.String(), "wrong-pass")
	require.Equal(t, uint32(1), im.Unseen())
	n, err := e.App.Store().InboundMessageCount(context.Background(), &store.InboundCountParams{
		WorkspaceID: e.App.Bootstrapped.Workspace.ID, Kind: "mail", Address: "kunde@example.org"})
	require.NoError(t, err)
	require.Zero(t, n)
}
