package web

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// scopeLabel is what a row or a message shows for the project it belongs
// to: the project's name and key, or a broadcast's ("Mailing „Name“",
// with no key) for the pseudo-project its messages carry.
type scopeLabel struct {
	// Label is what a row shows: the project's name, or "Mailing
	// „Name“"; Name is the name alone.
	Label, Name string
	// Key is the project's key, shown next to its name where it helps;
	// empty for a broadcast.
	Key string
	// Href links to the broadcast; empty for a project.
	Href string
}

// scopeLabels names the projects and broadcasts of one page's rows.
type scopeLabels struct {
	l          *localizer
	projects   map[string]string
	broadcasts map[string]string
}

// newScopeLabels names the projects by their names and looks up the
// broadcasts keys names (a broadcast that is gone keeps its key).
func (h *Handler) newScopeLabels(ctx context.Context, l *localizer, ws *model.Workspace, projects []*model.Project, broadcasts []string) *scopeLabels {
	s := &scopeLabels{l: l, projects: make(map[string]string, len(projects)), broadcasts: map[string]string{}}
	for _, p := range projects {
		s.projects[p.Key] = p.Name
	}
	for _, key := range broadcasts {
		if _, ok := s.broadcasts[key]; ok {
			continue
		}
		s.broadcasts[key] = key
		if b, err := h.svc.BroadcastGet(ctx, ws, key); err == nil && b.Name != "" {
			s.broadcasts[key] = b.Name
		}
	}
	return s
}

// Project names a project by its key; an unknown one keeps its key.
func (s *scopeLabels) Project(key string) scopeLabel {
	if name, ok := s.projects[key]; ok && name != "" {
		return scopeLabel{Label: name, Name: name, Key: key}
	}
	return scopeLabel{Label: key, Name: key, Key: key}
}

func (s *scopeLabels) broadcast(key string) scopeLabel {
	name, ok := s.broadcasts[key]
	if !ok {
		name = key
	}
	return scopeLabel{Label: s.l.T("web.broadcasts.row", "name", name), Name: name, Href: "/broadcasts/" + pathEscape(key)}
}

// Message labels a message's project, or its broadcast.
func (s *scopeLabels) Message(m *model.Message) scopeLabel {
	if key, ok := service.BroadcastOfMessage(m); ok {
		return s.broadcast(key)
	}
	return s.Project(m.Project)
}

// Event labels an event's project, or the broadcast that emitted it.
func (s *scopeLabels) Event(ev *model.Event) scopeLabel {
	if key, ok := service.BroadcastOfEvent(ev); ok {
		return s.broadcast(key)
	}
	return s.Project(ev.Project)
}

// messageBroadcasts lists the broadcasts the messages were sent for.
func messageBroadcasts(ms []*model.Message) []string {
	var out []string
	for _, m := range ms {
		if key, ok := service.BroadcastOfMessage(m); ok {
			out = append(out, key)
		}
	}
	return out
}

// eventBroadcasts lists the broadcasts that emitted the events.
func eventBroadcasts(evs []*model.Event) []string {
	var out []string
	for _, ev := range evs {
		if key, ok := service.BroadcastOfEvent(ev); ok {
			out = append(out, key)
		}
	}
	return out
}
