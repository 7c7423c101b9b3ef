package impact_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/impact"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/pgtest"
	"github.com/herold-dev/herold/internal/store"
)

// env is a server with recorded history to replay.
type env struct {
	*apptest.Env
	t      testing.TB
	ws     *model.Workspace
	events []map[string]any // the payloads posted, in order
	ids    map[string]string
}

// databases runs fn on SQLite and, when HEROLD_TEST_POSTGRES is set, on
// PostgreSQL.
func databases(t *testing.T, fn func(t *testing.T, database func(testing.TB) string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, apptest.NewDatabase) })
	t.Run("postgres", func(t *testing.T) {
		pgtest.ServerURL(t)
		fn(t, pgtest.NewDatabase)
	})
}

// setup starts a server whose flow "standard" sends job requests to the
// promoter and big bookings (amount > 100) to the agency, and records
// five job requests and four bookings over two days.
func setup(t testing.TB, database func(testing.TB) string) *env {
	e := &env{t: t, ids: map[string]string{}, Env: apptest.Start(t, func(s *apptest.Setup) {
		s.Opts.Database = database(t)
		s.NoDelivery = true
		s.NoRunner = true
	})}
	ws, err := e.App.Store().WorkspaceGetByKey(context.Background(), "default")
	require.NoError(t, err)
	e.ws = ws
	e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold <noreply@herold.example>"}})
	e.Must(http.StatusCreated, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "Hallo {{ .recipient.name }}", "text": "x"}}})
	e.Must(http.StatusCreated, "PUT", "/v1/templates/t2", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "Servus", "text": "y"}}})
	for _, id := range []string{"p1", "p2", "a1"} {
		e.Must(http.StatusCreated, "PUT", "/v1/contacts/"+id, map[string]any{"email": id + "@example.com", "name": id})
	}
	e.Must(http.StatusCreated, "PUT", "/v1/flows/standard", map[string]any{"name": "Standard", "notifications": current()})
	e.Must(http.StatusCreated, "PUT", "/v1/projects/shop", map[string]any{"name": "Shop", "flow": "standard",
		"members": map[string]any{"agency": []string{"a1"}}})
	e.record()
	return e
}

// current is the notifications of flow standard as the server has them.
func current() []map[string]any {
	return []map[string]any{
		{"key": "req", "event_type": "job.requested", "template": "t", "recipients": []string{"role:promoter"}},
		{"key": "big", "event_type": "booking.confirmed", "template": "t", "recipients": []string{"role:agency"},
			"condition": "data.amount > 100"},
	}
}

// record posts the history: the same payloads each time it is called, an
// hour apart on the fake clock.
func (e *env) record() {
	if e.events == nil {
		for i := range 5 {
			e.events = append(e.events, map[string]any{"type": "job.requested", "project": "shop",
				"actors": map[string]any{"promoter": []string{[]string{"p1", "p2"}[i%2]}}})
		}
		for _, amount := range []int{50, 150, 200, 80} {
			e.events = append(e.events, map[string]any{"type": "booking.confirmed", "project": "shop", "data": map[string]any{"amount": amount}})
		}
	}
	for _, ev := range e.events {
		e.Clock.Advance(time.Hour)
		var out struct {
			ID string `json:"id"`
		}
		e.Must(http.StatusCreated, "POST", "/v1/events", ev).JSON(e.t, &out)
		if amount, ok := ev["data"].(map[string]any); ok {
			e.ids[jsonString(amount["amount"])] = out.ID
		}
	}
	// A replay's window ends before now: [since, until).
	e.Clock.Advance(time.Minute)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// config is the server's configuration with flow standard's
// notifications replaced.
func (e *env) config(notifications []map[string]any) impact.Config {
	var f model.Flow
	b, err := json.Marshal(map[string]any{"key": "standard", "name": "Standard", "notifications": notifications})
	require.NoError(e.t, err)
	require.NoError(e.t, json.Unmarshal(b, &f))
	for i := range f.Notifications {
		if f.Notifications[i].Status == "" {
			f.Notifications[i].Status = model.StatusActive
		}
		f.Notifications[i].Category = model.CategoryTransactional
		f.Notifications[i].Channel = "email"
	}
	p, err := e.App.Store().ProjectGet(context.Background(), e.ws.ID, "shop")
	require.NoError(e.t, err)
	return impact.Config{Projects: []model.Project{*p}, Flows: []model.Flow{f}}
}

func (e *env) replay(cfg impact.Config, opt impact.Options) *impact.Report {
	opt.Clock = e.Clock
	rep, err := impact.Replay(context.Background(), e.App.Store(), e.ws, cfg, opt)
	require.NoError(e.t, err)
	return rep
}

// group finds a group of project shop.
func group(t *testing.T, rep *impact.Report, notification string) *impact.Group {
	for _, p := range rep.Projects {
		for _, g := range p.Groups {
			if p.Project == "shop" && g.Notification == notification {
				return g
			}
		}
	}
	t.Fatalf("no group for notification %s in %+v", notification, rep.Projects)
	return nil
}

func TestReplay(t *testing.T) {
	databases(t, func(t *testing.T, database func(testing.TB) string) {
		e := setup(t, database)

		t.Run("unchanged configuration changes nothing", func(t *testing.T) {
			rep := e.replay(e.config(current()), impact.Options{})
			require.Equal(t, 9, rep.Events)
			require.Equal(t, impact.Counts{Before: 7, After: 7}, rep.Totals, "5 job requests, 2 big bookings")
			require.False(t, rep.Truncated)
		})

		t.Run("removed notification removes all its messages", func(t *testing.T) {
			rep := e.replay(e.config(current()[1:]), impact.Options{})
			g := group(t, rep, "req")
			require.Equal(t, impact.Counts{Before: 5, After: 0, Removed: 5}, g.Counts)
			require.Equal(t, []string{impact.CauseNotificationRemoved}, g.Causes)
			require.Len(t, g.Examples, impact.DefaultExamples)
			require.Equal(t, impact.ChangeRemoved, g.Examples[0].Change)
			require.Equal(t, impact.Counts{Before: 2, After: 2}, group(t, rep, "big").Counts)
		})

		t.Run("changed condition shows exactly the affected events", func(t *testing.T) {
			ns := current()
			ns[1]["condition"] = "data.amount > 60" // adds the booking of 80, not the one of 50
			rep := e.replay(e.config(ns), impact.Options{})
			g := group(t, rep, "big")
			require.Equal(t, impact.Counts{Before: 2, After: 3, Added: 1}, g.Counts)
			require.Equal(t, []string{impact.CauseNotificationCondition}, g.Causes)
			require.Len(t, g.Examples, 1)
			require.Equal(t, e.ids["80"], g.Examples[0].Event)
			require.Equal(t, "a1", g.Examples[0].After.Recipient)
			require.Zero(t, group(t, rep, "req").Changes())
		})

		t.Run("an added in-app channel adds one feed item per recipient, the e-mails unchanged", func(t *testing.T) {
			ns := current()
			ns[0]["channels"] = []string{"email", "inapp"}
			rep := e.replay(e.config(ns), impact.Options{})
			g := group(t, rep, "req")
			require.Equal(t, impact.Counts{Before: 5, After: 10, Added: 5}, g.Counts)
			require.Equal(t, []string{impact.CauseNotificationChannels}, g.Causes)
			require.Equal(t, model.ChannelInApp, g.Examples[0].After.Channel)
			require.Zero(t, group(t, rep, "big").Changes())
		})

		t.Run("changed recipient role changes recipients", func(t *testing.T) {
			ns := current()
			ns[0]["recipients"] = []string{"role:agency"}
			rep := e.replay(e.config(ns), impact.Options{Examples: 10})
			g := group(t, rep, "req")
			require.Equal(t, impact.Counts{Before: 5, After: 5, Changed: 5}, g.Counts)
			require.Len(t, g.Examples, 5)
			for _, ex := range g.Examples {
				require.Equal(t, []string{impact.FieldRecipient}, ex.Fields)
				require.Contains(t, []string{"p1", "p2"}, ex.Before.Recipient)
				require.Equal(t, "a1", ex.After.Recipient)
			}
		})

		t.Run("MaxEvents truncation is reported", func(t *testing.T) {
			rep := e.replay(e.config(current()), impact.Options{MaxEvents: 3})
			require.True(t, rep.Truncated)
			require.Equal(t, 3, rep.Events)
			require.Equal(t, impact.Counts{Before: 2, After: 2}, rep.Totals, "the newest three: bookings of 80, 200, 150")
			all := e.replay(e.config(current()), impact.Options{MaxEvents: 9})
			require.False(t, all.Truncated, "exactly as many events as the limit is complete")
		})

		t.Run("a cancelled context stops the replay", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := impact.Replay(ctx, e.App.Store(), e.ws, e.config(current()), impact.Options{Clock: e.Clock})
			require.ErrorIs(t, err, context.Canceled)
		})

		t.Run("window bounds the events", func(t *testing.T) {
			now := e.Clock.Now()
			last := now.Add(-time.Minute)
			rep := e.replay(e.config(current()), impact.Options{Since: last.Add(-time.Hour), Until: last})
			require.Equal(t, 1, rep.Events, "[since, until): the event at until is not included")
			rep = e.replay(e.config(current()), impact.Options{Since: last.Add(-time.Hour), Until: last.Add(time.Millisecond)})
			require.Equal(t, 2, rep.Events)
		})

		t.Run("manual sends are not replayed", func(t *testing.T) {
			e.Must(http.StatusCreated, "POST", "/v1/messages", map[string]any{"template": "t", "project": "shop", "recipients": []string{"contact:p1"}})
			e.Clock.Advance(time.Minute)
			rep := e.replay(e.config(current()[1:]), impact.Options{})
			require.Equal(t, 9, rep.Events)
			require.Equal(t, 1, rep.Skipped)
			require.Equal(t, impact.Counts{Before: 7, After: 2, Removed: 5}, rep.Totals, "the manual message is not counted")
		})

		t.Run("a message that failed to render is not drift", func(t *testing.T) {
			e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": ""}})
			e.Clock.Advance(time.Minute)
			var out struct {
				Messages []model.Message `json:"messages"`
			}
			e.Must(http.StatusCreated, "POST", "/v1/events", e.events[0]).JSON(t, &out)
			require.Equal(t, model.MsgFailed, out.Messages[0].Status, "no sender: rendering fails")
			e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold <noreply@herold.example>"}})
			e.Clock.Advance(time.Minute)
			rep := e.replay(e.config(current()), impact.Options{})
			require.Equal(t, impact.Counts{Before: 8, After: 8}, rep.Totals, "the planner queued it; rendering is not replayed")
			rep = e.replay(e.config(current()[1:]), impact.Options{})
			require.Equal(t, impact.Counts{Before: 8, After: 2, Removed: 6}, rep.Totals)
		})

		t.Run("changed contact is drift, not a change", func(t *testing.T) {
			e.Must(http.StatusOK, "PUT", "/v1/contacts/a1", map[string]any{"name": "a1"}) // no address any more
			t.Cleanup(func() {
				e.Must(http.StatusOK, "PUT", "/v1/contacts/a1", map[string]any{"email": "a1@example.com", "name": "a1"})
			})
			rep := e.replay(e.config(current()), impact.Options{})
			require.Equal(t, impact.Counts{Before: 8, After: 8, Drift: 2}, rep.Totals)
			g := group(t, rep, "big")
			require.Equal(t, []string{impact.FieldStatus}, g.DriftExamples[0].Fields)
			require.Equal(t, model.MsgSuppressed, g.DriftExamples[0].After.Status)
		})
	})
}

// counts are the rows a replay must not add to or change.
func counts(t *testing.T, e *env) map[string]int {
	ctx := context.Background()
	st := e.App.Store()
	evs, err := st.EventList(ctx, &store.EventListParams{WorkspaceID: e.ws.ID, Limit: 1000})
	require.NoError(t, err)
	msgs, err := st.MessageList(ctx, &store.MessageListParams{WorkspaceID: e.ws.ID, Limit: 1000})
	require.NoError(t, err)
	v, err := st.WorkspaceConfigVersion(ctx, e.ws.ID)
	require.NoError(t, err)
	out := map[string]int{"events": len(evs), "messages": len(msgs), "config_version": int(v)}
	for _, m := range msgs {
		out["status "+string(m.Status)]++
	}
	return out
}

func TestReplayWritesNothing(t *testing.T) {
	databases(t, func(t *testing.T, database func(testing.TB) string) {
		e := setup(t, database)
		before := counts(t, e)
		require.Equal(t, 9, before["events"])
		ns := current()
		ns[0]["recipients"] = []string{"role:agency"}
		rep := e.replay(e.config(ns[:1]), impact.Options{})
		require.NotZero(t, rep.Totals.Changes())
		require.Equal(t, before, counts(t, e))
	})
}

// TestReplayEqualsEngineAfterApply: what a replay says a configuration
// would plan is what the engine plans once the configuration is applied,
// for the same events.
func TestReplayEqualsEngineAfterApply(t *testing.T) {
	databases(t, func(t *testing.T, database func(testing.TB) string) {
		e := setup(t, database)
		ns := []map[string]any{
			{"key": "req", "event_type": "job.requested", "template": "t2", "recipients": []string{"role:agency"}, "cc": []string{"role:promoter"}},
			{"key": "big", "event_type": "booking.confirmed", "template": "t", "recipients": []string{"role:agency"},
				"condition": "data.amount > 60", "status": "confirm"},
			{"key": "all", "event_type": "booking.confirmed", "template": "t", "recipients": []string{"contact:p2", "email:x@example.com"}},
		}
		first := e.replay(e.config(ns), impact.Options{})
		require.Equal(t, impact.Counts{Before: 7, After: 16, Added: 9, Changed: 7}, first.Totals)

		// Apply through the API, then send the same events again.
		e.Must(http.StatusOK, "PUT", "/v1/flows/standard", map[string]any{"name": "Standard", "notifications": ns})
		e.Clock.Advance(time.Hour)
		since := e.Clock.Now()
		e.record()

		// An approved confirmation was still planned as one.
		held, err := e.App.Store().MessageList(context.Background(), &store.MessageListParams{WorkspaceID: e.ws.ID,
			Statuses: []model.MessageStatus{model.MsgAwaitingConfirmation}, Limit: 10})
		require.NoError(t, err)
		require.Len(t, held, 3)
		e.Must(http.StatusOK, "POST", "/v1/messages/"+held[0].ID+"/approve", map[string]any{"actor": "test"})
		require.Equal(t, "queued", e.MessageStatus(held[0].ID))

		again := e.replay(e.config(ns), impact.Options{Since: since})
		require.Equal(t, 9, again.Events)
		require.Zero(t, again.Totals.Drift, "what the engine recorded is what the replay plans, message by message")
		require.Zero(t, again.Totals.Changes())
		after := map[string]int{}
		for _, p := range first.Projects {
			for _, g := range p.Groups {
				after[g.Flow+"/"+g.Notification] = g.After
			}
		}
		recorded := map[string]int{}
		for _, p := range again.Projects {
			for _, g := range p.Groups {
				recorded[g.Flow+"/"+g.Notification] = g.Before
			}
		}
		require.Equal(t, after, recorded)
		// Confirmations and the booking of 80 took part.
		big := group(t, first, "big")
		require.Equal(t, 3, big.After)
		require.True(t, slices.ContainsFunc(big.Examples, func(x impact.Example) bool {
			return x.After != nil && x.After.Status == model.MsgAwaitingConfirmation
		}))
	})
}

func TestOptions(t *testing.T) {
	now := apptest.Start2026
	for _, tc := range []struct {
		name string
		opt  impact.Options
		want string
	}{
		{"since after until", impact.Options{Since: now, Until: now.Add(-time.Hour)}, "since"},
		{"since equals until", impact.Options{Since: now, Until: now}, "since"},
		{"window too long", impact.Options{Since: now.Add(-impact.MaxWindow - time.Minute), Until: now}, "since"},
		{"too many events", impact.Options{MaxEvents: impact.MaxMaxEvents + 1}, "max_events"},
		{"negative days", impact.Options{Days: -1}, "days"},
		{"too many days", impact.Options{Days: 93}, "days"},
		{"days beyond a since too early", impact.Options{Since: now.Add(-impact.MaxWindow - time.Minute), Until: now, Days: 3}, "since"},
		{"negative examples", impact.Options{Examples: -1}, "examples"},
		{"too many examples", impact.Options{Examples: impact.MaxExamples + 1}, "examples"},
		{"a window of exactly the most", impact.Options{Since: now.Add(-impact.MaxWindow), Until: now, MaxEvents: impact.MaxMaxEvents,
			Examples: impact.MaxExamples}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				e := setup(t, apptest.NewDatabase)
				rep, err := impact.Replay(context.Background(), e.App.Store(), e.ws, impact.Config{}, tc.opt)
				require.NoError(t, err)
				require.Zero(t, rep.Events, "the history lies after the window")
				return
			}
			_, err := impact.Replay(context.Background(), nil, &model.Workspace{}, impact.Config{}, tc.opt)
			require.ErrorIs(t, err, impact.ErrOptions)
			var oe *impact.OptionsError
			require.ErrorAs(t, err, &oe)
			require.Equal(t, tc.want, oe.Field)
		})
	}
}

func TestText(t *testing.T) {
	e := setup(t, apptest.NewDatabase)
	ns := current()[1:]
	ns[0]["condition"] = "data.amount > 60"
	rep := e.replay(e.config(ns), impact.Options{MaxEvents: 8, Examples: 1})
	text := func(lang string) string {
		var b strings.Builder
		require.NoError(t, rep.Text(&b, lang))
		return b.String()
	}
	en := text("en")
	for _, want := range []string{
		"Impact of the proposed configuration on 8 recorded events received from 2026-02-23 17:01 UTC to 2026-03-02 17:01 UTC.",
		"The replay stopped at its limit of 8 events: events received before 2026-03-02 10:00 UTC were not replayed.",
		"Messages: 6 recorded → 3 with the change (1 added, 4 removed, 0 changed).",
		"Project shop, flow standard, job.requested, notification req: 4 messages → 0: notification removed (0 added, 4 removed, 0 changed).",
		"Project shop, flow standard, booking.confirmed, notification big: 2 messages → 3: condition changed (1 added, 0 removed, 0 changed).",
		"): added a1 (t, queued)",
		"): removed p",
	} {
		require.Contains(t, en, want)
	}
	de := text("de-AT")
	for _, want := range []string{
		"Auswirkung der geplanten Konfiguration auf 8 aufgezeichnete Ereignisse, empfangen von 2026-02-23 17:01 UTC bis 2026-03-02 17:01 UTC.",
		"Das Nachspielen endete an seiner Grenze von 8 Ereignissen",
		"Nachrichten: 6 aufgezeichnet → 3 mit der Änderung (1 hinzu, 4 entfallen, 0 geändert).",
		"Projekt shop, Ablauf standard, job.requested, Benachrichtigung req: 4 Nachrichten → 0: Benachrichtigung entfernt (0 hinzu, 4 entfallen, 0 geändert).",
		"Bedingung geändert",
		"): hinzu a1 (t, eingereiht)",
	} {
		require.Contains(t, de, want)
	}
	require.NotContains(t, de, "impact.", "every sentence is translated")

	var none strings.Builder
	require.NoError(t, e.replay(e.config(current()), impact.Options{}).Text(&none, "de"))
	require.Contains(t, none.String(), "Keine Nachricht würde sich ändern (7 Nachrichten aufgezeichnet).")
}

// TestJSON: the report marshals with snake_case fields for the API.
func TestJSON(t *testing.T) {
	e := setup(t, apptest.NewDatabase)
	b, err := json.Marshal(e.replay(e.config(current()[1:]), impact.Options{}))
	require.NoError(t, err)
	for _, want := range []string{`"totals":{"before":7,"after":2,"added":0,"removed":5,"changed":0,"drift":0}`,
		`"projects":[{"project":"shop","before":7`, `"event_type":"job.requested","notification":"req"`,
		`"causes":["notification_removed"]`, `"change":"removed"`, `"truncated":false`} {
		require.Contains(t, string(b), want)
	}
}

// TestSentencesComplete: every cause, field and change has its sentence
// in both languages.
func TestSentencesComplete(t *testing.T) {
	c := i18n.Must()
	var ids []string
	for _, cause := range []string{impact.CauseProjectAdded, impact.CauseProjectRemoved, impact.CauseProjectFlowChanged,
		impact.CauseProjectMembersChanged, impact.CauseFlowAdded, impact.CauseFlowRemoved, impact.CauseNotificationAdded,
		impact.CauseNotificationRemoved, impact.CauseNotificationStatus, impact.CauseNotificationCondition,
		impact.CauseNotificationRecipients, impact.CauseNotificationTemplate, impact.CauseNotificationCategory,
		impact.CauseNotificationChannels} {
		ids = append(ids, "impact.cause."+cause)
	}
	for _, f := range []string{impact.FieldRecipient, impact.FieldCopies, impact.FieldStatus, impact.FieldTemplate, impact.FieldChannel} {
		ids = append(ids, "impact.field."+f)
	}
	for _, ch := range []string{impact.ChangeAdded, impact.ChangeRemoved, impact.ChangeChanged} {
		ids = append(ids, "impact.example."+ch)
	}
	ids = append(ids, "impact.summary", "impact.skipped", "impact.truncated", "impact.none", "impact.totals",
		"impact.drift", "impact.group", "impact.group.caused")
	for _, lang := range i18n.Languages {
		for _, id := range ids {
			require.True(t, c.Has(lang, id), "%s has no %s", lang, id)
		}
	}
}
