package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/timeutil"
)

// ReportTemplateKey is the workspace template run reports use by default.
// It is created on first use and can be edited like any template.
const ReportTemplateKey = "schedule-report"

// DefaultRole is the role a matched contact gets in a scheduled event.
const DefaultRole = "contact"

// scheduleLoc is the zone a schedule runs in.
func scheduleLoc(ws *model.Workspace, sc *model.Schedule) *time.Location {
	if sc.Timezone != "" {
		return model.LoadLocation(sc.Timezone)
	}
	return ws.Location()
}

// rule parses a schedule's time rule.
func rule(ws *model.Workspace, sc *model.Schedule) (*schedule.Rule, error) {
	if sc.EveryMinutes > 0 {
		return schedule.Every(sc.EveryMinutes)
	}
	return schedule.ParseCron(sc.Cron, scheduleLoc(ws, sc))
}

// envFor returns the condition environment of a leap-day policy.
func (s *Service) envFor(policy string) (*condition.Env, error) {
	if policy == "" || policy == string(timeutil.LeapDayFeb28) {
		return s.conditions, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mar1 == nil {
		env, err := condition.New(condition.WithLeapDayPolicy(timeutil.LeapDayMar1))
		if err != nil {
			return nil, err
		}
		s.mar1 = env
	}
	return s.mar1, nil
}

// compileOccurrence compiles an occurrence key template (one line, the
// template functions and the data model of templates).
func compileOccurrence(src string) (*render.Compiled, error) {
	return render.Compile(model.TemplateContent{Subject: src, Text: "-"})
}

func (s *Service) checkSchedule(ctx context.Context, q store.Queries, ws *model.Workspace, sc *model.Schedule) error {
	var c checker
	c.name("key", sc.Key)
	c.text("name", sc.Name, 200)
	c.longText("description", sc.Description, 2000)
	c.timezone("timezone", sc.Timezone)
	switch {
	case sc.Cron != "" && sc.EveryMinutes != 0:
		c.add("cron", CodeInvalid, "give either cron or every_minutes, not both")
	case sc.Cron == "" && sc.EveryMinutes == 0:
		c.add("cron", CodeRequired, "give a cron expression such as \"0 6 * * *\" or every_minutes")
	default:
		if _, err := rule(ws, sc); err != nil {
			field := "cron"
			if sc.EveryMinutes != 0 {
				field = "every_minutes"
			}
			c.add(field, CodeInvalid, "%v", err)
		}
	}
	switch sc.Source.Kind {
	case model.SourceContacts:
		if sc.Source.Collection != "" {
			c.add("source.collection", CodeInvalid, "contacts have no collection; remove it")
		}
	case model.SourceObjects:
		c.name("source.collection", sc.Source.Collection)
	default:
		c.add("source.kind", CodeInvalid, "%q is not a source; use contacts or objects", sc.Source.Kind)
	}
	if sc.LeapDay != "" && !timeutil.LeapDayPolicy(sc.LeapDay).Valid() {
		c.add("leap_day", CodeInvalid, "%q is not a leap-day policy; use feb28 or mar1", sc.LeapDay)
	}
	env, err := s.envFor(sc.LeapDay)
	if err != nil {
		return err
	}
	if sc.Condition == "" {
		c.add("condition", CodeRequired, "give the condition that selects due records")
	} else {
		checkScheduleCondition(&c, env, sc, "condition", sc.Condition)
	}
	if sc.Exclude != "" {
		checkScheduleCondition(&c, env, sc, "exclude", sc.Exclude)
	}
	if sc.ConsentCategory != "" {
		c.name("consent_category", sc.ConsentCategory)
		if sc.Source.Kind != model.SourceContacts {
			c.add("consent_category", CodeInvalid,
				"a consent category applies to contact schedules; for objects give the flow's notification the category instead")
		}
	}
	c.name("event_type", sc.EventType)
	c.name("project", sc.Project)
	c.name("role", sc.Role)
	if sc.OccurrenceKey == "" {
		c.add("occurrence_key", CodeRequired, "give a key template such as \"birthday-{{ .contact.id }}-{{ .today.Year }}\"")
	} else {
		var rerr *render.Error
		if _, err := compileOccurrence(sc.OccurrenceKey); errors.As(err, &rerr) {
			for _, p := range rerr.Problems {
				c.addAt("occurrence_key", CodeTemplateSyntax, p.Message, p.Line, p.Column)
			}
		}
	}
	return s.checkScheduleRefs(ctx, q, ws, sc, &c)
}

// checkScheduleCondition checks a schedule's condition or exclusion like
// any condition and then against the data a run supplies: the scanned
// record (contact or object, by the source), workspace, and data.since.
// A contacts schedule that reads object.… would otherwise fail on every
// record at run time.
func checkScheduleCondition(c *checker, env *condition.Env, sc *model.Schedule, field, expr string) {
	record := model.RootContact
	if sc.Source.Kind == model.SourceObjects {
		record = model.RootObject
	}
	checkConditionReads(c, env, field, expr, []string{record, model.RootWorkspace, model.RootData}, func(root string) string {
		if sc.Source.Kind != model.SourceContacts && sc.Source.Kind != model.SourceObjects {
			return ""
		}
		return fmt.Sprintf("a %s schedule has no %s.…: it reads each record as %s.… (also workspace, data.since, now and today)",
			sc.Source.Kind, root, record)
	})
}

// checkConditionReads checks expr like any condition and then that it
// reads only the roots its evaluation supplies; refused names a root it
// may not read ("" lets it pass). Without this, a condition reading a
// root the caller never fills in is saved and fails on every record.
func checkConditionReads(c *checker, env *condition.Env, field, expr string, allowed []string, refused func(root string) string) {
	p, err := env.Compile(expr)
	if err != nil {
		checkCondition(c, env, field, expr)
		return
	}
	for _, r := range p.Roots() {
		if slices.Contains(allowed, r) {
			continue
		}
		if msg := refused(r); msg != "" {
			c.add(field, CodeCondition, "%s", msg)
		}
	}
}

func (s *Service) checkScheduleRefs(ctx context.Context, q store.Queries, ws *model.Workspace, sc *model.Schedule, c *checker) error {
	r := newRefs()
	if sc.ReportTo != "" {
		kind, value, err := sc.ReportTo.Parse()
		switch {
		case err != nil:
			c.add("report_to", CodeInvalid, "%v", err)
		case kind == model.RecipientContact:
			r.contact("report_to", value)
		case kind != model.RecipientEmail:
			c.add("report_to", CodeInvalid, "use contact:ID or email:ADDRESS")
		}
	}
	checkReportChannels(c, sc)
	if sc.ReportTemplate != "" {
		r.template("report_template", sc.ReportTemplate)
	}
	if sc.Project != "" && model.ValidName(sc.Project) {
		if _, err := q.ProjectGet(ctx, ws.ID, sc.Project); errors.Is(err, store.ErrNotFound) {
			c.add("project", CodeUnknownRef, "project %q does not exist", sc.Project)
		} else if err != nil {
			return err
		}
	}
	if err := r.check(ctx, q, ws.ID, c); err != nil {
		return err
	}
	return c.err()
}

// reportChannels are the channels a run report can go on: a report is
// for people, not for a webhook endpoint.
var reportChannels = []string{model.ChannelEmail, model.ChannelInApp}

// checkReportChannels checks the channels of a schedule's report: known
// ones, each once; a feed belongs to a contact, so "inapp" needs
// report_to to name one.
func checkReportChannels(c *checker, sc *model.Schedule) {
	if len(sc.ReportChannels) > len(reportChannels) {
		c.add("report_channels", CodeInvalid, "give at most %d channels: email, inapp", len(reportChannels))
		return
	}
	for i, ch := range sc.ReportChannels {
		path := fmt.Sprintf("report_channels[%d]", i)
		switch {
		case !slices.Contains(reportChannels, ch):
			c.add(path, CodeInvalid, "%q is not a channel; use email or inapp", ch)
		case slices.Index(sc.ReportChannels, ch) < i:
			c.add(path, CodeInvalid, "%q is given twice", ch)
		case ch == model.ChannelInApp && !reportsToContact(sc):
			c.add(path, CodeInvalid, "an in-app report goes to a contact's feed: set report_to to contact:ID")
		}
	}
}

// reportsToContact reports whether a schedule's report_to names a contact
// (or is empty: no report, nothing to check).
func reportsToContact(sc *model.Schedule) bool {
	kind, _, err := sc.ReportTo.Parse()
	return sc.ReportTo == "" || err == nil && kind == model.RecipientContact
}

// SchedulePut creates or replaces a schedule. With a preset, the preset
// fills the fields the caller left empty.
func (s *Service) SchedulePut(ctx context.Context, ws *model.Workspace, sc *model.Schedule, preset *schedule.PresetParams) (bool, error) {
	if preset != nil {
		if err := schedule.Apply(sc, *preset); err != nil {
			return false, presetError(err)
		}
	}
	var created bool
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		var err error
		created, err = s.scheduleSave(ctx, tx, ws, sc)
		return err
	})
	return created, err
}

// presetError reports each preset parameter that cannot be applied on its
// own path (preset.duration).
func presetError(err error) error {
	var pes schedule.PresetErrors
	if !errors.As(err, &pes) {
		return &ValidationError{Fields: []FieldError{{Field: "preset", Code: CodeInvalid, Detail: err.Error()}}}
	}
	out := &ValidationError{}
	for _, pe := range pes {
		out.Fields = append(out.Fields, FieldError{Field: "preset." + pe.Field, Code: CodeInvalid, Detail: pe.Detail})
	}
	return out
}

// scheduleSave validates and saves a schedule in tx, computing its next
// run (SchedulePut, and applying configuration files).
func (s *Service) scheduleSave(ctx context.Context, tx store.Tx, ws *model.Workspace, sc *model.Schedule) (bool, error) {
	sc.Name = cmp.Or(sc.Name, sc.Key)
	sc.Role = cmp.Or(sc.Role, DefaultRole)
	if len(sc.ReportChannels) == 0 {
		sc.ReportChannels = []string{model.ChannelEmail}
	}
	if err := s.checkSchedule(ctx, tx, ws, sc); err != nil {
		return false, err
	}
	now := s.now()
	r, _ := rule(ws, sc)
	next := r.Next(now)
	sc.NextRunAt = &next
	sc.CreatedAt, sc.UpdatedAt = now, now
	if sc.ReportTo != "" && sc.ReportTemplate == "" {
		if err := s.ensureReportTemplate(ctx, tx, ws); err != nil {
			return false, err
		}
	}
	return tx.ScheduleUpsert(ctx, ws.ID, sc)
}

// ScheduleGet returns a schedule.
func (s *Service) ScheduleGet(ctx context.Context, ws *model.Workspace, key string) (*model.Schedule, error) {
	sc, err := s.store.ScheduleGet(ctx, ws.ID, key)
	return sc, mapNotFound(err, "schedule %q", key)
}

// ScheduleList pages through schedules.
func (s *Service) ScheduleList(ctx context.Context, ws *model.Workspace, p PageParams) (*Page[*model.Schedule], error) {
	return page(ctx, p, func(sc *model.Schedule) string { return sc.Key },
		func(ctx context.Context, after string, limit int) ([]*model.Schedule, error) {
			return s.store.ScheduleList(ctx, &store.ListParams{WorkspaceID: ws.ID, After: after, Limit: limit})
		})
}

// ScheduleDelete deletes a schedule with its runs; events it emitted stay.
func (s *Service) ScheduleDelete(ctx context.Context, ws *model.Workspace, key string) error {
	return mapNotFound(s.store.ScheduleDelete(ctx, ws.ID, key), "schedule %q", key)
}

// ScheduleRuns pages through a schedule's runs, newest first.
func (s *Service) ScheduleRuns(ctx context.Context, ws *model.Workspace, key string, p PageParams) (*Page[*model.ScheduleRun], error) {
	if _, err := s.ScheduleGet(ctx, ws, key); err != nil {
		return nil, err
	}
	return page(ctx, p, func(r *model.ScheduleRun) string { return r.ID },
		func(ctx context.Context, after string, limit int) ([]*model.ScheduleRun, error) {
			return s.store.ScheduleRunList(ctx, &store.RunListParams{WorkspaceID: ws.ID, Schedule: key, Before: after, Limit: limit})
		})
}

// ScheduleRunGet returns one run of a schedule.
func (s *Service) ScheduleRunGet(ctx context.Context, ws *model.Workspace, key, id string) (*model.ScheduleRun, error) {
	r, err := s.store.ScheduleRunGet(ctx, ws.ID, id)
	if err == nil && r.Schedule != key {
		err = store.ErrNotFound
	}
	return r, mapNotFound(err, "run %q of schedule %q", id, key)
}
