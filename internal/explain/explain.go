// Package explain turns what the engine recorded into an answer to "why
// (not) sent?": the planner's trace, stored with the event, followed for
// each message by its status timeline, each step as a structured record and
// as one plain sentence in English or German. It never re-runs a decision.
package explain

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// Step is one explained decision.
type Step struct {
	Code         model.StepCode    `json:"code"`
	Notification string            `json:"notification,omitempty"`
	Recipient    string            `json:"recipient,omitempty"`
	Message      string            `json:"message,omitempty"`
	At           *time.Time        `json:"at,omitempty"`
	Params       map[string]string `json:"params,omitempty"`
	Values       map[string]any    `json:"values,omitempty"`
	// Text is the step as a sentence in the requested language.
	Text string `json:"text"`
}

// Explanation is the answer for one event.
type Explanation struct {
	EventID  string `json:"event_id,omitempty"`
	Language string `json:"language"`
	// Summary is one sentence over all messages.
	Summary string `json:"summary"`
	Steps   []Step `json:"steps"`
}

// Explainer formats explanations.
type Explainer struct {
	cat *i18n.Catalog
}

// New returns an Explainer using cat.
func New(cat *i18n.Catalog) *Explainer { return &Explainer{cat: cat} }

// Build explains an event from its recorded trace and its messages' current
// states. msgs may be nil for a dry run.
func (x *Explainer) Build(ev *model.Event, msgs []*model.Message, lang string, loc *time.Location) *Explanation {
	lang = i18n.Normalize(lang)
	byID := make(map[string]*model.Message, len(msgs))
	for _, m := range msgs {
		byID[m.ID] = m
	}
	f := &formatter{cat: x.cat, lang: lang, loc: loc, object: ev.Object}
	out := &Explanation{EventID: ev.ID, Language: lang, Steps: []Step{}}
	for _, s := range ev.Trace {
		m := byID[s.Message]
		out.Steps = append(out.Steps, f.step(s, m))
		if m != nil {
			out.Steps = append(out.Steps, f.timeline(s, m)...)
		}
	}
	out.Summary = f.summary(msgs)
	return out
}

type formatter struct {
	cat  *i18n.Catalog
	lang string
	loc  *time.Location
	// object is the event's object, named for recipients found as its
	// watchers.
	object *model.ObjectRef
}

func (f *formatter) when(t time.Time) string {
	t = t.In(f.loc)
	if f.lang == "de" {
		return t.Format("02.01.2006 um 15:04")
	}
	return t.Format("2006-01-02 at 15:04")
}

// who names a recipient: the message's address when there is one, else
// the contact's name with its id ("Clara Wendt (p-clara)").
func who(s model.Step, m *model.Message) string {
	if m == nil || (s.Recipient != "" && s.Recipient != m.To.ContactID && s.Recipient != m.To.Email) {
		return s.Recipient
	}
	switch {
	case m.To.Email != "" && m.To.Name != "":
		return fmt.Sprintf("%s <%s>", m.To.Name, m.To.Email)
	case m.To.Email != "":
		return m.To.Email
	case m.To.Name != "" && m.To.ContactID != "":
		return fmt.Sprintf("%s (%s)", m.To.Name, m.To.ContactID)
	}
	return s.Recipient
}

func (f *formatter) step(s model.Step, m *model.Message) Step {
	data := map[string]any{"notification": s.Notification, "recipient": who(s, m)}
	for k, v := range s.Params {
		data[k] = v
	}
	id := "explain." + string(s.Code)
	switch s.Code {
	case model.StepRecipientSuppressed:
		id += "." + s.Params["reason"]
		data["field"] = ""
		if fl := s.Params["field"]; fl == "cc" || fl == "bcc" {
			data["field"] = f.cat.T(f.lang, "explain.field."+fl, nil)
		}
		if s.Params["channel"] == model.ChannelInApp {
			data["field"] = f.cat.T(f.lang, "explain.field.inapp", nil)
		}
		if s.Params["kind"] != "" {
			data["entry"] = f.suppression(s.Params)
		}
		if r := s.Params["reason"]; r == string(model.ReasonThrottled) || r == string(model.ReasonRolledUp) {
			if r == string(model.ReasonThrottled) {
				id += "." + s.Params["scope"]
			}
			if end, err := time.Parse(time.RFC3339, s.Params["window_end"]); err == nil {
				data["window_end"] = f.when(end)
			}
		}
		if s.Params["pref_source"] != "" {
			id, data["source"], data["date"] = id+".by", f.preferenceSource(s.Params), f.day(s.Params["pref_at"])
		}
	case model.StepMessageQueued, model.StepMessageAwaiting:
		if s.Params["channel"] == model.ChannelInApp {
			id += ".inapp"
		}
		if s.Params["held_until"] != "" {
			id += ".held"
			data["held_by"] = f.cat.T(f.lang, "explain.held_by."+s.Params["held_by"], nil)
			data["held_date"] = f.heldDate(s.Params)
		}
	case model.StepWebhookQueued:
		data["recipients"] = f.webhookRecipients(s.Params)
	case model.StepDigestCollected:
		data["window"] = f.cat.T(f.lang, "explain.digest.window."+s.Params["window"], nil)
	case model.StepSummaryCollected:
		data["summary"] = f.cat.T(f.lang, "explain.summary.kind."+s.Params["summary"], nil)
	case model.StepScheduleExcluded:
		data["values"] = f.values(s.Values)
		// Excluded by the schedule's consent category: the reason, as a
		// notification of that category would give it.
		if r := s.Params["reason"]; r == string(model.ReasonOptedOut) || r == string(model.ReasonNoConsent) {
			id += "." + r
		}
	case model.StepConditionFalse, model.StepConditionError:
		data["values"] = f.values(s.Values)
		if s.Code == model.StepConditionError {
			data["error"] = f.conditionError(s.Params["error"])
		}
	case model.StepScheduleError:
		data["error"] = f.conditionError(s.Params["error"])
	case model.StepMessageRenderFailed:
		if why, ok := f.renderFailure(s.Params["error"], s.Params["template"]); ok {
			id, data["why"] = "explain.message.render_failed.explained", why
		}
	case model.StepNotificationMatched:
		// The status in the reader's language ("aktiv", "Nachfrage"), as
		// the cockpit names it.
		data["status"] = s.Params["status"]
		if st := "web.nstatus." + s.Params["status"]; f.cat.Has(f.lang, st) {
			data["status"] = f.cat.T(f.lang, st, nil)
		}
	}
	id = f.watchers(s, id, data)
	return Step{Code: s.Code, Notification: s.Notification, Recipient: s.Recipient, Message: s.Message,
		Params: s.Params, Values: s.Values, Text: f.cat.T(f.lang, id, data)}
}

// values renders what a condition saw, e.g. `object.status = "cancelled"`.
func (f *formatter) values(v map[string]any) string {
	if len(v) == 0 {
		return f.cat.T(f.lang, "explain.values.none", nil)
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s = %s", k, literal(v[k]))
	}
	return strings.Join(parts, ", ")
}

func literal(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprint(v)
}

// timeline explains what happened to a message after it was planned: the
// entries beyond "planned" and the status the trace already reports.
func (f *formatter) timeline(s model.Step, m *model.Message) []Step {
	var out []Step
	for i, e := range m.Timeline {
		if i < 2 {
			continue // planned + initial status: the trace step says it
		}
		code, ok := timelineCodes[e.Status]
		if !ok {
			continue
		}
		if e.Status == model.MsgSending && e.Detail == model.InterruptedDetail {
			code = model.StepMessageInterrupted
		} else if e.Status == model.MsgSending && i != len(m.Timeline)-1 {
			continue // a finished attempt is told by its outcome
		}
		at := e.At
		actor := e.Actor
		if actor == "" {
			actor = f.cat.T(f.lang, "explain.someone", nil)
		}
		data := map[string]any{"recipient": who(s, m), "at": f.when(e.At), "actor": actor,
			"attempt": e.Attempt, "reply": e.Detail}
		if e.NextAttemptAt != nil {
			data["next"] = f.when(*e.NextAttemptAt)
		}
		params := map[string]string{}
		if e.Detail != "" {
			params["reply"] = e.Detail
		}
		if e.Actor != "" {
			params["actor"] = e.Actor
		}
		if e.Attempt > 0 {
			params["attempt"] = strconv.Itoa(e.Attempt)
		}
		if e.NextAttemptAt != nil {
			params["next_attempt_at"] = e.NextAttemptAt.UTC().Format(time.RFC3339)
		}
		textID := "explain." + string(code)
		switch {
		case code == model.StepMessageSent && m.Channel == model.ChannelInApp:
			textID += ".inapp"
		case code == model.StepMessageSent && e.Detail == model.CaptureReply:
			// Filed in the capture mailbox: it never left the server.
			textID = "explain.message.captured"
		case code == model.StepMessageRetrying || code == model.StepMessageFailed || code == model.StepMessageBounced:
			// Say what went wrong in the reader's words, quoting only what
			// the mail server itself answered; the recorded detail (a Go
			// network error, say) stays in params.
			if why := Reply(f.cat, f.lang, e.Detail); why != "" {
				textID += ".explained"
				data["why"], data["server_reply"] = why, serverReply(e.Detail)
			}
		case code == model.StepMessageDeclined && e.Detail != "":
			// The detail of a decline is the reason the person gave.
			textID = "explain.message.declined_reason"
			delete(params, "reply")
			params["reason"] = e.Detail
		}
		out = append(out, Step{Code: code, Notification: s.Notification, Recipient: s.Recipient, Message: m.ID,
			At: &at, Params: params, Text: f.cat.T(f.lang, textID, data)})
	}
	if m.Status == model.MsgSending && (len(m.Timeline) == 0 || m.Timeline[len(m.Timeline)-1].Status != model.MsgSending) {
		// An attempt in progress writes its timeline entries when it
		// ends; say that it runs.
		at := m.UpdatedAt
		data := map[string]any{"recipient": who(s, m), "at": f.when(at), "attempt": m.Attempts}
		out = append(out, Step{Code: model.StepMessageSending, Notification: s.Notification, Recipient: s.Recipient,
			Message: m.ID, At: &at, Params: map[string]string{"attempt": strconv.Itoa(m.Attempts)},
			Text: f.cat.T(f.lang, "explain.message.sending", data)})
	}
	return out
}

var timelineCodes = map[model.MessageStatus]model.StepCode{
	model.MsgApproved: model.StepMessageApproved,
	model.MsgDeclined: model.StepMessageDeclined,
	model.MsgExpired:  model.StepMessageExpired,
	model.MsgSending:  model.StepMessageSending,
	model.MsgRetrying: model.StepMessageRetrying,
	model.MsgSent:     model.StepMessageSent,
	model.MsgFailed:   model.StepMessageFailed,
	// Only a cancelled broadcast suppresses a message after it was
	// queued.
	model.MsgSuppressed: model.StepMessageCancelled,
	model.MsgBounced:    model.StepMessageBounced,
	model.MsgComplained: model.StepMessageComplained,
}

// summary counts the messages by current status.
func (f *formatter) summary(msgs []*model.Message) string {
	if len(msgs) == 0 {
		return f.cat.T(f.lang, "explain.summary.nothing", nil)
	}
	counts := map[model.MessageStatus]int{}
	captured := 0
	for _, m := range msgs {
		if m.Status == model.MsgSent && m.CapturedAt != nil {
			captured++ // "sent" to the capture mailbox is not sent
			continue
		}
		counts[m.Status]++
	}
	var parts []string
	for _, st := range model.MessageStatuses {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, f.cat.T(f.lang, "status."+string(st), nil)))
		}
	}
	if captured > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", captured, f.cat.T(f.lang, "explain.summary.captured", nil)))
	}
	return f.cat.T(f.lang, "explain.summary.counts", map[string]any{"counts": strings.Join(parts, ", ")})
}
