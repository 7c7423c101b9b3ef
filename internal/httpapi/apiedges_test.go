package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestWorkspacePatchNumbersInRange: a number given in PATCH /v1/workspace
// is checked against its documented range, 0 included (it used to fall
// back to the default and answer 200 without a change); a number left out
// keeps its value.
func TestWorkspacePatchNumbersInRange(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"retention_days": 14, "confirmation_expiry_hours": 48})

	for _, tc := range []struct {
		field string
		value int
	}{
		{"retention_days", 0}, {"retention_days", -1}, {"retention_days", 3651},
		{"confirmation_expiry_hours", 0}, {"confirmation_expiry_hours", -1}, {"confirmation_expiry_hours", 8761},
	} {
		p := e.Must(http.StatusUnprocessableEntity, "PATCH", "/v1/workspace", map[string]any{tc.field: tc.value}).Map(t)
		requireField(t, p, tc.field, "invalid")
	}
	ws := e.Must(http.StatusOK, "GET", "/v1/workspace", nil).Map(t)
	require.EqualValues(t, 14, ws["retention_days"], "a refused patch changes nothing")
	require.EqualValues(t, 48, ws["confirmation_expiry_hours"])

	ws = e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"name": "Nord"}).Map(t)
	require.EqualValues(t, 14, ws["retention_days"], "an omitted field keeps its value")
	require.EqualValues(t, 48, ws["confirmation_expiry_hours"])

	ws = e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"retention_days": 1, "confirmation_expiry_hours": 8760}).Map(t)
	require.EqualValues(t, 1, ws["retention_days"])
	require.EqualValues(t, 8760, ws["confirmation_expiry_hours"])
	ws = e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"retention_days": 3650}).Map(t)
	require.EqualValues(t, 3650, ws["retention_days"])
}

// TestAddressLengthLimits: every place that takes an address refuses one
// beyond RFC 5321's limits (64 octets before the "@", 254 in all) with a
// 422 naming the field, and takes one exactly at the limit.
func TestAddressLengthLimits(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	local := func(n int) string { return strings.Repeat("a", n) }
	// domain returns a dotted domain of exactly n octets.
	domain := func(n int) string { return strings.Repeat("d", n-len(".example")) + ".example" }
	sizes := []struct {
		name string
		addr string
		ok   bool
	}{
		{"local 64", local(64) + "@example.org", true},
		{"local 65", local(65) + "@example.org", false},
		{"local 300", local(300) + "@example.org", false},
		{"address 254", local(60) + "@" + domain(254-61), true},
		{"address 255", local(60) + "@" + domain(255-61), false},
	}
	places := []struct {
		name   string
		method string
		path   string
		body   func(addr string) any
		field  string
	}{
		{"contact email", "PUT", "/v1/contacts/c-1", func(a string) any { return map[string]any{"email": a} }, "email"},
		{"workspace sender", "PATCH", "/v1/workspace", func(a string) any {
			return map[string]any{"sender": map[string]any{"from": "Nord <" + a + ">"}}
		}, "sender.from"},
		{"template reply-to", "PUT", "/v1/templates/t2", func(a string) any {
			return map[string]any{"sender": map[string]any{"reply_to": a}, "locales": map[string]any{"de": map[string]any{"subject": "x", "text": "y"}}}
		}, "sender.reply_to"},
		{"flow recipient", "PUT", "/v1/flows/f", func(a string) any {
			return map[string]any{"notifications": []any{map[string]any{"key": "n", "event_type": "a.b", "template": "tmpl",
				"recipients": []string{"email:" + a}}}}
		}, "notifications[0].recipients[0]"},
		{"event actor", "POST", "/v1/explain", func(a string) any {
			return map[string]any{"type": "a.b", "project": "p", "actors": map[string]any{"to": []any{map[string]any{"id": "x", "email": a}}}}
		}, "actors.to[0].email"},
	}
	for _, pl := range places {
		for _, sz := range sizes {
			r := e.Do(pl.method, pl.path, pl.body(sz.addr))
			if sz.ok {
				require.Less(t, r.Status, 300, "%s with %s: %s", pl.name, sz.name, r.Body)
				continue
			}
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s with %s: %s", pl.name, sz.name, r.Body)
			f := requireField(t, r.Map(t), pl.field, "invalid_email")
			require.Contains(t, f["detail"], "RFC 5321", "%s with %s", pl.name, sz.name)
		}
	}
}

// TestCursorsAreTamperEvident: on every list that pages, a cursor is good
// only for the list, filters and workspace it was handed out for. A
// forged one (also a well-formed one, such as the base64 of an id), a
// changed one, one of another list, another workspace or other filters is
// a 422 naming the cursor; the genuine one gives the next page.
func TestCursorsAreTamperEvident(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	other := createWorkspace(t, e, "other")

	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl2", jobTemplate)
	e.Must(http.StatusCreated, "PUT", "/v1/flows/standard", standardFlow("tmpl"))
	e.Must(http.StatusCreated, "PUT", "/v1/flows/second", standardFlow("tmpl2"))
	for _, id := range []string{"c-1", "c-2"} {
		e.Must(http.StatusCreated, "PUT", "/v1/contacts/"+id, map[string]any{"email": id + "@example.org"})
		e.Must(http.StatusCreated, "PUT", "/v1/objects/tasks/t"+id, map[string]any{"subscribers": []string{id}})
	}
	e.Must(http.StatusCreated, "PUT", "/v1/projects/p", map[string]any{"flow": "standard", "members": map[string]any{"promoter": []string{"c-1"}}})
	e.Must(http.StatusCreated, "PUT", "/v1/projects/q", map[string]any{"flow": "second"})
	for _, key := range []string{"s1", "s2"} {
		e.Must(http.StatusCreated, "PUT", "/v1/schedules/"+key, map[string]any{"enabled": false, "cron": "0 6 * * *",
			"source": map[string]any{"kind": "objects", "collection": "none"}, "condition": "true",
			"event_type": "job.requested", "project": "p", "role": "promoter", "occurrence_key": "{{ .object.id }}"})
	}
	for range 2 {
		var run struct {
			ID string `json:"id"`
		}
		e.Must(http.StatusAccepted, "POST", "/v1/schedules/s1/run", nil).JSON(t, &run)
		apptest.Eventually(t, 15*time.Second, func() bool {
			return e.Must(http.StatusOK, "GET", "/v1/schedules/s1/runs/"+run.ID, nil).Map(t)["status"] == "finished"
		}, "run %s did not finish", run.ID)
	}
	for _, typ := range []string{"job.requested", "job.requested", "booking.confirmed", "booking.confirmed"} {
		var res struct {
			Messages []struct {
				ID     string `json:"id"`
				Status string `json:"status"`
			} `json:"messages"`
		}
		e.Must(http.StatusCreated, "POST", "/v1/events", map[string]any{"type": typ, "project": "p", "data": map[string]any{"job": "x"}}).JSON(t, &res)
		for _, m := range res.Messages {
			if m.Status == "queued" {
				e.WaitStatus(m.ID, "sent", 15*time.Second)
			}
		}
	}

	// Each list with a query whose filter keeps both items, and another
	// filter (empty: the list has none) that a cursor must not cross to.
	lists := []struct {
		path, filter, otherFilter string
	}{
		{"/v1/templates", "", ""},
		{"/v1/flows", "", ""},
		{"/v1/projects", "", ""},
		{"/v1/contacts", "", ""},
		{"/v1/objects/tasks", "", ""},
		{"/v1/schedules", "", ""},
		{"/v1/schedules/s1/runs", "", ""},
		{"/v1/events", "project=p", "project=p&type=job.requested"},
		{"/v1/messages", "contact=c-1", "contact=c-1&status=sent"},
		{"/v1/confirmations", "project=p", "project=q"},
		{"/v1/mailbox", "", ""},
	}
	type page struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor string            `json:"next_cursor"`
	}
	get := func(key, path, query string) *apptest.Response {
		return e.DoKey(key, "GET", path+"?limit=1&"+query, nil)
	}
	cursors := make([]string, len(lists))
	firsts := make([]json.RawMessage, len(lists))
	for i, l := range lists {
		var pg page
		r := get(e.Key, l.path, l.filter)
		require.Equal(t, http.StatusOK, r.Status, "%s: %s", l.path, r.Body)
		r.JSON(t, &pg)
		require.Len(t, pg.Items, 1, l.path)
		require.NotEmpty(t, pg.NextCursor, "%s has a second page", l.path)
		cursors[i], firsts[i] = pg.NextCursor, pg.Items[0]
	}
	enc := base64.RawURLEncoding
	for i, l := range lists {
		t.Run(l.path, func(t *testing.T) {
			var pg page
			r := get(e.Key, l.path, l.filter+"&cursor="+cursors[i])
			require.Equal(t, http.StatusOK, r.Status, "the genuine cursor: %s", r.Body)
			r.JSON(t, &pg)
			require.Len(t, pg.Items, 1)
			require.NotEqual(t, string(firsts[i]), string(pg.Items[0]), "the cursor moves on")

			pos, sig, _ := strings.Cut(cursors[i], ".")
			after, err := enc.DecodeString(pos)
			require.NoError(t, err)
			bad := map[string]string{
				"not base64":          "%%%",
				"forged, well-formed": "zzz",
				"a bare position":     pos,
				"changed position":    enc.EncodeToString(append(after, '0')) + "." + sig,
				"changed signature":   pos + "." + enc.EncodeToString(make([]byte, 16)),
				"another list's":      cursors[(i+1)%len(lists)],
			}
			for name, c := range bad {
				r := get(e.Key, l.path, l.filter+"&cursor="+url.QueryEscape(c))
				require.Equal(t, http.StatusUnprocessableEntity, r.Status, "%s cursor: %s", name, r.Body)
				requireField(t, r.Map(t), "cursor", "invalid")
			}
			r = get(other, l.path, l.filter+"&cursor="+cursors[i])
			require.Equal(t, http.StatusUnprocessableEntity, r.Status, "another workspace's cursor: %s", r.Body)
			requireField(t, r.Map(t), "cursor", "invalid")
			if l.otherFilter != "" {
				r = get(e.Key, l.path, l.otherFilter+"&cursor="+cursors[i])
				require.Equal(t, http.StatusUnprocessableEntity, r.Status, "cursor with other filters: %s", r.Body)
				requireField(t, r.Map(t), "cursor", "invalid")
			}
		})
	}
}

// TestStatsDailyCounts: GET /v1/stats answers the workspace's daily counts
// for a range of days, 30 days up to today by default, and nothing of
// another workspace's.
func TestStatsDailyCounts(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t) // the clock stands at 2026-03-02, 09:00 in Berlin
	other := createWorkspace(t, e, "other")
	setup := func(key string) {
		for _, r := range []struct {
			path string
			body any
		}{
			{"/v1/templates/tmpl", jobTemplate},
			{"/v1/flows/standard", standardFlow("tmpl")},
			{"/v1/contacts/c-1", map[string]any{"email": "c1@example.org"}},
			{"/v1/contacts/c-2", map[string]any{"name": "no address"}},
			{"/v1/projects/p", map[string]any{"flow": "standard"}},
		} {
			require.Equal(t, http.StatusCreated, e.DoKey(key, "PUT", r.path, r.body).Status, r.path)
		}
	}
	send := func(key, contact string) []string {
		var res struct {
			Messages []struct {
				ID string `json:"id"`
			} `json:"messages"`
		}
		r := e.DoKey(key, "POST", "/v1/events", map[string]any{"type": "job.requested", "project": "p",
			"actors": map[string]any{"promoter": []string{contact}}, "data": map[string]any{"job": "x"}})
		require.Equal(t, http.StatusCreated, r.Status, "%s", r.Body)
		r.JSON(t, &res)
		var ids []string
		for _, m := range res.Messages {
			ids = append(ids, m.ID)
		}
		return ids
	}
	setup(e.Key)
	setup(other)
	for range 2 {
		for _, id := range send(e.Key, "c-1") {
			e.WaitStatus(id, "sent", 15*time.Second)
		}
	}
	send(e.Key, "c-2")
	send(other, "c-2")
	send(other, "c-2")

	type stats struct {
		From     string `json:"from"`
		To       string `json:"to"`
		Timezone string `json:"timezone"`
		Items    []struct {
			Day    string `json:"day"`
			Status string `json:"status"`
			Reason string `json:"reason"`
			Count  int    `json:"count"`
		} `json:"items"`
	}
	var a, b stats
	e.Must(http.StatusOK, "GET", "/v1/stats", nil).JSON(t, &a)
	require.Equal(t, "2026-02-01", a.From)
	require.Equal(t, "2026-03-02", a.To)
	require.Equal(t, "Europe/Berlin", a.Timezone)
	counts := func(s stats) map[string]int {
		out := map[string]int{}
		for _, it := range s.Items {
			out[it.Day+" "+it.Status+" "+it.Reason] += it.Count
		}
		return out
	}
	require.Equal(t, map[string]int{"2026-03-02 sent ": 2, "2026-03-02 suppressed no_email": 1}, counts(a))

	r := e.DoKey(other, "GET", "/v1/stats", nil)
	require.Equal(t, http.StatusOK, r.Status)
	r.JSON(t, &b)
	require.Equal(t, map[string]int{"2026-03-02 suppressed no_email": 2}, counts(b), "workspace B sees only its own counts")

	e.Must(http.StatusOK, "GET", "/v1/stats?from=2026-02-01&to=2026-03-01", nil).JSON(t, &a)
	require.Empty(t, a.Items, "a range without today has none of today's counts")
	e.Must(http.StatusOK, "GET", "/v1/stats?from=2025-03-02&to=2026-03-02", nil).JSON(t, &a)
	require.Len(t, a.Items, 2, "366 days are allowed")

	for _, tc := range []struct{ query, field string }{
		{"from=2026-03-03&to=2026-03-02", "from"},
		{"from=2025-03-01&to=2026-03-02", "from"},
		{"to=02.03.2026", "to"},
		{"from=2026-02-30", "from"},
	} {
		p := e.Must(http.StatusUnprocessableEntity, "GET", "/v1/stats?"+tc.query, nil).Map(t)
		requireField(t, p, tc.field, "invalid")
	}
}

// TestHistoryFindsCopies: GET /v1/messages filtered by contact or by
// address lists the messages a person got as CC or BCC, not only those
// addressed to them.
func TestHistoryFindsCopies(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	e.Must(http.StatusCreated, "PUT", "/v1/flows/standard", standardFlow("tmpl")) // BCC to role:agency
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/c-1", map[string]any{"email": "anna@example.org"})
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/a-dispo", map[string]any{"email": "dispo@agentur-nord.example"})
	e.Must(http.StatusCreated, "PUT", "/v1/projects/p", map[string]any{"flow": "standard"})

	type result struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	var ev, manual result
	e.Must(http.StatusCreated, "POST", "/v1/events", map[string]any{"type": "job.requested", "project": "p",
		"actors": map[string]any{"promoter": []string{"c-1"}, "agency": []string{"a-dispo"}}, "data": map[string]any{"job": "x"}}).JSON(t, &ev)
	e.Must(http.StatusCreated, "POST", "/v1/messages", map[string]any{"template": "tmpl", "recipients": []string{"contact:c-1"},
		"cc": []string{"email:Büro <buero@example.org>"}, "data": map[string]any{"job": "y"}}).JSON(t, &manual)
	require.Len(t, ev.Messages, 1)
	require.Len(t, manual.Messages, 1)

	ids := func(query string) []string {
		var pg struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		e.Must(http.StatusOK, "GET", "/v1/messages?"+query, nil).JSON(t, &pg)
		out := []string{}
		for _, it := range pg.Items {
			out = append(out, it.ID)
		}
		return out
	}
	require.Equal(t, []string{ev.Messages[0].ID}, ids("contact=a-dispo"), "the BCC copy of the agency")
	require.Equal(t, []string{ev.Messages[0].ID}, ids("email=DISPO@agentur-nord.example"), "the BCC copy by address")
	require.Equal(t, []string{manual.Messages[0].ID}, ids("email=buero@example.org"), "the CC copy of a literal address")
	require.Equal(t, []string{manual.Messages[0].ID, ev.Messages[0].ID}, ids("contact=c-1"), "the recipient as before")
}
