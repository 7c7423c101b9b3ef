package web

import (
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// saveContactQuietHours sets or clears a contact's own quiet hours (its
// attribute quiet_hours); the rest of the contact stays as it is. The
// form posts to the contact's own address, so that a refused value comes
// back on the contact page, with what was typed and the error summary.
func (h *Handler) saveContactQuietHours(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, id := rq.p.Workspace, r.PathValue("id")
	c, err := h.svc.ContactGet(r.Context(), ws, id)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	upd := *c
	upd.Attributes = maps.Clone(c.Attributes)
	if upd.Attributes == nil {
		upd.Attributes = map[string]any{}
	}
	v := strings.TrimSpace(r.PostFormValue("quiet_hours"))
	if v != "" {
		upd.Attributes[model.ContactQuietHoursAttribute] = v
	} else {
		delete(upd.Attributes, model.ContactQuietHoursAttribute)
	}
	if _, err := h.svc.ContactPut(r.Context(), ws, &upd); err != nil {
		l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
		errs, ok := formErrors(l, err, func(p string) (string, string, bool) {
			if p == "attributes."+model.ContactQuietHoursAttribute {
				return "quiet_hours", "", true
			}
			return "", "", false
		})
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		h.renderContact(w, r, rq, http.StatusUnprocessableEntity, &v, errs)
		return
	}
	redirect(w, r, "/contacts/"+pathEscape(id), "saved")
}

// quietRule is the number and text of the rule that quiet hours with
// several rules put before a problem: rule 2 ("Sat 25:00-12:00"): ….
var quietRule = regexp.MustCompile(`^rule (\d+) \(("(?:[^"\\]|\\.)*")\): (.+)$`)

// quietRuleParts says a problem of one rule of quiet hours in the
// user's language: the rule's number and text, then the problem as
// fieldMessageParts says it.
func quietRuleParts(l *localizer, f service.FieldError) (fieldMsg, bool) {
	sub := quietRule.FindStringSubmatch(f.Detail)
	if sub == nil || f.Line > 0 {
		return fieldMsg{}, false
	}
	rule, err := strconv.Unquote(sub[2])
	if err != nil {
		return fieldMsg{}, false
	}
	inner := f
	inner.Detail = sub[3]
	m := fieldMessageParts(l, inner)
	m.Text = l.T("web.fielderr.quiet_rule_n", "n", sub[1], "rule", rule) + " " + m.Text
	return m, true
}
