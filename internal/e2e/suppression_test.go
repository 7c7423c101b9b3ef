package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
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
