package dbutil

import "github.com/herold-dev/herold/internal/model"

// broadcastSpec is the stored JSON document of a broadcast's content,
// data, audience and pacing: what a draft's edit replaces at once.
type broadcastSpec struct {
	Category  string                 `json:"category"`
	Template  string                 `json:"template,omitempty"`
	Content   *model.TemplateContent `json:"content,omitempty"`
	Sender    model.Sender           `json:"sender"`
	Data      map[string]any         `json:"data"`
	Audience  string                 `json:"audience,omitempty"`
	PerMinute int                    `json:"per_minute,omitempty"`
	// Recurrence, Series and Edition: see model.Broadcast.
	Recurrence string `json:"recurrence,omitempty"`
	Series     string `json:"series,omitempty"`
	Edition    int    `json:"edition,omitempty"`
}

// BroadcastSpec encodes b's spec for the spec column.
func BroadcastSpec(b *model.Broadcast) []byte {
	return ToJSON(broadcastSpec{Category: b.Category, Template: b.Template, Content: b.Content, Sender: b.Sender,
		Data: b.Data, Audience: b.Audience, PerMinute: b.PerMinute,
		Recurrence: b.Recurrence, Series: b.Series, Edition: b.Edition})
}

// FromBroadcastSpec fills b's spec fields from the spec column.
func FromBroadcastSpec(data []byte, b *model.Broadcast) error {
	var s broadcastSpec
	if err := FromJSON(data, &s); err != nil {
		return err
	}
	b.Category, b.Template, b.Content, b.Sender = s.Category, s.Template, s.Content, s.Sender
	b.Data, b.Audience, b.PerMinute = s.Data, s.Audience, s.PerMinute
	b.Recurrence, b.Series, b.Edition = s.Recurrence, s.Series, s.Edition
	if b.Data == nil {
		b.Data = map[string]any{}
	}
	return nil
}
