package web

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// The names page (Settings → Names) edits the workspace's vocabulary as
// one text field per kind, a line per key: "job.requested = Jobanfrage |
// Job request". It needs no JavaScript; the keys in use are listed even
// before they have a name, so the admin only fills in the words.

// vocabularyPage is the names form: per kind, the text as shown or typed.
type vocabularyPage struct {
	Kinds []string
	Text  map[string]string
}

// Term shows a key by its display name with the key in small type (for
// the technical reader), or the key alone when it has no name.
func (l *localizer) Term(kind, key string) template.HTML {
	esc := template.HTMLEscapeString
	name := ""
	if l.vocab != nil {
		name = l.vocab.Name(kind, key, l.lang)
	}
	if name == "" {
		return template.HTML(`<code>` + esc(key) + `</code>`)
	}
	return template.HTML(`<span class="term" title="` + esc(key) + `">` + esc(name) + ` <code class="sub">` + esc(key) + `</code></span>`)
}

// TermText is a key's display name followed by the key in brackets, or
// the key alone, for places that take no markup (options, labels).
func (l *localizer) TermText(kind, key string) string {
	if l.vocab != nil {
		if name := l.vocab.Name(kind, key, l.lang); name != "" {
			return name + " (" + key + ")"
		}
	}
	return key
}

// NameOnly is a key's display name in the page's language, else the
// key: for pages a recipient reads (the preference page), where the key
// itself means nothing.
func (l *localizer) NameOnly(kind, key string) string {
	if l.vocab != nil {
		if name := l.vocab.Name(kind, key, l.lang); name != "" {
			return name
		}
	}
	return key
}

// Description is a category's description for the preference page in
// the page's language, else the other one, else "".
func (l *localizer) Description(category string) string {
	if l.vocab == nil {
		return ""
	}
	return l.vocab.Description(category, l.lang)
}

// Recipient shows a recipient entry: "role:promoter" by the role's
// display name, every other form as it is.
func (l *localizer) Recipient(r model.Recipient) template.HTML {
	if kind, value, err := r.Parse(); err == nil && kind == model.RecipientRole {
		if l.vocab != nil && l.vocab.Name(model.VocabRoles, value, l.lang) != "" {
			return l.Term(model.VocabRoles, value)
		}
	}
	return template.HTML(`<code>` + template.HTMLEscapeString(string(r)) + `</code>`)
}

// vocabularyLines writes one kind as lines, the keys in use first
// without a name, all sorted by key.
func vocabularyLines(names map[string]model.Label, inUse map[string]bool) string {
	keys := map[string]bool{}
	for k := range names {
		keys[k] = true
	}
	for k := range inUse {
		keys[k] = true
	}
	var b strings.Builder
	for _, k := range sortedSet(keys) {
		l := names[k]
		line := k + " = " + l.DE
		if l.EN != "" {
			line += " | " + l.EN
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	return b.String()
}

// vocabularyProblem is a line of the names form that cannot be saved,
// with the message id that says why.
type vocabularyProblem struct {
	line int
	id   string
}

// parseVocabularyLines reads one kind's lines; a line without a name
// ("key =" or just "key") names nothing. It returns the names, the line
// of each key (for the service's errors) and the lines that cannot be
// saved, said in the page's language before the service is asked.
func parseVocabularyLines(s string) (map[string]model.Label, map[string]int, []vocabularyProblem) {
	out, lines := map[string]model.Label{}, map[string]int{}
	var bad []vocabularyProblem
	entries, nums := splitLines(s)
	for i, e := range entries {
		key, names, found := strings.Cut(e, "=")
		key = strings.TrimSpace(key)
		de, en, _ := strings.Cut(names, "|")
		l := model.Label{DE: strings.TrimSpace(de), EN: strings.TrimSpace(en)}
		switch {
		case key == "":
			bad = append(bad, vocabularyProblem{nums[i], "web.vocabulary.bad_line"})
			continue
		case !model.ValidName(key):
			bad = append(bad, vocabularyProblem{nums[i], "web.vocabulary.bad_key"})
			continue
		case utf8.RuneCountInString(l.DE) > model.MaxLabelLength || utf8.RuneCountInString(l.EN) > model.MaxLabelLength:
			bad = append(bad, vocabularyProblem{nums[i], "web.vocabulary.too_long_name"})
			continue
		}
		lines[key] = nums[i]
		if !found || l == (model.Label{}) {
			continue
		}
		out[key] = l
	}
	return out, lines, bad
}

// kindAddresses is keysInUse's set of the literal addresses flows send
// to (for the recipient list; addresses have no names).
const kindAddresses = "addresses"

// keysInUse collects the event types, roles and categories the
// workspace's flows and projects use (by model.Vocab* kind), and the
// literal addresses of the flows' recipients (kindAddresses).
func (h *Handler) keysInUse(r *http.Request, ws *model.Workspace) (map[string]map[string]bool, error) {
	use := map[string]map[string]bool{model.VocabEventTypes: {}, model.VocabRoles: {},
		model.VocabCategories: {model.CategoryTransactional: true}, kindAddresses: {}}
	flows, err := h.allFlows(r, ws)
	if err != nil {
		return nil, err
	}
	for _, f := range flows {
		for _, n := range f.Notifications {
			use[model.VocabEventTypes][n.EventType] = true
			if n.Category != "" {
				use[model.VocabCategories][n.Category] = true
			}
			for _, list := range [][]model.Recipient{n.Recipients, n.CC, n.BCC} {
				for _, rc := range list {
					switch kind, value, err := rc.Parse(); {
					case err != nil:
					case kind == model.RecipientRole:
						use[model.VocabRoles][value] = true
					case kind == model.RecipientEmail:
						use[kindAddresses][value] = true
					}
				}
			}
		}
	}
	projects, err := h.allProjects(r, ws)
	if err != nil {
		return nil, err
	}
	for _, p := range projects {
		for role := range p.Members {
			use[model.VocabRoles][role] = true
		}
	}
	return use, nil
}

func (h *Handler) vocabulary(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	use, err := h.keysInUse(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &vocabularyPage{Kinds: model.VocabularyKinds, Text: map[string]string{}}
	for _, kind := range model.VocabularyKinds {
		page.Text[kind] = vocabularyLines(ws.Vocabulary.Of(kind), use[kind])
	}
	h.renderVocabulary(w, r, rq, http.StatusOK, page, nil)
}

func (h *Handler) renderVocabulary(w http.ResponseWriter, r *http.Request, rq *request, status int, page *vocabularyPage, errs fieldErrors) {
	v := h.newView(r, rq, "settings", "web.vocabulary.title")
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "vocabulary", v)
}

// maxVocabularyText bounds each field's text (500 names of 2×100
// characters with their keys fit).
const maxVocabularyText = 256 << 10

func (h *Handler) saveVocabulary(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
	page := &vocabularyPage{Kinds: model.VocabularyKinds, Text: map[string]string{}}
	errs := fieldErrors{}
	// The category details are edited on their own page: kept as they are.
	v := model.Vocabulary{CategoryDetails: ws.Vocabulary.CategoryDetails}
	lines := map[string]map[string]int{}
	for _, kind := range model.VocabularyKinds {
		text := r.PostFormValue(kind)
		page.Text[kind] = text
		if len(text) > maxVocabularyText {
			errs.add(kind, l.T("web.vocabulary.too_long"))
			continue
		}
		names, at, bad := parseVocabularyLines(text)
		for _, p := range bad {
			errs.add(kind, l.T("web.error.entry_line", "line", strconv.Itoa(p.line))+" "+l.T(p.id, "max", model.MaxLabelLength))
		}
		v.Set(kind, names)
		lines[kind] = at
	}
	if !errs.Any() {
		_, err := h.svc.WorkspaceUpdate(r.Context(), ws, service.WorkspacePatch{Vocabulary: &v})
		if err == nil {
			redirect(w, r, "/settings/names", "saved")
			return
		}
		fe, ok := formErrors(l, err, vocabularyFields(lines))
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		errs = fe
	}
	h.renderVocabulary(w, r, rq, http.StatusUnprocessableEntity, page, errs)
}

// vocabularyFields maps "vocabulary.roles.promoter.de" to the roles field
// and the line the key stood on.
func vocabularyFields(lines map[string]map[string]int) fieldMap {
	return func(path string) (string, string, bool) {
		rest, ok := strings.CutPrefix(path, "vocabulary.")
		if !ok {
			return "", "", false
		}
		kind, key, _ := strings.Cut(rest, ".")
		at, ok := lines[kind]
		if !ok {
			return "", "", false
		}
		// The key may itself contain dots; the longest known key that
		// the rest starts with is it.
		best := ""
		for k := range at {
			if (key == k || strings.HasPrefix(key, k+".")) && len(k) > len(best) {
				best = k
			}
		}
		if best == "" {
			return kind, "", true
		}
		return kind, fmt.Sprint(at[best]), true
	}
}
