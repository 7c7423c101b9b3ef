package e2e_test

import (
	"context"
	netsmtp "net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/config"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/store"
)

// TestSynchronousBounceSuppressesTheAddress: a 5xx to RCPT TO fails the
// message and puts the address on the workspace's suppression list; the
// next event's message to it is suppressed as bounced (transactional mail
// included), and explain names the entry with the server's reply, while
// another recipient of the same event is still mailed.
func TestSynchronousBounceSuppressesTheAddress(t *testing.T) {
	t.Parallel()
	const reply = "550 5.1.1 <gone@example.org>: Recipient address rejected"
	srv := smtptest.Start(t, smtptest.WithRcptReply(func(rcpt string) *smtptest.Reply {
		if strings.HasPrefix(strings.ToLower(rcpt), "gone@") {
			return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "<gone@example.org>: Recipient address rejected"}
		}
		return nil
	}))
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "Gone@example.org")))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "failed", wait)

	res, err = c.SendEvent(ctx, ping(2, inline("c1", "Gone@example.org"), inline("c2", "b@example.org")))
	require.NoError(t, err)
	require.Len(t, res.Messages, 2)
	for _, m := range res.Messages {
		if m.To.Email == "b@example.org" {
			e.WaitStatus(m.ID, "sent", wait)
			continue
		}
		require.Equal(t, "suppressed", string(m.Status))
		require.Equal(t, "bounced", m.Reason)
	}
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	text := stepText(ex, "recipient.suppressed")
	require.Contains(t, text, "suppressed: hard bounce on ")
	require.Contains(t, text, reply)
	exDE, err := c.Explain(ctx, res.ID, "de")
	require.NoError(t, err)
	require.Contains(t, stepText(exDE, "recipient.suppressed"), "gesperrt: harter Bounce am ")
	require.Equal(t, 1, srv.Count(), "only b@example.org's message arrived")
}

// withInbound turns on the inbound listener for domain inbound.test.
func withInbound(s *apptest.Setup) {
	s.Opts.Inbound = config.Inbound{Addr: "127.0.0.1:0", Domain: "inbound.test"}
}

// dsnFor is a Postfix-style DSN for a mail the test SMTP server accepted
// and whose mailbox then turned out not to exist.
func dsnFor(m smtptest.Mail, rcpt string) []byte {
	return []byte(strings.ReplaceAll(`From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: default@inbound.test
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-1@mx.example.org>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

This is the mail system at host mx.example.org.

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; `+rcpt+`
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <`+rcpt+`>: user unknown

--b
Content-Type: text/rfc822-headers

Message-Id: <`+m.MessageID+`>
To: `+rcpt+`

--b--
`, "\n", "\r\n"))
}

// sendAndBounce sends ping 1 to lost@example.org, waits until the mail
// server accepted it, then hands the listener the mailbox's DSN; it
// returns the message's id.
func sendAndBounce(t *testing.T, e *apptest.Env, c *client.Client, srv *smtptest.Server) string {
	t.Helper()
	res, err := c.SendEvent(context.Background(), ping(1, inline("c1", "lost@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	e.WaitStatus(id, "sent", wait)
	mails := srv.WaitForMails(t, 1, wait)
	require.NoError(t, netsmtp.SendMail(e.App.InboundAddr(), nil, "", []string{"default@inbound.test"},
		dsnFor(mails[0], "lost@example.org")))
	return id
}

// TestAsyncBounceThroughListener: the mail server accepts a notification,
// then the mailbox bounces: the DSN, sent over SMTP to Herold's inbound
// listener, marks the message bounced and suppresses the address, and the
// next event's explain names the bounce.
func TestAsyncBounceThroughListener(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv), withInbound)
	ctx := context.Background()
	id := sendAndBounce(t, e, c, srv)
	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	last := m.Timeline[len(m.Timeline)-1]
	require.Equal(t, "bounced", string(last.Status))
	require.Equal(t, "550 5.1.1 <lost@example.org>: user unknown", last.Detail)

	res, err := c.SendEvent(ctx, ping(2, inline("c1", "lost@example.org")))
	require.NoError(t, err)
	require.Equal(t, "suppressed", string(res.Messages[0].Status))
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "recipient.suppressed"),
		"suppressed: hard bounce on 2026-03-02, 550 5.1.1 <lost@example.org>: user unknown")
	var list struct {
		Items []struct {
			Email, Kind string
		} `json:"items"`
	}
	e.Must(200, "GET", "/v1/suppressions", nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, "hard_bounce", list.Items[0].Kind)
}

// TestVERPBounce: with the listener on, each message goes out with its own
// signed bounce address as envelope sender; a DSN to that address that
// quotes nothing of the message still marks it bounced and suppresses the
// address; a forged bounce address is refused at RCPT.
func TestVERPBounce(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv), withInbound)
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "gone@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	e.WaitStatus(id, "sent", wait)
	sent := srv.WaitForMails(t, 1, wait)[0]
	require.True(t, strings.HasPrefix(sent.From, "b+"), sent.From)
	require.True(t, strings.HasSuffix(sent.From, "@inbound.test"), sent.From)
	require.NotContains(t, string(sent.Data), "b+", "the bounce address is only in the envelope")

	dsn := strings.ReplaceAll(`From: MAILER-DAEMON@mx.example.org
To: `+sent.From+`
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: gone@example.org
Message-Id: <dsn-verp@mx.example.org>
Content-Type: text/plain

This message was created automatically by mail delivery software.

  gone@example.org
    SMTP error from remote mail server after RCPT TO:<gone@example.org>:
    550 5.1.1 User unknown
`, "\n", "\r\n")
	require.NoError(t, netsmtp.SendMail(e.App.InboundAddr(), nil, "", []string{sent.From}, []byte(dsn)))
	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "bounced", string(m.Timeline[len(m.Timeline)-1].Status))
	res, err = c.SendEvent(ctx, ping(2, inline("c1", "gone@example.org")))
	require.NoError(t, err)
	require.Equal(t, "bounced", res.Messages[0].Reason)

	local, _, _ := strings.Cut(sent.From, "@")
	forged := local[:len(local)-1] + map[bool]string{true: "b", false: "a"}[strings.HasSuffix(local, "a")] + "@inbound.test"
	err = netsmtp.SendMail(e.App.InboundAddr(), nil, "", []string{forged}, []byte(dsn))
	require.Error(t, err)
	require.Contains(t, err.Error(), "550")
}

// TestReceivedMailKeptForRetention: received mail is kept the workspace's
// retention (30 days) and deleted by the retention purge after it.
func TestReceivedMailKeptForRetention(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, withInbound)
	ctx := context.Background()
	reply := strings.ReplaceAll("From: anna@example.org\nTo: default@inbound.test\nSubject: Abwesenheitsnotiz\n"+
		"Auto-Submitted: auto-replied\nMessage-ID: <away-1@example.org>\n\nIch bin im Urlaub.\n", "\n", "\r\n")
	require.NoError(t, netsmtp.SendMail(e.App.InboundAddr(), nil, "", []string{"default@inbound.test"}, []byte(reply)))
	kept := func() int {
		n, err := e.App.Store().InboundMessageCount(ctx, &store.InboundCountParams{WorkspaceID: e.App.Bootstrapped.Workspace.ID,
			Kind: "auto_reply", Since: time.Time{}})
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 1, kept())
	e.Clock.Advance(29 * 24 * time.Hour)
	require.NoError(t, e.App.Service().Purge(ctx))
	require.Equal(t, 1, kept(), "within the retention")
	e.Clock.Advance(2 * 24 * time.Hour)
	require.NoError(t, e.App.Service().Purge(ctx))
	require.Equal(t, 0, kept(), "past the retention")
}
