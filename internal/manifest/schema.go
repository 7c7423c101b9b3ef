package manifest

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// SchemaID is the $id of the published schema; the server serves it at
// /v1/config.schema.json.
const SchemaID = "https://herold.dev/schemas/config/v1.json"

// schema is the subset of JSON Schema the files need. The same value is
// published (Schema) and checked by Parse, so editors and herold validate
// agree.
type schema struct {
	Schema      string             `json:"$schema,omitempty"`
	ID          string             `json:"$id,omitempty"`
	Title       string             `json:"title,omitempty"`
	Type        string             `json:"type,omitempty"`
	Enum        []string           `json:"enum,omitempty"`
	Const       string             `json:"const,omitempty"`
	Properties  map[string]*schema `json:"properties,omitempty"`
	Required    []string           `json:"required,omitempty"`
	Additional  any                `json:"additionalProperties,omitempty"`
	Items       *schema            `json:"items,omitempty"`
	AllOf       []*schema          `json:"allOf,omitempty"`
	If          *schema            `json:"if,omitempty"`
	Then        *schema            `json:"then,omitempty"`
	MinLength   int                `json:"minLength,omitempty"`
	Description string             `json:"description,omitempty"`
}

// additional is the schema of a map's values; nil when unknown fields
// are refused.
func (s *schema) additional() *schema {
	a, _ := s.Additional.(*schema)
	return a
}

// specTypes are the model types behind each kind's spec.
var specTypes = map[string]reflect.Type{
	KindWorkspace: reflect.TypeFor[model.Workspace](),
	KindTemplate:  reflect.TypeFor[model.Template](),
	KindFlow:      reflect.TypeFor[model.Flow](),
	KindProject:   reflect.TypeFor[model.Project](),
	KindSchedule:  reflect.TypeFor[model.Schedule](),
}

var (
	specSchemas   map[string]*schema
	publishedOnce sync.Once
	published     []byte
)

func init() {
	specSchemas = map[string]*schema{}
	for kind, t := range specTypes {
		s := typeSchema(t)
		for _, k := range dropped[kind] {
			delete(s.Properties, k)
		}
		specSchemas[kind] = s
	}
}

// typeSchema derives a schema from a model type's JSON form.
func typeSchema(t reflect.Type) *schema {
	switch t {
	case reflect.TypeFor[time.Time]():
		return &schema{Type: "string"}
	case reflect.TypeFor[model.NotificationStatus]():
		return &schema{Type: "string", Enum: []string{string(model.StatusActive), string(model.StatusInactive), string(model.StatusConfirm)}}
	case reflect.TypeFor[model.ThrottleScope]():
		return &schema{Type: "string", Enum: []string{string(model.ThrottleCategory), string(model.ThrottleNotification), string(model.ThrottleKey)}}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return typeSchema(t.Elem())
	case reflect.String:
		return &schema{Type: "string"}
	case reflect.Bool:
		return &schema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &schema{Type: "integer"}
	case reflect.Float32, reflect.Float64:
		return &schema{Type: "number"}
	case reflect.Slice:
		return &schema{Type: "array", Items: typeSchema(t.Elem())}
	case reflect.Map:
		return &schema{Type: "object", Additional: typeSchema(t.Elem())}
	case reflect.Struct:
		s := &schema{Type: "object", Properties: map[string]*schema{}, Additional: false}
		for f := range t.Fields() {
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			s.Properties[cmpOr(name, f.Name)] = typeSchema(f.Type)
		}
		return s
	}
	return &schema{} // any JSON value (attributes)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// fileSchema is documentSchema, built once.
var fileSchema = sync.OnceValue(documentSchema)

// documentSchema is the schema of one file.
func documentSchema() *schema {
	kinds := slices.Clone(Kinds)
	s := &schema{
		Schema: "https://json-schema.org/draft/2020-12/schema",
		ID:     SchemaID,
		Title:  "Herold configuration file",
		Type:   "object",
		Properties: map[string]*schema{
			"apiVersion": {Type: "string", Const: APIVersion},
			"kind":       {Type: "string", Enum: kinds},
			"metadata": {Type: "object", Required: []string{"name"}, Additional: false,
				Properties: map[string]*schema{"name": {Type: "string", MinLength: 1, Description: "the object's key"}}},
			"spec": {Type: "object"},
		},
		Required:   []string{"apiVersion", "kind", "metadata", "spec"},
		Additional: false,
	}
	for _, k := range Kinds {
		s.AllOf = append(s.AllOf, &schema{
			If:   &schema{Properties: map[string]*schema{"kind": {Const: k}}},
			Then: &schema{Properties: map[string]*schema{"spec": specSchemas[k]}},
		})
	}
	return s
}

// Schema is the JSON Schema of the files (indented JSON, stable bytes).
func Schema() []byte {
	publishedOnce.Do(func() {
		b, err := json.MarshalIndent(fileSchema(), "", "  ")
		if err != nil {
			panic(err)
		}
		published = append(b, '\n')
	})
	return published
}
