package plan

import "github.com/herold-dev/herold/internal/model"

// ViaWatchers is the Via of a recipient found as a watcher of the event's
// object ("watchers" or its older name "subscribers"); explain words it as
// "watcher of tickets 4711" with the event's object.
const ViaWatchers = "watchers"

// watchers resolves the recipient form "watchers": the watchers of the
// event's object, as stored when the event is planned. An event without an
// object has none (StepNoObject); an object without watchers, or one Herold
// does not know, is recorded as StepNoWatchers so explain can say "the
// tickets 4711 has no watchers".
func (p *planner) watchers(n *model.Notification, field string) []Recipient {
	ref := p.in.Event.Object
	if ref == nil {
		p.step(model.Step{Code: model.StepNoObject, Notification: n.Key, Params: map[string]string{"field": field}})
		return nil
	}
	var ids []string
	if p.in.Object != nil {
		ids = p.in.Object.Subscribers
	}
	if len(ids) == 0 {
		p.step(model.Step{Code: model.StepNoWatchers, Notification: n.Key,
			Params: map[string]string{"collection": ref.Collection, "id": ref.ID, "field": field}})
		return nil
	}
	return p.contacts(n, field, ViaWatchers, ids)
}
