package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
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

// pageParams reads ?limit= and ?cursor=.
func pageParams(r *http.Request) (service.PageParams, error) {
	var p service.PageParams
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > service.MaxPageSize {
			return p, &service.ValidationError{Fields: []service.FieldError{{Field: "limit", Code: service.CodeInvalid,
				Detail: "must be a whole number from 1 to " + strconv.Itoa(service.MaxPageSize)}}}
		}
		p.Limit = n
	}
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			return p, &service.ValidationError{Fields: []service.FieldError{{Field: "cursor", Code: service.CodeInvalid,
				Detail: "is not a cursor returned by this API; start without it"}}}
		}
		p.After = string(b)
	}
	return p, nil
}

func writePage[T any](w http.ResponseWriter, pg *service.Page[T]) {
	resp := pageResponse[T]{Items: pg.Items}
	if pg.Next != "" {
		resp.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(pg.Next))
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
	pp, err := pageParams(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	pg, err := fn(r.Context(), p.Workspace, pp)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writePage(w, pg)
}
