package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/impact"
	"github.com/herold-dev/herold/internal/manifest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// Configuration as code: export, plan, apply, revisions and rollback
// (docs/config-as-code.md). The server does the work; herold export,
// plan, apply and rollback call these routes.

// configRoutes are the routes of configuration as code, in a block of
// their own.
func (h *Handler) configRoutes() []route {
	return []route{
		{"GET", "/v1/config.schema.json", nil, false, h.configSchema},
		{"GET", "/v1/config/export", admin, false, h.configExport},
		{"POST", "/v1/plan", admin, true, h.configPlan},
		{"POST", "/v1/apply", admin, true, h.configApply},
		{"GET", "/v1/config/revisions", admin, false, h.configRevisions},
		{"POST", "/v1/config/revisions/{number}/rollback", admin, false, h.configRollback},
	}
}

// configFiles is the body of POST /v1/plan and /v1/apply.
type configFiles struct {
	Files []manifest.File `json:"files"`
	// Prune deletes objects earlier applies created that the files no
	// longer define.
	Prune bool `json:"prune"`
	// Revision (apply) is the plan's revision.
	Revision string `json:"revision"`
	// Message (apply) says why.
	Message string `json:"message"`
	// Impact (plan) bounds the replay of recorded events; absent means
	// the defaults (the last 7 days).
	Impact *impactInput `json:"impact"`
}

// impactInput bounds a plan's impact replay (package impact).
type impactInput struct {
	Since     time.Time `json:"since"`
	Until     time.Time `json:"until"`
	Days      int       `json:"days"`
	MaxEvents int       `json:"max_events"`
	Examples  int       `json:"examples"`
	// Skip plans without the replay.
	Skip bool `json:"skip"`
}

// exportedFiles is the answer of GET /v1/config/export.
type exportedFiles struct {
	Files []manifest.File `json:"files"`
}

func (h *Handler) configSchema(w http.ResponseWriter, _ *http.Request, _ *service.Principal) {
	w.Header().Set("Content-Type", "application/schema+json")
	_, _ = w.Write(manifest.Schema())
}

func (h *Handler) configExport(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	files, err := h.svc.ConfigExport(r.Context(), p.Workspace)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := exportedFiles{Files: make([]manifest.File, 0, len(files))}
	for name, data := range files {
		out.Files = append(out.Files, manifest.File{Name: name, Data: string(data)})
	}
	slices.SortFunc(out.Files, func(a, b manifest.File) int { return strings.Compare(a.Name, b.Name) })
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) decodeConfigFiles(r *http.Request) (*configFiles, error) {
	var in configFiles
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if len(in.Files) == 0 {
		return nil, &service.ValidationError{Fields: []service.FieldError{{Field: "files", Code: service.CodeRequired,
			Detail: "send at least one file: {\"name\": \"flows/standard.yaml\", \"content\": \"apiVersion: herold/v1 ...\"}"}}}
	}
	return &in, nil
}

func (h *Handler) configPlan(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	in, err := h.decodeConfigFiles(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	params := service.ConfigPlanParams{Files: in.Files, Prune: in.Prune}
	if in.Impact != nil {
		params.NoImpact = in.Impact.Skip
		params.Impact = impact.Options{Since: in.Impact.Since, Until: in.Impact.Until, Days: in.Impact.Days,
			MaxEvents: in.Impact.MaxEvents, Examples: in.Impact.Examples}
	}
	plan, err := h.svc.ConfigPlan(r.Context(), p.Workspace, params)
	h.respond(w, r, http.StatusOK, plan, err)
}

func (h *Handler) configApply(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	in, err := h.decodeConfigFiles(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	res, err := h.svc.ConfigApply(r.Context(), p.Workspace, service.ConfigApplyParams{
		ConfigPlanParams: service.ConfigPlanParams{Files: in.Files, Prune: in.Prune},
		Revision:         in.Revision, Author: author(p), Message: in.Message})
	h.respond(w, r, http.StatusOK, res, err)
}

// author names the key that applies, for the revision.
func author(p *service.Principal) string {
	return fmt.Sprintf("API key %s (%s…)", p.Key.Name, p.Key.Prefix)
}

// revisionPage is the answer of GET /v1/config/revisions.
type revisionPage struct {
	Items []*model.ConfigRevision `json:"items"`
}

func (h *Handler) configRevisions(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	q := r.URL.Query()
	before, err1 := optionalInt(q.Get("before"))
	limit, err2 := optionalInt(q.Get("limit"))
	if err1 != nil || err2 != nil || before < 0 || limit < 0 || limit > service.MaxPageSize {
		h.writeError(w, r, &service.ValidationError{Fields: []service.FieldError{{Field: "before", Code: service.CodeInvalid,
			Detail: fmt.Sprintf("before and limit are whole numbers; limit at most %d", service.MaxPageSize)}}})
		return
	}
	revs, err := h.svc.ConfigRevisions(r.Context(), p.Workspace, before, int(limit))
	if revs == nil {
		revs = []*model.ConfigRevision{}
	}
	h.respond(w, r, http.StatusOK, revisionPage{Items: revs}, err)
}

func optionalInt(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseInt(s, 10, 64)
}

// rollbackInput is the optional body of a rollback.
type rollbackInput struct {
	Message string `json:"message"`
}

func (h *Handler) configRollback(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	number, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || number < 1 {
		h.writeError(w, r, &service.NotFoundError{What: fmt.Sprintf("revision %q", r.PathValue("number"))})
		return
	}
	var in rollbackInput
	if err := decodeOptional(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	res, err := h.svc.ConfigRollback(r.Context(), p.Workspace, number, author(p), in.Message)
	h.respond(w, r, http.StatusOK, res, err)
}
