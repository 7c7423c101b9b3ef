package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/ingest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// EventType is the type of the events made from human mail.
const EventType = "mail.received"

// maxEventText bounds the reply text an event carries.
const maxEventText = 10_000

// Events accepts the mail.received events (the service's Ingest, the path
// every event takes).
type Events interface {
	Ingest(ctx context.Context, ws *model.Workspace, in *ingest.Input) (*ingest.Result, error)
}

// match is what a human mail answers: a message Herold sent, with its
// event's project and object; or, matched by subject token or rule, an
// object or project only. by names the method, for the event's data.
type match struct {
	message string
	project string
	object  *model.ObjectRef
	by      string
}

// The methods that match a mail, in the order they are tried.
const (
	byReplyToken   = "reply_token"
	byInReplyTo    = "in_reply_to"
	bySubjectToken = "subject_token"
	byRule         = "rule"
)

// matchMail finds what a human mail answers, in the order of
// docs/inbound.md: the signed reply address it was sent to, In-Reply-To
// and References, the workspace's subject token, its rules. A forged
// reply token, or one whose message is gone, is not trusted: the next
// method decides. nil: nothing matched.
func (r *Receiver) matchMail(ctx context.Context, ws *model.Workspace, m *Mail, rcpt string) (*match, error) {
	addrs := append([]string{rcpt}, m.To...)
	for _, addr := range addrs[:min(len(addrs), 20)] {
		local, domain, _ := strings.Cut(strings.ToLower(addr), "@")
		if domain != r.cfg.Domain {
			continue
		}
		id, err := r.replyToken(ctx, ws, local)
		if err != nil {
			return nil, err
		}
		if id == "" {
			continue
		}
		mt, err := r.messageMatch(ctx, ws, id, byReplyToken)
		if err != nil || mt != nil {
			return mt, err
		}
	}
	if mt, err := r.matchReply(ctx, ws, m); err != nil || mt != nil {
		return mt, err
	}
	if mt := matchSubject(ws, m.Subject); mt != nil {
		return mt, nil
	}
	return r.matchRule(ws, m.From, rcpt), nil
}

// matchReply finds the message a mail answers through In-Reply-To, then
// References from the newest: Herold's Message-IDs carry the message's id.
func (r *Receiver) matchReply(ctx context.Context, ws *model.Workspace, m *Mail) (*match, error) {
	ids := []string{m.InReplyTo}
	for i := len(m.References) - 1; i >= 0 && len(ids) < 20; i-- {
		ids = append(ids, m.References[i])
	}
	for _, mid := range ids {
		id := heroldID(mid)
		if id == "" {
			continue
		}
		if mt, err := r.messageMatch(ctx, ws, id, byInReplyTo); err != nil || mt != nil {
			return mt, err
		}
	}
	return nil, nil
}

// messageMatch is the match of message id of ws, nil when ws has no such
// message (or its event is gone).
func (r *Receiver) messageMatch(ctx context.Context, ws *model.Workspace, id, by string) (*match, error) {
	msg, err := r.cfg.Store.MessageGet(ctx, ws.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ev, err := r.cfg.Store.EventGet(ctx, ws.ID, msg.EventID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &match{message: msg.ID, project: ev.Project, object: ev.Object, by: by}, nil
}

// matchSubject matches the workspace's subject token: its group is the id
// of an object of the token's collection, in the token's project. An id
// Herold would refuse matches nothing.
func matchSubject(ws *model.Workspace, subject string) *match {
	t := ws.Inbound.SubjectToken
	if t == nil {
		return nil
	}
	re, err := t.Compile() // checked at save; RE2, bounded length
	if err != nil {
		return nil
	}
	g := re.FindStringSubmatch(subject)
	if g == nil || !model.ValidID(g[1]) {
		return nil
	}
	return &match{project: t.Project, object: &model.ObjectRef{Collection: t.Collection, ID: g[1]}, by: bySubjectToken}
}

// matchRule is the first of the workspace's rules the mail meets: its
// sender's domain, or the tag of the address it was sent to
// (KEY+TAG@domain); a rule that names both needs both.
func (r *Receiver) matchRule(ws *model.Workspace, from, rcpt string) *match {
	_, domain, _ := strings.Cut(strings.ToLower(from), "@")
	local, _, _ := strings.Cut(strings.ToLower(rcpt), "@")
	_, tag, _ := strings.Cut(local, "+")
	for _, rule := range ws.Inbound.Rules {
		if rule.SenderDomain != "" && !strings.EqualFold(rule.SenderDomain, domain) {
			continue
		}
		if rule.Tag != "" && !strings.EqualFold(rule.Tag, tag) {
			continue
		}
		return &match{project: rule.Project, by: byRule}
	}
	return nil
}

// throttled reports whether the sender has sent Throttle mails on this
// object within ThrottleWindow already: more are recorded, not processed.
func (r *Receiver) throttled(ctx context.Context, ws *model.Workspace, from, object string, now time.Time) (bool, error) {
	n, err := r.cfg.Store.InboundMessageCount(ctx, &store.InboundCountParams{WorkspaceID: ws.ID, Address: from,
		Kind: string(KindMail), Object: object, Since: now.Add(-r.cfg.ThrottleWindow)})
	return n >= r.cfg.Throttle, err
}

// mailEvent is the mail.received event of a human mail that answers mt:
// on the answered event's project and object, with the mail's fields in
// data. Its idempotency key comes from the content, so a redelivered mail
// makes no second event.
func mailEvent(m *Mail, mt *match, hash string) *ingest.Input {
	text := StripQuoted(m.Text)
	if len(text) > maxEventText {
		text = text[:maxEventText]
		for !utf8.ValidString(text) {
			text = text[:len(text)-1]
		}
	}
	to := make([]any, len(m.To))
	for i, a := range m.To {
		to[i] = a
	}
	atts := make([]any, len(m.Attachments))
	for i, a := range m.Attachments {
		atts[i] = map[string]any{"name": a.Name, "size": json.Number(strconv.FormatInt(a.Size, 10))}
	}
	return &ingest.Input{Type: EventType, Project: mt.project, Object: mt.object, Actors: map[string][]string{},
		Source: model.SourceMail, IdempotencyKey: "mail:" + hash[:40],
		Data: map[string]any{"from": m.From, "to": to, "subject": m.Subject, "text": text, "attachments": atts,
			"message_id": m.MessageID, "in_reply_to": mt.message, "matched_by": mt.by}}
}

// objectKey names an object in the inbound record and the throttle.
func objectKey(o *model.ObjectRef) string {
	if o == nil {
		return ""
	}
	return fmt.Sprintf("%s/%s", o.Collection, o.ID)
}
