package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

func content(subject, html, text string) map[string]any {
	return map[string]any{"locales": map[string]any{"de": map[string]any{"subject": subject, "html": html, "text": text}}}
}

func TestTemplateSyntaxErrorsHaveLines(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	tests := []struct {
		name  string
		body  map[string]any
		field string
		line  int
		col   int // 0: do not check
		want  string
	}{
		{"unclosed action", content("s", "<p>a</p>\n<p>{{ .data.x </p>\n", ""), "locales.de.html", 2, 0, ""},
		{"unknown function", content("s", "", "line one\nline two {{ .data.x | shout }}"), "locales.de.text", 2, 0, "shout"},
		{"unknown placeholder root", content("s", "<p>\n\n   {{ .evnt.type }}</p>", ""), "locales.de.html", 3, 7, ".evnt.type"},
		{"unknown event field", content("Hi {{ .event.typo }}", "", "t"), "locales.de.subject", 1, 0, ".event.typo"},
		{"missing end", content("s", "", "{{ if .data.x }}yes"), "locales.de.text", 1, 1, "{{ if }} is not closed"},
		{"end too many", content("s", "", "a\n{{ if .data.x }}b{{ end }}{{ end }}"), "locales.de.text", 2, 27, "unexpected {{end}}"},
		{"if without a value", content("s", "<p>\n  {{ if }}x{{ end }}</p>", ""), "locales.de.html", 2, 3, "missing value for if"},
		{"wrong number of arguments", content("s", "<p>\n  {{ if .data.x }}{{ date_long }}{{ end }}</p>", ""), "locales.de.html", 2, 22,
			`wrong number of arguments for "date_long": takes 1, given 0`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.Must(422, "PUT", "/v1/templates/t", tt.body).Map(t)
			f := requireField(t, p, tt.field, "template_error")
			require.EqualValues(t, tt.line, f["line"], "line of %v", f)
			if tt.col > 0 {
				require.EqualValues(t, tt.col, f["column"], "column of %v", f)
			}
			require.Contains(t, f["detail"], tt.want)
		})
	}
	e.Must(http.StatusNotFound, "GET", "/v1/templates/t", nil)
}

func preview(t *testing.T, e *apptest.Env, key string, data map[string]any) (int, map[string]any) {
	t.Helper()
	r := e.Do("POST", "/v1/templates/"+key+"/preview", map[string]any{"data": data})
	return r.Status, r.Map(t)
}

func TestPreviewEscapesHostileDataByContext(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/t", content(
		"Hallo {{ .data.name }}",
		`<p>{{ .data.name }}</p><a href="{{ .data.url }}" title="{{ .data.name }}">Link</a><img src="https://cdn.example/{{ .data.name }}.png">`,
		"Hallo {{ .data.name }}"))
	status, out := preview(t, e, "t", map[string]any{"data": map[string]any{
		"name": `<script>alert(1)</script>" onmouseover="x`,
		"url":  "javascript:alert(1)",
	}})
	require.Equal(t, http.StatusOK, status, "%v", out)
	html := out["html"].(string)
	require.NotContains(t, html, "<script>", "text context must escape tags")
	require.Contains(t, html, "&lt;script&gt;alert(1)&lt;/script&gt;")
	require.NotContains(t, html, `" onmouseover="x`, "attribute context must escape quotes")
	require.Contains(t, html, `href="#ZgotmplZ"`, "javascript: URLs must be neutralised")
	require.NotContains(t, html, "/<script>", "URL path context must escape")
	require.Equal(t, `Hallo <script>alert(1)</script>" onmouseover="x`, out["text"], "the text part is not HTML")
	require.Equal(t, "de", out["locale"])
}

func TestPreviewLocaleFallbackAndDraft(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/job", jobTemplate)
	r := e.Must(http.StatusOK, "POST", "/v1/templates/job/preview", map[string]any{"locale": "en-GB",
		"data": map[string]any{"data": map[string]any{"job": "Messe"}, "recipient": map[string]any{"name": "Anna"}}}).Map(t)
	require.Equal(t, "en", r["locale"])
	require.Equal(t, "New job request: Messe", r["subject"])
	r = e.Must(http.StatusOK, "POST", "/v1/templates/job/preview", map[string]any{"locale": "fr",
		"data": map[string]any{"data": map[string]any{"job": "Messe"}, "recipient": map[string]any{"name": "Anna"}}}).Map(t)
	require.Equal(t, "de", r["locale"], "unknown locale falls back to the workspace default")
	require.Equal(t, "Neue Jobanfrage: Messe", r["subject"])

	// A draft previews unsaved content, with errors at their line.
	r = e.Must(http.StatusOK, "POST", "/v1/templates/job/preview", map[string]any{
		"draft": map[string]any{"subject": "Entwurf {{ .data.job | upper }}", "text": "x"},
		"data":  map[string]any{"data": map[string]any{"job": "Messe"}}}).Map(t)
	require.Equal(t, "Entwurf MESSE", r["subject"])
	p := e.Must(422, "POST", "/v1/templates/job/preview", map[string]any{
		"draft": map[string]any{"subject": "s", "text": "a\nb\n{{ .data.job "}}).Map(t)
	f := requireField(t, p, "draft.text", "template_error")
	require.EqualValues(t, 3, f["line"])

	// A placeholder the data does not have is an error at render, with
	// its line.
	p = e.Must(422, "POST", "/v1/templates/job/preview", map[string]any{"data": map[string]any{}}).Map(t)
	f = requireField(t, p, "locales.de.subject", "template_error")
	require.EqualValues(t, 1, f["line"])
	require.Contains(t, f["detail"], "job")
}

func TestRenderLimitsStopHostileTemplates(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	tests := []struct {
		name, text, want string
	}{
		{"huge loop", "{{ range 100000000000 }}{{ end }}", "took longer than the limit"},
		{"output flood", "{{ range 100000000 }}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx{{ end }}", "larger than the limit"},
		{"recursion", `{{ define "a" }}x{{ template "a" . }}{{ end }}{{ template "a" . }}`, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("evil-%d", i)
			e.Must(http.StatusCreated, "PUT", "/v1/templates/"+key, content("s", "", tt.text))
			start := time.Now()
			status, out := preview(t, e, key, map[string]any{})
			elapsed := time.Since(start)
			require.Equal(t, 422, status, "%v", out)
			f := requireField(t, out, "locales.de.text", "template_error")
			require.Contains(t, strings.ToLower(f["detail"].(string)), tt.want)
			require.Less(t, elapsed, 5*time.Second, "the render limit must stop it promptly (limit 1s)")
		})
	}
	// The server is still healthy afterwards.
	e.Must(http.StatusOK, "GET", "/healthz", nil)
}

func TestConditionCompileErrors(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	tests := []struct {
		name, cond string
		line, col  int
	}{
		{"syntax", "object.status == ", 1, 18},
		{"unknown variable", "objct.status == 'open'", 1, 1},
		{"second line", "object.status == 'open' &&\n  days_until(", 2, 0},
		{"not boolean", "1 + 2", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.Must(422, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{
				"key": "n", "event_type": "a.b", "template": "tmpl", "recipients": []string{"role:x"}, "condition": tt.cond}}}).Map(t)
			f := requireField(t, p, "notifications[0].condition", "condition_error")
			require.EqualValues(t, tt.line, f["line"], "%v", f)
			if tt.col > 0 {
				require.EqualValues(t, tt.col, f["column"], "%v", f)
			}
		})
	}
	e.Must(http.StatusCreated, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{
		"key": "n", "event_type": "a.b", "template": "tmpl", "recipients": []string{"role:x"},
		"condition": "object.status != 'cancelled' && days_until(object.starts_on) <= 3"}}})
}

func TestBulkContacts(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	const n = 10_000
	contacts := make([]map[string]any, n)
	for i := range contacts {
		contacts[i] = map[string]any{"id": fmt.Sprintf("m-%05d", i), "email": fmt.Sprintf("member%d@verein.example", i),
			"name": fmt.Sprintf("Mitglied %d", i), "attributes": map[string]any{"birthday": "1980-05-17", "membership_status": "active"},
			"consents": []string{"birthday"}}
	}
	contacts[17]["email"] = "kaputt"
	contacts[4711]["attributes"] = map[string]any{"id": "reserved"}
	start := time.Now()
	var res struct {
		Upserted int `json:"upserted"`
		Errors   []struct {
			Index  int    `json:"index"`
			ID     string `json:"id"`
			Errors []struct {
				Field string `json:"field"`
				Code  string `json:"code"`
			} `json:"errors"`
		} `json:"errors"`
	}
	e.Must(http.StatusOK, "POST", "/v1/contacts/bulk", map[string]any{"contacts": contacts}).JSON(t, &res)
	t.Logf("bulk upsert of %d contacts took %v", n, time.Since(start))
	require.Equal(t, n-2, res.Upserted)
	require.Len(t, res.Errors, 2)
	require.Equal(t, 17, res.Errors[0].Index)
	require.Equal(t, "contacts[17].email", res.Errors[0].Errors[0].Field)
	require.Equal(t, "invalid_email", res.Errors[0].Errors[0].Code)
	require.Equal(t, 4711, res.Errors[1].Index)
	require.Equal(t, "contacts[4711].attributes.id", res.Errors[1].Errors[0].Field)

	e.Must(http.StatusOK, "GET", "/v1/contacts/m-09999", nil)
	e.Must(http.StatusNotFound, "GET", "/v1/contacts/m-00017", nil)
	var pg struct {
		Items []any `json:"items"`
	}
	e.Must(http.StatusOK, "GET", "/v1/contacts?limit=1000", nil).JSON(t, &pg)
	require.Len(t, pg.Items, 1000)
}
