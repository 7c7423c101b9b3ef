package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
)

// summaryTemplates are the built-in templates of summaries, by kind
// (frequency summaries share one), in German and English; the message's
// language is the contact's, as for every template. Each item has its
// subject and its time (at).
var summaryTemplates = map[bool]*model.Template{
	false: {Key: model.SummaryTemplate, Name: "Summary", Locales: map[string]model.TemplateContent{
		"de": {
			Subject: `Ihre Zusammenfassung: {{ .digest.total }} {{ plural .digest.total "Benachrichtigung" "Benachrichtigungen" }}`,
			Text:    "Ihre Zusammenfassung:\n\n" + summaryItems("… und {{ .digest.more }} weitere"),
		},
		"en": {
			Subject: `Your summary: {{ .digest.total }} {{ plural .digest.total "notification" "notifications" }}`,
			Text:    "Your summary:\n\n" + summaryItems("… and {{ .digest.more }} more"),
		},
	}},
	true: {Key: model.SummaryTemplate + "-" + model.SummaryRollUp, Name: "Roll-up", Locales: map[string]model.TemplateContent{
		"de": {
			Subject: `{{ .digest.total }} {{ plural .digest.total "weitere Benachrichtigung" "weitere Benachrichtigungen" }}`,
			Text:    "Diese Benachrichtigungen wurden zurückgehalten, damit Sie nicht zu viele Nachrichten erhalten:\n\n" + summaryItems("… und {{ .digest.more }} weitere"),
		},
		"en": {
			Subject: `{{ .digest.total }} more {{ plural .digest.total "notification" "notifications" }}`,
			Text:    "These notifications were held back so that you do not get too many messages:\n\n" + summaryItems("… and {{ .digest.more }} more"),
		},
	}},
}

// summaryItems lists a summary's items, one a line, then more.
func summaryItems(more string) string {
	return "{{ range .digest.items }}- {{ datetime .at }}: {{ .subject }}\n{{ end }}{{ if .digest.more }}" + more + "\n{{ end }}"
}

// summaryMeta is what a summary's message needs of its first item: where
// it came from (the message belongs to that flow, notification and
// category) and its rendered sender.
type summaryMeta struct {
	Flow         string `json:"flow"`
	Notification string `json:"notification"`
	Category     string `json:"category"`
	Project      string `json:"project"`
	EventType    string `json:"event_type"`
	From         string `json:"from"`
	ReplyTo      string `json:"reply_to,omitempty"`
}

// summaryEntry is one item of a summary: what the mail would have said.
func summaryEntry(m *model.Message) map[string]any {
	return map[string]any{"subject": m.Subject, "at": m.CreatedAt.UTC().Format(time.RFC3339),
		"flow": m.Flow, "notification": m.Notification, "event": m.EventID}
}

// newSummaryItem is the digest item of summary kind under key for the
// rendered message m (its subject and sender are kept).
func newSummaryItem(ws *model.Workspace, m *model.Message, to plan.Recipient, kind, key string, spec *model.Digest, closes time.Time) *DigestItem {
	loc := ws.Location()
	if c := to.Contact; c != nil && c.Timezone != "" {
		loc = model.LoadLocation(c.Timezone)
	}
	meta := summaryMeta{Flow: m.Flow, Notification: m.Notification, Category: m.Category, Project: m.Project,
		EventType: m.EventType, From: m.From, ReplyTo: m.ReplyTo}
	return &DigestItem{Flow: model.SummaryFlow, Notification: kind, Spec: spec, Closes: closes, To: to, Key: key,
		EventID: m.EventID, Data: map[string]any{"summary": meta}, Item: summaryEntry(m), Location: loc}
}

// summaryItem renders the message a contact's daily or weekly summary
// collects, to keep its subject, and returns its item.
func (g *Ingester) summaryItem(ctx context.Context, ws *model.Workspace, ev *model.Event, sn *snapshot, data map[string]any, pm plan.Message, now time.Time) (*DigestItem, error) {
	n := pm.Notification
	m := &model.Message{EventID: ev.ID, EventType: ev.Type, Project: ev.Project, Notification: n.Key,
		Template: n.Template, Channel: model.ChannelEmail, Category: n.Category, To: pm.To.Address, CreatedAt: now}
	if sn.flow != nil {
		m.Flow = sn.flow.Key
	}
	if err := g.renderInto(ctx, ws, sn, data, pm, m, now); err != nil {
		return nil, err
	}
	return newSummaryItem(ws, m, pm.To, pm.Summary, n.Category, pm.Digest, time.Time{}), nil
}

// rollUp collects the stored message m of p, planned as pm, whose
// roll-up counter c was full at count, into the roll-up summary that
// closes when c's window ends; m stays in the history as suppressed
// with reason rolled_up.
func rollUp(ws *model.Workspace, p *prepared, pm *plan.Message, m *model.Message, c plan.ThrottleCounter, count int) {
	var key string
	for i := range p.res.Event.Trace {
		if s := &p.res.Event.Trace[i]; s.Message == m.ID {
			key = plan.RolledUp(pm, s, c, count)
			break
		}
	}
	if key == "" {
		key = plan.RollUpKey(c)
	}
	suppress(m, model.ReasonRolledUp)
	p.res.Digests = append(p.res.Digests, newSummaryItem(ws, m, pm.To, model.SummaryRollUp, key, nil, c.End))
}

// renderSummary renders the message of summary d with the built-in
// template: its items' subjects and times, in the recipient's language
// and zone, with the first item's sender and category (so that the
// category's preference and unsubscribe links are added on delivery).
// A recipient who opted out of the category meanwhile gets nothing: the
// message is suppressed with the reason.
func (g *Ingester) renderSummary(ctx context.Context, tx store.Tx, ws *model.Workspace, d *store.DigestClaimed, m *model.Message, now time.Time) error {
	var stored struct {
		Summary summaryMeta `json:"summary"`
	}
	if err := json.Unmarshal(d.Data, &stored); err != nil {
		return fmt.Errorf("read data of summary %s: %w", d.ID, err)
	}
	meta := stored.Summary
	m.Flow, m.Notification, m.Category = meta.Flow, meta.Notification, meta.Category
	m.Project, m.EventType = meta.Project, meta.EventType
	items, err := digestItems(ctx, tx, ws, d, false, model.MaxDigestShowItems)
	if err != nil {
		return err
	}
	to, err := digestRecipient(ctx, tx, ws, d)
	if err != nil {
		return err
	}
	data := model.NewData(model.DataInput{Workspace: ws, Now: now})
	data[model.RootDigest] = map[string]any{"items": items, "total": d.Total, "shown": len(items),
		"more": d.Total - len(items), "key": d.Key}
	tpl := *summaryTemplates[d.Notification == model.SummaryRollUp]
	tpl.Sender = model.Sender{From: meta.From, ReplyTo: meta.ReplyTo}
	sn := &snapshot{templates: map[string]*model.Template{tpl.Key: &tpl}}
	n := &model.Notification{Key: meta.Notification, Template: tpl.Key, Category: meta.Category}
	pm := plan.Message{Notification: n, Channel: model.ChannelEmail, To: to}
	m.Template = tpl.Key
	if err := g.renderInto(ctx, ws, sn, data, pm, m, now); err != nil {
		return &digestRenderError{err}
	}
	// The contact may have opted out since the items were collected (a
	// summary waits up to a week): their choice now decides.
	if reason := plan.Suppressed(meta.Category, model.ChannelEmail, to); reason != "" {
		m.Status, m.Reason = model.MsgSuppressed, string(reason)
	}
	return nil
}
