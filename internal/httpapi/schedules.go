package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/service"
)

// scheduleInput is the body of PUT /v1/schedules/{key}.
type scheduleInput struct {
	Key             string                 `json:"key"`
	Name            string                 `json:"name"`
	Description     string                 `json:"description"`
	Enabled         *bool                  `json:"enabled"`
	Cron            string                 `json:"cron"`
	EveryMinutes    int                    `json:"every_minutes"`
	Timezone        string                 `json:"timezone"`
	Source          model.ScheduleSource   `json:"source"`
	Condition       string                 `json:"condition"`
	Exclude         string                 `json:"exclude"`
	ConsentCategory string                 `json:"consent_category"`
	EventType       string                 `json:"event_type"`
	Project         string                 `json:"project"`
	Role            string                 `json:"role"`
	OccurrenceKey   string                 `json:"occurrence_key"`
	LeapDay         string                 `json:"leap_day"`
	ReportTo        model.Recipient        `json:"report_to"`
	ReportTemplate  string                 `json:"report_template"`
	ReportChannels  []string               `json:"report_channels"`
	Preset          *schedule.PresetParams `json:"preset"`
}

func (h *Handler) listSchedules(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	list(h, w, r, p, h.svc.ScheduleList)
}

func (h *Handler) getSchedule(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	sc, err := h.svc.ScheduleGet(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, sc, err)
}

func (h *Handler) putSchedule(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	key := r.PathValue("key")
	var in scheduleInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("key", in.Key, key); err != nil {
		h.writeError(w, r, err)
		return
	}
	sc := &model.Schedule{Key: key, Name: in.Name, Description: in.Description, Enabled: in.Enabled == nil || *in.Enabled,
		Cron: in.Cron, EveryMinutes: in.EveryMinutes, Timezone: in.Timezone, Source: in.Source, Condition: in.Condition,
		Exclude: in.Exclude, ConsentCategory: in.ConsentCategory, EventType: in.EventType, Project: in.Project, Role: in.Role, OccurrenceKey: in.OccurrenceKey,
		LeapDay: in.LeapDay, ReportTo: in.ReportTo, ReportTemplate: in.ReportTemplate,
		ReportChannels: in.ReportChannels}
	created, err := h.svc.SchedulePut(r.Context(), p.Workspace, sc, in.Preset)
	h.respond(w, r, putStatus(created), sc, err)
}

func (h *Handler) deleteSchedule(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.ScheduleDelete(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}

func (h *Handler) runSchedule(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	run, err := h.svc.ScheduleRunNow(r.Context(), p.Workspace, r.PathValue("key"))
	if err == nil {
		w.Header().Set("Location", "/v1/schedules/"+run.Schedule+"/runs/"+run.ID)
	}
	h.respond(w, r, http.StatusAccepted, run, err)
}

type previewScheduleInput struct {
	// Date previews the given day (YYYY-MM-DD) at the current time of day;
	// At previews an exact instant. Neither: now.
	Date string     `json:"date"`
	At   *time.Time `json:"at"`
	// MailFor adds the mail the schedule would send for this record.
	MailFor string `json:"mail_for"`
}

// schedulePreviewOutput is a preview, with the mail for one record when
// asked.
type schedulePreviewOutput struct {
	*service.SchedulePreview
	Mail *service.ScheduleMail `json:"mail,omitempty"`
}

func (h *Handler) previewSchedule(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in previewScheduleInput
	if err := decodeOptional(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	at, err := h.previewTime(r, p, in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.svc.SchedulePreviewAt(r.Context(), p.Workspace, r.PathValue("key"), at)
	if err != nil || in.MailFor == "" {
		h.respond(w, r, http.StatusOK, out, err)
		return
	}
	mail, err := h.svc.ScheduleMailPreview(r.Context(), p.Workspace, r.PathValue("key"), in.MailFor, at)
	h.respond(w, r, http.StatusOK, schedulePreviewOutput{SchedulePreview: out, Mail: mail}, err)
}

func (h *Handler) previewTime(r *http.Request, p *service.Principal, in previewScheduleInput) (time.Time, error) {
	if in.At != nil {
		return *in.At, nil
	}
	if in.Date == "" {
		return time.Time{}, nil
	}
	sc, err := h.svc.ScheduleGet(r.Context(), p.Workspace, r.PathValue("key"))
	if err != nil {
		return time.Time{}, err
	}
	loc := p.Workspace.Location()
	if sc.Timezone != "" {
		if l, err := time.LoadLocation(sc.Timezone); err == nil {
			loc = l
		}
	}
	day, err := time.ParseInLocation("2006-01-02", in.Date, loc)
	if err != nil {
		return time.Time{}, &service.ValidationError{Fields: []service.FieldError{{Field: "date", Code: service.CodeInvalid,
			Detail: "must be a day in the form YYYY-MM-DD"}}}
	}
	now := h.svc.Now().In(loc)
	return time.Date(day.Year(), day.Month(), day.Day(), now.Hour(), now.Minute(), now.Second(), 0, loc), nil
}

func (h *Handler) listRuns(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	key := r.PathValue("key")
	list(h, w, r, p, func(ctx context.Context, ws *model.Workspace, pp service.PageParams) (*service.Page[*model.ScheduleRun], error) {
		return h.svc.ScheduleRuns(ctx, ws, key, pp)
	})
}

func (h *Handler) getRun(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	run, err := h.svc.ScheduleRunReport(r.Context(), p.Workspace, r.PathValue("key"), r.PathValue("id"))
	h.respond(w, r, http.StatusOK, run, err)
}

// listRunMatches pages the records a run matched, each with what became
// of it (?outcome= filters).
func (h *Handler) listRunMatches(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	key, id, outcome := r.PathValue("key"), r.PathValue("id"), r.URL.Query().Get("outcome")
	list(h, w, r, p, func(ctx context.Context, ws *model.Workspace, pp service.PageParams) (*service.Page[*service.RunMatch], error) {
		return h.svc.ScheduleRunMatches(ctx, ws, key, id, service.RunMatchParams{PageParams: pp, Outcome: outcome})
	})
}
