package manifest

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
)

// Actions of a Change.
const (
	ActionCreate = "create"
	ActionChange = "change"
	ActionDelete = "delete"
)

// Change is what a plan does to one object.
type Change struct {
	Action string `json:"action"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	// File is the file the object comes from (not for deletions).
	File string `json:"file,omitempty"`
	// Fields are the values that change, by path (for changes).
	Fields []FieldChange `json:"fields,omitempty"`
}

// FieldChange is one value that changes. A nil Old is a new value, a nil
// New one that goes away.
type FieldChange struct {
	// Path is the value's path in the spec: "locales.de.subject",
	// "notifications[job-requested].status" (notifications by key).
	Path string `json:"path"`
	Old  any    `json:"old,omitempty"`
	New  any    `json:"new,omitempty"`
}

// Diff compares the server's documents with the files' and lists what
// applying the files creates and changes, plus the deletion of each of
// remove (the IDs of objects to prune). Changes come in apply order;
// unchanged objects are left out.
func Diff(current, desired []*Document, remove []string) []Change {
	byID := map[string]*Document{}
	for _, d := range current {
		byID[d.ID()] = d
	}
	out := []Change{} // an empty list, not null, in the answers of plan and apply
	for _, d := range desired {
		cur := byID[d.ID()]
		if cur == nil {
			out = append(out, Change{Action: ActionCreate, Kind: d.Kind, Name: d.Metadata.Name, File: d.File})
			continue
		}
		if fields := diffSpecs(cur.Spec, d.Spec); len(fields) > 0 {
			out = append(out, Change{Action: ActionChange, Kind: d.Kind, Name: d.Metadata.Name, File: d.File, Fields: fields})
		}
	}
	for _, id := range remove {
		kind, name, _ := strings.Cut(id, "/")
		out = append(out, Change{Action: ActionDelete, Kind: kind, Name: name})
	}
	slices.SortStableFunc(out, func(a, b Change) int {
		// Deletions last, in reverse apply order (a schedule before its project).
		ra, rb := kindRank(a.Kind), kindRank(b.Kind)
		if (a.Action == ActionDelete) != (b.Action == ActionDelete) {
			if a.Action == ActionDelete {
				return 1
			}
			return -1
		}
		if a.Action == ActionDelete {
			ra, rb = rb, ra
		}
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

func diffSpecs(old, new map[string]any) []FieldChange {
	a, b := map[string]any{}, map[string]any{}
	flatten("", old, a)
	flatten("", new, b)
	paths := map[string]bool{}
	for p := range a {
		paths[p] = true
	}
	for p := range b {
		paths[p] = true
	}
	var out []FieldChange
	for p := range paths {
		if !sameJSON(a[p], b[p]) {
			out = append(out, FieldChange{Path: p, Old: a[p], New: b[p]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// flatten maps every leaf value to its path. Lists of objects that all
// have a key are entered by key, so that adding one notification does
// not shift the others; other lists are leaves.
func flatten(path string, v any, out map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 && path != "" {
			out[path] = x
		}
		for k, e := range x {
			flatten(join(path, k), e, out)
		}
	case []any:
		keys := make([]string, 0, len(x))
		for _, e := range x {
			m, ok := e.(map[string]any)
			k, _ := m["key"].(string)
			if !ok || k == "" || slices.Contains(keys, k) {
				out[path] = x
				return
			}
			keys = append(keys, k)
		}
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%s]", path, keys[i]), e, out)
		}
	default:
		out[path] = v
	}
}

func sameJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// WriteText writes changes for people: "+ Flow standard (flows/standard.yaml)",
// "~ Template welcome" with one line per field, "- Project old".
func WriteText(w io.Writer, changes []Change) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "No changes: the server matches the files.")
		return
	}
	sign := map[string]string{ActionCreate: "+", ActionChange: "~", ActionDelete: "-"}
	for _, c := range changes {
		line := fmt.Sprintf("%s %s %s", sign[c.Action], c.Kind, c.Name)
		if c.File != "" {
			line += " (" + c.File + ")"
		}
		fmt.Fprintln(w, line)
		for _, f := range c.Fields {
			fmt.Fprintf(w, "    %s: %s → %s\n", f.Path, show(f.Old), show(f.New))
		}
	}
}

func show(v any) string {
	if v == nil {
		return "(none)"
	}
	b, _ := json.Marshal(v)
	if r := []rune(string(b)); len(r) > 80 {
		return string(r[:77]) + "..."
	}
	return string(b)
}
