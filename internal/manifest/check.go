package manifest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/timeutil"
)

// Check checks a parsed set without a server: every reference between
// files resolves (flow → template, project → flow, schedule → project and
// report template), and every template, occurrence key, condition and
// cron expression compiles with the engines the server uses. The server
// checks the rest when it plans (senders the workspace may use,
// contacts, references to objects no file defines).
func Check(docs []*Document) Problems {
	return check(docs, nil, true)
}

// Validation is the outcome of Validate.
type Validation struct {
	// Docs are the documents that parsed.
	Docs []*Document
	// Problems are those of Parse and of Check, sorted by file and line.
	Problems Problems
	// Unchecked are the files whose problems kept Check from their
	// templates, conditions and references.
	Unchecked []string
	// ReferencesUnchecked is set when a file with problems could not be
	// read far enough to know its object (a YAML syntax error), so that
	// a reference to any object might name the one it defines: references
	// between files were not checked.
	ReferencesUnchecked bool
}

// Validate is herold validate's offline check of a set of files: Parse,
// then Check of every document that parsed, and of those whose only
// problems are unknown fields (checked without them), so that one run
// reports the schema problems of every file and the template, condition
// and reference problems of all files that can be read. A reference to
// an object whose file has other problems counts as resolved.
func Validate(files []File) *Validation {
	r := parse(files)
	v := &Validation{Docs: r.docs}
	var defined []string
	for _, b := range r.broken {
		v.Unchecked = append(v.Unchecked, b.File)
		if b.Kind == "" || b.Metadata.Name == "" {
			v.ReferencesUnchecked = true
			continue
		}
		defined = append(defined, b.ID())
	}
	slices.Sort(v.Unchecked)
	checked := append(slices.Clone(r.docs), r.partial...)
	v.Problems = append(r.problems, check(checked, defined, !v.ReferencesUnchecked)...)
	v.Problems.Sort()
	return v
}

// check is Check with the ids of objects defined elsewhere (files with
// problems), and without the reference checks when refs is false.
func check(docs []*Document, defined []string, refs bool) Problems {
	c := &checkRun{have: map[string]bool{}, envs: map[string]*condition.Env{}, noRefs: !refs}
	for _, id := range defined {
		c.have[id] = true
	}
	for _, d := range docs {
		c.have[d.ID()] = true
	}
	for _, d := range docs {
		obj, err := d.Object()
		if err != nil {
			c.ps = append(c.ps, d.At("spec", "%v", err))
			continue
		}
		switch o := obj.(type) {
		case *model.Template:
			c.template(d, o)
		case *model.Flow:
			c.flow(d, o)
		case *model.Project:
			c.ref(d, "spec.flow", KindFlow, o.Flow)
		case *model.Schedule:
			c.schedule(d, o)
		case *model.Workspace:
			// The names and category details, so that validate finds a
			// frequency that is none before apply does.
			for _, p := range o.Vocabulary.Check() {
				c.ps = append(c.ps, d.At("spec."+p.Field, "%s", p.Detail))
			}
			// And the summary time, as the API checks it.
			for _, p := range o.SummarySchedule.Check("summary_schedule") {
				c.ps = append(c.ps, d.At("spec."+p.Field, "%s", p.Detail))
			}
		}
	}
	c.ps.Sort()
	return c.ps
}

type checkRun struct {
	have map[string]bool
	envs map[string]*condition.Env
	ps   Problems
	// noRefs skips the references between files.
	noRefs bool
}

func (c *checkRun) ref(d *Document, path, kind, name string) {
	if name != "" && !c.noRefs && !c.have[kind+"/"+name] {
		c.ps = append(c.ps, d.At(path, "no file defines %s %q", kind, name))
	}
}

func (c *checkRun) template(d *Document, t *model.Template) {
	if len(t.Locales) == 0 {
		c.ps = append(c.ps, d.At("spec.locales", "define content for at least one locale, e.g. de"))
	}
	for _, l := range slices.Sorted(maps.Keys(t.Locales)) {
		_, err := render.Compile(t.Locales[l])
		c.renderProblems(d, "spec.locales."+l, err)
	}
}

func (c *checkRun) renderProblems(d *Document, path string, err error) {
	var rerr *render.Error
	if err == nil {
		return
	}
	if !errors.As(err, &rerr) {
		c.ps = append(c.ps, d.At(path, "%v", err))
		return
	}
	for _, p := range rerr.Problems {
		field := path
		if p.Part != "" {
			field += "." + p.Part
		}
		c.ps = append(c.ps, d.Inside(field, p.Line, p.Column, "template", p.Message))
	}
}

// within names a position inside a value (a template's or condition's
// own lines: "template line 3, column 5"); "" when line is 0.
func within(line, col int, what string) string {
	switch {
	case line > 0 && col > 0:
		return fmt.Sprintf(" (%s line %d, column %d)", what, line, col)
	case line > 0:
		return fmt.Sprintf(" (%s line %d)", what, line)
	}
	return ""
}

func (c *checkRun) flow(d *Document, f *model.Flow) {
	env := c.env("")
	for i, n := range f.Notifications {
		path := fmt.Sprintf("spec.notifications[%d]", i)
		if n.Template == "" {
			c.ps = append(c.ps, d.At(path, "template is required"))
		}
		c.ref(d, path+".template", KindTemplate, n.Template)
		if n.EventType == "" {
			c.ps = append(c.ps, d.At(path, "event_type is required"))
		}
		if n.Condition != "" {
			c.condition(d, env, path+".condition", n.Condition)
		}
		if n.Digest != nil {
			for _, p := range n.Digest.Check() {
				c.ps = append(c.ps, d.At(path+".digest."+p.Field, "%s", p.Message))
			}
		}
	}
}

func (c *checkRun) schedule(d *Document, s *model.Schedule) {
	c.ref(d, "spec.project", KindProject, s.Project)
	c.ref(d, "spec.report_template", KindTemplate, s.ReportTemplate)
	env := c.env(s.LeapDay)
	if env == nil {
		c.ps = append(c.ps, d.At("spec.leap_day", "%q is not a leap-day policy; use feb28 or mar1", s.LeapDay))
		return
	}
	for _, e := range []struct{ path, expr string }{{"spec.condition", s.Condition}, {"spec.exclude", s.Exclude}} {
		if e.expr != "" {
			c.condition(d, env, e.path, e.expr)
		}
	}
	if s.OccurrenceKey != "" {
		_, err := render.Compile(model.TemplateContent{Subject: s.OccurrenceKey, Text: "-"})
		c.renderProblems(d, "spec.occurrence_key", err)
	}
	if s.Cron != "" {
		if _, err := schedule.ParseCron(s.Cron, time.UTC); err != nil {
			c.ps = append(c.ps, d.At("spec.cron", "%v", err))
		}
	}
}

func (c *checkRun) condition(d *Document, env *condition.Env, path, expr string) {
	_, err := env.Compile(expr)
	var cerr *condition.CompileError
	switch {
	case err == nil:
	case errors.As(err, &cerr) && len(cerr.Issues) > 0:
		for _, is := range cerr.Issues {
			c.ps = append(c.ps, d.Inside(path, is.Line, is.Column, "condition", is.Message))
		}
	default:
		c.ps = append(c.ps, d.At(path, "%v", err))
	}
}

// env returns the condition environment of a leap-day policy, nil for an
// unknown policy.
func (c *checkRun) env(policy string) *condition.Env {
	if policy == "" {
		policy = string(timeutil.LeapDayFeb28)
	}
	if e, ok := c.envs[policy]; ok {
		return e
	}
	var e *condition.Env
	if p := timeutil.LeapDayPolicy(policy); p.Valid() {
		e, _ = condition.New(condition.WithLeapDayPolicy(p))
	}
	c.envs[policy] = e
	return e
}
