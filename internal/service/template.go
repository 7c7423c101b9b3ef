package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/timeutil"
)

// checkTemplate validates t for ws and compiles every locale, reporting
// template problems with the locale, part, line and column.
func (s *Service) checkTemplate(ws *model.Workspace, t *model.Template) error {
	var c checker
	c.name("key", t.Key)
	c.text("name", t.Name, 200)
	c.longText("description", t.Description, 2000)
	c.sender("sender", t.Sender, ws)
	if len(t.Locales) == 0 {
		c.add("locales", CodeRequired, "define content for at least one locale, e.g. \"de\"")
	}
	locales := make([]string, 0, len(t.Locales))
	for l := range t.Locales {
		locales = append(locales, l)
	}
	sort.Strings(locales)
	for _, l := range locales {
		field := "locales." + l
		if !validLocale(l) {
			c.add(field, CodeInvalid, "%q is not a locale; use a language tag such as de, en or de-AT", l)
			continue
		}
		templateProblems(&c, field, compileErr(t.Locales[l]))
	}
	return c.err()
}

func compileErr(content model.TemplateContent) error {
	_, err := render.Compile(content)
	if err == nil && content.InApp != nil {
		_, err = render.CompileInApp(content)
	}
	return err
}

// templateProblems adds render problems to c under field.
func templateProblems(c *checker, field string, err error) {
	if err == nil {
		return
	}
	var rerr *render.Error
	if !errors.As(err, &rerr) {
		c.add(field, CodeTemplateSyntax, "%v", err)
		return
	}
	for _, p := range rerr.Problems {
		f := field
		if p.Part != "" {
			f += "." + p.Part
		}
		c.addAt(f, CodeTemplateSyntax, p.Message, p.Line, p.Column)
	}
}

// TemplatePut creates or replaces a template.
func (s *Service) TemplatePut(ctx context.Context, ws *model.Workspace, t *model.Template) (bool, error) {
	var created bool
	err := s.configTx(ctx, ws, func(tx store.Tx) error {
		var err error
		created, err = s.templateSave(ctx, tx, ws, t)
		return err
	})
	return created, err
}

// templateSave validates and saves a template in tx (TemplatePut, and
// applying configuration files).
func (s *Service) templateSave(ctx context.Context, tx store.Tx, ws *model.Workspace, t *model.Template) (bool, error) {
	t.Normalize()
	t.Name = cmp.Or(t.Name, t.Key)
	if err := s.checkTemplate(ws, t); err != nil {
		return false, err
	}
	now := s.clock.Now().UTC()
	t.CreatedAt, t.UpdatedAt = now, now
	created, err := tx.TemplateUpsert(ctx, ws.ID, t)
	if err != nil {
		return false, fmt.Errorf("save template: %w", err)
	}
	return created, nil
}

// TemplateGet returns a template.
func (s *Service) TemplateGet(ctx context.Context, ws *model.Workspace, key string) (*model.Template, error) {
	t, err := s.store.TemplateGet(ctx, ws.ID, key)
	return t, mapNotFound(err, "template %q", key)
}

// TemplateList pages through templates.
func (s *Service) TemplateList(ctx context.Context, ws *model.Workspace, p PageParams) (*Page[*model.Template], error) {
	return page(ctx, p, func(t *model.Template) string { return t.Key },
		func(ctx context.Context, after string, limit int) ([]*model.Template, error) {
			return s.store.TemplateList(ctx, &store.ListParams{WorkspaceID: ws.ID, After: after, Limit: limit})
		})
}

// TemplateDelete deletes a template no notification uses.
func (s *Service) TemplateDelete(ctx context.Context, ws *model.Workspace, key string) error {
	err := s.configTx(ctx, ws, func(tx store.Tx) error { return tx.TemplateDelete(ctx, ws.ID, key) })
	var inUse *store.InUseError
	if errors.As(err, &inUse) {
		return &ConflictError{Detail: fmt.Sprintf("template %q is used by %s; change or remove those notifications first",
			key, joinList(inUse.UsedBy))}
	}
	return mapNotFound(err, "template %q", key)
}

// PreviewParams ask for a preview.
type PreviewParams struct {
	// Locale selects the content (with the usual fallback).
	Locale string
	// Data is merged over the sample data model (event, data, contact,
	// recipient, object, project, actors).
	Data map[string]any
	// Content, when set, previews unsaved content instead of the stored
	// template (the cockpit's live preview).
	Content *model.TemplateContent
}

// Preview is a rendered template.
type Preview struct {
	Locale  string `json:"locale"`
	Subject string `json:"subject"`
	HTML    string `json:"html"`
	Text    string `json:"text"`
}

// TemplatePreview renders a template with caller-given data and no side
// effects.
func (s *Service) TemplatePreview(ctx context.Context, ws *model.Workspace, key string, p PreviewParams) (*Preview, error) {
	var content model.TemplateContent
	locale := cmp.Or(p.Locale, ws.DefaultLocale)
	field := "draft"
	if p.Content != nil {
		content = *p.Content
	} else {
		t, err := s.TemplateGet(ctx, ws, key)
		if err != nil {
			return nil, err
		}
		var ok bool
		locale, content, ok = t.Content(locale, ws.DefaultLocale)
		if !ok {
			return nil, &ValidationError{Fields: []FieldError{{Field: "locale", Code: CodeInvalid, Detail: "the template has no content"}}}
		}
		field = "locales." + locale
	}
	var c checker
	// Each root the caller sets is a document of its own, named as the
	// API's body names it (its "data" holds the roots).
	for _, k := range sortedKeys(p.Data) {
		c.data("data."+k, p.Data[k])
	}
	compiled, err := render.Compile(content)
	templateProblems(&c, field, err)
	if err := c.err(); err != nil {
		return nil, err
	}
	now, err := previewNow(ws, p.Data, s.clock.Now())
	if err != nil {
		return nil, err
	}
	data := model.NewData(model.DataInput{Workspace: ws, Now: now,
		Event: &model.Event{ID: "preview", Type: "preview", OccurredAt: now, Source: model.SourceManual}})
	for k, v := range p.Data {
		if k != model.RootNow && k != model.RootToday { // NewData set them from now
			data[k] = v
		}
	}
	out, err := compiled.Render(ctx, data, render.Options{Locale: locale, Location: ws.Location(), Now: now, Limits: s.limits})
	if err != nil {
		var c checker
		templateProblems(&c, field, err)
		return nil, c.err()
	}
	return &Preview{Locale: locale, Subject: out.Subject, HTML: out.HTML, Text: out.Text}, nil
}

// previewNow is the instant a preview renders at: the sample's "now" (an
// instant), else its "today" (a day, at the current time of day in the
// workspace's zone), else now. age, days_until and the other helpers then
// count from that day, as the mail would be rendered on it.
func previewNow(ws *model.Workspace, sample map[string]any, now time.Time) (time.Time, error) {
	loc := ws.Location()
	for _, root := range []string{model.RootNow, model.RootToday} {
		v, ok := sample[root]
		if !ok {
			continue
		}
		t, dateOnly, err := timeutil.Parse(v, loc)
		if err != nil {
			return time.Time{}, &ValidationError{Fields: []FieldError{{Field: "data." + root, Code: CodeInvalid,
				Detail: fmt.Sprintf("%v; give a day such as \"2027-02-28\" or an instant in RFC 3339", err)}}}
		}
		if root == model.RootToday || dateOnly {
			n := now.In(loc)
			y, m, d := t.In(loc).Date()
			t = time.Date(y, m, d, n.Hour(), n.Minute(), n.Second(), 0, loc)
		}
		return t, nil
	}
	return now, nil
}

func joinList(items []string) string {
	const max = 5
	if len(items) > max {
		return fmt.Sprintf("%s and %d more", joinList(items[:max]), len(items)-max)
	}
	out := ""
	for i, s := range items {
		if i > 0 {
			out += "; "
		}
		out += s
	}
	return out
}

// now returns the service clock in UTC.
func (s *Service) now() time.Time { return s.clock.Now().UTC() }
