package e2e_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/webhook/webhooktest"
)

// outcomeBody is the payload of a message.* delivery.
type outcomeBody struct {
	Type string `json:"type"`
	Data struct {
		MessageID string `json:"message_id"`
		Status    string `json:"status"`
		Reason    string `json:"reason"`
	} `json:"data"`
}

// waitOutcome waits for the receiver's nth request and checks it is the
// signed outcome typ of message id, returning its reason.
func waitOutcome(t *testing.T, rc *hookReceiver, secret string, n int, typ, id string) string {
	t.Helper()
	apptest.Eventually(t, 10*time.Second, func() bool { return rc.calls() >= n }, "%s posted", typ)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	require.Len(t, rc.bodies, n, "exactly one request per outcome")
	var b outcomeBody
	require.NoError(t, json.Unmarshal(rc.bodies[n-1], &b))
	require.Equal(t, typ, b.Type)
	require.Equal(t, id, b.Data.MessageID)
	require.Equal(t, strings.TrimPrefix(typ, "message."), b.Data.Status)
	require.Equal(t, 1, webhooktest.Verify(secret, rc.headers[n-1], rc.bodies[n-1]))
	return b.Data.Reason
}

// Every message outcome an endpoint subscribes to is posted from where it
// happens: a bounce received by the inbound listener, the next message to
// the bounced address suppressed at planning, a one-click unsubscribe, a
// declined and an expired confirmation. "sent" is not subscribed and not
// posted.
func TestWebhookMessageOutcomesWhereTheyHappen(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv), withInbound, allowHooks)
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"}},
		map[string]any{"key": "news", "event_type": "news", "template": "ping", "recipients": []string{"role:to"}, "category": "newsletter"},
		map[string]any{"key": "hold", "event_type": "hold", "template": "ping", "recipients": []string{"role:to"}, "status": "confirm"},
	}})
	rc := newHookReceiver(t, 200)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL,
		"outcomes": []string{"bounced", "suppressed", "unsubscribed", "declined", "expired"}}).JSON(t, &ep)
	ctx := context.Background()

	// Bounced: the DSN arrives after the message was sent.
	lost := sendAndBounce(t, e, c, srv)
	require.Equal(t, "lost@example.org: 550 5.1.1 <lost@example.org>: user unknown",
		waitOutcome(t, rc, ep.Secret, 1, "message.bounced", lost))

	// Suppressed: planned in the ingest transaction.
	res, err := c.SendEvent(ctx, ping(2, inline("c1", "lost@example.org")))
	require.NoError(t, err)
	require.Equal(t, "bounced", waitOutcome(t, rc, ep.Secret, 2, "message.suppressed", res.Messages[0].ID))

	// Unsubscribed: the one-click POST of the newsletter's link.
	res, err = c.SendEvent(ctx, newsEvent(subscriber("anna")))
	require.NoError(t, err)
	news := res.Messages[0].ID
	e.WaitStatus(news, "sent", wait)
	mails := srv.WaitForMails(t, 2, wait)
	link := mails[1].Header.Get("List-Unsubscribe")
	status, page := fetch(t, "POST", strings.Trim(link, "<>"), "en", "List-Unsubscribe=One-Click")
	require.Equal(t, 200, status, page)
	require.Equal(t, "newsletter", waitOutcome(t, rc, ep.Secret, 3, "message.unsubscribed", news))

	// Declined and expired confirmations.
	hold := func(n int) string {
		ev := ping(n, inline("c2", "c2@example.org"))
		ev.Type = "hold"
		res, err := c.SendEvent(ctx, ev)
		require.NoError(t, err)
		require.Equal(t, "awaiting_confirmation", string(res.Messages[0].Status))
		return res.Messages[0].ID
	}
	declined, expired := hold(3), hold(4)
	e.Must(200, "POST", "/v1/confirmations/decline", map[string]any{"ids": []string{declined}, "actor": "lea"})
	require.Equal(t, "declined by lea", waitOutcome(t, rc, ep.Secret, 4, "message.declined", declined))
	e.Clock.Advance(8 * 24 * time.Hour)
	require.NoError(t, e.App.Service().ExpireConfirmations(ctx))
	require.Equal(t, "nobody approved or declined it in time", waitOutcome(t, rc, ep.Secret, 5, "message.expired", expired))
	require.Equal(t, 5, rc.calls(), "the sent messages were not posted: not subscribed")
}
