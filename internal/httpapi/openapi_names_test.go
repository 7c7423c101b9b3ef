package httpapi

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode"
)

// TestOpenAPINamesDoNotCollide: generators (oapi-codegen at default
// settings) make one Go type per schema, parameter and response of
// components, named in CamelCase; a parameter "event" next to the schema
// "Event" made two types Event and the generated client did not compile.
func TestOpenAPINamesDoNotCollide(t *testing.T) {
	t.Parallel()
	var doc struct {
		Components map[string]map[string]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	camel := func(s string) string {
		var b strings.Builder
		up := true
		for _, r := range s {
			if r == '_' || r == '-' || r == '.' {
				up = true
				continue
			}
			if up {
				r, up = unicode.ToUpper(r), false
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	seen := map[string]string{}
	for _, kind := range []string{"schemas", "parameters", "responses", "requestBodies", "headers"} {
		for name := range doc.Components[kind] {
			typ := camel(name)
			if other, ok := seen[typ]; ok {
				t.Errorf("components %s %q and %s both become the Go type %s", kind, name, other, typ)
			}
			seen[typ] = kind + " " + name
		}
	}
}
