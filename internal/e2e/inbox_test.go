package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
)

// sseEvent is one Server-Sent Event as a browser sees it.
type sseEvent struct{ name, id, data string }

// openStream opens the feed stream like EventSource and returns its
// events; the stream closes with the test.
func openStream(t *testing.T, url, token, lastID string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", url+"?token="+token, nil)
	require.NoError(t, err)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	out := make(chan sseEvent, 100)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	return out
}

// next returns the stream's next event, failing after a second: live
// updates must arrive within one.
func next(t *testing.T, events <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-events:
		require.True(t, ok, "the stream ended")
		return ev
	case <-time.After(time.Second):
		t.Fatal("no event within a second")
	}
	return sseEvent{}
}

type feedCounts struct {
	Unread  int   `json:"unread"`
	Unseen  int   `json:"unseen"`
	Version int64 `json:"version"`
}

type feedItem struct {
	Seq     int64   `json:"seq"`
	Version int64   `json:"version"`
	Title   string  `json:"title"`
	Body    string  `json:"body"`
	Link    string  `json:"link"`
	ReadAt  *string `json:"read_at"`
	Actions []struct {
		Label string `json:"label"`
		URL   string `json:"url"`
	} `json:"actions"`
}

func decodeAs[T any](t *testing.T, data string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(data), &v))
	return v
}

// inboxEnv is a server whose "ping" notification sends e-mail and in-app,
// with a feed secret and one allowed origin.
func inboxEnv(t *testing.T) (e *apptest.Env, ws, secret string) {
	e = apptest.Start(t)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold Test <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/ping", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Ping {{ .data.n }}", "text": "Hallo {{ .recipient.name }}",
		"inapp": map[string]any{"title": "Termin {{ .data.n }} beginnt", "link": "/termine/{{ .data.n }}",
			"actions": []any{map[string]any{"label": "Öffnen", "url": "https://crm.example/t/{{ .data.n }}"}}},
	}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"},
			"channels": []string{"email", "inapp"}},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	ws = e.Must(200, "GET", "/v1/workspace", nil).Map(t)["key"].(string)
	secret = e.Must(201, "POST", "/v1/inbox/secret", nil).Map(t)["secret"].(string)
	e.Must(200, "PUT", "/v1/inbox/settings", map[string]any{"origins": []string{"https://crm.example"}})
	return e, ws, secret
}

// TestInAppLiveFeed: an event for a notification on e-mail and in-app
// sends both; the item reaches two open tabs within a second with the
// counts; "mark all read" in one tab reaches the other; a tab that
// reconnects with Last-Event-ID gets what changed meanwhile exactly once.
func TestInAppLiveFeed(t *testing.T) {
	t.Parallel()
	e, ws, secret := inboxEnv(t)
	c := client.MustNew(e.URL, e.Key)
	tok := client.FeedToken(secret, ws, "anna", e.Clock.Now().Add(time.Hour))
	streamURL := e.URL + "/v1/feed/" + ws + "/stream"
	tab1, tab2 := openStream(t, streamURL, tok, ""), openStream(t, streamURL, tok, "")
	for _, tab := range []<-chan sseEvent{tab1, tab2} {
		ev := next(t, tab)
		require.Equal(t, "counts", ev.name)
		require.Equal(t, feedCounts{}, decodeAs[feedCounts](t, ev.data))
	}

	res, err := c.SendEvent(context.Background(), ping(7, inline("anna", "anna@example.org")))
	require.NoError(t, err)
	var item feedItem
	for _, tab := range []<-chan sseEvent{tab1, tab2} {
		ev := next(t, tab)
		require.Equal(t, "item", ev.name)
		item = decodeAs[feedItem](t, ev.data)
		require.Equal(t, "Termin 7 beginnt", item.Title)
		require.Equal(t, "Hallo Person anna", item.Body, "the text body stands in for the in-app body")
		require.Equal(t, "/termine/7", item.Link)
		require.Equal(t, "https://crm.example/t/7", item.Actions[0].URL)
		counts := next(t, tab)
		require.Equal(t, "counts", counts.name)
		require.Equal(t, 1, decodeAs[feedCounts](t, counts.data).Unread)
	}

	// History and explain show both messages.
	var msgs struct {
		Items []struct {
			ID, Channel, Status string
		} `json:"items"`
	}
	apptest.Eventually(t, 5*time.Second, func() bool {
		e.Must(200, "GET", "/v1/messages?event="+res.ID, nil).JSON(t, &msgs)
		sent := 0
		for _, m := range msgs.Items {
			if m.Status == "sent" {
				sent++
			}
		}
		return sent == 2
	}, "both messages sent")
	channels := []string{msgs.Items[0].Channel, msgs.Items[1].Channel}
	require.ElementsMatch(t, []string{"email", "inapp"}, channels)
	explain := string(e.Must(200, "GET", "/v1/events/"+res.ID+"/explain?lang=en", nil).Body)
	require.Contains(t, explain, "The in-app message to Person anna <anna@example.org> was queued for their feed.")
	require.Contains(t, explain, "was added to their feed on 2026-03-02 at 09:00 (feed item 1)")

	// "Mark all read" up to what tab 1 shows reaches tab 2.
	mark := e.WithKey(tok).Must(200, "POST", "/v1/feed/"+ws+"/mark", map[string]any{"mark": "read", "up_to": item.Seq}).Map(t)
	require.EqualValues(t, 1, mark["changed"])
	ev := next(t, tab2)
	require.Equal(t, "item", ev.name)
	changed := decodeAs[feedItem](t, ev.data)
	require.NotNil(t, changed.ReadAt)
	require.Equal(t, 0, decodeAs[feedCounts](t, next(t, tab2).data).Unread)

	// A tab that dropped after the arrival resumes: it gets the read
	// change, once, and the counts.
	resumed := openStream(t, streamURL, tok, strconv.FormatInt(item.Version, 10))
	ev = next(t, resumed)
	require.Equal(t, "item", ev.name)
	require.Equal(t, changed.Version, decodeAs[feedItem](t, ev.data).Version)
	ev = next(t, resumed)
	require.Equal(t, "counts", ev.name)
	select {
	case ev := <-resumed:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(200 * time.Millisecond):
	}
}

// TestFeedTokens: a feed token works only for its own contact's feed, in
// its own workspace, signed with the workspace's current or previous
// secret, before it expires; every refusal says why.
func TestFeedTokens(t *testing.T) {
	t.Parallel()
	e, ws, secret := inboxEnv(t)
	c := client.MustNew(e.URL, e.Key)
	_, err := c.SendEvent(context.Background(), ping(1, inline("anna", "anna@example.org")))
	require.NoError(t, err)
	now := e.Clock.Now()
	items := "/v1/feed/" + ws + "/items"
	anna := client.FeedToken(secret, ws, "anna", now.Add(time.Hour))
	apptest.Eventually(t, 5*time.Second, func() bool {
		var pg struct{ Items []feedItem }
		e.WithKey(anna).Must(200, "GET", items, nil).JSON(t, &pg)
		return len(pg.Items) == 1
	}, "anna's item in her feed")

	// Another contact's token sees only that contact's (empty) feed.
	var pg struct {
		Items  []feedItem
		Counts feedCounts
	}
	e.WithKey(client.FeedToken(secret, ws, "ben", now.Add(time.Hour))).Must(200, "GET", items, nil).JSON(t, &pg)
	require.Empty(t, pg.Items)
	require.Equal(t, 0, pg.Counts.Unread)

	e.Must(201, "POST", "/v1/workspaces", map[string]any{"key": "other", "name": "Other"})
	refused := []struct {
		name, token, path, detail string
	}{
		{"missing", "", items, "send a feed token"},
		{"expired", client.FeedToken(secret, ws, "anna", now.Add(-time.Second)), items, "expired"},
		{"expires a second ago edge", client.FeedToken(secret, ws, "anna", now), items, "expired"},
		{"forged", client.FeedToken("not the secret", ws, "anna", now.Add(time.Hour)), items, "signature"},
		{"other workspace's path", anna, "/v1/feed/other/items", "another workspace"},
		{"names another workspace", client.FeedToken(secret, "other", "anna", now.Add(time.Hour)), items, "another workspace"},
		{"too long", client.FeedToken(secret, ws, "anna", now.Add(25*time.Hour)), items, "24 hours"},
		{"malformed", "abc", items, "malformed"},
	}
	for _, tt := range refused {
		r := e.WithKey(tt.token).Do("GET", tt.path, nil)
		require.Equal(t, 401, r.Status, tt.name)
		require.Contains(t, string(r.Body), tt.detail, tt.name)
	}
	// An API key is no feed token.
	require.Equal(t, 401, e.Do("GET", items, nil).Status)

	// After a rotation the previous secret still signs valid tokens;
	// after a second one it does not.
	e.Must(201, "POST", "/v1/inbox/secret", nil)
	require.Equal(t, 200, e.WithKey(anna).Do("GET", items, nil).Status)
	e.Must(201, "POST", "/v1/inbox/secret", nil)
	require.Equal(t, 401, e.WithKey(anna).Do("GET", items, nil).Status)
}

// TestFeedCORS: the feed answers browsers from the workspace's allowed
// origins only, preflight included.
func TestFeedCORS(t *testing.T) {
	t.Parallel()
	e, ws, secret := inboxEnv(t)
	tok := client.FeedToken(secret, ws, "anna", e.Clock.Now().Add(time.Hour))
	do := func(method, path, origin string) *http.Response {
		req, err := http.NewRequest(method, e.URL+path, nil)
		require.NoError(t, err)
		req.Header.Set("Origin", origin)
		if method == "OPTIONS" {
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		} else {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	for _, path := range []string{"items", "mark", "stream"} {
		r := do("OPTIONS", "/v1/feed/"+ws+"/"+path, "https://crm.example")
		require.Equal(t, 204, r.StatusCode, path)
		require.Equal(t, "https://crm.example", r.Header.Get("Access-Control-Allow-Origin"))
		require.Contains(t, r.Header.Get("Access-Control-Allow-Headers"), "Authorization")
		r = do("OPTIONS", "/v1/feed/"+ws+"/"+path, "https://evil.example")
		require.Equal(t, 403, r.StatusCode, path)
		require.Empty(t, r.Header.Get("Access-Control-Allow-Origin"))
	}
	r := do("GET", "/v1/feed/"+ws+"/items", "https://crm.example")
	require.Equal(t, 200, r.StatusCode)
	require.Equal(t, "https://crm.example", r.Header.Get("Access-Control-Allow-Origin"))
	require.Equal(t, 403, do("GET", "/v1/feed/"+ws+"/items", "https://evil.example").StatusCode)
	// Origins are per workspace: another workspace allows none.
	e.Must(201, "POST", "/v1/workspaces", map[string]any{"key": "other", "name": "Other"})
	require.Equal(t, 403, do("OPTIONS", "/v1/feed/other/items", "https://crm.example").StatusCode)
	// Settings name the field that is wrong.
	bad := e.Do("PUT", "/v1/inbox/settings", map[string]any{"origins": []string{"https://ok.example", "crm.example/path"}})
	require.Equal(t, 422, bad.Status)
	require.Contains(t, string(bad.Body), `"field":"origins[1]"`)
}

// TestFeedStreamsEndOnStop: open streams end when the server stops, and
// the stop does not wait for them.
func TestFeedStreamsEndOnStop(t *testing.T) {
	t.Parallel()
	e, ws, secret := inboxEnv(t)
	tok := client.FeedToken(secret, ws, "anna", e.Clock.Now().Add(time.Hour))
	tab := openStream(t, e.URL+"/v1/feed/"+ws+"/stream", tok, "")
	require.Equal(t, "counts", next(t, tab).name)
	start := time.Now()
	require.NoError(t, e.App.Stop(context.Background()))
	require.Less(t, time.Since(start), 3*time.Second, "the stop does not wait for open streams")
	select {
	case _, ok := <-tab:
		require.False(t, ok, "the stream ended")
	case <-time.After(time.Second):
		t.Fatal("the stream is still open")
	}
}

// TestReminderInApp: a schedule that fires some minutes before an
// appointment sends an in-app reminder; the person, offline meanwhile,
// finds it unseen in their feed when they next connect.
func TestReminderInApp(t *testing.T) {
	t.Parallel()
	e, ws, secret := inboxEnv(t)
	e.Must(201, "PUT", "/v1/templates/appt", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "In 15 Minuten: {{ .object.title }}", "text": "Beginn {{ time .object.starts_at }}"}}})
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "soon", "event_type": "appointment.soon", "template": "appt",
			"recipients": []string{"role:attendee"}, "channels": []string{"inapp"}},
	}})
	now := e.Clock.Now()
	appt := func(id string, in time.Duration) {
		e.Must(201, "PUT", "/v1/objects/appointments/"+id, map[string]any{
			"attributes": map[string]any{"title": "Termin " + id, "starts_at": now.Add(in).Format(time.RFC3339)},
			"contacts":   map[string]any{"attendee": []string{"anna"}}})
	}
	e.Must(201, "PUT", "/v1/contacts/anna", map[string]any{"name": "Anna"})
	appt("a1", 15*time.Minute) // exactly at the lead time: due
	appt("a2", 16*time.Minute) // a minute too early
	appt("a3", -time.Minute)   // began already
	e.Must(201, "PUT", "/v1/schedules/soon", map[string]any{"project": "p", "every_minutes": 5,
		"source":         map[string]any{"kind": "objects", "collection": "appointments"},
		"condition":      "timestamp(object.starts_at) > now && timestamp(object.starts_at) - now <= duration('15m')",
		"event_type":     "appointment.soon",
		"occurrence_key": "{{ .object.id }}/{{ .object.starts_at }}"})
	run := runNow(t, e, "soon")
	require.Equal(t, 1, run.Emitted)

	tok := client.FeedToken(secret, ws, "anna", now.Add(time.Hour))
	var pg struct {
		Items  []feedItem
		Counts feedCounts
	}
	apptest.Eventually(t, 5*time.Second, func() bool {
		e.WithKey(tok).Must(200, "GET", "/v1/feed/"+ws+"/items", nil).JSON(t, &pg)
		return len(pg.Items) == 1
	}, "the reminder in anna's feed")
	require.Equal(t, "In 15 Minuten: Termin a1", pg.Items[0].Title)
	require.Equal(t, feedCounts{Unread: 1, Unseen: 1, Version: pg.Counts.Version}, pg.Counts,
		"unseen: it came while nobody was connected")
	// A stream opened now starts with those counts, so the page can say
	// "missed".
	ev := next(t, openStream(t, e.URL+"/v1/feed/"+ws+"/stream", tok, ""))
	require.Equal(t, 1, decodeAs[feedCounts](t, ev.data).Unseen)
}

// TestInboxSecretCLI: an operator makes the feed secret on the command
// line; tokens signed with it open the feed.
func TestInboxSecretCLI(t *testing.T) {
	t.Parallel()
	e, ws, _ := inboxEnv(t)
	out := operatorCLI(t, e, "inbox", "secret", "--workspace", ws)
	fields := strings.Fields(out)
	secret := fields[len(fields)-1]
	require.True(t, strings.HasPrefix(secret, "hfs_"), out)
	tok := client.FeedToken(secret, ws, "anna", e.Clock.Now().Add(time.Hour))
	require.Equal(t, 200, e.WithKey(tok).Do("GET", "/v1/feed/"+ws+"/items", nil).Status)
}
