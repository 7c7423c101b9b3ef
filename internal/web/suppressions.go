package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// suppressionsPageSize is how many entries the page shows at once.
const suppressionsPageSize = 100

type suppressionsPage struct {
	Items []*model.Suppression
	Query string
	// Next is the link to the following page, "" on the last.
	Next string
	// New holds the add form's values after a refused add.
	New struct{ Email, Note string }
}

// suppressions lists the workspace's suppression list, searchable by part
// of an address, with a form to add an address and a button to remove one.
func (h *Handler) suppressions(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderSuppressions(w, r, rq, http.StatusOK, &suppressionsPage{}, nil)
}

func (h *Handler) renderSuppressions(w http.ResponseWriter, r *http.Request, rq *request, status int, page *suppressionsPage, errs fieldErrors) {
	q := r.URL.Query()
	page.Query = strings.TrimSpace(q.Get("q"))
	pg, err := h.svc.SuppressionList(r.Context(), rq.p.Workspace, page.Query,
		service.PageParams{After: q.Get("after"), Limit: suppressionsPageSize})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page.Items = pg.Items
	if pg.Next != "" {
		page.Next = "/suppressions?" + url.Values{"q": {page.Query}, "after": {pg.Next}}.Encode()
	}
	v := h.newView(r, rq, "suppressions", "web.suppressions.title")
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "suppressions", v)
}

// addSuppression puts an address on the list by hand.
func (h *Handler) addSuppression(w http.ResponseWriter, r *http.Request, rq *request) {
	page := &suppressionsPage{}
	page.New.Email, page.New.Note = strings.TrimSpace(r.PostFormValue("email")), strings.TrimSpace(r.PostFormValue("note"))
	_, _, err := h.svc.SuppressionAdd(r.Context(), rq.p.Workspace, service.SuppressionInput{Email: page.New.Email, Note: page.New.Note})
	if err != nil {
		l := &localizer{cat: h.cat, lang: rq.lang, loc: rq.p.Workspace.Location()}
		errs, ok := formErrors(l, err, nil)
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		h.renderSuppressions(w, r, rq, http.StatusUnprocessableEntity, page, errs)
		return
	}
	h.logger.InfoContext(r.Context(), "address suppressed by hand", "workspace", rq.p.Workspace.Key, "by", rq.p.User.ID)
	redirect(w, r, "/suppressions", "suppression_added")
}

// removeSuppression takes an address off the list.
func (h *Handler) removeSuppression(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := h.svc.SuppressionDelete(r.Context(), rq.p.Workspace, r.PostFormValue("email")); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	h.logger.InfoContext(r.Context(), "address taken off the suppression list", "workspace", rq.p.Workspace.Key, "by", rq.p.User.ID)
	redirect(w, r, "/suppressions", "suppression_removed")
}
