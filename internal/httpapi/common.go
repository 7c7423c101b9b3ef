package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// pageResponse is the shape of every list response.
type pageResponse[T any] struct {
	Items []T `json:"items"`
	// NextCursor fetches the next page (?cursor=); absent on the last page.
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageParams reads ?limit= and ?cursor=. A cursor is good only for the
// list (path and filters) and workspace it was handed out for.
func (h *Handler) pageParams(r *http.Request, p *service.Principal) (service.PageParams, error) {
	var pp service.PageParams
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > service.MaxPageSize {
			return pp, &service.ValidationError{Fields: []service.FieldError{{Field: "limit", Code: service.CodeInvalid,
				Detail: "must be a whole number from 1 to " + strconv.Itoa(service.MaxPageSize)}}}
		}
		pp.Limit = n
	}
	if c := q.Get("cursor"); c != "" {
		after, err := h.svc.CursorOpen(r.Context(), p.Workspace, listName(r), c)
		if err != nil {
			return pp, err
		}
		pp.After = after
	}
	return pp, nil
}

// listName names the list a request pages through: its path and its
// filters, that is the query without cursor and limit (a client may
// change the page size between pages, not the filters).
func listName(r *http.Request) string {
	q := r.URL.Query()
	q.Del("cursor")
	q.Del("limit")
	for k, vs := range q {
		if !slices.ContainsFunc(vs, func(v string) bool { return v != "" }) {
			q.Del(k) // ?status= filters nothing, like no status at all
		}
	}
	return r.URL.Path + "?" + q.Encode()
}

// writePage writes a page with the cursor of the next one.
func writePage[T any](h *Handler, w http.ResponseWriter, r *http.Request, p *service.Principal, pg *service.Page[T]) {
	resp := pageResponse[T]{Items: pg.Items}
	if pg.Next != "" {
		c, err := h.svc.CursorSeal(r.Context(), p.Workspace, listName(r), pg.Next)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		resp.NextCursor = c
	}
	writeJSON(w, http.StatusOK, resp)
}

// putStatus is 201 for a created resource, 200 for a replaced one.
func putStatus(created bool) int {
	if created {
		return http.StatusCreated
	}
	return http.StatusOK
}

// samePathKey rejects a body key that differs from the path's.
func samePathKey(field, body, path string) error {
	if body != "" && body != path {
		return &service.ValidationError{Fields: []service.FieldError{{Field: field, Code: service.CodeMismatch,
			Detail: "differs from the " + field + " in the URL (" + path + "); omit it or make them equal"}}}
	}
	return nil
}

// respond writes v with status, or the problem for err.
func (h *Handler) respond(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	writeJSON(w, status, v)
}

// list serves a paginated list.
func list[T any](h *Handler, w http.ResponseWriter, r *http.Request, p *service.Principal,
	fn func(context.Context, *model.Workspace, service.PageParams) (*service.Page[T], error),
) {
	pp, err := h.pageParams(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	pg, err := fn(r.Context(), p.Workspace, pp)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writePage(h, w, r, p, pg)
}
