package service

import (
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// BroadcastOfEvent returns the key of the broadcast (or recurring
// broadcast's edition) that emitted ev, read from the idempotency key
// broadcastEvent gave it; ok is false for any other event.
func BroadcastOfEvent(ev *model.Event) (key string, ok bool) {
	if ev.Source != model.SourceBroadcast || ev.Contact == "" {
		return "", false
	}
	rest, ok := strings.CutPrefix(ev.IdempotencyKey, broadcastPrefix)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(rest, ":"+ev.Contact)
}

// BroadcastOfMessage returns the key of the broadcast (or edition) m was
// sent for, read from its notification key (store.BroadcastNotification);
// ok is false for a flow's message.
func BroadcastOfMessage(m *model.Message) (key string, ok bool) {
	if m.Project != store.BroadcastEventType {
		return "", false
	}
	return strings.CutPrefix(m.Notification, store.BroadcastNotification(""))
}

// BroadcastInline reports whether m's template is its broadcast's inline
// content (there is no stored template of that key).
func BroadcastInline(m *model.Message) bool {
	key, ok := BroadcastOfMessage(m)
	return ok && m.Template == store.BroadcastNotification(key)
}
