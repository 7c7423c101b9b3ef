package httpapi

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIScopesMatchRoutes fails when an operation's x-herold-scopes
// differ from the scopes its route accepts, so a client reading the
// document learns what a key may call.
func TestOpenAPIScopesMatchRoutes(t *testing.T) {
	t.Parallel()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	for _, rt := range New(Config{}).routeTab {
		if rt.scopes == nil {
			continue
		}
		want := make([]string, len(rt.scopes))
		for i, s := range rt.scopes {
			want[i] = string(s)
		}
		var op struct {
			Scopes []string `json:"x-herold-scopes"`
		}
		if err := json.Unmarshal(doc.Paths[rt.path][strings.ToLower(rt.method)], &op); err != nil {
			t.Fatalf("%s %s: %v", rt.method, rt.path, err)
		}
		got := op.Scopes
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s %s: x-herold-scopes %v, route accepts %v", rt.method, rt.path, got, want)
		}
	}
}

// TestRouteScopes: the command line reads the scopes of the routes it
// calls from the route table.
func TestRouteScopes(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		method, path string
		want         []string
		ok           bool
	}{
		{"POST", "/v1/plan", []string{"admin"}, true},
		{"POST", "/v1/events", []string{"admin", "ingest"}, true},
		{"GET", "/v1/config.schema.json", nil, true},
		{"GET", "/v1/plan", nil, false},
	} {
		got, ok := RouteScopes(tt.method, tt.path)
		var names []string
		for _, s := range got {
			names = append(names, string(s))
		}
		if ok != tt.ok || !slices.Equal(names, tt.want) {
			t.Errorf("RouteScopes(%s, %s) = %v, %v; want %v, %v", tt.method, tt.path, names, ok, tt.want, tt.ok)
		}
	}
}
