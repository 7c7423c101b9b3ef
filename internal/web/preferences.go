package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// preferencePage is the data of the page behind a mail's preference link.
type preferencePage struct {
	// State is ok, invalid, expired or gone.
	State      string
	Workspace  string
	Email      string
	Categories []service.CategoryPreference
	// Action is the link itself: the form posts to it.
	Action string
	// Saved is set after a post; Changed counts the values it changed.
	Saved   bool
	Changed int
}

// preferences shows a recipient's preferences per category and channel.
// It changes nothing: link scanners and mail previews fetch links.
func (h *Handler) preferences(w http.ResponseWriter, r *http.Request, rq *request) {
	pg, err := h.svc.PreferencePageGet(r.Context(), r.PathValue("token"))
	h.renderPreferences(w, r, rq, pg, err, -1)
}

// savePreferences applies what the recipient changed on the page (see
// preferenceForm). The signed link is the credential; the form also
// carries the CSRF token of the language cookie's double submit, like
// sign-in.
func (h *Handler) savePreferences(w http.ResponseWriter, r *http.Request, rq *request) {
	token := r.PathValue("token")
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, rq, http.StatusBadRequest, "web.error.invalid.title", "web.error.invalid.text")
		return
	}
	in := preferenceForm(r)
	pg, err := h.svc.PreferencePageSave(r.Context(), token, in)
	var ve *service.ValidationError
	if errors.As(err, &ve) {
		// Only a hand-made form gets here: the page offers valid values.
		h.renderError(w, r, rq, http.StatusBadRequest, "web.error.invalid.title", "web.error.invalid.text")
		return
	}
	changed := 0
	if pg != nil {
		changed = pg.Changed
	}
	h.renderPreferences(w, r, rq, pg, err, changed)
}

// renderPreferences shows the page; changed < 0 means nothing was posted.
func (h *Handler) renderPreferences(w http.ResponseWriter, r *http.Request, rq *request, pg *service.PreferencePage, err error, changed int) {
	p := preferencePage{Action: r.URL.EscapedPath(), State: "ok", Saved: changed >= 0, Changed: changed}
	status, title := http.StatusOK, "web.prefs.title"
	switch {
	case errors.Is(err, service.ErrPreferenceLinkInvalid):
		p.State, status, title = "invalid", http.StatusNotFound, "web.prefs.invalid.title"
	case errors.Is(err, service.ErrPreferenceLinkExpired):
		p.State, status, title = "expired", http.StatusGone, "web.prefs.expired.title"
	case errors.Is(err, service.ErrUnsubscribeGone):
		p.State, status, title = "gone", http.StatusGone, "web.prefs.gone.title"
	case err != nil:
		h.fail(w, r, rq, err)
		return
	}
	if pg != nil {
		p.Workspace, p.Email, p.Categories = pg.Workspace.Name, pg.Contact.Email, pg.Preferences.Categories
		rq.lang = h.recipientLanguage(r, pg.Contact)
	}
	v := h.newView(r, rq, "", title)
	v.Page, v.Public = p, true
	if pg != nil {
		v.L.vocab = &pg.Workspace.Vocabulary // categories by their names
	}
	h.render(w, r, status, "preferences", v)
}

// recipientLanguage is the language the recipient chose with the page's
// switch (the language cookie), else the contact's locale, else the
// browser's.
func (h *Handler) recipientLanguage(r *http.Request, c *model.Contact) string {
	if ck, err := r.Cookie(langCookie); err == nil && i18n.Normalize(ck.Value) == ck.Value {
		return ck.Value
	}
	if lang, _, _ := strings.Cut(strings.ToLower(c.Locale), "-"); lang == "de" || lang == "en" {
		return lang
	}
	return h.language(r)
}

// preferenceForm reads the preference form (the recipient's page and the
// cockpit's contact page share it): per category a checkbox per channel,
// a radio group of frequencies where the workspace allows a choice, and
// the value the form showed ("was-…"). Only the settings whose value
// now differs are returned, so a post changes exactly what its sender
// chose, never what someone else changed in between.
func preferenceForm(r *http.Request) []service.CategoryPreference {
	var in []service.CategoryPreference
	for _, cat := range r.PostForm["cat"] {
		p := service.CategoryPreference{Category: cat}
		changed := false
		for _, f := range []struct {
			name string
			dst  *string
		}{{"email", &p.Email}, {"inapp", &p.InApp}} {
			now := model.ValueOut
			if r.PostFormValue(f.name+"-"+cat) == model.ValueIn {
				now = model.ValueIn
			}
			if now != r.PostFormValue("was-"+f.name+"-"+cat) {
				*f.dst, changed = now, true
			}
		}
		// The frequency only where the form offered a choice.
		if was, ok := r.PostForm["was-freq-"+cat]; ok {
			if now := r.PostFormValue("freq-" + cat); now != "" && now != was[0] {
				p.Frequency, changed = now, true
			}
		}
		if changed {
			in = append(in, p)
		}
	}
	return in
}
