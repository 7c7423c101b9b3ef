package model

import "time"

// The documented data model that templates (placeholders) and conditions see.
// Contacts, objects and projects appear flattened: their attributes with the
// fixed fields on top, so that `{{ .object.expires_on }}` and
// `contact.birthday` read naturally. Attribute names that collide with a fixed
// field are rejected when the record is saved.

// Data roots: the top-level names a placeholder or condition may use.
const (
	RootEvent     = "event"
	RootData      = "data"
	RootContact   = "contact"
	RootRecipient = "recipient"
	RootObject    = "object"
	RootProject   = "project"
	RootActors    = "actors"
	RootWorkspace = "workspace"
	RootNow       = "now"
	RootToday     = "today"
	// RootDigest is only set in a digest's message: its items, the exact
	// total, how many are shown and how many more there are.
	RootDigest = "digest"
)

// DataRoots lists every root with the fields it is known to have; nil means
// free-form (attributes or event data, not checked at save time).
var DataRoots = map[string][]string{
	RootEvent:     {"id", "type", "occurred_at", "source", "project"},
	RootData:      nil,
	RootContact:   nil,
	RootRecipient: nil,
	RootObject:    nil,
	RootProject:   nil,
	RootActors:    nil,
	RootWorkspace: {"key", "name"},
	RootNow:       nil,
	RootToday:     nil,
	RootDigest:    {"items", "total", "shown", "more", "key"},
}

// ContactFields are the fixed fields of a contact in the data model.
var ContactFields = []string{"id", "email", "name", "locale", "timezone", "consents", "opt_outs"}

// ObjectFields are the fixed fields of an object in the data model.
var ObjectFields = []string{"collection", "id", "contacts", "subscribers"}

// ProjectFields are the fixed fields of a project in the data model.
var ProjectFields = []string{"key", "name", "flow"}

// Data returns the contact as the data model shows it.
func (c *Contact) Data() map[string]any {
	if c == nil {
		return map[string]any{}
	}
	m := make(map[string]any, len(c.Attributes)+7)
	for k, v := range c.Attributes {
		m[k] = v
	}
	m["id"] = c.ID
	m["email"] = c.Email
	m["name"] = c.Name
	m["locale"] = c.Locale
	m["timezone"] = c.Timezone
	m["consents"] = stringsAny(c.Consents)
	m["opt_outs"] = stringsAny(c.OptOuts)
	return m
}

// Data returns the object as the data model shows it.
func (o *Object) Data() map[string]any {
	if o == nil {
		return map[string]any{}
	}
	m := make(map[string]any, len(o.Attributes)+4)
	for k, v := range o.Attributes {
		m[k] = v
	}
	m["collection"] = o.Collection
	m["id"] = o.ID
	links := make(map[string]any, len(o.Contacts))
	for role, ids := range o.Contacts {
		links[role] = stringsAny(ids)
	}
	m["contacts"] = links
	m["subscribers"] = stringsAny(o.Subscribers)
	return m
}

// Data returns the project as the data model shows it.
func (p *Project) Data() map[string]any {
	if p == nil {
		return map[string]any{}
	}
	m := make(map[string]any, len(p.Attributes)+3)
	for k, v := range p.Attributes {
		m[k] = v
	}
	m["key"] = p.Key
	m["name"] = p.Name
	m["flow"] = p.Flow
	return m
}

// Data returns the workspace's part of the data model (an empty one for
// nil).
func (w *Workspace) Data() map[string]any {
	if w == nil {
		return map[string]any{"key": "", "name": ""}
	}
	return map[string]any{"key": w.Key, "name": w.Name}
}

// AddressData returns a literal address as a recipient in the data model.
func AddressData(a Address) map[string]any {
	return map[string]any{"email": a.Email, "name": a.Name, "id": a.ContactID}
}

func stringsAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// EventData returns the event's fixed fields as the data model shows them.
func (e *Event) EventData() map[string]any {
	return map[string]any{
		"id":          e.ID,
		"type":        e.Type,
		"occurred_at": e.OccurredAt,
		"source":      string(e.Source),
		"project":     e.Project,
	}
}

// DataInput is what a data model is built from.
type DataInput struct {
	Workspace *Workspace
	// WorkspaceData, when not nil, is the workspace's part of the data
	// model as Workspace.Data built it before: it is read-only, so the
	// events of one group share it instead of building it each.
	WorkspaceData map[string]any
	Event         *Event
	Project       *Project
	Object        *Object
	// Contact is the contact the event is about.
	Contact *Contact
	// Actors maps a role to its contacts, in event order.
	Actors map[string][]*Contact
	Now    time.Time
}

// NewData builds the data model shared by conditions and templates. The
// recipient is added per message by WithRecipient.
//
// The maps are read-only once built (templates and conditions only read
// them), so an actor who is also the event's contact (a schedule's
// events name the contact in both) shares the contact's map instead of
// getting a copy: the planner builds a data model per event.
func NewData(in DataInput) map[string]any {
	loc := time.UTC
	if in.Workspace != nil {
		loc = in.Workspace.Location()
	}
	ws := in.WorkspaceData
	if ws == nil {
		ws = in.Workspace.Data()
	}
	now := in.Now.In(loc)
	y, mo, d := now.Date()
	contact := in.Contact.Data()
	actors := make(map[string]any, len(in.Actors))
	for role, cs := range in.Actors {
		if len(cs) == 0 {
			continue
		}
		if cs[0] == in.Contact {
			actors[role] = contact
		} else {
			actors[role] = cs[0].Data()
		}
	}
	var data, event map[string]any
	if in.Event != nil {
		event = in.Event.EventData()
		data = in.Event.Data
	} else {
		event = map[string]any{}
	}
	if data == nil {
		data = map[string]any{}
	}
	return map[string]any{
		RootEvent:     event,
		RootData:      data,
		RootContact:   contact,
		RootRecipient: map[string]any{},
		RootObject:    in.Object.Data(),
		RootProject:   in.Project.Data(),
		RootActors:    actors,
		RootWorkspace: ws,
		RootNow:       now,
		RootToday:     time.Date(y, mo, d, 0, 0, 0, 0, loc),
	}
}

// WithRecipient returns a shallow copy of data with the recipient set.
func WithRecipient(data map[string]any, recipient map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = v
	}
	out[RootRecipient] = recipient
	return out
}
