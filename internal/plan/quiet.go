package plan

import (
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// quietHours returns the quiet hours that apply to r, parsed, whose
// they are ("contact" or "workspace") and the zone they are read in: the
// contact's own (attribute quiet_hours), else the workspace's; in the
// contact's time zone, else the workspace's.
func (p *planner) quietHours(r Recipient) (model.QuietWeek, string, *time.Location) {
	ws := p.in.Workspace
	whose := "workspace"
	q, _ := ws.QuietHours.Parse() // checked when saved
	loc := ws.Location()
	if c := r.Contact; c != nil {
		if s, ok := c.Attributes[model.ContactQuietHoursAttribute].(string); ok && s != "" {
			if own, err := model.QuietHours(s).Parse(); err == nil {
				q, whose = own, "contact"
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
	until := q.HeldUntil(p.in.Now, loc)
	if until.IsZero() {
		return
	}
	m.HeldUntil = until
	local := until.In(loc)
	params["held_until"] = until.Format(time.RFC3339)
	params["held_local"] = local.Format("15:04")
	params["held_date"] = local.Format("2006-01-02")
	// Beyond tomorrow ("held until 08:00 on Monday 2026-03-30") the
	// reader wants the weekday, not a date to look up.
	ny, nm, nd := p.in.Now.In(loc).Date()
	if !local.Before(time.Date(ny, nm, nd+2, 0, 0, 0, 0, loc)) {
		params["held_weekday"] = strings.ToLower(local.Weekday().String())
	}
	params["held_by"] = whose
	params["zone"] = loc.String()
}
