package e2e_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// writer is one client of TestEveryWriteAtOnce: it writes only its own
// rows (prefix), so that its own record of what it last wrote is what the
// server must show afterwards.
type writer struct {
	e      *apptest.Env
	prefix string
	rng    *rand.Rand
	start  int // the kind of write of the writer's first step
	errs   []string
	calls  map[string]int
	// What the server must show afterwards: the last acknowledged version
	// of each contact, object, template, flow, project and schedule (0
	// for deleted), the accepted events, the decided confirmations.
	contacts  map[string]int
	objects   map[string]int
	templates map[string]int
	flows     map[string]int
	projects  map[string]int
	schedules map[string]int
	events    []string
	approved  []string
	declined  []string
	keys      map[string]bool // key id → still valid
	workspace int             // the workspace name's last version (w00 only)
	version   int
}

// do calls the API; a 503 is retried after its Retry-After, anything but
// want is an error. It returns the decoded body.
func (w *writer) do(want int, method, path string, body any) map[string]any {
	w.calls[method+" "+route(path)]++
	var buf []byte
	if body != nil {
		buf, _ = json.Marshal(body)
	}
	for range 50 {
		req, _ := http.NewRequest(method, w.e.URL+path, bytes.NewReader(buf))
		req.Header.Set("Authorization", "Bearer "+w.e.Key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			w.errs = append(w.errs, fmt.Sprintf("%s %s: %v", method, path, err))
			return nil
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "" {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if resp.StatusCode != want {
			w.errs = append(w.errs, fmt.Sprintf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, want, b))
			return nil
		}
		var out map[string]any
		_ = json.Unmarshal(b, &out)
		return out
	}
	w.errs = append(w.errs, fmt.Sprintf("%s %s: 503 fifty times", method, path))
	return nil
}

// route names a path's route for the call counts: /v1/objects/tasks/w00-1
// is /v1/objects/{}/{}.
func route(path string) string {
	parts := strings.Split(strings.SplitN(path, "?", 2)[0], "/")
	for i := 3; i < len(parts); i++ {
		switch parts[i] {
		case "notifications", "run", "approve", "decline", "bulk", "batch":
		default:
			parts[i] = "{}"
		}
	}
	return strings.Join(parts, "/")
}

// put creates (201) or replaces (200) a resource, as exists says.
func (w *writer) put(exists bool, path string, body any) map[string]any {
	want := http.StatusCreated
	if exists {
		want = http.StatusOK
	}
	return w.do(want, "PUT", path, body)
}

// step performs one randomly chosen write.
// writeKinds is the number of cases of step.
const writeKinds = 21

func (w *writer) step() {
	w.version++
	v, n := w.version, w.rng.IntN(4)
	id := fmt.Sprintf("%s-%d", w.prefix, n)
	contact := func(id string) map[string]any {
		return map[string]any{"id": id, "email": id + "@example.org", "name": "Person " + id,
			"attributes": map[string]any{"v": v}, "consents": []string{"news"}}
	}
	// Each writer goes through every kind of write in turn, starting at a
	// kind of its own, so that the writers mix kinds at any moment and one
	// round covers them all however slow the machine.
	switch (w.start + v) % writeKinds {
	case 0:
		w.put(w.contacts[id] > 0, "/v1/contacts/"+id, contact(id))
		w.contacts[id] = v
	case 1:
		var cs []any
		for i := range 20 {
			cid := fmt.Sprintf("%s-b%d", w.prefix, i)
			cs = append(cs, contact(cid))
			w.contacts[cid] = v
		}
		w.do(http.StatusOK, "POST", "/v1/contacts/bulk", map[string]any{"contacts": cs})
	case 2:
		if w.contacts[id] > 0 {
			w.do(http.StatusNoContent, "DELETE", "/v1/contacts/"+id, nil)
			w.contacts[id] = 0
		}
	case 3, 4:
		out := w.do(http.StatusCreated, "POST", "/v1/events", map[string]any{"type": "ping", "project": "p",
			"actors": map[string]any{"to": []any{contact(w.prefix + "-ev")}}, "data": map[string]any{"v": v}})
		w.contacts[w.prefix+"-ev"] = v
		if out != nil {
			w.events = append(w.events, out["id"].(string))
		}
	case 5:
		var evs []any
		for i := range 5 {
			evs = append(evs, map[string]any{"type": "ping", "project": "p", "idempotency_key": fmt.Sprintf("%s-%d-%d", w.prefix, v, i),
				"actors": map[string]any{"to": []string{"shared"}}})
		}
		out := w.do(http.StatusOK, "POST", "/v1/events/batch", map[string]any{"events": evs})
		if out != nil {
			for _, r := range out["results"].([]any) {
				w.events = append(w.events, r.(map[string]any)["id"].(string))
			}
		}
	case 6:
		out := w.do(http.StatusCreated, "POST", "/v1/events", map[string]any{"type": "hold", "project": "p",
			"actors": map[string]any{"to": []string{"shared"}}})
		if out == nil {
			return
		}
		w.events = append(w.events, out["id"].(string))
		msg := out["messages"].([]any)[0].(map[string]any)["id"].(string)
		if v%2 == 0 {
			w.do(http.StatusOK, "POST", "/v1/messages/"+msg+"/approve", map[string]any{"actor": w.prefix})
			w.approved = append(w.approved, msg)
		} else {
			w.do(http.StatusOK, "POST", "/v1/confirmations/decline", map[string]any{"ids": []string{msg}, "actor": w.prefix})
			w.declined = append(w.declined, msg)
		}
	case 7:
		out := w.do(http.StatusCreated, "POST", "/v1/messages", map[string]any{"template": "t",
			"recipients": []string{"contact:shared"}, "data": map[string]any{"v": v}})
		if out != nil {
			w.events = append(w.events, out["id"].(string))
		}
	case 8:
		w.put(w.objects[id] > 0, "/v1/objects/tasks/"+id, map[string]any{"attributes": map[string]any{"v": v},
			"contacts": map[string]any{"assignee": []string{"shared"}}})
		w.objects[id] = v
	case 9:
		if w.objects[id] > 0 {
			w.do(http.StatusNoContent, "DELETE", "/v1/objects/tasks/"+id, nil)
			w.objects[id] = 0
		}
	case 10:
		w.put(w.templates[id] > 0, "/v1/templates/"+id, map[string]any{"name": fmt.Sprintf("v%d", v),
			"locales": map[string]any{"de": map[string]any{"subject": "S {{ .data.v }}", "text": "x"}}})
		w.templates[id] = v
	case 11:
		w.put(w.flows[id] > 0, "/v1/flows/"+id, map[string]any{"name": fmt.Sprintf("v%d", v), "notifications": []any{
			map[string]any{"key": "n", "event_type": "ping", "template": "t", "recipients": []string{"role:to"}}}})
		w.flows[id] = v
	case 12:
		if w.flows[id] > 0 {
			w.put(false, "/v1/flows/"+id+"/notifications/extra", map[string]any{"event_type": "other",
				"template": "t", "recipients": []string{"role:to"}})
			w.flows[id] = v
			w.do(http.StatusOK, "PUT", "/v1/flows/"+id, map[string]any{"name": fmt.Sprintf("v%d", v), "notifications": []any{
				map[string]any{"key": "n", "event_type": "ping", "template": "t", "recipients": []string{"role:to"}}}})
		}
	case 13:
		w.put(w.projects[id] > 0, "/v1/projects/"+id, map[string]any{"name": fmt.Sprintf("v%d", v), "flow": "f"})
		w.projects[id] = v
	case 14:
		w.put(w.schedules[id] > 0, "/v1/schedules/"+id, map[string]any{"name": fmt.Sprintf("v%d", v), "enabled": false,
			"cron": "0 6 * * *", "source": map[string]any{"kind": "objects", "collection": "none-" + w.prefix},
			"condition": "true", "event_type": "ping", "project": "p", "role": "assignee",
			"occurrence_key": "{{ .object.id }}-" + fmt.Sprint(v)})
		w.schedules[id] = v
		if v%3 == 0 {
			w.do(http.StatusAccepted, "POST", "/v1/schedules/"+id+"/run", nil)
		}
	case 15:
		out := w.do(http.StatusCreated, "POST", "/v1/keys", map[string]any{"name": w.prefix, "scopes": []string{"ingest"}})
		if out == nil {
			return
		}
		kid := out["id"].(string)
		w.keys[kid] = true
		if v%2 == 0 {
			w.do(http.StatusNoContent, "DELETE", "/v1/keys/"+kid, nil)
			w.keys[kid] = false
		}
	case 16:
		w.remove("/v1/templates/", id, w.templates)
	case 17:
		w.remove("/v1/flows/", id, w.flows)
	case 18:
		w.remove("/v1/projects/", id, w.projects)
		w.remove("/v1/schedules/", id, w.schedules)
	case 19:
		if w.flows[id] > 0 {
			w.do(http.StatusCreated, "POST", "/v1/flows/"+id+"/notifications", map[string]any{"key": "added",
				"event_type": "other", "template": "t", "recipients": []string{"role:to"}})
			w.do(http.StatusNoContent, "DELETE", "/v1/flows/"+id+"/notifications/added", nil)
		}
	case 20:
		if w.prefix == "w00" { // the workspace is shared: one writer
			w.do(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"name": fmt.Sprintf("v%d", v)})
			w.workspace = v
		}
	}
}

// remove deletes a resource the writer created, if it exists.
func (w *writer) remove(base, id string, versions map[string]int) {
	if versions[id] > 0 {
		w.do(http.StatusNoContent, "DELETE", base+id, nil)
		versions[id] = 0
	}
}

// Every kind of write the API offers, from 32 clients at once for several
// seconds against one SQLite file: no request fails (a 503 with
// Retry-After is retried, as a client should), and afterwards every
// acknowledged write is there.
func TestEveryWriteAtOnce(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "Hallo", "text": "x"}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "t", "recipients": []string{"role:to"}},
		map[string]any{"key": "hold", "event_type": "hold", "template": "t", "recipients": []string{"role:to"}, "status": "confirm"},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	e.Must(201, "PUT", "/v1/contacts/shared", map[string]any{"email": "shared@example.org"})

	const clients = 32
	began := time.Now()
	until := began.Add(4 * time.Second)
	ws := make([]*writer, clients)
	var wg sync.WaitGroup
	for i := range ws {
		ws[i] = &writer{e: e, prefix: fmt.Sprintf("w%02d", i), rng: rand.New(rand.NewPCG(uint64(i), 7)), start: i,
			calls: map[string]int{}, contacts: map[string]int{}, objects: map[string]int{}, templates: map[string]int{},
			flows: map[string]int{}, projects: map[string]int{}, schedules: map[string]int{}, keys: map[string]bool{}}
		w := ws[i]
		wg.Go(func() {
			// At least the 4 s, and at least two rounds of every kind.
			for (time.Now().Before(until) || w.version < 2*writeKinds) && len(w.errs) == 0 {
				w.step()
			}
		})
	}
	wg.Wait()
	calls := map[string]int{}
	total := 0
	for _, w := range ws {
		for _, err := range w.errs {
			t.Error(err)
		}
		for k, n := range w.calls {
			calls[k] += n
			total += n
		}
	}
	t.Logf("%d requests by %d clients in %.1f s: %v", total, clients, time.Since(began).Seconds(), calls)
	require.False(t, t.Failed())
	require.GreaterOrEqual(t, len(calls), 24, "every kind of write was exercised")
	if v := ws[0].workspace; v > 0 {
		var got struct {
			Name string `json:"name"`
		}
		e.Must(200, "GET", "/v1/workspace", nil).JSON(t, &got)
		require.Equal(t, fmt.Sprintf("v%d", v), got.Name)
	}

	for _, w := range ws {
		checkVersions(t, e, "/v1/contacts/", w.contacts, func(m map[string]any) int {
			return int(m["attributes"].(map[string]any)["v"].(float64))
		})
		checkVersions(t, e, "/v1/objects/tasks/", w.objects, func(m map[string]any) int {
			return int(m["attributes"].(map[string]any)["v"].(float64))
		})
		nameVersion := func(m map[string]any) int {
			var v int
			_, _ = fmt.Sscanf(m["name"].(string), "v%d", &v)
			return v
		}
		checkVersions(t, e, "/v1/templates/", w.templates, nameVersion)
		checkVersions(t, e, "/v1/flows/", w.flows, nameVersion)
		checkVersions(t, e, "/v1/projects/", w.projects, nameVersion)
		checkVersions(t, e, "/v1/schedules/", w.schedules, nameVersion)
		for _, id := range w.events {
			e.Must(200, "GET", "/v1/events/"+id, nil)
		}
		for _, id := range w.approved {
			require.Contains(t, []string{"queued", "sending", "sent"}, e.MessageStatus(id), "approved %s", id)
		}
		for _, id := range w.declined {
			require.Equal(t, "declined", e.MessageStatus(id))
		}
		var keys struct {
			Items []struct {
				ID        string  `json:"id"`
				RevokedAt *string `json:"revoked_at"`
			} `json:"items"`
		}
		e.Must(200, "GET", "/v1/keys", nil).JSON(t, &keys)
		for _, k := range keys.Items {
			if valid, mine := w.keys[k.ID]; mine {
				require.Equal(t, valid, k.RevokedAt == nil, "key %s", k.ID)
			}
		}
	}
}

// checkVersions checks that each resource under base shows the version
// last acknowledged (0: deleted, 404).
func checkVersions(t *testing.T, e *apptest.Env, base string, want map[string]int, version func(map[string]any) int) {
	t.Helper()
	for id, v := range want {
		r := e.Do("GET", base+id, nil)
		if v == 0 {
			require.Equal(t, 404, r.Status, "%s%s was deleted", base, id)
			continue
		}
		require.Equal(t, 200, r.Status, "%s%s: %s", base, id, r.Body)
		require.Equal(t, v, version(r.Map(t)), "%s%s shows the last acknowledged write", base, id)
	}
}
