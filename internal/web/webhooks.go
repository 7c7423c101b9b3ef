package web

import (
	"net/http"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/webhook"
)

// webhookRecentDeliveries is how many deliveries the page lists.
const webhookRecentDeliveries = 50

type webhooksPage struct {
	Endpoints  []*model.WebhookEndpoint
	Deliveries []*model.WebhookDelivery
	Form       service.WebhookEndpointInput
	// Created and Secret show a new or rotated secret, this once.
	Created *model.WebhookEndpoint
	Secret  string
	Rotated bool
	// OutcomeChoices are the outcomes the form offers (all are posted).
	OutcomeChoices []string
}

func (h *Handler) webhooks(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderWebhooks(w, r, rq, http.StatusOK, &webhooksPage{}, nil)
}

func (h *Handler) renderWebhooks(w http.ResponseWriter, r *http.Request, rq *request, status int, page *webhooksPage, errs fieldErrors) {
	ws := rq.p.Workspace
	var err error
	if page.Endpoints, err = h.svc.WebhookEndpoints(r.Context(), ws); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	if page.Deliveries, err = h.svc.WebhookDeliveries(r.Context(), ws, store.WebhookDeliveryListParams{Limit: webhookRecentDeliveries}); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page.OutcomeChoices = webhook.Outcomes
	v := h.newView(r, rq, "webhooks", "web.webhooks.title")
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "webhooks", v)
}

// webhookForm reads the endpoint form: patterns and outcomes separated by
// commas or spaces.
func webhookForm(r *http.Request) service.WebhookEndpointInput {
	split := func(s string) []string {
		return strings.FieldsFunc(s, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' })
	}
	return service.WebhookEndpointInput{URL: strings.TrimSpace(r.PostFormValue("url")),
		Description: strings.TrimSpace(r.PostFormValue("description")),
		EventTypes:  split(r.PostFormValue("event_types")), Outcomes: r.PostForm["outcomes"]}
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	page := &webhooksPage{Form: webhookForm(r)}
	created, err := h.svc.CreateWebhookEndpoint(r.Context(), ws, &page.Form)
	if err != nil {
		l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
		errs, ok := formErrors(l, err, func(p string) (string, string, bool) {
			name, _, _ := strings.Cut(p, "[")
			return name, "", true
		})
		if !ok {
			h.fail(w, r, rq, err)
			return
		}
		h.renderWebhooks(w, r, rq, http.StatusUnprocessableEntity, page, errs)
		return
	}
	h.renderWebhooks(w, r, rq, http.StatusOK, &webhooksPage{Created: created.Endpoint, Secret: created.Secret}, nil)
}

func (h *Handler) rotateWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	rotated, err := h.svc.RotateWebhookSecret(r.Context(), rq.p.Workspace, r.PathValue("id"), 0)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	h.renderWebhooks(w, r, rq, http.StatusOK, &webhooksPage{Created: rotated.Endpoint, Secret: rotated.Secret, Rotated: true}, nil)
}

func (h *Handler) setWebhookState(w http.ResponseWriter, r *http.Request, rq *request) {
	state := r.PostFormValue("state")
	if _, err := h.svc.SetWebhookEndpointState(r.Context(), rq.p.Workspace, r.PathValue("id"), state); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/webhooks", "webhook_"+state)
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := h.svc.DeleteWebhookEndpoint(r.Context(), rq.p.Workspace, r.PathValue("id")); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/webhooks", "webhook_deleted")
}

func (h *Handler) webhookDelivery(w http.ResponseWriter, r *http.Request, rq *request) {
	d, err := h.svc.WebhookDelivery(r.Context(), rq.p.Workspace, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "webhooks", "web.webhooks.delivery_title", "id", d.Delivery.ID)
	v.Page = d
	h.render(w, r, http.StatusOK, "webhook_delivery", v)
}

func (h *Handler) replayWebhookDelivery(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	if _, err := h.svc.ReplayWebhookDelivery(r.Context(), rq.p.Workspace, id); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/webhooks/deliveries/"+id, "webhook_replayed")
}
