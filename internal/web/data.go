package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
)

// Event data and attributes on a page: the API refuses documents beyond
// model.CheckData's limits, but data stored before them can be anything
// (9,990 levels deep, 100,000 values), and indenting each level anew made
// the page grow with the square of the depth. So pages show JSON indented
// only down to a few levels and compact below, and cut it off at a size
// with a link to the whole as a download.
const (
	// maxDataView bounds the JSON a page shows of one document.
	maxDataView = 64 << 10
	// maxIndentLevels is how many levels are indented; members of deeper
	// objects and arrays follow each other on one line.
	maxIndentLevels = 6
)

// dataView is a document as a page shows it.
type dataView struct {
	Text string
	// Cut is true when Text stops at maxDataView; the page then links to
	// the download.
	Cut bool
	// KB is maxDataView in kilobytes, for the note.
	KB int
}

// viewJSON renders a decoded JSON document for a page in time and space
// linear in what it shows, at most maxDataView bytes.
func viewJSON(v any) dataView {
	w := jsonView{max: maxDataView}
	w.value(v, 0)
	return dataView{Text: w.b.String(), Cut: w.cut, KB: maxDataView >> 10}
}

// jsonView writes JSON up to max bytes, then stops (cut).
type jsonView struct {
	b   strings.Builder
	max int
	cut bool
}

func (w *jsonView) write(s string) {
	if w.cut {
		return
	}
	if room := w.max - w.b.Len(); len(s) > room {
		s = s[:room]
		for len(s) > 0 {
			if r, size := utf8.DecodeLastRuneInString(s); r != utf8.RuneError || size > 1 {
				break
			}
			s = s[:len(s)-1] // do not end in half a character
		}
		w.b.WriteString(s)
		w.cut = true
		return
	}
	w.b.WriteString(s)
}

// value writes v, a value at level (the document is level 0).
func (w *jsonView) value(v any, level int) {
	if w.cut {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		w.container("{", "}", level, len(keys), func(i int, sep string) {
			w.write(w.quote(keys[i]))
			w.write(sep)
			w.value(x[keys[i]], level+1)
		})
	case []any:
		w.container("[", "]", level, len(x), func(i int, _ string) { w.value(x[i], level+1) })
	case string:
		w.write(w.quote(x))
	case json.Number:
		w.write(string(x))
	case nil:
		w.write("null")
	default:
		b, err := json.Marshal(x)
		if err != nil {
			b = []byte(fmt.Sprint(x))
		}
		w.write(string(b))
	}
}

// container writes the n members of an object or array at level, indented
// on lines of their own while they are no deeper than maxIndentLevels.
func (w *jsonView) container(open, close string, level, n int, member func(i int, keySep string)) {
	if n == 0 {
		w.write(open + close)
		return
	}
	indent := level < maxIndentLevels
	sep, keySep := ",", ":"
	if indent {
		keySep = ": "
	}
	w.write(open)
	for i := 0; i < n && !w.cut; i++ {
		if i > 0 {
			w.write(sep)
		}
		if indent {
			w.write("\n" + strings.Repeat("  ", level+1))
		}
		member(i, keySep)
	}
	if indent {
		w.write("\n" + strings.Repeat("  ", level))
	}
	w.write(close)
}

// quote writes s as a JSON string (as written, not HTML-escaped: the page
// template escapes), no longer than what still fits.
func (w *jsonView) quote(s string) string {
	if room := w.max - w.b.Len(); len(s) > room {
		s = s[:max(room, 0)]
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(b.String(), "\n")
}

// jsonFile serves a stored document whole as a JSON file to download
// (never shown in the browser): what a page cuts off. find looks it up in
// the signed-in user's workspace by the id in the URL and names the file.
func (h *Handler) jsonFile(find func(ctx context.Context, ws *model.Workspace, id string) (name string, doc any, err error)) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, rq *request) {
		name, doc, err := find(r.Context(), rq.p.Workspace, r.PathValue("id"))
		if err != nil {
			h.fail(w, r, rq, err)
			return
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc); err != nil {
			h.serverError(w, r, rq, fmt.Errorf("encode %s: %w", name, err))
			return
		}
		hd := w.Header()
		hd.Set("Content-Type", "application/json")
		hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.json"`, fileName(name)))
		hd.Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	}
}

// eventData finds an event's data for jsonFile.
func (h *Handler) eventData(ctx context.Context, ws *model.Workspace, id string) (string, any, error) {
	ev, err := h.svc.EventGet(ctx, ws, id)
	if err != nil {
		return "", nil, err
	}
	return "event-" + ev.ID + "-data", ev.Data, nil
}

// contactAttributes finds a contact's attributes for jsonFile.
func (h *Handler) contactAttributes(ctx context.Context, ws *model.Workspace, id string) (string, any, error) {
	c, err := h.svc.ContactGet(ctx, ws, id)
	if err != nil {
		return "", nil, err
	}
	return "contact-" + c.ID + "-attributes", c.Attributes, nil
}
