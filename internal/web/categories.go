package web

import (
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// The categories page (Settings → Categories) edits what the preference
// page says about each consent category: a description in German and
// English, and the frequencies recipients may choose besides instantly.
// It is stored in the vocabulary next to the categories' names and needs
// no JavaScript: one fieldset per category, the categories in use listed
// even before they have details.

// categoryRow is one category of the form, as shown or typed.
type categoryRow struct {
	Key    string
	DE, EN string
	// Daily and Weekly are the frequencies offered besides instantly.
	Daily, Weekly bool
}

// categoriesPage is the categories form.
type categoriesPage struct {
	Rows []categoryRow
}

// categoryRows lists the consent categories of the flows, the names and
// the details, sorted, each with its details.
func categoryRows(voc *model.Vocabulary, inUse map[string]bool) []categoryRow {
	keys := map[string]bool{}
	for k := range inUse {
		keys[k] = true
	}
	for k := range voc.Categories {
		keys[k] = true
	}
	for k := range voc.CategoryDetails {
		keys[k] = true
	}
	delete(keys, model.CategoryTransactional) // always sent: nothing to choose
	var rows []categoryRow
	for _, k := range sortedSet(keys) {
		d := voc.CategoryDetails[k]
		rows = append(rows, categoryRow{Key: k, DE: d.Description.DE, EN: d.Description.EN,
			Daily: slices.Contains(d.Frequencies, model.FrequencyDaily), Weekly: slices.Contains(d.Frequencies, model.FrequencyWeekly)})
	}
	return rows
}

func (h *Handler) categories(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	use, err := h.keysInUse(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &categoriesPage{Rows: categoryRows(&ws.Vocabulary, use[model.VocabCategories])}
	h.renderCategories(w, r, rq, http.StatusOK, page, nil)
}

func (h *Handler) renderCategories(w http.ResponseWriter, r *http.Request, rq *request, status int, page *categoriesPage, errs fieldErrors) {
	v := h.newView(r, rq, "settings", "web.categories.title")
	v.Page = page
	v.L.vocab = &rq.p.Workspace.Vocabulary
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "categories", v)
}

// saveCategories replaces the category details with the form's; a
// category with neither description nor frequencies has none. The
// descriptions' length is said in the page's language before the
// service is asked.
func (h *Handler) saveCategories(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
	errs := fieldErrors{}
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, rq, http.StatusBadRequest, "web.error.invalid.title", "web.error.invalid.text")
		return
	}
	keys := r.PostForm["cat"]
	if len(keys) > model.MaxVocabularyEntries {
		h.renderError(w, r, rq, http.StatusBadRequest, "web.error.invalid.title", "web.error.invalid.text")
		return
	}
	page := &categoriesPage{}
	details := map[string]model.CategoryDetail{}
	for _, k := range keys {
		if !model.ValidName(k) {
			errs.add("", l.T("web.categories.bad_key", "key", k))
			continue
		}
		row := categoryRow{Key: k, DE: oneLine(r.PostFormValue("desc-de-" + k)), EN: oneLine(r.PostFormValue("desc-en-" + k))}
		var d model.CategoryDetail
		d.Description = model.Label{DE: row.DE, EN: row.EN}
		for _, f := range r.PostForm["freq-"+k] {
			switch f {
			case model.FrequencyDaily:
				row.Daily = true
			case model.FrequencyWeekly:
				row.Weekly = true
			}
		}
		// In page order, whatever order the browser posted them in.
		if row.Daily {
			d.Frequencies = append(d.Frequencies, model.FrequencyDaily)
		}
		if row.Weekly {
			d.Frequencies = append(d.Frequencies, model.FrequencyWeekly)
		}
		for lang, s := range map[string]string{"de": row.DE, "en": row.EN} {
			if utf8.RuneCountInString(s) > model.MaxDescriptionLength {
				errs.add("desc-"+lang+"-"+k, l.T("web.categories.too_long", "max", model.MaxDescriptionLength))
			}
		}
		page.Rows = append(page.Rows, row)
		if d.Description != (model.Label{}) || len(d.Frequencies) > 0 {
			details[k] = d
		}
	}
	if !errs.Any() {
		voc := ws.Vocabulary
		voc.CategoryDetails = details
		if len(details) == 0 {
			voc.CategoryDetails = nil
		}
		_, err := h.svc.WorkspaceUpdate(r.Context(), ws, service.WorkspacePatch{Vocabulary: &voc})
		if err == nil {
			redirect(w, r, "/settings/categories", "saved")
			return
		}
		fe, ok := formErrors(l, err, categoryFields)
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		errs = fe
	}
	h.renderCategories(w, r, rq, http.StatusUnprocessableEntity, page, errs)
}

// categoryFields maps "vocabulary.category_details.newsletter.description.de"
// to the form field desc-de-newsletter, and a frequency's path to the
// category's frequency group; anything else goes to the form's summary.
func categoryFields(path string) (string, string, bool) {
	rest, ok := strings.CutPrefix(path, "vocabulary.category_details.")
	if !ok {
		return "", "", false
	}
	if key, lang, ok := strings.Cut(rest, ".description."); ok {
		return "desc-" + lang + "-" + key, "", true
	}
	if key, _, ok := strings.Cut(rest, ".frequencies"); ok {
		return "freq-" + key, "", true
	}
	return "", "", true // a key that is none: the form's summary says it
}

// oneLine turns line breaks a hand-made form sends into spaces: a
// description is one paragraph.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
}
