package service

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/herold-dev/herold/internal/impact"
	"github.com/herold-dev/herold/internal/manifest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Configuration as code: the server plans and applies sets of files
// (package manifest) in one transaction, records every apply as a
// revision, and keeps which objects the files manage.

// ConfigPlanParams are the files of a plan.
type ConfigPlanParams struct {
	Files []manifest.File
	// Prune deletes the objects earlier applies created from files that
	// these files no longer define. Objects made by hand are never
	// deleted.
	Prune bool
	// Impact bounds the replay of recorded events through the planned
	// configuration (package impact; zero values are its defaults: the
	// last 7 days). The service sets its clock and conditions.
	Impact impact.Options
	// NoImpact skips the replay.
	NoImpact bool
}

// ConfigPlan is what applying files would change.
type ConfigPlan struct {
	// Revision identifies the server's configuration the plan was made
	// against; apply with it refuses when the configuration changed since.
	Revision string `json:"revision"`
	// Changes are the objects created, changed and deleted, field by field.
	Changes []manifest.Change `json:"changes"`
	// Impact is what the planned configuration would have sent for the
	// recorded events of the window, compared with the current one;
	// absent when the plan was asked without it.
	Impact *impact.Report `json:"impact,omitempty"`
}

// ConfigApplyParams are the files of an apply.
type ConfigApplyParams struct {
	ConfigPlanParams
	// Revision is the plan's revision; empty applies to whatever the
	// server has.
	Revision string
	// Author names who applies (the API key or user).
	Author string
	// Message says why (herold apply -m).
	Message string
}

// ConfigApplied is the outcome of an apply or rollback.
type ConfigApplied struct {
	Revision *model.ConfigRevision `json:"revision"`
	Changes  []manifest.Change     `json:"changes"`
}

// maxConfigObjects bounds the objects of each kind a workspace's files
// describe, as manifest.MaxFiles bounds the files.
const maxConfigObjects = manifest.MaxFiles

// errPlanOnly rolls back the transaction a plan tries its changes in.
var errPlanOnly = errors.New("plan only: roll back")

// ConfigExport returns the workspace's configuration as files by path,
// byte-stable, with the JSON Schema. Values equal to what the server
// fills in when a file leaves them out are left out (a notification's
// status active, category transactional, channels [email], the key as
// name, ...), and so is a notification's older channel, which channels
// says: applying the files changes nothing.
func (s *Service) ConfigExport(ctx context.Context, ws *model.Workspace) (map[string][]byte, error) {
	docs, err := s.configDocuments(ctx, s.store, ws)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		d.LeaveOutDefaults(sameAsApplied(ws, d))
	}
	return manifest.Files(docs)
}

// sameAsApplied reports whether a document, read as a file, is
// normalized to want as plan and apply normalize files: then applying it
// leaves the object as want describes it.
func sameAsApplied(ws *model.Workspace, want *manifest.Document) func(*manifest.Document) bool {
	canonical := want.Canonical()
	return func(d *manifest.Document) bool {
		n, problems := normalizeDocuments(ws, []*manifest.Document{d})
		return len(problems) == 0 && len(n) == 1 && bytes.Equal(n[0].Canonical(), canonical)
	}
}

// ConfigPlan tries the files against the server's configuration in a
// transaction it rolls back: every check of the API runs, with each
// problem at its file, line and column.
func (s *Service) ConfigPlan(ctx context.Context, ws *model.Workspace, p ConfigPlanParams) (*ConfigPlan, error) {
	// configPlan's second result is the configuration after the apply;
	// the impact replay runs outside the plan's transaction, over the
	// projects and flows as they would be, without writing anything.
	plan, res, err := s.configPlan(ctx, ws, p)
	if err != nil || p.NoImpact {
		return plan, err
	}
	projects, flows, err := impactConfig(res.after)
	if err != nil {
		return nil, err
	}
	opt := p.Impact
	opt.Clock, opt.Conditions = s.clock, s.conditions
	plan.Impact, err = impact.Replay(ctx, s.store, ws, impact.Config{Projects: projects, Flows: flows}, opt)
	var oe *impact.OptionsError
	if errors.As(err, &oe) {
		return nil, &ValidationError{Fields: []FieldError{{Field: "impact." + oe.Field, Code: CodeInvalid, Detail: oe.Message}}}
	}
	if err != nil {
		return nil, fmt.Errorf("impact replay: %w", err)
	}
	return plan, nil
}

// configPlan makes the plan and returns what the configuration would be
// after the apply (configResult.after), which the transaction it was
// computed in no longer holds.
func (s *Service) configPlan(ctx context.Context, ws *model.Workspace, p ConfigPlanParams) (*ConfigPlan, *configResult, error) {
	docs, err := parseFiles(p.Files)
	if err != nil {
		return nil, nil, err
	}
	var res *configResult
	err = s.store.WithTx(ctx, func(tx store.Tx) error {
		res, err = s.configChange(ctx, tx, ws, docs, p.Prune, "")
		if err != nil {
			return err
		}
		return errPlanOnly
	})
	if !errors.Is(err, errPlanOnly) {
		return nil, nil, err
	}
	return &ConfigPlan{Revision: res.before, Changes: res.changes}, res, nil
}

// ConfigApply applies files in one transaction: all or nothing, refused
// when p.Revision is set and the configuration changed since the plan.
func (s *Service) ConfigApply(ctx context.Context, ws *model.Workspace, p ConfigApplyParams) (*ConfigApplied, error) {
	docs, err := parseFiles(p.Files)
	if err != nil {
		return nil, err
	}
	return s.configCommit(ctx, ws, docs, p.Prune, p.Revision, p.Author, p.Message)
}

// ConfigRollback applies the documents revision number applied, deleting
// what the files manage now and did not then, as a new revision.
func (s *Service) ConfigRollback(ctx context.Context, ws *model.Workspace, number int64, author, message string) (*ConfigApplied, error) {
	rev, err := s.store.ConfigRevisionGet(ctx, ws.ID, number)
	if err != nil {
		return nil, mapNotFound(err, "revision %d", number)
	}
	docs, err := decodeDocuments(rev.Documents)
	if err != nil {
		return nil, fmt.Errorf("read revision %d: %w", number, err)
	}
	message = cmp.Or(message, fmt.Sprintf("rollback to revision %d", number))
	return s.configCommit(ctx, ws, docs, true, "", author, message)
}

// ConfigRevisions lists revisions newest first; before is the number of
// the last one of the previous page (0 for the first page).
func (s *Service) ConfigRevisions(ctx context.Context, ws *model.Workspace, before int64, limit int) ([]*model.ConfigRevision, error) {
	limit = min(cmp.Or(limit, DefaultPageSize), MaxPageSize)
	return s.store.ConfigRevisionList(ctx, &store.ConfigRevisionListParams{WorkspaceID: ws.ID, Before: before, Limit: limit})
}

// Drift states of objects the files manage.
const (
	// DriftNone: the object is as the files applied it.
	DriftNone = "managed"
	// DriftChanged: someone changed the object by hand since.
	DriftChanged = "drifted"
)

// ConfigManaged tells, by "Kind/key", which objects files manage and
// whether they drifted from what was applied.
func (s *Service) ConfigManaged(ctx context.Context, ws *model.Workspace) (map[string]string, error) {
	owned, err := s.ownedDocuments(ctx, s.store, ws)
	if err != nil || len(owned) == 0 {
		return nil, err
	}
	cur, err := s.configDocuments(ctx, s.store, ws)
	if err != nil {
		return nil, err
	}
	now := map[string]*manifest.Document{}
	for _, d := range cur {
		now[d.ID()] = d
	}
	out := map[string]string{}
	for _, d := range owned {
		if c := now[d.ID()]; c != nil {
			out[d.ID()] = DriftNone
			if !bytes.Equal(c.Canonical(), d.Canonical()) {
				out[d.ID()] = DriftChanged
			}
		}
	}
	return out, nil
}

func (s *Service) configCommit(ctx context.Context, ws *model.Workspace, docs []*manifest.Document, prune bool, expect, author, message string) (*ConfigApplied, error) {
	var out *ConfigApplied
	err := s.configTx(ctx, ws, func(tx store.Tx) error {
		// Bumping first locks the workspace's row (PostgreSQL): a second
		// apply waits here until this one commits, then reads its state
		// and is refused if it planned against the one before. SQLite
		// runs one writing transaction at a time anyway.
		if err := tx.WorkspaceConfigBump(ctx, ws.ID); err != nil {
			return err
		}
		res, err := s.configChange(ctx, tx, ws, docs, prune, expect)
		if err != nil {
			return err
		}
		managed, err := json.Marshal(res.managed)
		if err != nil {
			return err
		}
		rev := &model.ConfigRevision{Author: author, Message: message, State: manifest.State(res.after),
			Documents: managed, CreatedAt: s.now()}
		if err := tx.ConfigRevisionInsert(ctx, ws.ID, rev); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return &ConflictError{Detail: "another apply finished at the same moment; run herold plan again"}
			}
			return fmt.Errorf("record revision: %w", err)
		}
		rev.Documents = nil
		out = &ConfigApplied{Revision: rev, Changes: res.changes}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.logger.Info("configuration applied", "workspace", ws.Key, "revision", out.Revision.Number,
		"author", author, "changes", len(out.Changes))
	return out, nil
}

// configResult is what configChange did.
type configResult struct {
	// before and after are the configuration's states.
	before  string
	after   []*manifest.Document
	changes []manifest.Change
	// managed are the documents the files manage afterwards.
	managed []*manifest.Document
}

// configChange applies docs in tx: it checks the state, diffs, and saves
// every created and changed object through the same checks as the API,
// then deletes what prune removes. Problems name file, line and column.
func (s *Service) configChange(ctx context.Context, tx store.Tx, ws *model.Workspace, docs []*manifest.Document,
	prune bool, expect string) (*configResult, error) {
	cur, err := s.configDocuments(ctx, tx, ws)
	if err != nil {
		return nil, err
	}
	res := &configResult{before: manifest.State(cur)}
	if expect != "" && expect != res.before {
		return nil, &ConflictError{Detail: fmt.Sprintf("the configuration changed since the plan (planned against revision %s, the server is at %s); run herold plan again and review the changes", expect, res.before)}
	}
	owned, err := s.ownedDocuments(ctx, tx, ws)
	if err != nil {
		return nil, err
	}
	desired, problems := normalizeDocuments(ws, docs)
	if len(problems) > 0 {
		return nil, &ValidationError{Fields: problems}
	}
	res.managed, res.changes = s.plannedChanges(cur, owned, desired, prune)
	byID := map[string]*manifest.Document{}
	for _, d := range desired {
		byID[d.ID()] = d
	}
	for _, ch := range res.changes {
		d := byID[ch.Kind+"/"+ch.Name]
		if ch.Action == manifest.ActionDelete {
			problems = append(problems, s.configDelete(ctx, tx, ws, ch)...)
			continue
		}
		p, err := s.configSave(ctx, tx, ws, d)
		if err != nil {
			return nil, err
		}
		problems = append(problems, p...)
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Fields: problems}
	}
	if res.after, err = s.configDocuments(ctx, tx, ws); err != nil {
		return nil, err
	}
	// Record the objects the files just applied as the server stored
	// them, so that drift compares like with like; objects managed
	// before and not in these files keep what was applied then.
	stored := map[string]*manifest.Document{}
	for _, d := range res.after {
		stored[d.ID()] = d
	}
	for i, d := range res.managed {
		if a := stored[d.ID()]; a != nil && byID[d.ID()] != nil {
			res.managed[i] = a
		}
	}
	return res, nil
}

// plannedChanges diffs and works out the documents managed afterwards:
// those managed before, minus what prune removes, plus the files'.
func (s *Service) plannedChanges(cur, owned, desired []*manifest.Document, prune bool) ([]*manifest.Document, []manifest.Change) {
	exists, defined := map[string]bool{}, map[string]bool{}
	for _, d := range cur {
		exists[d.ID()] = true
	}
	for _, d := range desired {
		defined[d.ID()] = true
	}
	var remove []string
	managed := slices.Clone(desired)
	for _, d := range owned {
		switch {
		case defined[d.ID()]:
		case prune && d.Kind != manifest.KindWorkspace:
			if exists[d.ID()] {
				remove = append(remove, d.ID())
			}
		case exists[d.ID()]:
			managed = append(managed, d)
		}
	}
	manifest.Sort(managed)
	return managed, manifest.Diff(cur, desired, remove)
}

// configSave saves one created or changed object; validation problems
// come back located in its file.
func (s *Service) configSave(ctx context.Context, tx store.Tx, ws *model.Workspace, d *manifest.Document) ([]FieldError, error) {
	obj, err := d.Object()
	if err != nil {
		return []FieldError{located(d, FieldError{Code: CodeInvalid, Detail: err.Error()})}, nil
	}
	switch o := obj.(type) {
	case *model.Template:
		_, err = s.templateSave(ctx, tx, ws, o)
	case *model.Flow:
		_, err = s.flowSave(ctx, tx, ws, o)
	case *model.Project:
		_, err = s.projectSave(ctx, tx, ws, o)
	case *model.Schedule:
		_, err = s.scheduleSave(ctx, tx, ws, o)
	case *model.Workspace:
		err = s.workspaceSettingsSave(ctx, tx, ws, o)
	}
	var verr *ValidationError
	if errors.As(err, &verr) {
		out := make([]FieldError, len(verr.Fields))
		for i, f := range verr.Fields {
			out[i] = located(d, f)
		}
		return out, nil
	}
	return nil, err
}

// located moves a field error of an object into its file: the field's
// path in the file, its line and column there, the position inside a
// template or condition in the detail.
func located(d *manifest.Document, f FieldError) FieldError {
	path := "spec"
	if f.Field != "" {
		path += "." + f.Field
	}
	what := "value"
	switch f.Code {
	case CodeTemplateSyntax:
		what = "template"
	case CodeCondition:
		what = "condition"
	}
	p := d.Inside(path, f.Line, f.Column, what, f.Detail)
	return FieldError{File: p.File, Field: p.Path, Code: f.Code, Detail: p.Message, Line: p.Line, Column: p.Column}
}

// configDelete deletes one object prune removes.
func (s *Service) configDelete(ctx context.Context, tx store.Tx, ws *model.Workspace, ch manifest.Change) []FieldError {
	var err error
	switch ch.Kind {
	case manifest.KindTemplate:
		err = tx.TemplateDelete(ctx, ws.ID, ch.Name)
	case manifest.KindFlow:
		err = tx.FlowDelete(ctx, ws.ID, ch.Name)
	case manifest.KindProject:
		err = tx.ProjectDelete(ctx, ws.ID, ch.Name)
	case manifest.KindSchedule:
		err = tx.ScheduleDelete(ctx, ws.ID, ch.Name)
	}
	var inUse *store.InUseError
	if errors.As(err, &inUse) {
		return []FieldError{{Field: ch.Kind + "/" + ch.Name, Code: CodeInvalid,
			Detail: fmt.Sprintf("prune cannot delete it: %s still uses it; change or delete those first (in the files or on the server)", joinList(inUse.UsedBy))}}
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return []FieldError{{Field: ch.Kind + "/" + ch.Name, Code: CodeInvalid, Detail: err.Error()}}
	}
	return nil
}

// workspaceSettingsSave saves the settings a Workspace file holds.
func (s *Service) workspaceSettingsSave(ctx context.Context, tx store.Tx, ws *model.Workspace, w *model.Workspace) error {
	cur, err := tx.WorkspaceGetByID(ctx, ws.ID)
	if err != nil {
		return fmt.Errorf("read workspace: %w", err)
	}
	p := WorkspaceSettings{Name: w.Name, DefaultLocale: w.DefaultLocale, Timezone: w.Timezone, Sender: w.Sender,
		RetentionDays: w.RetentionDays, ConfirmationExpiryHours: w.ConfirmationExpiryHours, Inbound: w.Inbound,
		Vocabulary: w.Vocabulary, QuietHours: w.QuietHours}
	p.SummarySchedule = w.SummarySchedule
	var c checker
	p.check(&c, cur)
	if err := c.err(); err != nil {
		return err
	}
	upd := p.applied(cur, s.now())
	return tx.WorkspaceUpdate(ctx, &upd)
}

// normalizeDocuments fills the defaults the API fills (names, roles,
// statuses, workspace settings), so that a file that leaves them out
// compares equal to what the server stores.
func normalizeDocuments(ws *model.Workspace, docs []*manifest.Document) ([]*manifest.Document, []FieldError) {
	var out []*manifest.Document
	var problems []FieldError
	for _, d := range docs {
		obj, err := d.Object()
		if err != nil {
			problems = append(problems, located(d, FieldError{Code: CodeInvalid, Detail: err.Error()}))
			continue
		}
		switch o := obj.(type) {
		case *model.Template:
			o.Normalize()
			o.Name = cmp.Or(o.Name, o.Key)
		case *model.Flow:
			o.Normalize()
			o.Name = cmp.Or(o.Name, o.Key)
		case *model.Project:
			o.Normalize()
			o.Name = cmp.Or(o.Name, o.Key)
		case *model.Schedule:
			o.Name = cmp.Or(o.Name, o.Key)
			o.Role = cmp.Or(o.Role, DefaultRole)
		case *model.Workspace:
			if o.Key != ws.Key {
				problems = append(problems, located(d, FieldError{Field: "", Code: CodeMismatch,
					Detail: fmt.Sprintf("this file describes workspace %q, but the API key belongs to %q", o.Key, ws.Key)}))
				continue
			}
			set := WorkspaceSettings{Name: o.Name, DefaultLocale: o.DefaultLocale, Timezone: o.Timezone,
				RetentionDays: o.RetentionDays, ConfirmationExpiryHours: o.ConfirmationExpiryHours}
			set.defaults()
			o.Name = cmp.Or(o.Name, o.Key)
			o.DefaultLocale, o.Timezone = set.DefaultLocale, set.Timezone
			o.RetentionDays, o.ConfirmationExpiryHours = set.RetentionDays, set.ConfirmationExpiryHours
		}
		n, err := manifest.NewDocument(d.Kind, d.Metadata.Name, obj)
		if err != nil {
			return nil, []FieldError{located(d, FieldError{Code: CodeInvalid, Detail: err.Error()})}
		}
		out = append(out, d.WithSpec(n.Spec))
	}
	return out, problems
}

// configDocuments reads the workspace's configuration as documents.
func (s *Service) configDocuments(ctx context.Context, q store.Queries, ws *model.Workspace) ([]*manifest.Document, error) {
	w, err := q.WorkspaceGetByID(ctx, ws.ID)
	if err != nil {
		return nil, fmt.Errorf("read workspace: %w", err)
	}
	lp := &store.ListParams{WorkspaceID: ws.ID, Limit: maxConfigObjects + 1}
	c := &manifest.Config{Workspace: w}
	if c.Templates, err = q.TemplateList(ctx, lp); err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	if c.Flows, err = q.FlowList(ctx, lp); err != nil {
		return nil, fmt.Errorf("list flows: %w", err)
	}
	if c.Projects, err = q.ProjectList(ctx, lp); err != nil {
		return nil, fmt.Errorf("list projects: %w", err)
	}
	if c.Schedules, err = q.ScheduleList(ctx, lp); err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	if max(len(c.Templates), len(c.Flows), len(c.Projects), len(c.Schedules)) > maxConfigObjects {
		return nil, &ConflictError{Detail: fmt.Sprintf("the workspace has more than %d objects of one kind, more than configuration files can manage", maxConfigObjects)}
	}
	return manifest.Documents(c)
}

// ownedDocuments are the documents the latest revision manages.
func (s *Service) ownedDocuments(ctx context.Context, q store.Queries, ws *model.Workspace) ([]*manifest.Document, error) {
	rev, err := q.ConfigRevisionLatest(ctx, ws.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read latest revision: %w", err)
	}
	return decodeDocuments(rev.Documents)
}

func decodeDocuments(raw []byte) ([]*manifest.Document, error) {
	var docs []*manifest.Document
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&docs); err != nil {
		return nil, err
	}
	return docs, nil
}

// parseFiles reads files against the schema; problems become field
// errors with file, line and column. manifest.Check is not needed here:
// the saves check templates and conditions with the same engines, and
// resolve references against the server as well as the files (a flow's
// template may be one made in the cockpit).
func parseFiles(files []manifest.File) ([]*manifest.Document, error) {
	docs, ps := manifest.Parse(files)
	if len(ps) == 0 {
		return docs, nil
	}
	fields := make([]FieldError, len(ps))
	for i, p := range ps {
		fields[i] = FieldError{File: p.File, Field: p.Path, Code: CodeInvalid, Detail: p.Message, Line: p.Line, Column: p.Column}
	}
	return nil, &ValidationError{Fields: fields}
}

// impactConfig is the configuration the impact replay runs: every
// project and every flow (with its notifications) as they would be after
// the apply.
func impactConfig(after []*manifest.Document) (projects []model.Project, flows []model.Flow, err error) {
	for _, d := range after {
		obj, err := d.Object()
		if err != nil {
			return nil, nil, err
		}
		switch o := obj.(type) {
		case *model.Project:
			projects = append(projects, *o)
		case *model.Flow:
			flows = append(flows, *o)
		}
	}
	return projects, flows, nil
}
