package client

import (
	"cmp"
	"context"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"strconv"
)

// page is the shape of every list answer.
type page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// list walks a list page by page with the API's cursors. It stops at the
// first error, which it yields with a nil item; breaking out of the loop
// fetches no further page.
func list[T any](ctx context.Context, c *Client, path string, q url.Values, pageSize int) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		q := maps.Clone(q)
		if q == nil {
			q = url.Values{}
		}
		if n := cmp.Or(pageSize, c.pageSize); n > 0 {
			q.Set("limit", strconv.Itoa(n))
		}
		for {
			var pg page[T]
			if err := c.do(ctx, &request{method: http.MethodGet, path: path, query: q, out: &pg}); err != nil {
				yield(nil, err)
				return
			}
			for i := range pg.Items {
				if !yield(&pg.Items[i], nil) {
					return
				}
			}
			if pg.NextCursor == "" {
				return
			}
			q.Set("cursor", pg.NextCursor)
		}
	}
}

// setIf sets a query parameter when v is not empty.
func setIf(q url.Values, name, v string) {
	if v != "" {
		q.Set(name, v)
	}
}
