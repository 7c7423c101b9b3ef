package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/service"
)

type schedulesPage struct {
	Schedules []*model.Schedule
	// Managed marks schedules files manage, by "Schedule/key".
	Managed map[string]string
}

func (h *Handler) schedules(w http.ResponseWriter, r *http.Request, rq *request) {
	list, err := all(r.Context(), func(ctx context.Context, p service.PageParams) (*service.Page[*model.Schedule], error) {
		return h.svc.ScheduleList(ctx, rq.p.Workspace, p)
	})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "schedules", "web.schedules.title")
	v.Page = &schedulesPage{Schedules: list, Managed: h.managed(r, rq.p.Workspace)}
	h.render(w, r, http.StatusOK, "schedules", v)
}

// scheduleForm is the new/edit form: the schedule's fields, and for new
// schedules a preset with its parameters that fills the fields left empty.
type scheduleForm struct {
	IsNew          bool
	Key            string
	Name           string
	Description    string
	Enabled        bool
	Cron           string
	EveryMinutes   string
	Timezone       string
	SourceKind     string
	Collection     string
	Condition      string
	Exclude        string
	EventType      string
	Project        string
	Role           string
	OccurrenceKey  string
	LeapDay        string
	ReportTo       string
	ReportTemplate string
	// ReportChannels is the report's channels joined by commas:
	// "email" (also ""), "inapp" or "email,inapp".
	ReportChannels string
	FromPreset     string

	Preset          string
	Field           string
	DaysBefore      string
	LeadDays        string
	LeadField       string
	Duration        string
	ConsentCategory string
	ExcludeField    string
	ExcludeValues   string

	repeatFields
}

type scheduleFormPage struct {
	Form      scheduleForm
	Projects  []*model.Project
	Templates []*model.Template
	Presets   []string
	// Weekdays are the builder's weekday choices (cron numbers, Monday
	// first); MaxMonthDay its last day of the month.
	Weekdays    []string
	MaxMonthDay int
	// RepeatKinds are the builder's choices, "advanced" last.
	RepeatKinds []string
	// EventTypes are the event types the flows react to, offered for
	// the emitted event (by their names).
	EventTypes []string
	// AdvancedOpen opens the "advanced" disclosure: the rule is cron the
	// builder cannot express, or a field in it has an error.
	AdvancedOpen bool
	// ReportChoices are offered for "report to", as a notification's
	// recipients are (free text stays possible).
	ReportChoices []recipientChoice
}

func formFromSchedule(sc *model.Schedule) scheduleForm {
	f := scheduleForm{Key: sc.Key, Name: sc.Name, Description: sc.Description, Enabled: sc.Enabled, Cron: sc.Cron,
		Timezone: sc.Timezone, SourceKind: sc.Source.Kind, Collection: sc.Source.Collection, Condition: sc.Condition,
		Exclude: sc.Exclude, EventType: sc.EventType, Project: sc.Project, Role: sc.Role, OccurrenceKey: sc.OccurrenceKey,
		LeapDay: sc.LeapDay, ReportTo: string(sc.ReportTo), ReportTemplate: sc.ReportTemplate, FromPreset: sc.Preset,
		ConsentCategory: sc.ConsentCategory, ReportChannels: strings.Join(sc.ReportChannels, ",")}
	if sc.EveryMinutes > 0 {
		f.EveryMinutes = strconv.Itoa(sc.EveryMinutes)
	}
	f.repeatFields = repeatFieldsOf(sc.Cron, sc.EveryMinutes)
	return f
}

func (h *Handler) newSchedule(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderScheduleForm(w, r, rq, http.StatusOK, scheduleForm{IsNew: true, Enabled: true, Cron: "0 6 * * *",
		SourceKind: model.SourceContacts, Preset: schedule.PresetBirthday, repeatFields: defaultRepeat()}, nil)
}

func (h *Handler) editSchedule(w http.ResponseWriter, r *http.Request, rq *request) {
	sc, err := h.svc.ScheduleGet(r.Context(), rq.p.Workspace, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	h.renderScheduleForm(w, r, rq, http.StatusOK, formFromSchedule(sc), nil)
}

func (h *Handler) renderScheduleForm(w http.ResponseWriter, r *http.Request, rq *request, status int, f scheduleForm, errs fieldErrors) {
	ws := rq.p.Workspace
	projects, err := h.allProjects(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	templates, err := h.allTemplates(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	use, err := h.keysInUse(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	title := "web.schedule.edit_title"
	if f.IsNew {
		title = "web.schedule.new_title"
	}
	v := h.newView(r, rq, "schedules", title, "key", f.Key)
	page := &scheduleFormPage{Form: f, Projects: projects, Templates: templates, Presets: schedule.Presets,
		Weekdays: weekdays, MaxMonthDay: schedule.MaxRepeatMonthDay, RepeatKinds: repeatKinds, AdvancedOpen: f.Advanced(),
		EventTypes: sortedSet(use[model.VocabEventTypes])}
	if page.ReportChoices, err = reportChoices(h, r, v.L, ws); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	for _, name := range []string{"cron", "every_minutes", "condition", "exclude", "occurrence_key"} {
		page.AdvancedOpen = page.AdvancedOpen || errs.Has(name)
	}
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "schedule_form", v)
}

func readScheduleForm(r *http.Request) scheduleForm {
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return scheduleForm{Key: get("key"), Name: get("name"), Description: get("description"),
		Enabled: r.PostFormValue("enabled") == "1", Cron: get("cron"), EveryMinutes: get("every_minutes"),
		Timezone: get("timezone"), SourceKind: get("source_kind"), Collection: get("collection"),
		Condition: get("condition"), Exclude: get("exclude"), EventType: get("event_type"), Project: get("project"),
		Role: get("role"), OccurrenceKey: get("occurrence_key"), LeapDay: get("leap_day"), ReportTo: recipientText(get("report_to")),
		ReportTemplate: get("report_template"), ReportChannels: get("report_channels"), Preset: get("preset"), Field: get("field"),
		DaysBefore: get("days_before"), LeadDays: get("lead_days"), LeadField: get("lead_field"), Duration: get("duration"),
		ConsentCategory: get("consent_category"), ExcludeField: get("exclude_field"), ExcludeValues: get("exclude_values"),
		repeatFields: repeatFields{Repeat: get("repeat"), At: get("repeat_at"), RepeatMinutes: get("repeat_minutes"),
			Weekday: get("repeat_weekday"), MonthDay: get("repeat_monthday")}}
}

// scheduleFields maps the service's field paths to the form's fields.
func scheduleFields(path string) (string, string, bool) {
	switch path {
	case "source.kind":
		return "source_kind", "", true
	case "source.collection", "preset.collection":
		return "collection", "", true
	case "preset.duration", "preset.hours":
		return "duration", "", true
	}
	if strings.HasPrefix(path, "preset") {
		return "preset_kind", "", true
	}
	if strings.HasPrefix(path, "report_channels") {
		return "report_channels", "", true
	}
	return "", "", false
}

// build turns the form into a schedule and preset parameters; bad numbers
// are reported as field errors.
func (f scheduleForm) build(l *localizer) (*model.Schedule, *schedule.PresetParams, fieldErrors) {
	errs := fieldErrors{}
	num := func(field, s string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			errs.add(field, l.T("web.schedule.bad_number"))
		}
		return n
	}
	sc := &model.Schedule{Key: f.Key, Name: f.Name, Description: f.Description, Enabled: f.Enabled, Cron: f.Cron,
		EveryMinutes: num("every_minutes", f.EveryMinutes), Timezone: f.Timezone,
		Source:    model.ScheduleSource{Kind: f.SourceKind, Collection: f.Collection},
		Condition: f.Condition, Exclude: f.Exclude, ConsentCategory: f.ConsentCategory, EventType: f.EventType, Project: f.Project, Role: f.Role,
		OccurrenceKey: f.OccurrenceKey, LeapDay: f.LeapDay, ReportTo: model.Recipient(f.ReportTo),
		ReportTemplate: f.ReportTemplate, Preset: f.FromPreset}
	if f.ReportChannels != "" {
		sc.ReportChannels = strings.Split(f.ReportChannels, ",")
	}
	if !f.Advanced() {
		if cron, every, ok := f.rule(l, errs); ok {
			sc.Cron, sc.EveryMinutes = cron, every
		}
	}
	if sc.EveryMinutes > 0 {
		sc.Cron = ""
	}
	if !f.IsNew || f.Preset == "" {
		return sc, nil, errs
	}
	p := &schedule.PresetParams{Kind: f.Preset, Collection: f.Collection, Field: f.Field,
		DaysBefore: num("days_before", f.DaysBefore), LeadDays: num("lead_days", f.LeadDays), LeadField: f.LeadField,
		Duration: f.Duration, ConsentCategory: f.ConsentCategory, ExcludeField: f.ExcludeField}
	for _, v := range strings.Split(f.ExcludeValues, ",") {
		if v = strings.TrimSpace(v); v != "" {
			p.ExcludeValues = append(p.ExcludeValues, v)
		}
	}
	// The preset chooses the source (its collection is a parameter).
	sc.Source = model.ScheduleSource{}
	return sc, p, errs
}

func (h *Handler) createSchedule(w http.ResponseWriter, r *http.Request, rq *request) {
	f := readScheduleForm(r)
	f.IsNew = true
	if f.Key != "" {
		if _, err := h.svc.ScheduleGet(r.Context(), rq.p.Workspace, f.Key); err == nil {
			l := &localizer{cat: h.cat, lang: rq.lang, loc: rq.p.Workspace.Location()}
			errs := fieldErrors{}
			errs.add("key", l.T("web.schedule.exists"))
			h.renderScheduleForm(w, r, rq, http.StatusUnprocessableEntity, f, errs)
			return
		}
	}
	h.putSchedule(w, r, rq, f)
}

func (h *Handler) saveSchedule(w http.ResponseWriter, r *http.Request, rq *request) {
	sc, err := h.svc.ScheduleGet(r.Context(), rq.p.Workspace, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	f := readScheduleForm(r)
	f.Key, f.FromPreset = sc.Key, sc.Preset
	h.putSchedule(w, r, rq, f)
}

func (h *Handler) putSchedule(w http.ResponseWriter, r *http.Request, rq *request, f scheduleForm) {
	ws := rq.p.Workspace
	l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
	sc, preset, errs := f.build(l)
	if errs.Any() {
		h.renderScheduleForm(w, r, rq, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if _, err := h.svc.SchedulePut(r.Context(), ws, sc, preset); err != nil {
		errs, ok := formErrors(l, err, scheduleFields)
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		h.renderScheduleForm(w, r, rq, http.StatusUnprocessableEntity, f, errs)
		return
	}
	redirect(w, r, "/schedules/"+pathEscape(sc.Key), "saved")
}

type schedulePage struct {
	S    *model.Schedule
	Runs []*model.ScheduleRun
	// Preview is set when the admin asked who would match.
	Preview     *service.SchedulePreview
	PreviewDate string
	Now         time.Time
	// Run is the run a report linked to (highlighted), Report its report
	// with what became of the mail, as it stands.
	Run    string
	Report *service.RunReport
	// Mail is the mail one match would get (preview with mail=ID).
	Mail *service.ScheduleMail
	// Unhandled is true when no active notification of the project's flow
	// reacts to the schedule's event type: a run would send nothing.
	Unhandled bool
	// Matches is a page of the run's matches, by name (see runMatches).
	Matches *runMatchesPage
}

// RunReportMessage says what became of a run's report message in the
// page's language.
func (l *localizer) RunReportMessage(r *service.RunReportMessage) string { return r.Text(l.lang) }

func hasRun(runs []*model.ScheduleRun, id string) bool {
	for _, r := range runs {
		if r.ID == id {
			return true
		}
	}
	return false
}

// scheduleRun is where run reports link to: the schedule's page with the
// run highlighted.
func (h *Handler) scheduleRun(w http.ResponseWriter, r *http.Request, rq *request) {
	key, id := r.PathValue("key"), r.PathValue("id")
	if _, err := h.svc.ScheduleRunGet(r.Context(), rq.p.Workspace, key, id); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/schedules/"+pathEscape(key)+"?run="+url.QueryEscape(id)+"#run-"+id, http.StatusSeeOther)
}

// schedule shows a schedule with its runs and, on request, who it would
// match now or on a given day.
func (h *Handler) schedule(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, key, q := rq.p.Workspace, r.PathValue("key"), r.URL.Query()
	sc, err := h.svc.ScheduleGet(r.Context(), ws, key)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	runs, err := h.svc.ScheduleRuns(r.Context(), ws, key, service.PageParams{Limit: 20})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "schedules", "web.schedule.title", "name", sc.Name)
	page := &schedulePage{S: sc, Runs: runs.Items, PreviewDate: q.Get("date"), Now: h.svc.Now(), Run: q.Get("run")}
	handled, err := h.svc.ScheduleHandled(r.Context(), ws, sc)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page.Unhandled = !handled
	if page.Run != "" && !hasRun(page.Runs, page.Run) {
		run, err := h.svc.ScheduleRunGet(r.Context(), ws, key, page.Run)
		if err != nil {
			h.fail(w, r, rq, err)
			return
		}
		page.Runs = append([]*model.ScheduleRun{run}, page.Runs...)
	}
	if page.Run != "" {
		if page.Report, err = h.svc.ScheduleRunReport(r.Context(), ws, key, page.Run); err != nil {
			h.fail(w, r, rq, err)
			return
		}
		if page.Matches, err = h.runMatches(r, ws, key, page.Run); err != nil {
			h.fail(w, r, rq, err)
			return
		}
	}
	if q.Get("preview") == "1" {
		at, ok := previewAt(sc, ws, page.PreviewDate, h.svc.Now())
		if !ok {
			v.Errors.add("date", v.L.T("web.messages.bad_day"))
		} else if page.Preview, err = h.svc.SchedulePreviewAt(r.Context(), ws, key, at); err != nil {
			h.fail(w, r, rq, err)
			return
		} else if id := q.Get("mail"); id != "" {
			if page.Mail, err = h.svc.ScheduleMailPreview(r.Context(), ws, key, id, at); err != nil {
				h.fail(w, r, rq, err)
				return
			}
		}
	}
	v.Page = page
	h.render(w, r, http.StatusOK, "schedule", v)
}

// previewAt is the given day at the current time of day in the schedule's
// zone (zero for today, which the service reads as now).
func previewAt(sc *model.Schedule, ws *model.Workspace, day string, now time.Time) (time.Time, bool) {
	if day == "" {
		return time.Time{}, true
	}
	loc := ws.Location()
	if sc.Timezone != "" {
		if l, err := time.LoadLocation(sc.Timezone); err == nil {
			loc = l
		}
	}
	d, err := time.ParseInLocation("2006-01-02", day, loc)
	if err != nil {
		return time.Time{}, false
	}
	n := now.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day(), n.Hour(), n.Minute(), n.Second(), 0, loc), true
}

func (h *Handler) deleteSchedule(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := h.svc.ScheduleDelete(r.Context(), rq.p.Workspace, r.PathValue("key")); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/schedules", "schedule_deleted")
}
