package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// TestEventShowsLastReplyOfFailedMessage: GET /v1/events/{id} names the
// mail server's reply of a failed message, as GET /v1/messages/{id} does,
// so the event alone tells why nothing arrived.
func TestEventShowsLastReplyOfFailedMessage(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithRcptReply(func(rcpt string) *smtptest.Reply {
		if strings.HasPrefix(rcpt, "gone@") {
			return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "<gone@example.org>: Recipient address rejected"}
		}
		return nil
	}))
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "gone@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	e.WaitStatus(id, "failed", wait)

	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	require.Contains(t, m.LastReply, "550 5.1.1 <gone@example.org>: Recipient address rejected")
	var ev struct {
		Messages []struct {
			ID        string  `json:"id"`
			Status    string  `json:"status"`
			LastReply *string `json:"last_reply"`
		} `json:"messages"`
	}
	e.Must(200, "GET", "/v1/events/"+res.ID, nil).JSON(t, &ev)
	require.Len(t, ev.Messages, 1)
	require.Equal(t, "failed", ev.Messages[0].Status)
	require.NotNil(t, ev.Messages[0].LastReply, "the event's message carries last_reply")
	require.Equal(t, m.LastReply, *ev.Messages[0].LastReply, "the same reply as the message endpoint")
}
