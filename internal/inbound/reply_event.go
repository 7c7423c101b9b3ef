package inbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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
// event's project and object.
type match struct {
	message string
	project string
	object  *model.ObjectRef
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
		msg, err := r.cfg.Store.MessageGet(ctx, ws.ID, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		ev, err := r.cfg.Store.EventGet(ctx, ws.ID, msg.EventID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return &match{message: msg.ID, project: ev.Project, object: ev.Object}, nil
	}
	return nil, nil
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
			"message_id": m.MessageID, "in_reply_to": mt.message}}
}

// objectKey names an object in the inbound record and the throttle.
func objectKey(o *model.ObjectRef) string {
	if o == nil {
		return ""
	}
	return fmt.Sprintf("%s/%s", o.Collection, o.ID)
}
