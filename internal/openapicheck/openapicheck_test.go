package openapicheck

import (
	"encoding/json"
	"strings"
	"testing"
)

func decode(t *testing.T, text string) any {
	t.Helper()
	v, err := Decode([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestExampleCheckerRefuses checks that the checker finds each kind of
// mismatch it is meant to find (so that a test using it can fail).
func TestExampleCheckerRefuses(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"components": map[string]any{"schemas": map[string]any{
		"Time": map[string]any{"type": "string", "format": "date-time"},
		"Item": map[string]any{"type": "object", "additionalProperties": false, "required": []any{"id", "at"},
			"properties": map[string]any{
				"id":    map[string]any{"type": "string", "minLength": json.Number("2"), "pattern": "^[a-z]+$"},
				"at":    map[string]any{"$ref": "#/components/schemas/Time"},
				"n":     map[string]any{"type": "integer", "minimum": json.Number("0")},
				"kind":  map[string]any{"enum": []any{"a", "b"}},
				"tags":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "maxItems": json.Number("2")},
				"maybe": map[string]any{"type": []any{"string", "null"}},
				"one": map[string]any{"oneOf": []any{
					map[string]any{"type": "string"}, map[string]any{"type": "integer"}}},
			}},
	}}}
	c := &Checker{doc: doc}
	item := map[string]any{"$ref": "#/components/schemas/Item"}
	good := `{"id":"ab","at":"2026-03-02T09:15:04.512Z","n":3,"kind":"a","tags":["x"],"maybe":null,"one":"s"}`
	if errs := c.Check(decode(t, good), item, "good"); len(errs) > 0 {
		t.Fatalf("a valid example refused: %v", errs)
	}
	for _, bad := range []string{
		`{"at":"2026-03-02T09:15:04.512Z"}`,               // id missing
		`{"id":"ab","at":"yesterday"}`,                    // not a date-time
		`{"id":"ab","at":"2026-03-02T09:15:04Z","x":1}`,   // unknown field
		`{"id":"a","at":"2026-03-02T09:15:04Z"}`,          // too short
		`{"id":"AB","at":"2026-03-02T09:15:04Z"}`,         // pattern
		`{"id":"ab","at":"2026-03-02T09:15:04Z","n":1.5}`, // not an integer
		`{"id":"ab","at":"2026-03-02T09:15:04Z","n":-1}`,  // below the minimum
		`{"id":"ab","at":"2026-03-02T09:15:04Z","kind":"c"}`,
		`{"id":"ab","at":"2026-03-02T09:15:04Z","tags":[1]}`,
		`{"id":"ab","at":"2026-03-02T09:15:04Z","tags":["a","b","c"]}`,
		`{"id":"ab","at":"2026-03-02T09:15:04Z","maybe":3}`,
		`{"id":"ab","at":"2026-03-02T09:15:04Z","one":true}`,
		`[]`,
	} {
		if errs := c.Check(decode(t, bad), item, "bad"); len(errs) == 0 {
			t.Errorf("%s accepted", bad)
		}
	}
}

// TestResponse checks an answer's status, media type and body against a
// small document: the path template with a literal segment wins over a
// parameter, ranges and $ref'd responses count, and each kind of mismatch
// is reported.
func TestResponse(t *testing.T) {
	t.Parallel()
	doc := `{"openapi":"3.1.0","paths":{
	  "/v1/things/{id}":{"get":{"responses":{
	    "200":{"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Thing"}}}},
	    "4XX":{"$ref":"#/components/responses/Problem"}}}},
	  "/v1/things/count":{"get":{"responses":{
	    "200":{"content":{"application/json":{"schema":{"type":"integer"}}}},
	    "204":{"description":"nothing"}}}}},
	 "components":{
	  "schemas":{"Status":{"type":"string","enum":["open","done"]},"Thing":{"type":"object","required":["id"],"additionalProperties":false,"properties":{"id":{"type":"string"}}}},
	  "responses":{"Problem":{"content":{"application/problem+json":{"schema":{"type":"object","required":["status"]}}}}}}}`
	c, err := New([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	const js, pj = "application/json; charset=utf-8", "application/problem+json"
	for _, ok := range []struct {
		target, ct string
		status     int
		body       string
	}{
		{"/v1/things/a1?x=1", js, 200, `{"id":"a1"}`},
		{"/v1/things/count", js, 200, `3`}, // the literal segment, not {id}
		{"/v1/things/count", "", 204, ``},
		{"/v1/things/a1", pj, 404, `{"status":404}`}, // 4XX through $ref
	} {
		if p := c.Response("GET", ok.target, ok.status, ok.ct, []byte(ok.body)); len(p) > 0 {
			t.Errorf("%s %d refused: %v", ok.target, ok.status, p)
		}
	}
	// What the document implies by leaving a path or method out.
	if p := c.Response("GET", "/v1/nothing/here", 404, pj, []byte(`{"status":404}`)); len(p) > 0 {
		t.Errorf("an unknown path answered 404: %v", p)
	}
	if p := c.Response("PATCH", "/v1/things/a1", 405, pj, []byte(`{"status":405}`)); len(p) > 0 {
		t.Errorf("an unlisted method answered 405: %v", p)
	}
	for _, bad := range []struct {
		method, target, ct string
		status             int
		body, want         string
	}{
		{"GET", "/v1/things/a1", js, 200, `{"id":1}`, "not of type string"},
		{"GET", "/v1/things/a1", js, 200, `{"id":"a","x":2}`, `"x" is not in the schema`},
		{"GET", "/v1/things/a1", "text/plain", 200, `hi`, "Content-Type text/plain"},
		{"GET", "/v1/things/a1", js, 500, `{}`, "status 500 is not documented"},
		{"GET", "/v1/things/a1", js, 200, `{"id":"a"`, "not JSON"},
		{"DELETE", "/v1/things/a1", js, 200, `{}`, "DELETE /v1/things/{id} is not in the document"},
		{"GET", "/v1/other", js, 200, `{}`, "the path is not in the document"},
		{"GET", "/v1/things/count", js, 204, `x`, "where the document gives none"},
		{"GET", "/v1/other", pj, 400, `{}`, "the path is not in the document"},
		{"DELETE", "/v1/things/a1", pj, 404, `{}`, "DELETE /v1/things/{id} is not in the document"},
	} {
		p := c.Response(bad.method, bad.target, bad.status, bad.ct, []byte(bad.body))
		if !strings.Contains(strings.Join(p, "; "), bad.want) {
			t.Errorf("%s %s %d %s: %v, want a problem with %q", bad.method, bad.target, bad.status, bad.body, p, bad.want)
		}
	}
}

func TestDecodeKeepsNumbers(t *testing.T) {
	t.Parallel()
	v := decode(t, `{"n":12345678901234567890}`)
	if n := v.(map[string]any)["n"].(json.Number); n.String() != "12345678901234567890" {
		t.Errorf("n = %s", n)
	}
	if _, err := Decode([]byte(`{} {}`)); err == nil {
		t.Error("two values accepted")
	}
}

// TestRequest checks a request's parameters and body against its operation
// in a small document: path parameters of the path item, query parameters
// of the operation (one through $ref, one required, one an array given by
// repeating it), a $ref'd body, a required one, an optional one and an
// operation that takes none.
func TestRequest(t *testing.T) {
	t.Parallel()
	doc := `{"openapi":"3.1.0","paths":{
	  "/v1/things/{id}":{
	    "parameters":[{"name":"id","in":"path","required":true,"schema":{"type":"string","pattern":"^[a-z][a-z0-9]*$"}}],
	    "put":{"parameters":[{"name":"dry","in":"query","schema":{"type":"boolean"}}],
	           "requestBody":{"$ref":"#/components/requestBodies/Thing"},"responses":{"200":{"description":"ok"}}},
	    "post":{"requestBody":{"required":false,"content":{"application/json":{"schema":{"type":"object"}}}},
	            "responses":{"200":{"description":"ok"}}},
	    "get":{"parameters":[{"$ref":"#/components/parameters/limit"},
	                         {"name":"since","in":"query","required":true,"schema":{"type":"string","format":"date-time"}},
	                         {"name":"status","in":"query","style":"form","explode":true,
	                          "schema":{"type":"array","items":{"$ref":"#/components/schemas/Status"}}}],
	           "responses":{"200":{"description":"ok"}}},
	    "delete":{"responses":{"204":{"description":"gone"}}}}},
	 "components":{
	  "parameters":{"limit":{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":100}}},
	  "schemas":{"Status":{"type":"string","enum":["open","done"]},"Thing":{"type":"object","required":["name"],"additionalProperties":false,
	    "properties":{"name":{"type":"string","minLength":1}}}},
	  "requestBodies":{"Thing":{"required":true,"content":{"application/json":{"schema":{"$ref":"#/components/schemas/Thing"}}}}}}}`
	c, err := New([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	const js = "application/json; charset=utf-8"
	for _, ok := range []struct{ method, target, ct, body string }{
		{"PUT", "/v1/things/a1?dry=true", js, `{"name":"a"}`},
		{"POST", "/v1/things/a", js, `{"any":1}`},
		{"POST", "/v1/things/a", "", ``}, // optional
		{"DELETE", "/v1/things/a", "", ``},
		{"GET", "/v1/things/a?limit=100&since=2026-02-28T23:00:00Z", "", ``},
		{"GET", "/v1/things/a?since=2026-02-28T23:00:00Z&status=open&status=done", "", ``}, // one item per occurrence
		{"PATCH", "/v1/things/a", "", ``},                                                  // not in the document: Response's to report
		{"PUT", "/v1/nothing", js, `{}`},                                                   // likewise
	} {
		if p := c.Request(ok.method, ok.target, ok.ct, []byte(ok.body)); len(p) > 0 {
			t.Errorf("%s %s %s refused: %v", ok.method, ok.target, ok.body, p)
		}
	}
	for _, bad := range []struct{ method, target, ct, body, want string }{
		{"PUT", "/v1/things/a", js, `{"name":""}`, "request.name"},
		{"PUT", "/v1/things/a", js, `{"name":"a","x":1}`, `"x" is not in the schema`},
		{"PUT", "/v1/things/a", js, `{}`, `"name"`},
		{"PUT", "/v1/things/a", "", ``, "accepted without a body"},
		{"PUT", "/v1/things/a", "text/plain", `name=a`, "Content-Type text/plain"},
		{"PUT", "/v1/things/a", js, `{"name":`, "not JSON"},
		{"DELETE", "/v1/things/a", js, `{}`, "where the document takes none"},
		{"DELETE", "/v1/things/A-1", "", ``, "request path id"},
		{"PUT", "/v1/things/a?dry=yes", js, `{"name":"a"}`, "request query dry"},
		{"DELETE", "/v1/things/a?force=1", "", ``, `the query parameter "force" was accepted, but the document does not list it`},
		{"GET", "/v1/things/a?since=2026-02-28T23:00:00Z&limit=500", "", ``, "request query limit"},
		{"GET", "/v1/things/a?since=2026-02-28T23:00:00Z&limit=ten", "", ``, "request query limit"},
		{"GET", "/v1/things/a?limit=5", "", ``, `without the query parameter "since"`},
		{"GET", "/v1/things/a?since=yesterday", "", ``, "request query since"},
		{"GET", "/v1/things/a?since=2026-02-28T23:00:00Z&status=open&status=gone", "", ``, "request query status[1]"},
	} {
		p := c.Request(bad.method, bad.target, bad.ct, []byte(bad.body))
		if !strings.Contains(strings.Join(p, "; "), bad.want) {
			t.Errorf("%s %s %s: %v, want a problem with %q", bad.method, bad.target, bad.body, p, bad.want)
		}
	}
}
