package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// workspaceForm is the workspace settings form.
type workspaceForm struct {
	Name                    string
	DefaultLocale           string
	Timezone                string
	SenderFrom              string
	SenderReplyTo           string
	RetentionDays           string
	ConfirmationExpiryHours string
	// QuietHours is "22:00-07:00" or empty.
	QuietHours string
	// SummaryAt and SummaryWeekday are the workspace's summary schedule,
	// shown with the defaults filled in.
	SummaryAt, SummaryWeekday string
}

// SummaryWeekdays are the choices of the day of weekly summaries.
func (workspaceForm) SummaryWeekdays() []string { return digestForm{}.Weekdays() }

// summarySchedule is the schedule the form asks for; a field equal to
// its default is stored empty, so that saving the page unchanged keeps
// the workspace on the defaults (and its workspace.yaml without them).
func (f workspaceForm) summarySchedule() *model.SummarySchedule {
	s := &model.SummarySchedule{At: f.SummaryAt, Weekday: f.SummaryWeekday}
	if s.At == model.SummaryAt {
		s.At = ""
	}
	if s.Weekday == model.SummaryWeekday {
		s.Weekday = ""
	}
	return s
}

type settingsPage struct {
	Form  workspaceForm
	Users []*model.User
	// NewUser is the add-user form.
	NewUser struct{ Email, Name string }
	// Created is a user just created with a generated password, shown
	// once.
	Created         *model.User
	CreatedPassword string
}

func formFromWorkspace(ws *model.Workspace) workspaceForm {
	return workspaceForm{Name: ws.Name, DefaultLocale: ws.DefaultLocale, Timezone: ws.Timezone,
		SenderFrom: ws.Sender.From, SenderReplyTo: ws.Sender.ReplyTo, RetentionDays: strconv.Itoa(ws.RetentionDays),
		ConfirmationExpiryHours: strconv.Itoa(ws.ConfirmationExpiryHours), QuietHours: string(ws.QuietHours),
		SummaryAt: ws.SummarySchedule.Time(), SummaryWeekday: ws.SummarySchedule.Day()}
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request, rq *request) {
	page := &settingsPage{Form: formFromWorkspace(rq.p.Workspace)}
	h.renderSettings(w, r, rq, http.StatusOK, page, nil)
}

func (h *Handler) renderSettings(w http.ResponseWriter, r *http.Request, rq *request, status int, page *settingsPage, errs fieldErrors) {
	users, err := h.svc.UserList(r.Context(), rq.p.Workspace)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page.Users = users
	v := h.newView(r, rq, "settings", "web.settings.title")
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "settings", v)
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := workspaceForm{Name: get("name"), DefaultLocale: get("default_locale"), Timezone: get("timezone"),
		SenderFrom: get("sender_from"), SenderReplyTo: get("sender_reply_to"), RetentionDays: get("retention_days"),
		ConfirmationExpiryHours: get("confirmation_expiry_hours"), QuietHours: get("quiet_hours"),
		SummaryAt: get("summary_schedule_at"), SummaryWeekday: get("summary_schedule_weekday")}
	l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
	errs := fieldErrors{}
	num := func(field, s string) *int {
		n, err := strconv.Atoi(s)
		if err != nil {
			errs.add(field, l.T("web.schedule.bad_number"))
			return nil
		}
		return &n
	}
	patch := service.WorkspacePatch{Name: &f.Name, DefaultLocale: &f.DefaultLocale, Timezone: &f.Timezone,
		Sender:        &model.Sender{From: f.SenderFrom, ReplyTo: f.SenderReplyTo},
		RetentionDays: num("retention_days", f.RetentionDays), ConfirmationExpiryHours: num("confirmation_expiry_hours", f.ConfirmationExpiryHours)}
	quiet := model.QuietHours(f.QuietHours)
	patch.QuietHours = &quiet
	patch.SummarySchedule = f.summarySchedule()
	if !errs.Any() {
		_, err := h.svc.WorkspaceUpdate(r.Context(), ws, patch)
		if err == nil {
			redirect(w, r, "/settings", "saved")
			return
		}
		var ok bool
		if errs, ok = formErrors(l, err, underscored); !ok {
			h.fail(w, r, rq, err)
			return
		}
	} else if err := h.svc.WorkspaceCheck(ws, patch); err != nil {
		// The numbers that are none are left out; the rest is checked
		// now, not after the next submit.
		more, ok := formErrors(l, err, underscored)
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		errs.merge(more)
	}
	h.renderSettings(w, r, rq, http.StatusUnprocessableEntity, &settingsPage{Form: f}, errs)
}

// createUser adds a cockpit user to the workspace; a generated password is
// shown once.
func (h *Handler) createUser(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	page := &settingsPage{Form: formFromWorkspace(ws)}
	page.NewUser.Email, page.NewUser.Name = strings.TrimSpace(r.PostFormValue("user_email")), strings.TrimSpace(r.PostFormValue("user_name"))
	created, err := h.svc.UserCreate(r.Context(), ws, service.UserCreateParams{Email: page.NewUser.Email,
		Name: page.NewUser.Name, Password: r.PostFormValue("user_password")})
	if err != nil {
		l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
		errs, ok := formErrors(l, err, func(p string) (string, string, bool) { return "user_" + p, "", true })
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		h.renderSettings(w, r, rq, http.StatusUnprocessableEntity, page, errs)
		return
	}
	h.logger.InfoContext(r.Context(), "cockpit user created", "user", created.User.ID, "by", rq.p.User.ID)
	if created.Password == "" {
		redirect(w, r, "/settings#users", "user_created")
		return
	}
	page.NewUser.Email, page.NewUser.Name = "", ""
	page.Created, page.CreatedPassword = created.User, created.Password
	h.renderSettings(w, r, rq, http.StatusOK, page, nil)
}

func (h *Handler) deleteUser(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := h.svc.UserDelete(r.Context(), rq.p.Workspace, r.PathValue("id")); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/settings#users", "user_deleted")
}

// changePassword changes the signed-in user's password; every session of
// the user ends, so they sign in again.
func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	err := h.svc.UserChangePassword(r.Context(), ws, rq.p.User.ID, r.PostFormValue("pw_current"), r.PostFormValue("pw_password"))
	if err != nil {
		l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
		errs, ok := formErrors(l, err, func(p string) (string, string, bool) { return "pw_" + p, "", true })
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		h.renderSettings(w, r, rq, http.StatusUnprocessableEntity, &settingsPage{Form: formFromWorkspace(ws)}, errs)
		return
	}
	h.clearCookie(w, r, sessionCookie)
	redirect(w, r, "/login", "password_changed")
}
