package httpapi

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// workspaceInput is the body of POST /v1/workspaces (operator scope).
type workspaceInput struct {
	Key           string       `json:"key"`
	Name          string       `json:"name"`
	DefaultLocale string       `json:"default_locale"`
	Timezone      string       `json:"timezone"`
	Sender        model.Sender `json:"sender"`
	// AllowedSenders is settable only here, by an operator, and not in
	// PATCH /v1/workspace, where a workspace's own admins would widen it.
	AllowedSenders          []string `json:"allowed_senders"`
	RetentionDays           int      `json:"retention_days"`
	ConfirmationExpiryHours int      `json:"confirmation_expiry_hours"`
	// Inbound: reply tracking, subject token, rules (docs/inbound.md).
	Inbound model.InboundSettings `json:"inbound"`
	// QuietHours hold non-urgent e-mail ("22:00-07:00", "open Mon-Fri
	// 08:00-18:00", docs/throttles.md).
	QuietHours model.QuietHours `json:"quiet_hours"`
	// SummarySchedule: when daily and weekly summaries are sent
	// (docs/preferences.md).
	SummarySchedule model.SummarySchedule `json:"summary_schedule"`
}

func (in workspaceInput) settings() service.WorkspaceSettings {
	return service.WorkspaceSettings{Name: in.Name, DefaultLocale: in.DefaultLocale, Timezone: in.Timezone,
		Sender: in.Sender, RetentionDays: in.RetentionDays, ConfirmationExpiryHours: in.ConfirmationExpiryHours,
		Inbound: in.Inbound, QuietHours: in.QuietHours,
		SummarySchedule: in.SummarySchedule}
}

func (h *Handler) getWorkspace(w http.ResponseWriter, _ *http.Request, p *service.Principal) {
	writeJSON(w, http.StatusOK, p.Workspace)
}

// workspacePatch is the body of PATCH /v1/workspace: absent fields keep
// their value.
type workspacePatch struct {
	Name                    *string       `json:"name"`
	DefaultLocale           *string       `json:"default_locale"`
	Timezone                *string       `json:"timezone"`
	Sender                  *model.Sender `json:"sender"`
	RetentionDays           *int          `json:"retention_days"`
	ConfirmationExpiryHours *int          `json:"confirmation_expiry_hours"`
	// Inbound replaces the inbound settings as a whole.
	Inbound *model.InboundSettings `json:"inbound"`
	// Vocabulary replaces the display names as a whole.
	Vocabulary *model.Vocabulary `json:"vocabulary"`
	// QuietHours replaces the quiet hours; "" removes them.
	QuietHours *model.QuietHours `json:"quiet_hours"`
	// SummarySchedule replaces the summary schedule as a whole; {}
	// returns to 08:00 on Mondays.
	SummarySchedule *model.SummarySchedule `json:"summary_schedule"`
}

func (h *Handler) patchWorkspace(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in workspacePatch
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	ws, err := h.svc.WorkspaceUpdate(r.Context(), p.Workspace, service.WorkspacePatch{Name: in.Name,
		DefaultLocale: in.DefaultLocale, Timezone: in.Timezone, Sender: in.Sender, RetentionDays: in.RetentionDays,
		ConfirmationExpiryHours: in.ConfirmationExpiryHours, Inbound: in.Inbound, Vocabulary: in.Vocabulary,
		QuietHours:      in.QuietHours,
		SummarySchedule: in.SummarySchedule})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ws)
}

func (h *Handler) listWorkspaces(w http.ResponseWriter, r *http.Request, _ *service.Principal) {
	list, err := h.svc.WorkspaceList(r.Context())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageResponse[*model.Workspace]{Items: list})
}

// createdKey is a new API key with its secret, shown once.
type createdKey struct {
	*model.APIKey
	Secret string `json:"secret"`
}

func (h *Handler) createWorkspace(w http.ResponseWriter, r *http.Request, _ *service.Principal) {
	var in workspaceInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.svc.WorkspaceCreate(r.Context(), service.WorkspaceCreateParams{Key: in.Key,
		AllowedSenders: in.AllowedSenders, WorkspaceSettings: in.settings()})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		Workspace *model.Workspace `json:"workspace"`
		Key       createdKey       `json:"api_key"`
	}{out.Workspace, createdKey{out.Key, out.Secret}})
}

type keyInput struct {
	Name   string        `json:"name"`
	Scopes []model.Scope `json:"scopes"`
}

func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	keys, err := h.svc.KeyList(r.Context(), p.Workspace)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageResponse[*model.APIKey]{Items: keys})
}

func (h *Handler) createKey(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in keyInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	for _, s := range in.Scopes {
		if s == model.ScopeOperator && !p.Key.Has(model.ScopeOperator) {
			h.writeError(w, r, &service.ForbiddenError{Detail: "only a key with the operator scope can create operator keys"})
			return
		}
	}
	k, secret, err := h.svc.KeyCreate(r.Context(), h.svc.Store(), p.Workspace, service.KeyCreateParams{Name: in.Name, Scopes: in.Scopes})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, createdKey{k, secret})
}

func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if err := h.svc.KeyRevoke(r.Context(), p.Workspace, r.PathValue("id")); err != nil {
		h.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
