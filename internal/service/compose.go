package service

import (
	"context"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
)

// Compose builds the e-mail of message m of workspace ws: the one place
// that decides what a message looks like on the wire, for delivery and for
// the history's .eml download alike. The headers depend only on the
// message (its unsubscribe link is signed with the server's key), so every
// attempt of a message carries the same ones.
func (s *Service) Compose(ctx context.Context, ws *model.Workspace, m *model.Message) (*channel.Email, error) {
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return nil, err
	}
	headers := map[string]string{"Auto-Submitted": "auto-generated"}
	if u := s.unsubscribeURL(ws, m, key); u != "" {
		headers["List-Unsubscribe"] = "<" + u + ">"
		headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return &channel.Email{
		MessageID: m.MessageID, From: m.From, ReplyTo: m.ReplyTo,
		To: []model.Address{m.To}, CC: m.CC, BCC: m.BCC,
		Subject: m.Subject, HTML: m.HTML, Text: m.Text,
		Headers: headers,
		Date:    m.CreatedAt,
	}, nil
}

// day is today's date in ws's time zone, for the daily counts.
func (s *Service) day(ws *model.Workspace) string {
	return s.now().In(ws.Location()).Format("2006-01-02")
}

func isOneOf(s model.MessageStatus, list []model.MessageStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
