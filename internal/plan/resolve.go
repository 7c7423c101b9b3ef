package plan

import (
	"net/mail"
	"strings"

	"github.com/herold-dev/herold/internal/model"
)

// resolveAll turns recipient specs into people, in order, one entry per
// person: someone reached through several roles is listed once and the
// merge is recorded.
func (p *planner) resolveAll(n *model.Notification, field string, specs []model.Recipient) []Recipient {
	var out []Recipient
	first := map[string]string{} // dedup key → via of the first hit
	for _, spec := range specs {
		for _, r := range p.resolve(n, field, spec) {
			k := dedupKey(r)
			if via, dup := first[k]; dup {
				p.step(model.Step{Code: model.StepRecipientDuplicate, Notification: n.Key, Recipient: label(r),
					Params: map[string]string{"via": r.Via, "first_via": via, "field": field}})
				continue
			}
			first[k] = r.Via
			out = append(out, r)
		}
	}
	return out
}

// resolve expands one recipient spec. Specs were validated when the flow was
// saved; anything unparsable here is skipped.
func (p *planner) resolve(n *model.Notification, field string, spec model.Recipient) []Recipient {
	kind, value, err := spec.Parse()
	if err != nil {
		return nil
	}
	via := string(spec)
	switch kind {
	case model.RecipientRole:
		ids, source := p.roleMembers(value)
		if len(ids) == 0 {
			p.step(model.Step{Code: model.StepRoleEmpty, Notification: n.Key, Params: map[string]string{"role": value, "field": field}})
		}
		return p.contacts(n, field, via+" ("+source+")", ids)
	case model.RecipientContact:
		return p.contacts(n, field, via, []string{value})
	case model.RecipientWatchers:
		return p.watchers(n, field)
	case model.RecipientEmail:
		a, err := mail.ParseAddress(value)
		if err != nil {
			return nil
		}
		return []Recipient{{Address: model.Address{Email: a.Address, Name: a.Name}, Via: via}}
	}
	return nil
}

// roleMembers lists the contact ids in a role from the most specific source
// that has any: the event's actors, else the project's members, else the
// object's linked contacts. So "the promoter" of a job request is the one
// the event names, while a project-wide event without actors reaches every
// promoter of the project.
func (p *planner) roleMembers(role string) (ids []string, source string) {
	if ids := p.in.Event.Actors[role]; len(ids) > 0 {
		return ids, "event"
	}
	if p.in.Project != nil && len(p.in.Project.Members[role]) > 0 {
		return p.in.Project.Members[role], "project"
	}
	if p.in.Object != nil && len(p.in.Object.Contacts[role]) > 0 {
		return p.in.Object.Contacts[role], "object"
	}
	return nil, ""
}

// contacts looks up contact ids, recording the unknown ones.
func (p *planner) contacts(n *model.Notification, field, via string, ids []string) []Recipient {
	out := make([]Recipient, 0, len(ids))
	for _, id := range ids {
		c := p.in.Contacts[id]
		if c == nil {
			p.step(model.Step{Code: model.StepContactUnknown, Notification: n.Key, Recipient: id,
				Params: map[string]string{"via": via, "field": field}})
			continue
		}
		out = append(out, ContactRecipient(c, via))
	}
	return out
}

// ContactRecipient is contact c as a recipient found via via.
func ContactRecipient(c *model.Contact, via string) Recipient {
	return Recipient{Contact: c, Via: via, Address: model.Address{ContactID: c.ID, Email: strings.TrimSpace(c.Email), Name: c.Name}}
}

// ContactIDs lists every contact id an event's decision may need: the
// event's subject and actors, the project's members, the object's links and
// subscribers, and the contacts the flow's notifications name. The caller
// loads them into Input.Contacts.
func ContactIDs(ev *model.Event, project *model.Project, object *model.Object, flow *model.Flow) []string {
	seen := map[string]bool{}
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" && !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	add(ev.Contact)
	for _, role := range sortedRoles(ev.Actors) {
		add(ev.Actors[role]...)
	}
	if project != nil {
		for _, role := range sortedRoles(project.Members) {
			add(project.Members[role]...)
		}
	}
	if object != nil {
		for _, role := range sortedRoles(object.Contacts) {
			add(object.Contacts[role]...)
		}
		add(object.Subscribers...)
	}
	if flow != nil {
		for _, n := range flow.Notifications {
			for _, list := range [][]model.Recipient{n.Recipients, n.CC, n.BCC} {
				for _, spec := range list {
					if kind, v, err := spec.Parse(); err == nil && kind == model.RecipientContact {
						add(v)
					}
				}
			}
		}
	}
	return out
}
