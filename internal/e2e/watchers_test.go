package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// watcherEnv is a Herold mailing to a test SMTP server with a flow for
// tickets: "ticket.updated" goes to the ticket's watchers, "ticket.closed"
// to the agent with the watchers (by the older name) in CC.
func watcherEnv(t *testing.T) (*apptest.Env, *client.Client, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	for _, id := range []string{"agent", "anna", "ben"} {
		require.NoError(t, c.PutContact(ctx, &client.Contact{ID: id, Email: id + "@example.org", Name: "Person " + id}))
	}
	for _, id := range []string{"4711", "4712"} {
		require.NoError(t, c.PutObject(ctx, &client.Object{Collection: "ticket", ID: id}))
	}
	e.Must(201, "PUT", "/v1/flows/tickets", map[string]any{"notifications": []any{
		map[string]any{"key": "updated", "event_type": "ticket.updated", "template": "ping", "recipients": []string{"watchers"}},
		map[string]any{"key": "closed", "event_type": "ticket.closed", "template": "ping",
			"recipients": []string{"contact:agent"}, "cc": []string{"subscribers"}},
	}})
	e.Must(201, "PUT", "/v1/projects/support", map[string]any{"flow": "tickets"})
	return e, c, srv
}

func ticketEvent(typ, id string, n int) *client.Event {
	return &client.Event{Type: typ, Project: "support", Object: &client.ObjectRef{Collection: "ticket", ID: id},
		Data: map[string]any{"n": n, "note": "x", "link": "https://example.org/"}}
}

// TestWatchersGetTheObjectsEvents: the watchers a host app adds to a ticket
// are mailed its events (in To, and in CC by the older name
// "subscribers"); one removed is not; explain names each as "watcher of
// ticket 4711", and a ticket without watchers says so, in both languages.
func TestWatchersGetTheObjectsEvents(t *testing.T) {
	t.Parallel()
	e, c, srv := watcherEnv(t)
	ctx := context.Background()
	for _, id := range []string{"anna", "ben"} {
		_, err := c.AddWatcher(ctx, "ticket", "4711", id)
		require.NoError(t, err)
	}

	res, err := c.SendEvent(ctx, ticketEvent("ticket.updated", "4711", 1))
	require.NoError(t, err)
	require.Len(t, res.Messages, 2)
	for _, m := range res.Messages {
		e.WaitStatus(m.ID, "sent", wait)
	}
	var rcpts []string
	for _, m := range srv.WaitForMails(t, 2, wait) {
		rcpts = append(rcpts, m.Rcpts...)
	}
	sort.Strings(rcpts)
	require.Equal(t, []string{"anna@example.org", "ben@example.org"}, rcpts)
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "message.queued"), "(watcher of ticket 4711) was queued for delivery")
	ex, err = c.Explain(ctx, res.ID, "de")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "message.queued"), "(Beobachter von ticket 4711) wurde zum Versand eingereiht")

	require.NoError(t, c.RemoveWatcher(ctx, "ticket", "4711", "anna"))
	res, err = c.SendEvent(ctx, ticketEvent("ticket.closed", "4711", 2))
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	mails := srv.WaitForMails(t, 3, wait)
	require.ElementsMatch(t, []string{"agent@example.org", "ben@example.org"}, mails[2].Rcpts,
		"the agent, with the one remaining watcher in CC")
	require.Contains(t, mails[2].Header.Get("Cc"), "ben@example.org")

	res, err = c.SendEvent(ctx, ticketEvent("ticket.updated", "4712", 3))
	require.NoError(t, err)
	require.Empty(t, res.Messages)
	ex, err = c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Equal(t, "Notification updated: the ticket 4712 has no watchers.", stepText(ex, "recipients.no_watchers"))
	ex, err = c.Explain(ctx, res.ID, "de")
	require.NoError(t, err)
	require.Equal(t, "Benachrichtigung updated: ticket 4712 hat keine Beobachter.", stepText(ex, "recipients.no_watchers"))
	require.Equal(t, 3, srv.Count(), "nothing else was mailed")
}

// TestWatchersTwoWritersAtOnce: many requests adding and removing
// different watchers of one object at the same moment all take effect (run
// with HEROLD_E2E_DATABASE=postgres for PostgreSQL).
func TestWatchersTwoWritersAtOnce(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	const n = 12
	var before []string
	for i := range 2 * n {
		id := fmt.Sprintf("c-%02d", i)
		e.Must(http.StatusCreated, "PUT", "/v1/contacts/"+id, map[string]any{"email": id + "@example.org"})
		if i < n {
			before = append(before, id)
		}
	}
	e.Must(http.StatusCreated, "PUT", "/v1/objects/ticket/4711", map[string]any{"subscribers": before})
	var wg sync.WaitGroup
	statuses := make(chan string, 2*n)
	for i := range n {
		wg.Add(2)
		go func() { // removes one of the first n
			defer wg.Done()
			r := e.Do("DELETE", fmt.Sprintf("/v1/objects/ticket/4711/watchers/c-%02d", i), nil)
			statuses <- fmt.Sprintf("DELETE %d", r.Status)
		}()
		go func() { // adds one of the second n
			defer wg.Done()
			r := e.Do("PUT", fmt.Sprintf("/v1/objects/ticket/4711/watchers/c-%02d", n+i), nil)
			statuses <- fmt.Sprintf("PUT %d", r.Status)
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		require.True(t, s == "DELETE 204" || s == "PUT 201", s)
	}
	var got struct {
		Watchers []string `json:"watchers"`
	}
	e.Must(http.StatusOK, "GET", "/v1/objects/ticket/4711/watchers", nil).JSON(t, &got)
	slices.Sort(got.Watchers)
	var want []string
	for i := n; i < 2*n; i++ {
		want = append(want, fmt.Sprintf("c-%02d", i))
	}
	require.Equal(t, want, got.Watchers)
}
