// Package manifest is Herold's configuration as code: one YAML file per
// object (templates, flows, projects, schedules, the workspace's
// settings), each with apiVersion, kind, metadata and spec. It writes
// them byte-stable (Encode), reads them with the line and column of
// every value (Parse), checks them against the published JSON Schema,
// against each other and with the real template and condition engines
// (Check), and compares two sets field by field (Diff). It does no I/O
// beyond what its callers hand it: the server plans and applies.
package manifest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/herold-dev/herold/internal/model"
)

// APIVersion is the apiVersion of every file.
const APIVersion = "herold/v1"

// Kinds of documents, in the order they are applied (a flow refers to
// templates, a project to a flow, a schedule to a project).
const (
	KindWorkspace = "Workspace"
	KindTemplate  = "Template"
	KindFlow      = "Flow"
	KindProject   = "Project"
	KindSchedule  = "Schedule"
)

// Kinds lists the kinds in apply order.
var Kinds = []string{KindWorkspace, KindTemplate, KindFlow, KindProject, KindSchedule}

// kindRank orders documents for output and apply.
func kindRank(kind string) int { return slices.Index(Kinds, kind) }

// Metadata names a document's object.
type Metadata struct {
	// Name is the object's key (the workspace's key for Workspace).
	Name string `json:"name"`
}

// Document is one object as a file holds it.
type Document struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Metadata   Metadata `json:"metadata"`
	// Spec is the object without its key and without what the server
	// keeps by itself (timestamps, versions, the next run), as JSON
	// values (json.Number for numbers), zero values left out.
	Spec map[string]any `json:"spec"`
	// File is the path the document was read from, "" for documents made
	// from the server.
	File string `json:"-"`
	// pos locates every value of a parsed file by path; texts the lines
	// of its text values, where they stand as written.
	pos   positions
	texts texts
}

// ID is "Kind/name", unique within a set.
func (d *Document) ID() string { return d.Kind + "/" + d.Metadata.Name }

// Path is the file an export writes the document to: workspace.yaml, or
// templates/KEY.yaml, flows/KEY.yaml, projects/KEY.yaml and
// schedules/KEY.yaml.
func (d *Document) Path() string {
	if d.Kind == KindWorkspace {
		return "workspace.yaml"
	}
	return dirOf[d.Kind] + "/" + d.Metadata.Name + ".yaml"
}

var dirOf = map[string]string{
	KindTemplate: "templates", KindFlow: "flows", KindProject: "projects", KindSchedule: "schedules",
}

// Sort orders documents by kind (apply order), then name.
func Sort(docs []*Document) {
	slices.SortFunc(docs, func(a, b *Document) int {
		return cmp.Or(cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)), cmp.Compare(a.Metadata.Name, b.Metadata.Name))
	})
}

// Config is a workspace's configuration as the server holds it.
type Config struct {
	// Workspace, when set, contributes its settings (never its allowed
	// senders: only the operator sets those).
	Workspace *model.Workspace
	Templates []*model.Template
	Flows     []*model.Flow
	Projects  []*model.Project
	Schedules []*model.Schedule
}

// Fields the server keeps by itself, left out of specs.
var dropped = map[string][]string{
	KindWorkspace: {"key", "allowed_senders", "created_at", "updated_at"},
	KindTemplate:  {"key", "created_at", "updated_at"},
	KindFlow:      {"key", "version", "created_at", "updated_at"},
	KindProject:   {"key", "created_at", "updated_at"},
	KindSchedule:  {"key", "next_run_at", "created_at", "updated_at"},
}

// Documents turns a configuration into documents, sorted.
func Documents(c *Config) ([]*Document, error) {
	var docs []*Document
	add := func(kind, name string, v any) error {
		d, err := NewDocument(kind, name, v)
		if err != nil {
			return err
		}
		docs = append(docs, d)
		return nil
	}
	var errs []error
	if c.Workspace != nil {
		errs = append(errs, add(KindWorkspace, c.Workspace.Key, c.Workspace))
	}
	for _, t := range c.Templates {
		errs = append(errs, add(KindTemplate, t.Key, t))
	}
	for _, f := range c.Flows {
		errs = append(errs, add(KindFlow, f.Key, f))
	}
	for _, p := range c.Projects {
		errs = append(errs, add(KindProject, p.Key, p))
	}
	for _, s := range c.Schedules {
		errs = append(errs, add(KindSchedule, s.Key, s))
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	Sort(docs)
	return docs, nil
}

// NewDocument makes the document of one model object (*model.Template,
// *model.Flow, ...).
func NewDocument(kind, name string, v any) (*Document, error) {
	spec, err := toJSONMap(v)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, name, err)
	}
	for _, k := range dropped[kind] {
		delete(spec, k)
	}
	pruneZero(spec)
	return &Document{APIVersion: APIVersion, Kind: kind, Metadata: Metadata{Name: name}, Spec: spec}, nil
}

// Object decodes the document into its model type (*model.Template,
// *model.Flow, *model.Project, *model.Schedule or *model.Workspace with
// only the settings set).
func (d *Document) Object() (any, error) {
	m := make(map[string]any, len(d.Spec)+1)
	for k, v := range d.Spec {
		m[k] = v
	}
	m["key"] = d.Metadata.Name
	var v any
	switch d.Kind {
	case KindWorkspace:
		v = new(model.Workspace)
	case KindTemplate:
		v = new(model.Template)
	case KindFlow:
		v = new(model.Flow)
	case KindProject:
		v = new(model.Project)
	case KindSchedule:
		v = new(model.Schedule)
	default:
		return nil, fmt.Errorf("unknown kind %q", d.Kind)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("%s: %w", d.ID(), err)
	}
	return v, nil
}

// toJSONMap is v as JSON values, numbers as json.Number.
func toJSONMap(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	return m, dec.Decode(&m)
}

// freeData are the keys whose values are the host application's data:
// kept exactly, empty values included.
var freeData = map[string]bool{"attributes": true}

// pruneZero removes empty strings, false, zero numbers, nulls and empty
// lists and maps, so that a file need not spell out defaults and the
// server's and the file's form of one object compare equal.
func pruneZero(m map[string]any) {
	for k, v := range m {
		if freeData[k] {
			if mv, ok := v.(map[string]any); ok && len(mv) == 0 {
				delete(m, k)
			}
			continue
		}
		if isZero(v) {
			delete(m, k)
		}
	}
}

func isZero(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case bool:
		return !x
	case json.Number:
		f, err := x.Float64()
		return err == nil && f == 0
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				pruneZero(m)
			}
		}
		return len(x) == 0
	case map[string]any:
		pruneZero(x)
		return len(x) == 0
	}
	return false
}

// LeaveOutDefaults removes from d's spec every value the server fills in
// by itself when a file leaves it out, so that an export does not spell
// out defaults. same reports whether a document, read as a file, gives
// the object d describes: a value goes when same still holds without it.
// Values are tried in the order of their keys, each map before what it
// holds; of two fields that fill each other (a notification's channels
// and the older channel), the first goes and the second stays. A
// document same does not accept as it is stays as it is.
func (d *Document) LeaveOutDefaults(same func(*Document) bool) {
	if !same(d) {
		return
	}
	leaveOut(d.Spec, func() bool { return same(d) })
}

func leaveOut(m map[string]any, same func() bool) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		delete(m, k)
		if same() {
			continue
		}
		m[k] = v
		if freeData[k] {
			continue // the host application's data: no defaults inside
		}
		switch x := v.(type) {
		case map[string]any:
			leaveOut(x, same)
		case []any:
			for _, e := range x {
				if em, ok := e.(map[string]any); ok {
					leaveOut(em, same)
				}
			}
		}
	}
}

// State is the revision id of a configuration: a digest of its documents
// in their canonical form. Any change to any object changes it; a plan
// carries the state it was made against, and apply refuses when the
// server's state differs.
func State(docs []*Document) string {
	sorted := slices.Clone(docs)
	Sort(sorted)
	h := sha256.New()
	for _, d := range sorted {
		raw, _ := json.Marshal(d) // maps marshal with sorted keys
		h.Write(raw)
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// Canonical is the document as JSON (sorted keys), for comparing and for
// recording in a revision.
func (d *Document) Canonical() []byte {
	raw, _ := json.Marshal(d)
	return raw
}

// WithSpec is a copy of d with another spec, keeping its file and
// positions.
func (d *Document) WithSpec(spec map[string]any) *Document {
	c := *d
	c.Spec = spec
	return &c
}
