package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// Bounds of the editor's sample choice and placeholder list.
const (
	// recentSamples is how many recent events the preview's data can be
	// taken from.
	recentSamples = 5
	// maxPlaceholders bounds the placeholder list.
	maxPlaceholders = 100
	// placeholderDepth is how deep below .data the list goes.
	placeholderDepth = 3
)

// placeholderHint is a placeholder seen in the data of recent events, with
// one value it had.
type placeholderHint struct {
	// Path is the placeholder, e.g. ".data.shift.start".
	Path    string
	Example string
}

// Action is the template action that prints the placeholder.
func (p placeholderHint) Action() string { return "{{ " + p.Path + " }}" }

// templateEventTypes are the event types of the notifications that use
// the template key.
func templateEventTypes(flows []*model.Flow, key string) []string {
	var types []string
	for _, f := range flows {
		for _, n := range f.Notifications {
			if n.Template == key && !slices.Contains(types, n.EventType) {
				types = append(types, n.EventType)
			}
		}
	}
	sort.Strings(types)
	return types
}

// recentEvents are the latest events of the types in the workspace,
// newest first, at most recentSamples.
func (h *Handler) recentEvents(r *http.Request, ws *model.Workspace, types []string) ([]*model.Event, error) {
	var out []*model.Event
	for _, typ := range types {
		pg, err := h.svc.EventList(r.Context(), ws, service.EventFilter{Type: typ,
			PageParams: service.PageParams{Limit: recentSamples}})
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ReceivedAt.After(out[j].ReceivedAt) })
	if len(out) > recentSamples {
		out = out[:recentSamples]
	}
	return out, nil
}

// loadSamples offers the latest events of the template's event types as
// the preview's data (the latest by default) and their data's fields as
// placeholders.
func (h *Handler) loadSamples(r *http.Request, ws *model.Workspace, ed *templateEditor, flows []*model.Flow) error {
	var err error
	if ed.Samples, err = h.recentEvents(r, ws, templateEventTypes(flows, ed.Key)); err != nil {
		return err
	}
	ed.Placeholders = placeholderHints(ed.Samples)
	return h.editorSample(r, ws, ed)
}

// editorSample fills the editor's sample data from the event the query's
// "sample" names (default the latest), or, for "generated" or without
// events, from the placeholders the content uses.
func (h *Handler) editorSample(r *http.Request, ws *model.Workspace, ed *templateEditor) error {
	ed.SampleFrom = r.URL.Query().Get("sample")
	if ed.SampleFrom == "" && len(ed.Samples) > 0 {
		ed.SampleFrom = ed.Samples[0].ID
	}
	for _, ev := range ed.Samples {
		if ev.ID != ed.SampleFrom {
			continue
		}
		data, err := h.svc.EventSample(r.Context(), ws, ev.ID)
		if err != nil {
			return err
		}
		if len(data[model.RootRecipient].(map[string]any)) == 0 {
			// Nobody to address: the generated recipient stands in.
			var gen map[string]any
			_ = json.Unmarshal([]byte(sampleData(ed.Locale, ed.Content)), &gen)
			data[model.RootRecipient] = gen[model.RootRecipient]
		}
		b, err := json.MarshalIndent(data, "", "  ")
		if err != nil {
			return err
		}
		ed.SampleData = string(b)
		return nil
	}
	ed.SampleFrom = fromGenerated
	ed.SampleData = sampleData(ed.Locale, ed.Content)
	return nil
}

// placeholderHints lists the placeholders below .data that the events'
// data has, each with its latest value.
func placeholderHints(events []*model.Event) []placeholderHint {
	seen := map[string]string{}
	var walk func(prefix string, v any, depth int)
	walk = func(prefix string, v any, depth int) {
		if len(seen) >= maxPlaceholders {
			return
		}
		if m, ok := v.(map[string]any); ok && depth < placeholderDepth {
			for k, x := range m {
				if identifier.MatchString(k) {
					walk(prefix+"."+k, x, depth+1)
				}
			}
			return
		}
		if _, ok := seen[prefix]; !ok {
			seen[prefix] = exampleOf(v)
		}
	}
	for _, ev := range events {
		walk("."+model.RootData, ev.Data, 0)
	}
	out := make([]placeholderHint, 0, len(seen))
	for p, ex := range seen {
		if p != "."+model.RootData {
			out = append(out, placeholderHint{Path: p, Example: ex})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// identifier matches a key that can follow a dot in a template.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// exampleOf shows a value briefly.
func exampleOf(v any) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []any:
		s = fmt.Sprintf("[…] (%d)", len(x))
	case map[string]any:
		s = "{…}"
	default:
		b, _ := json.Marshal(x)
		s = string(b)
	}
	if utf8.RuneCountInString(s) > 40 {
		s = string([]rune(s)[:39]) + "…"
	}
	return strings.TrimSpace(s)
}
