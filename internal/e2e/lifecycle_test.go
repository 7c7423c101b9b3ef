package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/cli"
)

func TestUnansweredConfirmationExpires(t *testing.T) {
	t.Parallel()
	e, c, srv := demoEnv(t)
	ctx := context.Background()
	res, err := c.SendEvent(ctx, &client.Event{Type: "booking.confirmed", Project: "messe-koeln",
		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-anna")}},
		Data:   map[string]any{"job": "Aufbau", "date": "2026-04-15"}})
	require.NoError(t, err)
	id := res.Messages[0].ID
	require.Equal(t, apptest.Start2026.Add(7*24*time.Hour), res.Messages[0].ExpiresAt.UTC(), "default: 7 days")

	// Six days later nothing happens.
	e.Clock.Advance(6 * 24 * time.Hour)
	require.NoError(t, e.App.Service().ExpireConfirmations(ctx))
	require.Equal(t, "awaiting_confirmation", e.MessageStatus(id))
	// After the deadline the periodic job expires it (at 09:00 UTC = 10:00
	// in Berlin, the workspace zone the sentences use).
	e.Clock.Advance(25 * time.Hour)
	require.NoError(t, e.App.Service().ExpireConfirmations(ctx))
	require.Equal(t, "expired", e.MessageStatus(id))
	// An expired message cannot be approved any more.
	ds, err := c.Approve(ctx, []string{id}, "late")
	require.NoError(t, err)
	require.False(t, ds[0].Applied)
	r := e.Do("POST", "/v1/messages/"+id+"/approve", nil)
	require.Equal(t, http.StatusConflict, r.Status, "%s", r.Body)

	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Equal(t, "Nobody answered the confirmation for Anna Berger <anna.berger@example.com>; it expired on 2026-03-09 at 10:00 and was not sent.",
		stepText(ex, "message.expired"))
	require.Equal(t, 0, srv.Count())
}

func TestRetentionPurgeKeepsDailyCounts(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t) // capture mailbox
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	e.WaitStatus(id, "sent", wait)

	e.Clock.Advance(29 * 24 * time.Hour)
	require.NoError(t, e.App.Service().Purge(ctx))
	e.Must(200, "GET", "/v1/events/"+res.ID, nil)

	e.Clock.Advance(2 * 24 * time.Hour) // 31 days: past the default retention
	require.NoError(t, e.App.Service().Purge(ctx))
	e.Must(404, "GET", "/v1/events/"+res.ID, nil)
	e.Must(404, "GET", "/v1/messages/"+id, nil)
	e.Must(404, "GET", "/v1/messages/"+id+"/eml", nil)

	rows, err := e.App.Store().StatsList(ctx, 1, "2026-03-01", "2026-03-31")
	require.NoError(t, err)
	require.Len(t, rows, 1, "the daily count survives the purge: %+v", rows)
	require.Equal(t, "2026-03-02", rows[0].Day)
	require.EqualValues(t, "sent", rows[0].Status)
	require.Equal(t, 1, rows[0].Count)
}

func TestCaptureMailboxAndEML(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t) // no SMTP configured
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(7, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	e.WaitStatus(id, "sent", wait)
	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	require.Contains(t, m.LastReply, "capture mailbox")

	var box struct {
		Items []struct {
			MessageID string `json:"id"`
			Subject   string `json:"subject"`
			To        string `json:"to"`
		} `json:"items"`
	}
	e.Must(200, "GET", "/v1/mailbox", nil).JSON(t, &box)
	require.Len(t, box.Items, 1)
	require.Equal(t, id, box.Items[0].MessageID)
	require.Equal(t, "Ping 7", box.Items[0].Subject)
	require.Equal(t, "c1@example.org", box.Items[0].To)

	r := e.Must(200, "GET", "/v1/messages/"+id+"/eml", nil)
	require.Equal(t, "message/rfc822", r.Header.Get("Content-Type"))
	require.Contains(t, r.Header.Get("Content-Disposition"), id+".eml")
	mr, err := mail.CreateReader(bytes.NewReader(r.Body))
	require.NoError(t, err)
	subject, err := mr.Header.Subject()
	require.NoError(t, err)
	require.Equal(t, "Ping 7", subject)
	require.Equal(t, "<"+m.MessageID+">", mr.Header.Get("Message-Id"))
	var html string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		b, _ := io.ReadAll(p.Body)
		if h, ok := p.Header.(*mail.InlineHeader); ok {
			if ct, _, _ := h.ContentType(); ct == "text/html" {
				html = string(b)
			}
		}
	}
	require.Contains(t, html, "Hallo Person c1")
}

func TestManualMessage(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t)
	ctx := context.Background()
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "c9", Email: "c9@example.org", Name: "Nina"}))
	var res client.EventResult
	require.NoError(t, c.Do(ctx, "POST", "/v1/messages", map[string]any{"template": "ping",
		"recipients": []string{"contact:c9", "email:Büro <buero@example.org>"}, "bcc": []string{"contact:c9"},
		"data": map[string]any{"n": 3, "note": "von Hand", "link": "https://example.org"}}, &res))
	require.Len(t, res.Messages, 2)
	require.Empty(t, res.Messages[0].BCC, "BCC equal to To is dropped")
	for _, m := range res.Messages {
		e.WaitStatus(m.ID, "sent", wait)
	}
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Equal(t, "Sent by hand with template ping.", ex.Steps[0].Text)
	var ev struct {
		Source string `json:"source"`
	}
	e.Must(200, "GET", "/v1/events/"+res.ID, nil).JSON(t, &ev)
	require.Equal(t, "manual", ev.Source)
	p := e.Must(422, "POST", "/v1/messages", map[string]any{"template": "nope", "recipients": []string{"contact:c9"}}).Map(t)
	require.Contains(t, fmt.Sprint(p["errors"]), "template")
}

func TestBatchEvents(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t)
	ctx := context.Background()
	events := []*client.Event{ping(1, inline("c1", "c1@example.org")), {Type: "bad type!", Project: "p"}, ping(3, inline("c2", "c2@example.org"))}
	results, err := c.SendEvents(ctx, events)
	require.NoError(t, err)
	require.Len(t, results, 3)
	require.NoError(t, results[0].Err)
	require.Len(t, results[0].Result.Messages, 1)
	require.Nil(t, results[1].Result)
	require.ErrorIs(t, results[1].Err, client.ErrValidation)
	require.Equal(t, "events[1].type", client.FieldErrors(results[1].Err)[0].Field)
	require.Len(t, results[2].Result.Messages, 1)
	e.WaitStatus(results[2].Result.Messages[0].ID, "sent", wait)
}

func TestDryRunHasNoSideEffects(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t)
	ctx := context.Background()
	ex, err := c.DryRun(ctx, ping(1, inline("new", "new@example.org")), "")
	require.NoError(t, err)
	require.Len(t, ex.Messages, 1)
	require.Equal(t, client.StatusQueued, ex.Messages[0].Status)
	require.Equal(t, "Ping 1", ex.Messages[0].Subject)
	require.True(t, hasStep(ex, "message.queued"))
	e.Must(404, "GET", "/v1/contacts/new", nil)
	var pg struct {
		Items []any `json:"items"`
	}
	e.Must(200, "GET", "/v1/events", nil).JSON(t, &pg)
	require.Empty(t, pg.Items)
	e.Must(200, "GET", "/v1/messages", nil).JSON(t, &pg)
	require.Empty(t, pg.Items)
}

func TestHistoryFilters(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, err := c.SendEvent(ctx, ping(i, inline(fmt.Sprintf("h%d", i), fmt.Sprintf("h%d@example.org", i))))
		require.NoError(t, err)
	}
	_, err := c.SendEvent(ctx, ping(9, inline("nomail", "")))
	require.NoError(t, err)
	var pg struct {
		Items []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"items"`
		NextCursor string `json:"next_cursor"`
	}
	e.Must(200, "GET", "/v1/messages?status=suppressed", nil).JSON(t, &pg)
	require.Len(t, pg.Items, 1)
	e.Must(200, "GET", "/v1/messages?contact=h1", nil).JSON(t, &pg)
	require.Len(t, pg.Items, 1)
	e.Must(200, "GET", "/v1/messages?email=H2@EXAMPLE.ORG", nil).JSON(t, &pg)
	require.Len(t, pg.Items, 1)
	e.Must(200, "GET", "/v1/messages?limit=2", nil).JSON(t, &pg)
	require.Len(t, pg.Items, 2)
	require.NotEmpty(t, pg.NextCursor)
	e.Must(200, "GET", "/v1/messages?limit=2&cursor="+pg.NextCursor, nil).JSON(t, &pg)
	require.Len(t, pg.Items, 2)
	since := apptest.Start2026.Add(time.Hour).Format(time.RFC3339)
	e.Must(200, "GET", "/v1/messages?since="+since, nil).JSON(t, &pg)
	require.Empty(t, pg.Items)
	e.Must(422, "GET", "/v1/messages?status=lost", nil)
	e.Must(422, "GET", "/v1/messages?since=yesterday", nil)
}

func TestMetricsEndpoint(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t)
	res, err := c.SendEvent(context.Background(), ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	wants := []string{
		`herold_events_received_total{duplicate="false",source="api"} 1`,
		`herold_messages_total{status="sent"} 1`,
		`herold_delivery_attempts_total{result="sent"} 1`,
		`herold_delivery_duration_seconds_count 1`,
		`herold_queue_depth 0`,
		`herold_queue_oldest_age_seconds 0`,
	}
	// The outcome's counters follow its commit, which WaitStatus may see
	// first: read until they are there (or the deadline passes).
	var missing []string
	deadline := time.Now().Add(wait)
	for {
		text := scrape(t, e)
		missing = missing[:0]
		for _, want := range wants {
			if !strings.Contains(text, want) {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	require.Empty(t, missing, "lines missing from /metrics")
}

func TestCLIEventsSendAndExplain(t *testing.T) {
	t.Parallel()
	e, _, _ := demoEnv(t)
	var out, errOut bytes.Buffer
	code := cli.Execute(context.Background(), []string{"events", "send", "--server", e.URL, "--key", e.Key,
		"--type", "job.requested", "--project", "sommerfest", "--actor", "promoter=p-anna"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	require.Contains(t, out.String(), "no messages; see why with: herold explain ")
	id := strings.Fields(out.String())[1]

	out.Reset()
	code = cli.Execute(context.Background(), []string{"explain", id, "--server", e.URL, "--key", e.Key, "--lang", "de"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	require.Contains(t, out.String(), "Dem Projekt sommerfest ist kein Benachrichtigungsablauf zugeordnet.")

	errOut.Reset()
	code = cli.Execute(context.Background(), []string{"explain", "nope", "--server", e.URL, "--key", e.Key}, &out, &errOut)
	require.Equal(t, 1, code)
	require.Contains(t, errOut.String(), "not found")
}

// Under overload the API answers 503 with Retry-After at once instead of
// queueing requests until they time out; nothing of the refused request is
// kept, and the token comes back when the request in progress ends.
func TestEventsOverloadAnswers503(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, func(s *apptest.Setup) { s.Opts.MaxPendingWrites = 1 })
	release := e.HoldWriter(t)
	answers := make(chan *apptest.Response, 2)
	for i := range 2 {
		go func() {
			answers <- e.Do("POST", "/v1/events", map[string]any{"type": "ping", "project": "p", "idempotency_key": fmt.Sprintf("k%d", i)})
		}()
	}
	// One request holds the only token and waits for the writer lock; the
	// other is refused without waiting.
	var refused *apptest.Response
	select {
	case refused = <-answers:
	case <-time.After(wait):
		release()
		t.Fatal("no request was refused: both waited for the writer")
	}
	release()
	require.Equal(t, http.StatusServiceUnavailable, refused.Status, "%s", refused.Body)
	require.Equal(t, "1", refused.Header.Get("Retry-After"))
	require.Equal(t, "/problems/overloaded", refused.Map(t)["type"])
	accepted := <-answers
	require.Equal(t, http.StatusCreated, accepted.Status, "%s", accepted.Body)
	var events struct {
		Items []any `json:"items"`
	}
	e.Must(200, "GET", "/v1/events", nil).JSON(t, &events)
	require.Len(t, events.Items, 1, "the refused event was not kept")
	e.Must(http.StatusCreated, "POST", "/v1/events", map[string]any{"type": "ping", "project": "p"})
}
