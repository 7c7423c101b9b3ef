package web

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
)

// managed tells, by "Kind/key", which objects configuration files manage
// and which someone changed by hand since the last apply (see
// service.ConfigManaged). The marker is information only: a failure to
// read it is logged and the page shows no marker.
func (h *Handler) managed(r *http.Request, ws *model.Workspace) map[string]string {
	m, err := h.svc.ConfigManaged(r.Context(), ws)
	if err != nil {
		h.logger.Warn("read which objects files manage", "workspace", ws.Key, "err", err)
		return nil
	}
	return m
}
