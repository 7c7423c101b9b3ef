package httpapi

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

type flowInput struct {
	Key           string               `json:"key"`
	Name          string               `json:"name"`
	Description   string               `json:"description"`
	Sender        model.Sender         `json:"sender"`
	Notifications []model.Notification `json:"notifications"`
}

func (h *Handler) listFlows(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	list(h, w, r, p, h.svc.FlowList)
}

func (h *Handler) getFlow(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	f, err := h.svc.FlowGet(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, f, err)
}

func (h *Handler) putFlow(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	key := r.PathValue("key")
	var in flowInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("key", in.Key, key); err != nil {
		h.writeError(w, r, err)
		return
	}
	f := &model.Flow{Key: key, Name: in.Name, Description: in.Description, Sender: in.Sender, Notifications: in.Notifications}
	created, err := h.svc.FlowPut(r.Context(), p.Workspace, f)
	h.respond(w, r, putStatus(created), f, err)
}

func (h *Handler) deleteFlow(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.FlowDelete(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}

func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	f, err := h.svc.FlowGet(r.Context(), p.Workspace, r.PathValue("key"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageResponse[model.Notification]{Items: f.Notifications})
}

func (h *Handler) addNotification(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var n model.Notification
	if err := decode(r, &n); err != nil {
		h.writeError(w, r, err)
		return
	}
	err := h.svc.NotificationAdd(r.Context(), p.Workspace, r.PathValue("key"), &n)
	h.respond(w, r, http.StatusCreated, n, err)
}

func (h *Handler) getNotification(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	n, err := h.svc.NotificationGet(r.Context(), p.Workspace, r.PathValue("key"), r.PathValue("nkey"))
	h.respond(w, r, http.StatusOK, n, err)
}

func (h *Handler) putNotification(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	nkey := r.PathValue("nkey")
	var n model.Notification
	if err := decode(r, &n); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("key", n.Key, nkey); err != nil {
		h.writeError(w, r, err)
		return
	}
	n.Key = nkey
	created, err := h.svc.NotificationPut(r.Context(), p.Workspace, r.PathValue("key"), &n)
	h.respond(w, r, putStatus(created), n, err)
}

func (h *Handler) deleteNotification(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.NotificationDelete(r.Context(), p.Workspace, r.PathValue("key"), r.PathValue("nkey"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}
