package web

import (
	"net/http"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// dashboardDays is the period the dashboard shows.
const dashboardDays = 30

type dashboardPage struct {
	D     *service.Dashboard
	Chart *chart
	// PhoneChart is Chart laid out for a phone screen (see app.css).
	PhoneChart *chart
	Now        time.Time
	// NoFlow lists the projects that send nothing.
	NoFlow []*model.Project
	// MaxSilent is where the count of events without messages stops.
	MaxSilent int
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, rq *request) {
	ctx, ws := r.Context(), rq.p.Workspace
	d, err := h.svc.Dashboard(ctx, ws, dashboardDays)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	projects, err := h.allProjects(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "dashboard", "web.dashboard.title")
	page := dashboardPage{D: d, Chart: newChart(v.L, d.Days), PhoneChart: newPhoneChart(v.L, d.Days), Now: h.svc.Now(), MaxSilent: service.MaxSilentCount}
	for _, p := range projects {
		if p.Flow == "" {
			page.NoFlow = append(page.NoFlow, p)
		}
	}
	v.Page = page
	h.render(w, r, http.StatusOK, "dashboard", v)
}
