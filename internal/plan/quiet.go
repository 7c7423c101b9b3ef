package plan

import (
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// quietHours returns the quiet hours that apply to r, whose they are
// ("contact" or "workspace") and the zone they are read in: the
// contact's own (attribute quiet_hours), else the workspace's; in the
// contact's time zone, else the workspace's.
func (p *planner) quietHours(r Recipient) (model.QuietHours, string, *time.Location) {
	ws := p.in.Workspace
	q, whose := ws.QuietHours, "workspace"
	loc := ws.Location()
	if c := r.Contact; c != nil {
		if s, ok := c.Attributes[model.ContactQuietHoursAttribute].(string); ok && s != "" {
			if _, _, err := model.QuietHours(s).Parse(); err == nil {
				q, whose = model.QuietHours(s), "contact"
			}
		}
		if c.Timezone != "" {
			loc = model.LoadLocation(c.Timezone)
		}
	}
	return q, whose, loc
}

// hold holds a queued e-mail to r until its quiet hours end, unless the
// notification is urgent, and notes it in the message's trace step. An
// in-app item is never held: it waits silently in the feed, and nobody
// is woken by it.
func (p *planner) hold(n *model.Notification, r Recipient, m *Message, params map[string]string) {
	if n.Urgent || m.Status != model.MsgQueued || m.Channel != model.ChannelEmail {
		return
	}
	q, whose, loc := p.quietHours(r)
	if q == "" {
		return
	}
	until := q.HeldUntil(p.in.Now, loc)
	if until.IsZero() {
		return
	}
	m.HeldUntil = until
	params["held_until"] = until.Format(time.RFC3339)
	params["held_local"] = until.In(loc).Format("15:04")
	params["held_date"] = until.In(loc).Format("2006-01-02")
	params["held_by"] = whose
	params["zone"] = loc.String()
}
