package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/herold-dev/herold/internal/model"
)

// TestSendInput is a test send of one notification (the cockpit's
// "Testen"): the notification's template rendered with a payload, sent to
// one address the person typed.
type TestSendInput struct {
	Flow         string
	Notification string
	// To is the one address the test goes to. The notification's
	// recipients, copies and blind copies are never used.
	To string
	// By names who sent it (the cockpit user's address), recorded in the
	// trace.
	By string
	// Event is the payload; its type is the notification's event type.
	Event EventInput
}

// TestSend sends a notification as a test to in.To through the usual
// path (recorded as an event and explained like a manual send; the trace
// starts with StepTestSend). The notification's condition is not
// evaluated, so that its mail can be seen even when the payload would not
// match; the dry run says whether it would.
func (s *Service) TestSend(ctx context.Context, ws *model.Workspace, in *TestSendInput) (*IngestResult, error) {
	f, err := s.FlowGet(ctx, ws, in.Flow)
	if err != nil {
		return nil, err
	}
	var n *model.Notification
	for i := range f.Notifications {
		if f.Notifications[i].Key == in.Notification {
			n = &f.Notifications[i]
		}
	}
	if n == nil {
		return nil, &NotFoundError{What: fmt.Sprintf("notification %q in flow %q", in.Notification, f.Key)}
	}
	to := strings.TrimSpace(in.To)
	if _, err := model.ParseBareAddress(to); err != nil {
		return nil, &ValidationError{Fields: []FieldError{{Field: "to", Code: CodeInvalid,
			Detail: "give one e-mail address, e.g. test@example.org"}}}
	}
	ev := in.Event
	ev.Type = n.EventType
	ev.IdempotencyKey = ""
	mi := &ManualInput{Template: n.Template, Recipients: []model.Recipient{model.Recipient("email:" + to)},
		Category: n.Category, Channels: []string{model.ChannelEmail}, Event: ev}
	origin := &model.Step{Code: model.StepTestSend, Notification: n.Key,
		Params: map[string]string{"flow": f.Key, "to": to, "by": in.By, "template": n.Template}}
	return s.sendManual(ctx, ws, mi, origin)
}
