package impact

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// Report is what a replay found. It marshals to JSON for the API.
type Report struct {
	// Since and Until are the window of received times replayed.
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Events counts the events replayed; Skipped those a proposal cannot
	// change (manual sends, events a schedule excluded).
	Events  int `json:"events"`
	Skipped int `json:"skipped"`
	// Truncated says that Options.MaxEvents stopped the replay before
	// the window's oldest event: events received before Oldest were not
	// replayed.
	Truncated bool `json:"truncated"`
	// Oldest is the received time of the oldest event looked at (zero
	// when there was none).
	Oldest time.Time `json:"oldest"`
	// Totals sums the projects.
	Totals   Counts    `json:"totals"`
	Projects []Project `json:"projects"`
}

// Counts are the messages of a group, a project or a whole replay.
type Counts struct {
	// Before counts the messages recorded for the events; After those the
	// proposed configuration plans for them.
	Before int `json:"before"`
	After  int `json:"after"`
	// Added, Removed and Changed count the messages the proposed
	// configuration plans differently from the current one, on today's
	// contacts and objects: the effect of the change alone.
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Changed int `json:"changed"`
	// Drift counts the messages today's replay of the current
	// configuration plans differently from what was recorded: contacts,
	// objects or the configuration changed since the events. It is not
	// caused by the proposal.
	Drift int `json:"drift"`
}

// Changes is Added + Removed + Changed.
func (c Counts) Changes() int { return c.Added + c.Removed + c.Changed }

func (c *Counts) add(o Counts) {
	c.Before += o.Before
	c.After += o.After
	c.Added += o.Added
	c.Removed += o.Removed
	c.Changed += o.Changed
	c.Drift += o.Drift
}

// Project is the impact on one project's events.
type Project struct {
	Project string `json:"project"`
	Counts
	Groups []*Group `json:"groups"`
}

// Group is the impact on one notification of one flow, for one project's
// events.
type Group struct {
	Project      string `json:"-"`
	Flow         string `json:"flow"`
	EventType    string `json:"event_type"`
	Notification string `json:"notification"`
	Counts
	// Causes say which part of the configuration change explains the
	// group's changes (see the Cause constants); empty when nothing
	// changed.
	Causes []string `json:"causes,omitempty"`
	// Examples are the first changed messages; DriftExamples the first
	// drifted ones.
	Examples      []Example `json:"examples,omitempty"`
	DriftExamples []Example `json:"drift_examples,omitempty"`
}

// Causes of a group's changes.
const (
	CauseProjectAdded           = "project_added"
	CauseProjectRemoved         = "project_removed"
	CauseProjectFlowChanged     = "project_flow_changed"
	CauseProjectMembersChanged  = "project_members_changed"
	CauseFlowAdded              = "flow_added"
	CauseFlowRemoved            = "flow_removed"
	CauseNotificationAdded      = "notification_added"
	CauseNotificationRemoved    = "notification_removed"
	CauseNotificationStatus     = "notification_status_changed"
	CauseNotificationCondition  = "notification_condition_changed"
	CauseNotificationRecipients = "notification_recipients_changed"
	CauseNotificationTemplate   = "notification_template_changed"
	CauseNotificationCategory   = "notification_category_changed"
	CauseNotificationChannels   = "notification_channels_changed"
)

// projects sorts the groups into projects and explains their changes.
func (a *aggregator) projects(ctx context.Context, current, proposed configView) ([]Project, error) {
	byProject := map[string]*Project{}
	for k, g := range a.groups {
		p := byProject[k.project]
		if p == nil {
			p = &Project{Project: k.project}
			byProject[k.project] = p
		}
		if g.Changes() > 0 {
			var err error
			if g.Causes, err = causes(ctx, k, current, proposed); err != nil {
				return nil, err
			}
		}
		p.Groups = append(p.Groups, g)
		p.Counts.add(g.Counts)
	}
	out := make([]Project, 0, len(byProject))
	for _, p := range byProject {
		slices.SortFunc(p.Groups, func(x, y *Group) int {
			return cmp.Or(cmp.Compare(x.Flow, y.Flow), cmp.Compare(x.EventType, y.EventType), cmp.Compare(x.Notification, y.Notification))
		})
		out = append(out, *p)
	}
	slices.SortFunc(out, func(x, y Project) int { return cmp.Compare(x.Project, y.Project) })
	return out, nil
}

// causes compares the group's project, flow and notification between the
// current and the proposed configuration.
func causes(ctx context.Context, k groupKey, current, proposed configView) ([]string, error) {
	cp, err := current.Project(ctx, k.project)
	if err != nil {
		return nil, fmt.Errorf("load project: %w", err)
	}
	pp, _ := proposed.Project(ctx, k.project)
	switch {
	case cp == nil && pp != nil:
		return []string{CauseProjectAdded}, nil
	case cp != nil && pp == nil:
		return []string{CauseProjectRemoved}, nil
	case cp == nil:
		return nil, nil
	case cp.Flow != pp.Flow:
		return []string{CauseProjectFlowChanged}, nil
	}
	var out []string
	if !maps.EqualFunc(cp.Members, pp.Members, slices.Equal) {
		out = append(out, CauseProjectMembersChanged)
	}
	cf, err := current.Flow(ctx, k.flow)
	if err != nil {
		return nil, fmt.Errorf("load flow: %w", err)
	}
	pf, _ := proposed.Flow(ctx, k.flow)
	switch {
	case cf == nil && pf != nil:
		return append(out, CauseFlowAdded), nil
	case cf != nil && pf == nil:
		return append(out, CauseFlowRemoved), nil
	}
	cn, pn := notification(cf, k.notification), notification(pf, k.notification)
	switch {
	case cn == nil && pn != nil:
		return append(out, CauseNotificationAdded), nil
	case cn != nil && pn == nil:
		return append(out, CauseNotificationRemoved), nil
	case cn == nil:
		return out, nil
	}
	// Compare with the defaults filled in: a proposal that leaves out
	// channels (or status) means what a saved notification spells out.
	cv, pv := *cn, *pn
	cv.Normalize()
	pv.Normalize()
	cn, pn = &cv, &pv
	if cn.Status != pn.Status {
		out = append(out, CauseNotificationStatus)
	}
	if cn.Condition != pn.Condition {
		out = append(out, CauseNotificationCondition)
	}
	if !slices.Equal(cn.Recipients, pn.Recipients) || !slices.Equal(cn.CC, pn.CC) || !slices.Equal(cn.BCC, pn.BCC) {
		out = append(out, CauseNotificationRecipients)
	}
	if cn.Template != pn.Template {
		out = append(out, CauseNotificationTemplate)
	}
	if cn.Category != pn.Category {
		out = append(out, CauseNotificationCategory)
	}
	if !slices.Equal(cn.Channels, pn.Channels) {
		out = append(out, CauseNotificationChannels)
	}
	return out, nil
}

func notification(f *model.Flow, key string) *model.Notification {
	if f == nil {
		return nil
	}
	for i := range f.Notifications {
		if f.Notifications[i].Key == key {
			return &f.Notifications[i]
		}
	}
	return nil
}
