package service

import (
	"context"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// MessageFilter selects messages in the history.
type MessageFilter struct {
	EventID  string
	Contact  string
	Email    string
	Project  string
	Statuses []model.MessageStatus
	Since    *time.Time
	Until    *time.Time
	PageParams
}

// MessageList pages through the history, newest first.
func (s *Service) MessageList(ctx context.Context, ws *model.Workspace, f MessageFilter) (*Page[*model.Message], error) {
	for i, st := range f.Statuses {
		if !isOneOf(st, model.MessageStatuses) {
			return nil, &ValidationError{Fields: []FieldError{{Field: fmt.Sprintf("status[%d]", i), Code: CodeInvalid,
				Detail: fmt.Sprintf("%q is not a message status", st)}}}
		}
	}
	return s.messagePage(ctx, &store.MessageListParams{WorkspaceID: ws.ID, EventID: f.EventID, Contact: f.Contact,
		Email: f.Email, Project: f.Project, Statuses: f.Statuses, Since: f.Since, Until: f.Until}, f.PageParams)
}

func (s *Service) messagePage(ctx context.Context, lp *store.MessageListParams, p PageParams) (*Page[*model.Message], error) {
	return page(ctx, p, func(m *model.Message) string { return m.ID },
		func(ctx context.Context, after string, limit int) ([]*model.Message, error) {
			lp.Before, lp.Limit = after, limit
			return s.store.MessageList(ctx, lp)
		})
}

// MessageGet returns one message with its rendered copy and timeline.
func (s *Service) MessageGet(ctx context.Context, ws *model.Workspace, id string) (*model.Message, error) {
	m, err := s.store.MessageGet(ctx, ws.ID, id)
	return m, mapNotFound(err, "message %q", id)
}

// MessageEML returns the message as an RFC 5322 file, built from the
// rendered copy exactly as delivery sends it (or filed it in the capture
// mailbox).
func (s *Service) MessageEML(ctx context.Context, ws *model.Workspace, id string) ([]byte, error) {
	m, err := s.MessageGet(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if m.Status == model.MsgSuppressed || m.Subject == "" {
		return nil, &ConflictError{Detail: fmt.Sprintf("message %q has no rendered copy (it is %s)", id, m.Status)}
	}
	e, err := s.Compose(ctx, ws, m)
	if err != nil {
		return nil, err
	}
	return channel.BuildMIME(e)
}

// EventFilter selects events.
type EventFilter struct {
	Project string
	Type    string
	Contact string
	Since   *time.Time
	Until   *time.Time
	// Silent keeps only events that produced no message (give Since to
	// bound the scan).
	Silent bool
	PageParams
}

// EventList pages through events, newest first.
func (s *Service) EventList(ctx context.Context, ws *model.Workspace, f EventFilter) (*Page[*model.Event], error) {
	lp := &store.EventListParams{WorkspaceID: ws.ID, Project: f.Project, Type: f.Type, Contact: f.Contact, Since: f.Since, Until: f.Until, Silent: f.Silent}
	return page(ctx, f.PageParams, func(e *model.Event) string { return e.ID },
		func(ctx context.Context, after string, limit int) ([]*model.Event, error) {
			lp.Before, lp.Limit = after, limit
			return s.store.EventList(ctx, lp)
		})
}

// EventGet returns an event with its trace.
func (s *Service) EventGet(ctx context.Context, ws *model.Workspace, id string) (*model.Event, error) {
	e, err := s.store.EventGet(ctx, ws.ID, id)
	return e, mapNotFound(err, "event %q", id)
}

// EventMessages lists all messages of an event, oldest first.
func (s *Service) EventMessages(ctx context.Context, ws *model.Workspace, eventID string) ([]*model.Message, error) {
	msgs, err := s.store.MessageList(ctx, &store.MessageListParams{WorkspaceID: ws.ID, EventID: eventID, Limit: 100000})
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(msgs)-1; i < j; i, j = i+1, j-1 {
		msgs[i], msgs[j] = msgs[j], msgs[i]
	}
	return msgs, nil
}

// MailboxList pages through the capture mailbox, newest first.
func (s *Service) MailboxList(ctx context.Context, ws *model.Workspace, p PageParams) (*Page[*store.CapturedMail], error) {
	return page(ctx, p, func(c *store.CapturedMail) string { return c.MessageID },
		func(ctx context.Context, after string, limit int) ([]*store.CapturedMail, error) {
			return s.store.CaptureList(ctx, &store.CaptureListParams{WorkspaceID: ws.ID, Before: after, Limit: limit})
		})
}

// CaptureMode reports whether mail goes to the capture mailbox.
func (s *Service) CaptureMode() bool { return s.capture }
