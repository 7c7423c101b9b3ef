package web

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// runConfirmPage asks before a schedule runs now: who it would match at
// this moment, and whether anything would be sent at all.
type runConfirmPage struct {
	S       *model.Schedule
	Preview *service.SchedulePreview
	// Due counts the matches a run would emit an event for (neither
	// excluded nor already done); at most the preview's listed matches.
	Due       int
	Unhandled bool
}

// confirmRunSchedule is the confirmation step of "run now"; it works
// without JavaScript (the schedule page links here, the page posts the
// run with confirmed=1).
func (h *Handler) confirmRunSchedule(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	sc, err := h.svc.ScheduleGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &runConfirmPage{S: sc}
	handled, err := h.svc.ScheduleHandled(r.Context(), ws, sc)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page.Unhandled = !handled
	if page.Preview, err = h.svc.SchedulePreviewAt(r.Context(), ws, sc.Key, h.svc.Now()); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	for _, m := range page.Preview.Matches {
		if !m.Excluded && !m.AlreadyDone {
			page.Due++
		}
	}
	v := h.newView(r, rq, "schedules", "web.schedule.run_confirm_title", "name", sc.Name)
	v.Page = page
	h.render(w, r, http.StatusOK, "schedule_run", v)
}

// runSchedule runs a schedule now once the admin confirmed; a post
// without the confirmation (an old form, a script) is sent to the
// confirmation step instead of running.
func (h *Handler) runSchedule(w http.ResponseWriter, r *http.Request, rq *request) {
	key := r.PathValue("key")
	if r.PostFormValue("confirmed") != "1" {
		http.Redirect(w, r, "/schedules/"+pathEscape(key)+"/run", http.StatusSeeOther)
		return
	}
	if _, err := h.svc.ScheduleRunNow(r.Context(), rq.p.Workspace, key); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/schedules/"+pathEscape(key)+"#runs", "run_queued")
}
