package service

import (
	"context"
	"errors"
	"sync"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// configTx runs fn in a transaction and counts it as a configuration change,
// so that every replica's configuration cache notices it.
func (s *Service) configTx(ctx context.Context, ws *model.Workspace, fn func(tx store.Tx) error) error {
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.WorkspaceConfigBump(ctx, ws.ID)
	})
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

func (s *Service) configReader(ctx context.Context, q store.Queries, ws int64) (*configReader, error) {
	v, err := q.WorkspaceConfigVersion(ctx, ws)
	if err != nil {
		return nil, err
	}
	return &configReader{cache: s.config, w: s.config.view(ws, v), q: q, ws: ws}, nil
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
