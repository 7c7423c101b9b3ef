package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// broadcastRoutes are the pages of broadcasts (Mailings).
func (h *Handler) broadcastRoutes() []route {
	return []route{
		{"GET /broadcasts", signedIn, h.broadcasts},
		{"GET /broadcasts/_new", signedIn, h.newBroadcast},
		{"POST /broadcasts", signedIn, h.createBroadcast},
		{"GET /broadcasts/{key}", signedIn, h.broadcast},
		{"GET /broadcasts/{key}/edit", signedIn, h.editBroadcast},
		{"POST /broadcasts/{key}", signedIn, h.saveBroadcast},
		{"POST /broadcasts/{key}/start", signedIn, h.broadcastAction},
		{"POST /broadcasts/{key}/pause", signedIn, h.broadcastAction},
		{"POST /broadcasts/{key}/resume", signedIn, h.broadcastAction},
		{"POST /broadcasts/{key}/cancel", signedIn, h.broadcastAction},
		{"POST /broadcasts/{key}/delete", signedIn, h.deleteBroadcast},
	}
}

type broadcastsPage struct {
	Broadcasts []*model.Broadcast
}

func (h *Handler) broadcasts(w http.ResponseWriter, r *http.Request, rq *request) {
	list, err := all(r.Context(), func(ctx context.Context, p service.PageParams) (*service.Page[*model.Broadcast], error) {
		return h.svc.BroadcastList(ctx, rq.p.Workspace, p)
	})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "broadcasts", "web.broadcasts.title")
	v.Page = &broadcastsPage{Broadcasts: list}
	h.render(w, r, http.StatusOK, "broadcasts", v)
}

// broadcastForm is the new/edit form of a draft.
type broadcastForm struct {
	IsNew     bool
	Key       string
	Name      string
	Category  string
	Template  string
	Subject   string
	HTML      string
	Text      string
	From      string
	Data      string
	Audience  string
	PerMinute string
	// Recurrence is the cron of a recurring broadcast ("" once).
	Recurrence string
	StartAt    string // datetime-local in the workspace's zone
}

type broadcastFormPage struct {
	Form      broadcastForm
	Templates []*model.Template
}

const datetimeLocal = "2006-01-02T15:04"

func formFromBroadcast(b *model.Broadcast, loc *time.Location) broadcastForm {
	f := broadcastForm{Key: b.Key, Name: b.Name, Category: b.Category, Template: b.Template, From: b.Sender.From,
		Audience: b.Audience, Recurrence: b.Recurrence}
	if c := b.Content; c != nil {
		f.Subject, f.HTML, f.Text = c.Subject, c.HTML, c.Text
	}
	if len(b.Data) > 0 {
		data, _ := json.MarshalIndent(b.Data, "", "  ")
		f.Data = string(data)
	}
	if b.PerMinute > 0 {
		f.PerMinute = strconv.Itoa(b.PerMinute)
	}
	if b.StartAt != nil {
		f.StartAt = b.StartAt.In(loc).Format(datetimeLocal)
	}
	return f
}

func readBroadcastForm(r *http.Request) broadcastForm {
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return broadcastForm{Key: get("key"), Name: get("name"), Category: get("category"), Template: get("template"),
		Subject: get("subject"), HTML: r.PostFormValue("html"), Text: r.PostFormValue("text"), From: get("from"),
		Data: get("data"), Audience: get("audience"), PerMinute: get("per_minute"), StartAt: get("start_at"),
		Recurrence: get("recurrence")}
}

// build turns the form into a broadcast; what the form itself can tell
// is wrong (JSON, numbers, times) comes back as field errors.
func (f broadcastForm) build(l *localizer, loc *time.Location) (*model.Broadcast, fieldErrors) {
	errs := fieldErrors{}
	b := &model.Broadcast{Key: f.Key, Name: f.Name, Category: f.Category, Template: f.Template,
		Sender: model.Sender{From: f.From}, Audience: f.Audience, Data: map[string]any{}, Recurrence: f.Recurrence}
	if f.Template == "" {
		b.Content = &model.TemplateContent{Subject: f.Subject, HTML: f.HTML, Text: f.Text}
	}
	if f.Data != "" {
		if err := json.Unmarshal([]byte(f.Data), &b.Data); err != nil || b.Data == nil {
			b.Data = map[string]any{}
			errs.add("data", l.T("web.broadcast.bad_data"))
		}
	}
	if f.PerMinute != "" {
		// A whole number out of range is the service's to say (0, or 1
		// to the most a minute).
		n, err := strconv.Atoi(f.PerMinute)
		if err != nil {
			errs.add("per_minute", l.T("web.schedule.bad_number"))
		}
		b.PerMinute = n
	}
	if f.StartAt != "" {
		at, err := time.ParseInLocation(datetimeLocal, f.StartAt, loc)
		if err != nil {
			errs.add("start_at", l.T("web.broadcast.bad_time"))
		} else {
			b.StartAt = &at
		}
	}
	return b, errs
}

// broadcastFields maps the service's field paths to the form's fields.
func broadcastFields(path string) (string, string, bool) {
	switch {
	case path == "content":
		return "template", "", true
	case path == "sender.from":
		return "from", "", true
	case strings.HasPrefix(path, "content."):
		part, _, _ := strings.Cut(strings.TrimPrefix(path, "content."), ".")
		return part, "", true
	case strings.HasPrefix(path, "data"):
		return "data", "", true
	}
	return "", "", false
}

func (h *Handler) newBroadcast(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderBroadcastForm(w, r, rq, http.StatusOK, broadcastForm{IsNew: true, Category: "newsletter"}, nil)
}

func (h *Handler) editBroadcast(w http.ResponseWriter, r *http.Request, rq *request) {
	b, err := h.svc.BroadcastGet(r.Context(), rq.p.Workspace, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	h.renderBroadcastForm(w, r, rq, http.StatusOK, formFromBroadcast(b, rq.p.Workspace.Location()), nil)
}

func (h *Handler) renderBroadcastForm(w http.ResponseWriter, r *http.Request, rq *request, status int, f broadcastForm, errs fieldErrors) {
	templates, err := h.allTemplates(r, rq.p.Workspace)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	title := "web.broadcast.edit_title"
	if f.IsNew {
		title = "web.broadcast.new_title"
	}
	v := h.newView(r, rq, "broadcasts", title, "key", f.Key)
	v.Page = &broadcastFormPage{Form: f, Templates: templates}
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "broadcast_form", v)
}

func (h *Handler) createBroadcast(w http.ResponseWriter, r *http.Request, rq *request) {
	f := readBroadcastForm(r)
	f.IsNew = true
	if f.Key != "" {
		if _, err := h.svc.BroadcastGet(r.Context(), rq.p.Workspace, f.Key); err == nil {
			l := &localizer{cat: h.cat, lang: rq.lang, loc: rq.p.Workspace.Location()}
			errs := fieldErrors{}
			errs.add("key", l.T("web.broadcast.exists"))
			h.renderBroadcastForm(w, r, rq, http.StatusUnprocessableEntity, f, errs)
			return
		}
	}
	h.putBroadcast(w, r, rq, f)
}

func (h *Handler) saveBroadcast(w http.ResponseWriter, r *http.Request, rq *request) {
	f := readBroadcastForm(r)
	f.Key = r.PathValue("key")
	h.putBroadcast(w, r, rq, f)
}

func (h *Handler) putBroadcast(w http.ResponseWriter, r *http.Request, rq *request, f broadcastForm) {
	ws := rq.p.Workspace
	l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
	b, errs := f.build(l, ws.Location())
	if errs.Any() {
		// What the form could not read is left empty; the rest (the
		// audience, the content, the rate) is checked now, not after
		// the next submit.
		if err := h.svc.BroadcastCheck(r.Context(), ws, b); err != nil {
			more, ok := formErrors(l, err, broadcastFields)
			if !ok {
				h.fail(w, r, rq, err)
				return
			}
			errs.merge(more)
		}
		h.renderBroadcastForm(w, r, rq, http.StatusUnprocessableEntity, f, errs)
		return
	}
	if _, err := h.svc.BroadcastPut(r.Context(), ws, b); err != nil {
		errs, ok := formErrors(l, err, broadcastFields)
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		h.renderBroadcastForm(w, r, rq, http.StatusUnprocessableEntity, f, errs)
		return
	}
	redirect(w, r, "/broadcasts/"+pathEscape(b.Key), "saved")
}

type broadcastPage struct {
	B      *model.Broadcast
	Report *service.BroadcastReport
	// Preview is set when the admin asked for the audience and the mail.
	Preview *service.BroadcastPreview
	// Reasons lists the report's suppression reasons in a stable order.
	Reasons []string
}

// broadcast shows a broadcast: its definition, the actions its status
// allows, its report and, on request, its preview.
func (h *Handler) broadcast(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, key := rq.p.Workspace, r.PathValue("key")
	b, err := h.svc.BroadcastGet(r.Context(), ws, key)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	report, err := h.svc.BroadcastReportGet(r.Context(), ws, key)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &broadcastPage{B: b, Report: report, Reasons: sortedKeys(report.SuppressedBy)}
	if r.URL.Query().Get("preview") == "1" {
		if page.Preview, err = h.svc.BroadcastPreviewGet(r.Context(), ws, key, ""); err != nil {
			h.fail(w, r, rq, err)
			return
		}
	}
	v := h.newView(r, rq, "broadcasts", "web.broadcast.title", "name", b.Name)
	v.Page = page
	h.render(w, r, http.StatusOK, "broadcast", v)
}

// broadcastAction starts, pauses, resumes or cancels a broadcast, as the
// last part of the path says.
func (h *Handler) broadcastAction(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, key := rq.p.Workspace, r.PathValue("key")
	action := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	do := map[string]func(context.Context, *model.Workspace, string) (*model.Broadcast, error){
		"start": func(ctx context.Context, ws *model.Workspace, key string) (*model.Broadcast, error) {
			return h.svc.BroadcastStart(ctx, ws, key, nil)
		},
		"pause":  h.svc.BroadcastPause,
		"resume": h.svc.BroadcastResume,
		"cancel": h.svc.BroadcastCancel,
	}[action]
	if _, err := do(r.Context(), ws, key); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/broadcasts/"+pathEscape(key), "broadcast_"+action)
}

func (h *Handler) deleteBroadcast(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := h.svc.BroadcastDelete(r.Context(), rq.p.Workspace, r.PathValue("key")); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/broadcasts", "broadcast_deleted")
}
