package web

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/httpserver"
	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// view is what every page template gets; Page holds the page's own data.
type view struct {
	L           *localizer
	Lang        string
	Title       string
	Nav         string
	User        *model.User
	Workspace   *model.Workspace
	CSRF        string
	Capture     bool
	Pending     int
	PendingMore bool
	Notice      string
	// Path is the current request URI (the language switch returns to
	// it).
	Path   string
	Static string
	Errors fieldErrors
	Page   any
	// Public marks a page for people who are not cockpit users (the page
	// behind a mail's unsubscribe link): no link into the cockpit, no
	// navigation, only the language switch.
	Public bool
}

// newView fills what the layout needs; titleKey names the page title.
func (h *Handler) newView(r *http.Request, rq *request, nav, titleKey string, args ...any) *view {
	loc := time.UTC
	v := &view{Lang: rq.lang, Nav: nav, CSRF: rq.csrf, Capture: h.svc.CaptureMode(), Path: r.URL.RequestURI(),
		Static: h.staticVersion, Errors: fieldErrors{}}
	if rq.p != nil {
		v.User, v.Workspace = rq.p.User, rq.p.Workspace
		loc = rq.p.Workspace.Location()
		pg, err := h.svc.PendingList(r.Context(), rq.p.Workspace, service.PendingParams{PageParams: service.PageParams{Limit: 99}})
		if err == nil {
			v.Pending, v.PendingMore = len(pg.Items), pg.Next != ""
		}
	}
	v.L = &localizer{cat: h.cat, lang: rq.lang, loc: loc}
	if v.Workspace != nil {
		v.L.vocab = &v.Workspace.Vocabulary
	}
	if titleKey != "" {
		v.Title = v.L.T(titleKey, args...)
	}
	v.Notice = h.notice(v.L, r.URL.Query())
	if rq.p != nil && strings.HasSuffix(r.URL.Query().Get("notice"), "_one") {
		v.Notice = h.messageNotice(r, rq, v.L)
	}
	return v
}

// messageNotice is a notice about one message (?notice=NAME_one&msg=ID),
// naming it by subject and recipient. The message is looked up in the
// signed-in workspace, so the URL cannot name another's; an unknown id
// shows no notice.
func (h *Handler) messageNotice(r *http.Request, rq *request, l *localizer) string {
	q := r.URL.Query()
	name := q.Get("notice")
	if !noticeName.MatchString(name) || !h.cat.Has(l.lang, "web.notice."+name) {
		return ""
	}
	m, err := h.svc.MessageGet(r.Context(), rq.p.Workspace, q.Get("msg"))
	if err != nil {
		return ""
	}
	return l.T("web.notice."+name, "subject", m.Subject, "to", m.To.Email)
}

var noticeName = regexp.MustCompile(`^[a-z_]{1,40}$`)

// notice translates ?notice=NAME (&n=COUNT) after a redirect. Only names
// with a web.notice.* string are shown, so the URL cannot inject text.
func (h *Handler) notice(l *localizer, q url.Values) string {
	name := q.Get("notice")
	if !noticeName.MatchString(name) || !h.cat.Has(l.lang, "web.notice."+name) {
		return ""
	}
	n, _ := strconv.Atoi(q.Get("n"))
	return l.T("web.notice."+name, "n", n)
}

// localizer translates and formats for one request: the user's language,
// the workspace's time zone.
type localizer struct {
	cat  *i18n.Catalog
	lang string
	loc  *time.Location
	// vocab names the workspace's event types, roles and categories
	// (nil: keys are shown as they are).
	vocab *model.Vocabulary
}

// T translates id; args are name, value pairs for the placeholders.
func (l *localizer) T(id string, args ...any) string {
	var data map[string]any
	if len(args) > 0 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	return l.cat.T(l.lang, id, data)
}

func asTime(t any) (time.Time, bool) {
	switch v := t.(type) {
	case time.Time:
		return v, !v.IsZero()
	case *time.Time:
		if v != nil {
			return *v, !v.IsZero()
		}
	}
	return time.Time{}, false
}

// DateTime formats a time (or *time.Time) in the workspace's zone.
func (l *localizer) DateTime(t any) string {
	tt, ok := asTime(t)
	if !ok {
		return "–"
	}
	tt = tt.In(l.loc)
	if l.lang == "de" {
		return tt.Format("02.01.2006, 15:04")
	}
	return tt.Format("2 Jan 2006, 15:04")
}

// Date formats a day.
func (l *localizer) Date(t any) string {
	tt, ok := asTime(t)
	if !ok {
		return "–"
	}
	tt = tt.In(l.loc)
	if l.lang == "de" {
		return tt.Format("02.01.2006")
	}
	return tt.Format("2 Jan 2006")
}

// ISO formats a time as RFC 3339 for <time datetime>.
func (l *localizer) ISO(t any) string {
	tt, ok := asTime(t)
	if !ok {
		return ""
	}
	return tt.In(l.loc).Format(time.RFC3339)
}

// Num formats a whole number with the locale's thousands separator.
func (l *localizer) Num(n int) string { return i18n.Num(l.lang, n) }

// Age says how long ago t was, e.g. "3 h 20 min".
func (l *localizer) Age(t any, now time.Time) string {
	tt, ok := asTime(t)
	if !ok {
		return "–"
	}
	d := now.Sub(tt).Round(time.Minute)
	switch {
	case d < time.Minute:
		return l.T("web.age.now")
	case d < time.Hour:
		return l.T("web.age.minutes", "m", int(d.Minutes()))
	case d < 48*time.Hour:
		return l.T("web.age.hours", "h", int(d.Hours()), "m", int(d.Minutes())%60)
	}
	return l.T("web.age.days", "d", int(d.Hours()/24))
}

// Wait says how long to wait, given in whole seconds: in seconds up to two
// minutes, else in minutes (rounded up, so that nobody tries too early).
func (l *localizer) Wait(seconds int) string {
	switch {
	case seconds == 1:
		return l.T("web.wait.second")
	case seconds < 120:
		return l.T("web.wait.seconds", "n", seconds)
	}
	return l.T("web.wait.minutes", "n", (seconds+59)/60)
}

// Reason names a suppression reason; unknown ones are shown as they are.
func (l *localizer) Reason(r string) string {
	if r == "" || !l.cat.Has(l.lang, "web.reason."+r) {
		return r
	}
	return l.T("web.reason." + r)
}

// Status names a message status.
func (l *localizer) Status(s any) string {
	return l.T("status." + fmt.Sprint(s))
}

// funcs are the template functions that need no request state.
var funcs = template.FuncMap{
	"pathEscape":  url.PathEscape,
	"queryEscape": url.QueryEscape,
	"join":        strings.Join,
	"addr":        formatAddress,
	"addrs":       formatAddresses,
	"jsonView":    viewJSON,
	"inc":         func(i int) int { return i + 1 },
	"sortedKeys":  sortedKeys,
	"contains": func(list []string, s string) bool {
		for _, v := range list {
			if v == s {
				return true
			}
		}
		return false
	},
	"msgStatusClass": msgStatusClass,
	"stepClass":      stepClass,
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
}

func sortedKeys(m any) []string {
	var keys []string
	switch v := m.(type) {
	case map[string]any:
		for k := range v {
			keys = append(keys, k)
		}
	case map[string][]string:
		for k := range v {
			keys = append(keys, k)
		}
	case map[string]model.TemplateContent:
		for k := range v {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// formatAddress shows an address as a mail header would ("Anna Berg
// <anna@example.org>"); a contact without an address by its name (or id).
func formatAddress(a model.Address) string {
	if a.Email == "" {
		return cmp.Or(a.Name, a.ContactID)
	}
	if a.Name != "" {
		return fmt.Sprintf("%s <%s>", a.Name, a.Email)
	}
	return a.Email
}

func formatAddresses(as []model.Address) string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = formatAddress(a)
	}
	return strings.Join(out, ", ")
}

// msgStatusClass groups message statuses by colour.
func msgStatusClass(s model.MessageStatus) string {
	switch s {
	case model.MsgSent:
		return "ok"
	case model.MsgFailed:
		return "bad"
	case model.MsgSuppressed, model.MsgDeclined, model.MsgExpired:
		return "muted"
	case model.MsgAwaitingConfirmation:
		return "wait"
	}
	return "info"
}

// stepClass marks explain steps that stopped or suppressed mail, and
// those that sent it.
func stepClass(code string) string {
	for _, bad := range []string{"no_flow", "unknown", "inactive", "condition_false", "condition_error", "suppressed",
		"recipients.none", "role_empty", "no_watchers", "declined", "expired", "failed", "render_failed", "no_notification", "excluded"} {
		if strings.Contains(code, bad) {
			return "neg"
		}
	}
	for _, good := range []string{"queued", "sent", "matched", "approved"} {
		if strings.HasSuffix(code, good) {
			return "pos"
		}
	}
	return ""
}

// parsePages parses the layout with each page template.
func parsePages() (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("parse cockpit layout: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("parse cockpit page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// versionOf hashes the static files so that their URLs change with them
// (they are cached for a long time).
func versionOf(fsys fs.FS) (string, error) {
	h := sha256.New()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		h.Write([]byte(p))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

func isStatic(p string) bool { return strings.HasPrefix(p, "/static/") }

func (h *Handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Query().Get("v") == h.staticVersion {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	h.static.ServeHTTP(w, r)
}

// render executes a page into a buffer first, so that a template error
// becomes an error page rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t, ok := h.pages[page]
	if !ok {
		h.logger.ErrorContext(r.Context(), "unknown cockpit page", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.logger.ErrorContext(r.Context(), "render cockpit page", "page", page, "error", err)
		http.Error(w, "internal error: the page could not be rendered; the error is in the server log", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(cardLabels(buf.Bytes()))
}

// errorPage is the data of the error page.
type errorPage struct {
	Text   string
	Detail string
}

// renderError shows an error page with a translated title and text.
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, rq *request, status int, titleKey, textKey string, args ...any) {
	v := h.newView(r, rq, "", titleKey)
	v.Page = errorPage{Text: v.L.T(textKey, args...)}
	h.render(w, r, status, "error", v)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderError(w, r, rq, http.StatusNotFound, "web.error.notfound.title", "web.error.notfound.text")
}

func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	if !httpserver.NoteError(r, err) {
		h.logger.ErrorContext(r.Context(), "cockpit request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	h.renderError(w, r, rq, http.StatusInternalServerError, "web.error.internal.title", "web.error.internal.text")
}

// fail shows the page for an error of the service layer.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	var (
		nf       *service.NotFoundError
		conflict *service.ConflictError
		verr     *service.ValidationError
		busy     *service.BusyError
	)
	switch {
	case errors.As(err, &busy):
		w.Header().Set("Retry-After", strconv.Itoa(busy.Seconds()))
		h.renderError(w, r, rq, http.StatusTooManyRequests, "web.error.busy.title", "web.error.busy.text")
	case errors.As(err, &nf):
		v := h.newView(r, rq, "", "web.error.notfound.title")
		// The service names what is missing in English; the address
		// says it in any language.
		v.Page = errorPage{Text: v.L.T("web.error.notfound.text"), Detail: r.URL.Path}
		h.render(w, r, http.StatusNotFound, "error", v)
	case errors.As(err, &conflict):
		v := h.newView(r, rq, "", "web.error.conflict.title")
		v.Page = errorPage{Text: v.L.T("web.error.conflict.text"), Detail: englishOnly(v.L, conflict.Detail)}
		h.render(w, r, http.StatusConflict, "error", v)
	case errors.As(err, &verr):
		v := h.newView(r, rq, "", "web.error.invalid.title")
		v.Page = errorPage{Text: v.L.T("web.error.invalid.text"), Detail: englishOnly(v.L, verr.Error())}
		h.render(w, r, http.StatusBadRequest, "error", v)
	case r.Context().Err() != nil:
		// The browser went away; nobody reads the answer.
	default:
		h.serverError(w, r, rq, err)
	}
}

// redirect answers a form post with 303 to target, adding a notice.
func redirect(w http.ResponseWriter, r *http.Request, target, notice string, n ...int) {
	if notice != "" {
		frag := ""
		if i := strings.Index(target, "#"); i >= 0 {
			target, frag = target[:i], target[i:]
		}
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "notice=" + notice
		if len(n) > 0 {
			target += "&n=" + strconv.Itoa(n[0])
		}
		target += frag
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}
