package httpapi

import (
	"context"
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// watcherRoutes are the routes of watchers, in a block of their own: host
// apps add and remove the contacts that follow an object one at a time.
func (h *Handler) watcherRoutes() []route {
	return []route{
		{"GET", "/v1/objects/{collection}/{id}/watchers", sync, false, h.listWatchers},
		{"PUT", "/v1/objects/{collection}/{id}/watchers/{contact}", sync, false, h.putWatcher},
		{"DELETE", "/v1/objects/{collection}/{id}/watchers/{contact}", sync, false, h.deleteWatcher},
		{"GET", "/v1/contacts/{id}/watching", sync, false, h.listWatching},
	}
}

// watchersResponse is an object's watchers.
type watchersResponse struct {
	Collection string   `json:"collection"`
	ID         string   `json:"id"`
	Watchers   []string `json:"watchers"`
}

func (h *Handler) listWatchers(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	h.listWatchersStatus(w, r, p, objectRef(r), http.StatusOK)
}

// putWatcher answers 201 when the contact was added, 200 when it watched
// the object already, with the watchers after the change.
func (h *Handler) putWatcher(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	ref := objectRef(r)
	added, err := h.svc.WatcherAdd(r.Context(), p.Workspace, ref, r.PathValue("contact"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.listWatchersStatus(w, r, p, ref, putStatus(added))
}

func (h *Handler) listWatchersStatus(w http.ResponseWriter, r *http.Request, p *service.Principal, ref model.ObjectRef, status int) {
	ids, err := h.svc.WatcherList(r.Context(), p.Workspace, ref)
	h.respond(w, r, status, watchersResponse{Collection: ref.Collection, ID: ref.ID, Watchers: ids}, err)
}

func (h *Handler) deleteWatcher(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.WatcherRemove(r.Context(), p.Workspace, objectRef(r), r.PathValue("contact"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}

func (h *Handler) listWatching(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	id := r.PathValue("id")
	list(h, w, r, p, func(ctx context.Context, ws *model.Workspace, pp service.PageParams) (*service.Page[model.ObjectRef], error) {
		return h.svc.WatchedList(ctx, ws, id, pp)
	})
}
