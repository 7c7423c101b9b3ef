package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
)

// snapshot is the configuration and data one event's decision reads.
type snapshot struct {
	project *model.Project
	// flow is the project's flow; nil for a manual event, which plans
	// its one notification instead.
	flow *model.Flow
	// flowSender is the sender of the project's flow, for every event
	// of the project, manual ones included.
	flowSender model.Sender
	object     *model.Object
	contacts   map[string]*model.Contact
	templates  map[string]*model.Template
	// wsData is the workspace's part of the data model, shared by the
	// snapshots of one load (it is read-only).
	wsData map[string]any
	// suppressions are the suppression-list entries of the addresses
	// the decision may mail; shared by the snapshots of one load and
	// read-only.
	suppressions map[string]*model.Suppression
	// subject is the contact the event is about, and subjectData its
	// data as the decision's data model holds it (model.RootContact):
	// renderInto gives it to the templates as the recipient too when the
	// message goes to that very contact, as every message of a mailing
	// does, instead of building the same map again. Set by materialize.
	subject     *model.Contact
	subjectData map[string]any
}

func (sn *snapshot) input(ws *model.Workspace, ev *model.Event, now time.Time) plan.Input {
	return plan.Input{Workspace: ws, WorkspaceData: sn.wsData, Event: ev, Project: sn.project, Flow: sn.flow, Object: sn.object,
		Contacts: sn.contacts, Suppressions: sn.suppressions, Now: now}
}

// item is an input with the event it becomes.
type item struct {
	in *Input
	ev *model.Event
}

// configSource gives decisions their projects, flows and templates; a
// missing one is nil. The configuration cache (configReader) is one; a
// replay's proposed configuration (see Replan) is another.
type configSource interface {
	project(ctx context.Context, key string) (*model.Project, error)
	flow(ctx context.Context, key string) (*model.Flow, error)
	templates(ctx context.Context, keys []string) (map[string]*model.Template, error)
}

// loadSnapshots reads what plan needs for the events of one workspace
// (missing rows stay nil so that the planner records them): the
// configuration version once (configuration itself comes from the cache),
// and the contacts of all of them in one query. Each snapshot gets its own
// map of its own contacts. A manual event reads its one notification's
// template and recipients instead of the project's flow, whose sender
// still applies.
func (g *Ingester) loadSnapshots(ctx context.Context, q store.Queries, ws *model.Workspace, items []item) (map[*model.Event]*snapshot, error) {
	if len(items) == 0 {
		return map[*model.Event]*snapshot{}, nil
	}
	cfg, err := g.configReader(ctx, q, ws.ID)
	if err != nil {
		return nil, fmt.Errorf("read configuration version: %w", err)
	}
	return loadSnapshotsFrom(ctx, q, ws, cfg, items)
}

// loadSnapshotsFrom is loadSnapshots with the configuration from cfg.
func loadSnapshotsFrom(ctx context.Context, q store.Queries, ws *model.Workspace, cfg configSource, items []item) (map[*model.Event]*snapshot, error) {
	out := make(map[*model.Event]*snapshot, len(items))
	var err error
	ids := make(map[*model.Event][]string, len(items))
	flows := make(map[*model.Event]*model.Flow, len(items))
	var all []string
	seen := map[string]bool{}
	wsData := ws.Data()
	for _, it := range items {
		ev := it.ev
		sn := &snapshot{wsData: wsData}
		if sn.project, err = cfg.project(ctx, ev.Project); err != nil {
			return nil, fmt.Errorf("load project: %w", err)
		}
		if sn.project != nil && sn.project.Flow != "" {
			f, err := cfg.flow(ctx, sn.project.Flow)
			if err != nil {
				return nil, fmt.Errorf("load flow: %w", err)
			}
			if f != nil {
				sn.flowSender = f.Sender
			}
			if it.in.Manual == nil {
				sn.flow = f
			}
		}
		if ev.Object != nil {
			if sn.object, err = optional(q.ObjectGet(ctx, ws.ID, *ev.Object)); err != nil {
				return nil, fmt.Errorf("load object: %w", err)
			}
		}
		flow, keys := sn.flow, []string(nil)
		if n := it.in.Manual; n != nil {
			flow, keys = &model.Flow{Notifications: []model.Notification{*n}}, []string{n.Template}
			if t := it.in.Template; t != nil {
				sn.templates, keys = map[string]*model.Template{n.Template: t}, nil
			}
		} else if flow != nil {
			for _, n := range flow.Notifications {
				if n.EventType == ev.Type {
					keys = append(keys, n.Template)
				}
			}
		}
		if len(keys) > 0 {
			if sn.templates, err = cfg.templates(ctx, keys); err != nil {
				return nil, fmt.Errorf("load templates: %w", err)
			}
		}
		ids[ev], flows[ev] = plan.ContactIDs(ev, sn.project, sn.object, flow), flow
		for _, id := range ids[ev] {
			if !seen[id] {
				seen[id] = true
				all = append(all, id)
			}
		}
		out[ev] = sn
	}
	contacts, err := q.ContactGetMany(ctx, ws.ID, all)
	if err != nil {
		return nil, fmt.Errorf("load contacts: %w", err)
	}
	var emails []string
	for ev, sn := range out {
		sn.contacts = make(map[string]*model.Contact, len(ids[ev]))
		for _, id := range ids[ev] {
			if c, ok := contacts[id]; ok {
				sn.contacts[id] = c
			}
		}
		emails = append(emails, plan.SuppressionEmails(sn.contacts, flows[ev])...)
	}
	suppressions, err := q.SuppressionGetMany(ctx, ws.ID, emails)
	if err != nil {
		return nil, fmt.Errorf("load suppression list: %w", err)
	}
	for _, sn := range out {
		sn.suppressions = suppressions
	}
	return out, nil
}

func optional[T any](v *T, err error) (*T, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}

// configCache keeps the projects, flows and templates events read, per
// workspace, valid for one configuration version. Cached values are shared
// and must not be modified.
type configCache struct {
	mu   sync.Mutex
	byWS map[int64]*wsConfig
}

type wsConfig struct {
	version   int64
	projects  map[string]*model.Project
	flows     map[string]*model.Flow
	templates map[string]*model.Template
}

// maxCachedPerKind bounds each kind per workspace; past it the workspace's
// cache starts over.
const maxCachedPerKind = 10_000

func newConfigCache() *configCache { return &configCache{byWS: map[int64]*wsConfig{}} }

// view returns the workspace's cache for version, empty when the version
// moved on.
func (c *configCache) view(ws, version int64) *wsConfig {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.byWS[ws]
	if w == nil || w.version != version || len(w.projects) > maxCachedPerKind ||
		len(w.flows) > maxCachedPerKind || len(w.templates) > maxCachedPerKind {
		w = &wsConfig{version: version, projects: map[string]*model.Project{},
			flows: map[string]*model.Flow{}, templates: map[string]*model.Template{}}
		c.byWS[ws] = w
	}
	return w
}

// cached returns m[key] or loads it (nil for a missing row) and remembers it.
func cached[T any](mu *sync.Mutex, m map[string]*T, key string, load func() (*T, error)) (*T, error) {
	mu.Lock()
	v, ok := m[key]
	mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := load()
	if errors.Is(err, store.ErrNotFound) {
		v, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	mu.Lock()
	m[key] = v
	mu.Unlock()
	return v, nil
}

// configReader reads configuration through the cache at the version the
// transaction sees.
type configReader struct {
	cache *configCache
	w     *wsConfig
	q     store.Queries
	ws    int64
}

func (g *Ingester) configReader(ctx context.Context, q store.Queries, ws int64) (*configReader, error) {
	v, err := q.WorkspaceConfigVersion(ctx, ws)
	if err != nil {
		return nil, err
	}
	return &configReader{cache: g.config, w: g.config.view(ws, v), q: q, ws: ws}, nil
}

func (r *configReader) project(ctx context.Context, key string) (*model.Project, error) {
	return cached(&r.cache.mu, r.w.projects, key, func() (*model.Project, error) { return r.q.ProjectGet(ctx, r.ws, key) })
}

func (r *configReader) flow(ctx context.Context, key string) (*model.Flow, error) {
	return cached(&r.cache.mu, r.w.flows, key, func() (*model.Flow, error) { return r.q.FlowGet(ctx, r.ws, key) })
}

func (r *configReader) templates(ctx context.Context, keys []string) (map[string]*model.Template, error) {
	out := make(map[string]*model.Template, len(keys))
	var missing []string
	r.cache.mu.Lock()
	for _, k := range keys {
		if t, ok := r.w.templates[k]; ok {
			out[k] = t
		} else {
			missing = append(missing, k)
		}
	}
	r.cache.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	loaded, err := r.q.TemplateGetMany(ctx, r.ws, missing)
	if err != nil {
		return nil, err
	}
	r.cache.mu.Lock()
	for _, k := range missing {
		r.w.templates[k] = loaded[k]
		out[k] = loaded[k]
	}
	r.cache.mu.Unlock()
	return out, nil
}
