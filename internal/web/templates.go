package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/service"
)

type templatesPage struct {
	Templates []*model.Template
	// Used maps a template key to the notifications using it.
	Used map[string][]string
	// Managed marks templates files manage, by "Template/key".
	Managed map[string]string
}

func (h *Handler) templates(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	list, err := h.allTemplates(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	flows, err := h.allFlows(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "templates", "web.templates.title")
	v.Page = &templatesPage{Templates: list, Used: templateUsage(flows), Managed: h.managed(r, ws)}
	h.render(w, r, http.StatusOK, "templates", v)
}

func templateUsage(flows []*model.Flow) map[string][]string {
	used := map[string][]string{}
	for _, f := range flows {
		for _, n := range f.Notifications {
			used[n.Template] = append(used[n.Template], f.Key+" / "+n.Key)
		}
	}
	return used
}

// templateEditor is the editor of one locale of a template.
type templateEditor struct {
	IsNew       bool
	Key         string
	Name        string
	Description string
	Sender      model.Sender
	// Fallback is the workspace's sender, used where the template and the
	// flow set none.
	Fallback model.Sender
	Locale   string
	// Locales are the locales the template has.
	Locales    []string
	Content    model.TemplateContent
	SampleData string
	// Samples are the latest events of the template's event types; the
	// preview's data is taken from the one SampleFrom names (or
	// generated: fromGenerated).
	Samples    []*model.Event
	SampleFrom string
	// Raw are the parser's messages of the problems saving found, shown in
	// small type under their explanation.
	Raw []previewProblem
	// Placeholders are the fields seen in those events' data.
	Placeholders []placeholderHint
	Used         []string
	// Preview is the server's first rendering; the page's script keeps it
	// up to date while the admin types.
	Preview previewResponse
}

func (h *Handler) newTemplate(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	ed := &templateEditor{IsNew: true, Locale: ws.DefaultLocale, Fallback: ws.Sender, SampleFrom: fromGenerated}
	ed.SampleData = sampleData(ed.Locale, ed.Content)
	h.renderEditor(w, r, rq, http.StatusOK, ed, nil)
}

func (h *Handler) editTemplate(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	t, err := h.svc.TemplateGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	ed := &templateEditor{Key: t.Key, Name: t.Name, Description: t.Description, Sender: t.Sender, Fallback: ws.Sender,
		Locales: sortedKeys(t.Locales)}
	ed.Locale = r.URL.Query().Get("locale")
	if ed.Locale == "" {
		ed.Locale, _, _ = t.Content(ws.DefaultLocale, ws.DefaultLocale)
	}
	ed.Content = t.Locales[ed.Locale]
	flows, err := h.allFlows(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	ed.Used = templateUsage(flows)[t.Key]
	if err := h.loadSamples(r, ws, ed, flows); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	h.renderEditor(w, r, rq, http.StatusOK, ed, nil)
}

func (h *Handler) renderEditor(w http.ResponseWriter, r *http.Request, rq *request, status int, ed *templateEditor, errs fieldErrors) {
	title := "web.template.title"
	if ed.IsNew {
		title = "web.template.new_title"
	}
	v := h.newView(r, rq, "templates", title, "key", ed.Key)
	if ed.Locale == "" {
		ed.Locale = rq.p.Workspace.DefaultLocale
	}
	if ed.Content != (model.TemplateContent{}) {
		ed.Preview = h.preview(r, rq.p.Workspace, v.L, ed.Locale, ed.Content, ed.SampleData)
		// A problem the save reported next to its field is listed once.
		ed.Preview.Problems = slices.DeleteFunc(ed.Preview.Problems, func(p previewProblem) bool { return errs.Has(p.Field) })
	}
	v.Page = ed
	if errs != nil {
		v.Errors = errs
	}
	// The preview shows mail in a sandboxed iframe, which inherits the
	// page's policy; mail needs inline styles.
	setSecurityHeaders(w.Header(), true)
	h.render(w, r, status, "template", v)
}

// readEditor reads the editor form.
func readEditor(r *http.Request) *templateEditor {
	return &templateEditor{
		Key: strings.TrimSpace(r.PostFormValue("key")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Description: strings.TrimSpace(r.PostFormValue("description")),
		Sender: model.Sender{From: strings.TrimSpace(r.PostFormValue("sender_from")),
			ReplyTo: strings.TrimSpace(r.PostFormValue("sender_reply_to"))},
		Locale: strings.TrimSpace(r.PostFormValue("locale")),
		Content: model.TemplateContent{Subject: r.PostFormValue("subject"), HTML: normalizeNewlines(r.PostFormValue("html")),
			Text: normalizeNewlines(r.PostFormValue("text"))},
		SampleData: r.PostFormValue("sample_data"),
	}
}

func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

func (h *Handler) createTemplate(w http.ResponseWriter, r *http.Request, rq *request) {
	ed := readEditor(r)
	ed.IsNew = true
	ws := rq.p.Workspace
	ed.Fallback = ws.Sender
	if ed.Key != "" {
		if _, err := h.svc.TemplateGet(r.Context(), ws, ed.Key); err == nil {
			l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
			errs := fieldErrors{}
			errs.add("key", l.T("web.template.exists"))
			h.renderEditor(w, r, rq, http.StatusUnprocessableEntity, ed, errs)
			return
		}
	}
	t := &model.Template{Key: ed.Key, Name: ed.Name, Description: ed.Description, Sender: ed.Sender,
		Locales: map[string]model.TemplateContent{ed.Locale: ed.Content}}
	h.putTemplate(w, r, rq, t, ed)
}

// saveTemplate saves one locale's content with the template's name and
// sender; the other locales stay as they are.
func (h *Handler) saveTemplate(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	t, err := h.svc.TemplateGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	ed := readEditor(r)
	ed.Key, ed.Fallback, ed.Locales = t.Key, ws.Sender, sortedKeys(t.Locales)
	upd := *t
	upd.Name, upd.Description, upd.Sender = ed.Name, ed.Description, ed.Sender
	upd.Locales = make(map[string]model.TemplateContent, len(t.Locales)+1)
	for l, c := range t.Locales {
		upd.Locales[l] = c
	}
	if r.PostFormValue("remove_locale") == "1" && len(t.Locales) > 1 {
		delete(upd.Locales, ed.Locale)
	} else {
		upd.Locales[ed.Locale] = ed.Content
	}
	h.putTemplate(w, r, rq, &upd, ed)
}

func (h *Handler) putTemplate(w http.ResponseWriter, r *http.Request, rq *request, t *model.Template, ed *templateEditor) {
	if _, err := h.svc.TemplatePut(r.Context(), rq.p.Workspace, t); err != nil {
		l := &localizer{cat: h.cat, lang: rq.lang, loc: rq.p.Workspace.Location()}
		errs, ok := formErrors(l, err, localeFields(ed.Locale))
		var verr *service.ValidationError
		if ok && errors.As(err, &verr) {
			// Template problems read as in the preview, explained.
			for _, f := range editorFields {
				delete(errs, f)
			}
			for _, f := range verr.Fields {
				if p := editorProblem(l, ed.Locale, ed.Content, f); slices.Contains(editorFields, p.Field) {
					errs.add(p.Field, p.Message)
					if p.Raw != "" {
						ed.Raw = append(ed.Raw, p)
					}
				}
			}
		}
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		h.renderEditor(w, r, rq, http.StatusUnprocessableEntity, ed, errs)
		return
	}
	target := "/templates/" + pathEscape(t.Key)
	if _, ok := t.Locales[ed.Locale]; ok {
		target += "?locale=" + ed.Locale
	}
	redirect(w, r, target, "saved")
}

// localeFields maps "locales.de.html" (and "draft.html") to the editor's
// "html" field.
func localeFields(locale string) fieldMap {
	return func(path string) (string, string, bool) {
		for _, prefix := range []string{"locales." + locale + ".", "draft."} {
			if part, ok := strings.CutPrefix(path, prefix); ok {
				return part, "", true
			}
		}
		if path == "locales."+locale || path == "locales" {
			return "locale", "", true
		}
		return "", "", false
	}
}

// previewRequest is the body of the live preview's fetch.
type previewRequest struct {
	Locale  string `json:"locale"`
	Subject string `json:"subject"`
	HTML    string `json:"html"`
	Text    string `json:"text"`
	// Data is the sample data as the admin typed it (JSON text).
	Data string `json:"data"`
	// Generated asks to generate the sample data from the placeholders
	// the content uses instead (the admin has not edited it): the
	// answer's Sample carries it.
	Generated bool `json:"generated"`
}

// previewProblem is one problem the preview shows next to its field.
type previewProblem struct {
	Field   string `json:"field"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
	// Raw is the parser's own message, shown in small type under the
	// explanation.
	Raw string `json:"raw,omitempty"`
}

type previewResponse struct {
	OK       bool             `json:"ok"`
	Subject  string           `json:"subject"`
	HTML     string           `json:"html"`
	Text     string           `json:"text"`
	Problems []previewProblem `json:"problems"`
	// Sample is the generated sample data, when asked for.
	Sample string `json:"sample,omitempty"`
}

// editorFields are the fields the editor shows problems next to.
var editorFields = []string{"subject", "html", "text", "sample_data"}

// For returns the problems of one editor field.
func (p previewResponse) For(field string) []previewProblem {
	var out []previewProblem
	for _, x := range p.Problems {
		if x.Field == field {
			out = append(out, x)
		}
	}
	return out
}

// RawFor returns the parser's messages of the problems saving found in
// one field.
func (ed *templateEditor) RawFor(field string) []string {
	var out []string
	for _, p := range ed.Raw {
		if p.Field == field {
			out = append(out, p.Raw)
		}
	}
	return out
}

// Other returns the problems that belong to no editor field.
func (p previewResponse) Other() []previewProblem {
	var out []previewProblem
	for _, x := range p.Problems {
		known := false
		for _, f := range editorFields {
			known = known || x.Field == f
		}
		if !known {
			out = append(out, x)
		}
	}
	return out
}

// maxPreviewBytes bounds a preview request.
const maxPreviewBytes = 1 << 20

// previewTemplate renders unsaved content with the admin's sample data
// (service.TemplatePreview) for the live preview.
func (h *Handler) previewTemplate(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
	var in previewRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxPreviewBytes))
	if err := dec.Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, previewResponse{Problems: []previewProblem{{Message: l.T("web.preview.bad_request")}}})
		return
	}
	content := model.TemplateContent{Subject: in.Subject, HTML: normalizeNewlines(in.HTML), Text: normalizeNewlines(in.Text)}
	if in.Generated {
		in.Data = sampleData(in.Locale, content)
	}
	out := h.preview(r, ws, l, in.Locale, content, in.Data)
	if in.Generated {
		out.Sample = in.Data
	}
	writeJSON(w, http.StatusOK, out)
}

// preview renders content with sample data (JSON text); problems in the
// template or the data are returned with their field and line.
func (h *Handler) preview(r *http.Request, ws *model.Workspace, l *localizer, locale string, content model.TemplateContent, sample string) previewResponse {
	out := previewResponse{Problems: []previewProblem{}}
	data := map[string]any{}
	if strings.TrimSpace(sample) != "" {
		if err := json.Unmarshal([]byte(sample), &data); err != nil {
			line, col := jsonErrorPos(sample, err)
			out.Problems = append(out.Problems, previewProblem{Field: "sample_data", Line: line, Column: col,
				Message: jsonProblem(l, "web.preview.bad_json", line, col, err), Raw: err.Error()})
			return out
		}
	}
	p, err := h.svc.TemplatePreview(r.Context(), ws, "", service.PreviewParams{Locale: locale, Data: data, Content: &content})
	var verr *service.ValidationError
	switch {
	case errors.As(err, &verr):
		for _, f := range verr.Fields {
			out.Problems = appendProblem(out.Problems, editorProblem(l, locale, content, f))
		}
	case err != nil:
		h.logger.ErrorContext(r.Context(), "template preview failed", "error", err)
		out.Problems = append(out.Problems, previewProblem{Message: l.T("web.error.internal.text")})
	default:
		out.OK, out.Subject, out.HTML, out.Text = true, p.Subject, p.HTML, p.Text
	}
	return out
}

// valueStart is where the JSON value that ends at off (or whose opening
// bracket ends there) starts.
func valueStart(src string, off int) int {
	i := off - 1
	switch src[i] {
	case '[', '{':
		return i
	case '"':
		for j := i - 1; j >= 0; j-- {
			if src[j] == '"' && (j == 0 || src[j-1] != '\\') {
				return j
			}
		}
		return i
	}
	for i > 0 && strings.IndexByte("0123456789+-.eEtrufalsn", src[i-1]) >= 0 {
		i--
	}
	return i
}

// editorProblem explains a problem the service found in the editor's
// content or sample data, next to the field it belongs to.
func editorProblem(l *localizer, locale string, content model.TemplateContent, f service.FieldError) previewProblem {
	field, _, _ := localeFields(locale)(f.Field)
	// The service names sample data as the API's body does
	// ("data.contact.x"); here it is the sample data's own path.
	if path, ok := strings.CutPrefix(f.Field, "data."); ok {
		return previewProblem{Field: "sample_data", Line: f.Line, Column: f.Column, Message: path + ": " + fieldMessage(l, f)}
	}
	if !slices.Contains([]string{"subject", "html", "text"}, field) || f.Code != service.CodeTemplateSyntax {
		return previewProblem{Field: field, Line: f.Line, Column: f.Column, Message: fieldMessage(l, f)}
	}
	is := explainTemplate(l, f)
	msg := l.T("web.code.template_error")
	switch {
	case is.Alone:
		msg = is.Message
	case is.Message != "":
		msg += ": " + is.Message
	}
	if is.Line > 0 && is.Column > 0 {
		msg = l.T("web.error.at_line_column", "line", is.Line, "column", is.Column) + " " + msg
	} else if is.Line > 0 {
		msg = l.T("web.error.at_line", "line", is.Line) + " " + msg
	}
	return previewProblem{Field: field, Line: is.Line, Column: is.Column, Message: msg, Raw: is.Raw}
}

// appendProblem adds p unless the same message is already listed for its
// field: each problem is listed once.
func appendProblem(ps []previewProblem, p previewProblem) []previewProblem {
	for _, x := range ps {
		if x.Field == p.Field && x.Message == p.Message {
			return ps
		}
	}
	return append(ps, p)
}

// jsonErrorPos finds the line and column (1-based, counting characters)
// of a JSON syntax or type error in src; 0, 0 when the error names no
// place. The column is that of the character the decoder stopped at.
func jsonErrorPos(src string, err error) (line, col int) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(src)) {
		return 0, 0
	}
	// A syntax error's offset counts the bytes read, the offending one
	// included; at the end of the input there is none.
	if se != nil && off > 0 && !strings.HasSuffix(se.Error(), "end of JSON input") {
		off--
	}
	// A type error's offset is after the value (or after its opening
	// bracket); the column is that of the value's start.
	if te != nil && off > 0 {
		off = int64(valueStart(src, int(off)))
	}
	return render.Position(src, int(off))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

var placeholderRef = regexp.MustCompile(`\.(data|object|contact)\.([A-Za-z_][A-Za-z0-9_]*)`)

// sampleData proposes sample data for the preview: a recipient and a
// project, plus every .data, .object and .contact field the content uses
// (dates for names that look like dates), so that a first preview renders.
func sampleData(lang string, c model.TemplateContent) string {
	name, project := "Alex Example", "Example project"
	if lang == "de" {
		name, project = "Anna Beispiel", "Beispielprojekt"
	}
	roots := placeholderFields(c)
	sample := map[string]any{
		"recipient": map[string]any{"name": name, "email": "anna@example.org"},
		"project":   map[string]any{"key": "example", "name": project},
		"data":      roots["data"],
	}
	if len(roots["object"]) > 0 {
		sample["object"] = roots["object"]
	}
	if len(roots["contact"]) > 0 {
		roots["contact"]["name"] = name
		sample["contact"] = roots["contact"]
	}
	b, _ := json.MarshalIndent(sample, "", "  ")
	return string(b)
}

// placeholderFields returns, by root ("data", "object", "contact"), a
// sample value for every field the contents use below that root (the
// fields every contact and object has are left out).
func placeholderFields(cs ...model.TemplateContent) map[string]map[string]any {
	fixed := map[string]bool{"id": true, "email": true, "name": true, "locale": true, "timezone": true,
		"collection": true, "contacts": true, "subscribers": true, "consents": true, "opt_outs": true}
	roots := map[string]map[string]any{"data": {}, "object": {}, "contact": {}}
	for _, c := range cs {
		for _, m := range placeholderRef.FindAllStringSubmatch(c.Subject+"\n"+c.HTML+"\n"+c.Text, -1) {
			if m[1] != "data" && fixed[m[2]] {
				continue
			}
			roots[m[1]][m[2]] = sampleValue(m[2])
		}
	}
	return roots
}

func sampleValue(field string) any {
	f := strings.ToLower(field)
	switch {
	case strings.Contains(f, "date") || strings.HasSuffix(f, "_on") || strings.HasSuffix(f, "_by") ||
		strings.HasSuffix(f, "_at") || strings.Contains(f, "birthday"):
		return "2026-04-15"
	case strings.Contains(f, "count") || strings.Contains(f, "days") || strings.Contains(f, "number"):
		return 3
	}
	return fmt.Sprintf("‹%s›", field)
}
