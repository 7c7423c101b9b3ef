package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func sortFieldErrors(errs []FieldError) {
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Field < errs[j].Field })
}

// checkLinks validates role → contact id lists and records the references.
func checkLinks(c *checker, r *refs, field string, links map[string][]string) {
	roles := keysOf(links)
	sort.Strings(roles)
	for _, role := range roles {
		path := field + "." + role
		if !model.ValidName(role) {
			c.add(path, CodeInvalid, "%q is not a valid role name: %s", role, model.NameRule())
			continue
		}
		for i, id := range links[role] {
			r.contact(fmt.Sprintf("%s[%d]", path, i), id)
		}
	}
}

// ProjectPut creates or replaces a project.
func (s *Service) ProjectPut(ctx context.Context, ws *model.Workspace, p *model.Project) (bool, error) {
	var created bool
	err := s.configTx(ctx, ws, func(tx store.Tx) error {
		var err error
		created, err = s.projectSave(ctx, tx, ws, p)
		return err
	})
	return created, err
}

// projectSave validates and saves a project in tx (ProjectPut, and
// applying configuration files).
func (s *Service) projectSave(ctx context.Context, tx store.Tx, ws *model.Workspace, p *model.Project) (bool, error) {
	p.Normalize()
	p.Name = cmp.Or(p.Name, p.Key)
	var c checker
	r := newRefs()
	c.name("key", p.Key)
	c.text("name", p.Name, 200)
	checkLinks(&c, r, "members", p.Members)
	c.attributes("attributes", p.Attributes, model.ProjectFields)
	if p.Flow != "" {
		if _, err := tx.FlowGet(ctx, ws.ID, p.Flow); errors.Is(err, store.ErrNotFound) {
			c.add("flow", CodeUnknownRef, "flow %q does not exist", p.Flow)
		} else if err != nil {
			return false, fmt.Errorf("look up flow: %w", err)
		}
	}
	if err := r.check(ctx, tx, ws.ID, &c); err != nil {
		return false, err
	}
	if err := c.err(); err != nil {
		return false, err
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt = now, now
	return tx.ProjectUpsert(ctx, ws.ID, p)
}

// ProjectGet returns a project.
func (s *Service) ProjectGet(ctx context.Context, ws *model.Workspace, key string) (*model.Project, error) {
	p, err := s.store.ProjectGet(ctx, ws.ID, key)
	return p, mapNotFound(err, "project %q", key)
}

// ProjectList pages through projects.
func (s *Service) ProjectList(ctx context.Context, ws *model.Workspace, p PageParams) (*Page[*model.Project], error) {
	return page(ctx, p, func(p *model.Project) string { return p.Key },
		func(ctx context.Context, after string, limit int) ([]*model.Project, error) {
			return s.store.ProjectList(ctx, &store.ListParams{WorkspaceID: ws.ID, After: after, Limit: limit})
		})
}

// ProjectDelete deletes a project.
func (s *Service) ProjectDelete(ctx context.Context, ws *model.Workspace, key string) error {
	err := s.configTx(ctx, ws, func(tx store.Tx) error { return tx.ProjectDelete(ctx, ws.ID, key) })
	return mapNotFound(err, "project %q", key)
}
