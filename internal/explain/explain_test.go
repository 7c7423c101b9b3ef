package explain

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
)

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// event is a past event with one queued message m to Anna.
func event(m *model.Message) *model.Event {
	return &model.Event{ID: "evt-1", Type: "ping", Project: "p", Trace: []model.Step{
		{Code: model.StepEventReceived, Params: map[string]string{"type": "ping", "project": "p"}},
		{Code: model.StepMessageQueued, Notification: "n", Recipient: "anna", Message: m.ID},
	}}
}

func message(status model.MessageStatus, timeline ...model.MessageEvent) *model.Message {
	return &model.Message{ID: "msg-1", To: model.Address{ContactID: "anna", Email: "anna@example.org", Name: "Anna"},
		Status: status, Attempts: 2, UpdatedAt: at.Add(2 * time.Minute),
		Timeline: append([]model.MessageEvent{{At: at, Status: model.MsgPlanned}, {At: at, Status: model.MsgQueued}}, timeline...)}
}

func steps(t *testing.T, ex *Explanation, code model.StepCode) []Step {
	t.Helper()
	var out []Step
	for _, s := range ex.Steps {
		if s.Code == code {
			out = append(out, s)
		}
	}
	return out
}

// An attempt a crash interrupted is told as such, and the attempt that
// followed by its outcome.
func TestInterruptedAttemptIsExplained(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	m := message(model.MsgSent,
		model.MessageEvent{At: at.Add(time.Minute), Status: model.MsgSending, Attempt: 1, Detail: model.InterruptedDetail},
		model.MessageEvent{At: at.Add(time.Minute), Status: model.MsgSending, Attempt: 2},
		model.MessageEvent{At: at.Add(time.Minute), Status: model.MsgSent, Attempt: 2, Detail: "250 ok"})
	for lang, want := range map[string]string{
		"en": "Delivery attempt 1 to Anna <anna@example.org> was interrupted",
		"de": "Zustellversuch 1 an Anna <anna@example.org> wurde am",
	} {
		ex := New(cat).Build(event(m), []*model.Message{m}, lang, time.UTC)
		got := steps(t, ex, model.StepMessageInterrupted)
		require.Len(t, got, 1, lang)
		require.Contains(t, got[0].Text, want)
		require.Equal(t, "1", got[0].Params["attempt"])
		require.Empty(t, steps(t, ex, model.StepMessageSending), "a finished attempt is told by its outcome")
		require.Len(t, steps(t, ex, model.StepMessageSent), 1)
	}
}

// A message being sent right now (its attempt writes the timeline when it
// ends) is said to be in progress.
func TestAttemptInProgressIsExplained(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	m := message(model.MsgSending)
	ex := New(cat).Build(event(m), []*model.Message{m}, "en", time.UTC)
	got := steps(t, ex, model.StepMessageSending)
	require.Len(t, got, 1)
	require.Contains(t, got[0].Text, "Delivery attempt 2 to Anna <anna@example.org> started")
	require.True(t, got[0].At.Equal(at.Add(2*time.Minute)))
	// Once recorded, the attempt is told by its outcome only.
	m = message(model.MsgSent, model.MessageEvent{At: at, Status: model.MsgSending, Attempt: 2},
		model.MessageEvent{At: at, Status: model.MsgSent, Attempt: 2, Detail: "250 ok"})
	require.Empty(t, steps(t, New(cat).Build(event(m), []*model.Message{m}, "en", time.UTC), model.StepMessageSending))
}

// A failed attempt is told in the reader's words: a connection that never
// came about without the Go error behind it (which stays in params), a
// mail server's refusal with its reply quoted, a "gave up" with its last
// error explained; a detail without a sentence is shown as recorded.
func TestDeliveryFailuresAreExplained(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	next := at.Add(time.Hour)
	netErr := "temporary delivery error: connect to 127.0.0.1:1: dial tcp 127.0.0.1:1: connect: connection refused"
	for _, tc := range []struct {
		name, lang, detail string
		status             model.MessageStatus
		code               model.StepCode
		want               string
	}{
		{"unreachable", "de", netErr, model.MsgRetrying, model.StepMessageRetrying,
			"Zustellversuch 1 an Anna <anna@example.org> ist vorübergehend gescheitert. Der Mailserver war nicht erreichbar (keine Verbindung). Nächster Versuch am 02.03.2026 um 10:00."},
		{"refused for now", "en", "451 4.3.0 Try again later", model.MsgRetrying, model.StepMessageRetrying,
			"Delivery attempt 1 to Anna <anna@example.org> failed temporarily. The mail server refused the mail for now; Herold tries again. The mail server replied: “451 4.3.0 Try again later”. Next try on"},
		{"no such mailbox", "de", "550 5.1.1 Recipient address rejected: User unknown", model.MsgFailed, model.StepMessageFailed,
			"Die Nachricht an Anna <anna@example.org> ist endgültig gescheitert. Diese Adresse gibt es beim Empfänger nicht: bitte die E-Mail-Adresse des Kontakts prüfen. Antwort des Mailservers: „550 5.1.1 Recipient address rejected: User unknown“."},
		{"gave up, unreachable", "en", "gave up after 72h0m0s of retries; last error: " + netErr, model.MsgFailed, model.StepMessageFailed,
			"The message to Anna <anna@example.org> failed for good. Herold gave up delivering after repeated attempts. The mail server could not be reached (no connection)."},
		{"no sentence for it", "en", "render: template \"x\" is gone", model.MsgFailed, model.StepMessageFailed,
			"The message to Anna <anna@example.org> failed for good: render: template \"x\" is gone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			entry := model.MessageEvent{At: at, Status: tc.status, Attempt: 1, Detail: tc.detail}
			if tc.status == model.MsgRetrying {
				entry.NextAttemptAt = &next
			}
			m := message(tc.status, model.MessageEvent{At: at, Status: model.MsgSending, Attempt: 1}, entry)
			got := steps(t, New(cat).Build(event(m), []*model.Message{m}, tc.lang, time.UTC), tc.code)
			require.Len(t, got, 1)
			if tc.status == model.MsgRetrying {
				require.Contains(t, got[0].Text, tc.want)
			} else {
				require.Equal(t, tc.want, got[0].Text)
			}
			require.NotContains(t, got[0].Text, "dial tcp", "no Go network error in the text")
			require.Equal(t, tc.detail, got[0].Params["reply"], "the recorded detail stays in params")
		})
	}
}

// A message that could not be rendered says why in the reader's words
// for the two usual causes, a placeholder without a value and a value
// that is no date, naming the template, the placeholder and where it is
// used; other errors are shown as recorded. The error text comes from a
// real render, wrapped as ingest records it.
func TestRenderFailuresAreExplained(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	renderErr := func(content model.TemplateContent, data map[string]any) string {
		c, err := render.Compile(content)
		require.NoError(t, err)
		_, err = c.Render(context.Background(), map[string]any{"data": data},
			render.Options{Locale: "de", Location: time.UTC, Now: at})
		require.Error(t, err)
		return fmt.Errorf("template %q (%s): %w", "job", "de", err).Error()
	}
	inAppErr := func(content model.InAppContent, data map[string]any) string {
		c, err := render.CompileInApp(model.TemplateContent{Subject: "x", InApp: &content})
		require.NoError(t, err)
		_, err = c.Render(context.Background(), map[string]any{"data": data},
			render.Options{Locale: "de", Location: time.UTC, Now: at})
		require.Error(t, err)
		return fmt.Errorf("template %q (%s): %w", "job", "de", err).Error()
	}
	for _, tc := range []struct {
		name, lang, err, want string
	}{
		{"missing", "de", renderErr(model.TemplateContent{Subject: "Job {{ .data.job.title }}", HTML: "<p>Hallo</p>\n<p>{{ .data.job.title }} am {{ .data.day }}</p>"},
			map[string]any{}),
			"Die Nachricht an Anna <anna@example.org> ließ sich nicht erstellen: Die Vorlage job verwendet .data.job (Betreff Zeile 1, HTML-Teil Zeile 2), doch dafür gibt es bei diesem Ereignis keinen Wert. Ergänzen Sie den Wert, oder lesen Sie ihn in der Vorlage mit „get“, wenn er fehlen darf."},
		{"in the text part", "en", renderErr(model.TemplateContent{Subject: "Job", Text: "a\n{{ .data.job }}\n{{ .data.day }}"}, map[string]any{}),
			"The message to Anna <anna@example.org> could not be created: the template job uses .data.job (text part line 2), which has no value for this event. Add the value, or read it with “get” in the template if it may be missing."},
		{"not a date", "de", renderErr(model.TemplateContent{Subject: "Am {{ .data.day | date_long }}", Text: "x"}, map[string]any{"day": "gestern \"früh\""}),
			"Die Nachricht an Anna <anna@example.org> ließ sich nicht erstellen: „gestern \"früh\"“ ist kein Datum, das date_long in der Vorlage job (Betreff Zeile 1) lesen kann. Erwartet wird JJJJ-MM-TT (etwa 2026-04-15), TT.MM.JJJJ (15.04.2026) oder ein Zeitpunkt nach RFC 3339."},
		{"in-app title, not a date", "de", inAppErr(model.InAppContent{Title: "Einsatz am {{ .data.date | date_long }}"}, map[string]any{"date": "gestern"}),
			"Die Nachricht an Anna <anna@example.org> ließ sich nicht erstellen: „gestern“ ist kein Datum, das date_long in der Vorlage job (Titel der In-App-Nachricht Zeile 1) lesen kann. Erwartet wird JJJJ-MM-TT (etwa 2026-04-15), TT.MM.JJJJ (15.04.2026) oder ein Zeitpunkt nach RFC 3339."},
		{"in-app title, not a date, in English", "en", inAppErr(model.InAppContent{Title: "Einsatz am {{ .data.date | date_long }}"}, map[string]any{"date": "gestern"}),
			"The message to Anna <anna@example.org> could not be created: “gestern” is not a date that date_long in the template job (in-app title line 1) can read. It takes YYYY-MM-DD (such as 2026-04-15), DD.MM.YYYY (15.04.2026) or an RFC 3339 time."},
		{"in-app body, missing", "en", inAppErr(model.InAppContent{Title: "Einsatz", Body: "Hallo\n{{ .data.job.title }}"}, map[string]any{}),
			"The message to Anna <anna@example.org> could not be created: the template job uses .data.job (in-app text line 2), which has no value for this event. Add the value, or read it with “get” in the template if it may be missing."},
		{"in-app action, missing", "de", inAppErr(model.InAppContent{Title: "Einsatz", Actions: []model.InAppAction{
			{Label: "{{ .data.job.verb }}", URL: "/jobs"}}}, map[string]any{}),
			"Die Nachricht an Anna <anna@example.org> ließ sich nicht erstellen: Die Vorlage job verwendet .data.job (Beschriftung der In-App-Aktion 1 Zeile 1), doch dafür gibt es bei diesem Ereignis keinen Wert. Ergänzen Sie den Wert, oder lesen Sie ihn in der Vorlage mit „get“, wenn er fehlen darf."},
		{"no sentence for it", "en", `template "job" (de): template: html:3: rendering took longer than 100ms`,
			`The message to Anna <anna@example.org> could not be rendered: template "job" (de): template: html:3: rendering took longer than 100ms`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := message(model.MsgFailed)
			ev := event(m)
			ev.Trace[1] = model.Step{Code: model.StepMessageRenderFailed, Notification: "n", Recipient: "anna", Message: m.ID,
				Params: map[string]string{"error": tc.err, "template": "job"}}
			got := steps(t, New(cat).Build(ev, []*model.Message{m}, tc.lang, time.UTC), model.StepMessageRenderFailed)
			require.Len(t, got, 1)
			require.Equal(t, tc.want, got[0].Text)
			require.Equal(t, tc.err, got[0].Params["error"], "the recorded error stays in params")

			// A message's own page says the same without the recipient.
			why, ok := RenderFailure(cat, tc.lang, "job", tc.err)
			if tc.name == "no sentence for it" {
				require.False(t, ok)
				return
			}
			require.True(t, ok)
			_, tail, _ := strings.Cut(tc.want, ": ")
			r, n := utf8.DecodeRuneInString(tail)
			require.Equal(t, string(unicode.ToUpper(r))+tail[n:], why, "the sentence starts with a capital")
		})
	}
}

// A condition that could not be evaluated says why in the reader's
// language. The errors come from real evaluations; in English the
// sentence is exactly the condition package's own, which keeps the
// patterns here in step with it.
func TestConditionErrorsAreExplained(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	env, err := condition.New()
	require.NoError(t, err)
	cheap, err := condition.New(condition.WithCostLimit(1))
	require.NoError(t, err)
	evalErr := func(env *condition.Env, expr string, vars map[string]any) string {
		p, err := env.Compile(expr)
		require.NoError(t, err)
		_, err = p.Eval(context.Background(), vars, time.UTC)
		require.Error(t, err, expr)
		return err.Error()
	}
	withData := func(data map[string]any) map[string]any {
		return map[string]any{"data": data, "object": map[string]any{"id": "o1"}, model.RootNow: at}
	}
	for _, tc := range []struct {
		name string
		env  *condition.Env
		expr string
		vars map[string]any
		de   string
	}{
		{"missing field", env, "data.count > 3", withData(map[string]any{}), "data hat kein Feld „count“ (optionale Felder mit has(data.count) prüfen)"},
		{"missing nested field", env, `object.status == "open"`, withData(map[string]any{}), "object hat kein Feld „status“ (optionale Felder mit has(object.status) prüfen)"},
		{"no object at all", env, `object.status == "open"`, map[string]any{"data": map[string]any{}}, "object gibt es hier nicht"},
		{"wrong types", env, "data.count > 3", withData(map[string]any{"count": "abc"}), "„>“ lässt sich nicht auf data.count (string) und 3 (int) anwenden"},
		{"missing element", env, "data.list[2] == 1", withData(map[string]any{"list": []any{1}}), "data.list hat kein Element [2] (vorher mit size() prüfen)"},
		{"not true or false", env, "data.n", withData(map[string]any{"n": 1}), "eine Bedingung muss wahr oder falsch ergeben, nicht int"},
		{"too costly", cheap, "data.l.all(x, x > 0)", withData(map[string]any{"l": []any{1, 2, 3}}), "die Bedingung hat ihre Rechengrenze überschritten (1 Einheiten)"},
		{"not a date", env, "days_until(data.d) < 3", withData(map[string]any{"d": "unbekannt"}), "days_until: „unbekannt“ ist kein Datum (erwartet wird JJJJ-MM-TT, TT.MM.JJJJ oder RFC 3339)"},
		{"empty date", env, "days_until(data.d) < 3", withData(map[string]any{"d": ""}), "days_until: Der Wert ist leer, kein Datum"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := evalErr(tc.env, tc.expr, tc.vars)
			for lang, want := range map[string]string{"de": tc.de, "en": raw} {
				m := message(model.MsgFailed)
				ev := event(m)
				ev.Trace[1] = model.Step{Code: model.StepConditionError, Notification: "n",
					Params: map[string]string{"condition": tc.expr, "error": raw}}
				got := steps(t, New(cat).Build(ev, []*model.Message{m}, lang, time.UTC), model.StepConditionError)
				require.Len(t, got, 1)
				require.True(t, strings.HasSuffix(got[0].Text, ": "+want), "%s: %q", lang, got[0].Text)
				require.Equal(t, raw, got[0].Params["error"])
			}
		})
	}
	// A condition the planner did not evaluate, the event's budget used up.
	raw := condition.OverBudget(1_000_000).Error()
	for lang, want := range map[string]string{"de": "Bedingung nicht ausgewertet: Die Bedingungen dieses Ereignisses haben ihr Rechenbudget von 1000000 Einheiten aufgebraucht", "en": raw} {
		m := message(model.MsgFailed)
		ev := event(m)
		ev.Trace[1] = model.Step{Code: model.StepConditionError, Notification: "n",
			Params: map[string]string{"condition": "data.x", "error": raw}}
		got := steps(t, New(cat).Build(ev, []*model.Message{m}, lang, time.UTC), model.StepConditionError)
		require.Len(t, got, 1)
		require.True(t, strings.HasSuffix(got[0].Text, ": "+want), "%s: %q", lang, got[0].Text)
	}
	// A schedule that could not evaluate a record says it the same way.
	m := message(model.MsgFailed)
	ev := event(m)
	ev.Trace = []model.Step{{Code: model.StepScheduleError, Params: map[string]string{"schedule": "birthdays",
		"error": "contact has no field 'birthday' (guard optional fields with has(contact.birthday))"}}}
	got := steps(t, New(cat).Build(ev, []*model.Message{m}, "de", time.UTC), model.StepScheduleError)
	require.Len(t, got, 1)
	require.Equal(t, "Nichts wurde gesendet: Der zeitgesteuerte Versand birthdays konnte diesen Datensatz nicht auswerten "+
		"(contact hat kein Feld „birthday“ (optionale Felder mit has(contact.birthday) prüfen)).", got[0].Text)
}
