package model

import "strings"

// The Normalize methods fill defaults and turn nil maps and slices into empty
// ones, so that what is stored, returned and compared has one shape (the API
// shows [] and {} rather than null).

// Normalize fills defaults of a notification.
func (n *Notification) Normalize() {
	if n.Status == "" {
		n.Status = StatusActive
	}
	if n.Category == "" {
		n.Category = CategoryTransactional
	}
	if len(n.Channels) == 0 {
		n.Channels = SplitChannels(n.Channel)
	}
	// Stored and shown in the order of the Channels list, once each.
	var chs []string
	for _, ch := range Channels {
		if contains(n.Channels, ch) {
			chs = append(chs, ch)
		}
	}
	for _, ch := range n.Channels {
		if !contains(chs, ch) {
			chs = append(chs, ch) // unknown: kept for validation to name
		}
	}
	n.Channels = chs
	n.Channel = strings.Join(chs, ",")
	n.Recipients = nonNil(n.Recipients)
	n.CC = nonNil(n.CC)
	n.BCC = nonNil(n.BCC)
	n.normalizeThrottle()
}

// Normalize fills defaults of a flow and its notifications.
func (f *Flow) Normalize() {
	f.Notifications = nonNil(f.Notifications)
	for i := range f.Notifications {
		f.Notifications[i].Normalize()
	}
}

// Normalize fills defaults of a template.
func (t *Template) Normalize() {
	if t.Locales == nil {
		t.Locales = map[string]TemplateContent{}
	}
}

// Normalize fills defaults of a project.
func (p *Project) Normalize() {
	if p.Members == nil {
		p.Members = map[string][]string{}
	}
	for role, ids := range p.Members {
		p.Members[role] = nonNil(ids)
	}
	if p.Attributes == nil {
		p.Attributes = map[string]any{}
	}
}

// Normalize fills defaults of a contact. It leaves OptOuts nil: saving a
// contact without opt-outs keeps the stored ones (see store.Queries).
func (c *Contact) Normalize() {
	if c.Attributes == nil {
		c.Attributes = map[string]any{}
	}
	c.Consents = nonNil(c.Consents)
}

// Normalize fills defaults of an object. It leaves Subscribers nil: saving
// an object without them keeps its stored watchers (see store.Queries).
func (o *Object) Normalize() {
	if o.Attributes == nil {
		o.Attributes = map[string]any{}
	}
	if o.Contacts == nil {
		o.Contacts = map[string][]string{}
	}
	for role, ids := range o.Contacts {
		o.Contacts[role] = nonNil(ids)
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
