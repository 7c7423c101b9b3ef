package web

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/service"
)

// problemOf renders html as the preview does (with empty sample data) and
// returns the one problem Go's template packages and Herold's checks
// report, as the service passes it on.
func problemOf(t *testing.T, html string) service.FieldError {
	t.Helper()
	c, err := render.Compile(model.TemplateContent{Subject: "s", HTML: html})
	if err == nil {
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		_, err = c.Render(context.Background(), map[string]any{"data": map[string]any{}},
			render.Options{Now: now, Location: time.UTC})
	}
	var rerr *render.Error
	require.True(t, errors.As(err, &rerr), "want a template problem, got %v", err)
	require.Len(t, rerr.Problems, 1)
	p := rerr.Problems[0]
	return service.FieldError{Field: "draft." + p.Part, Code: service.CodeTemplateSyntax, Detail: p.Message, Line: p.Line, Column: p.Column}
}

// TestExplainTemplate maps each kind of template error to a sentence in
// German and English, with the exact line and column, keeping the raw
// message.
func TestExplainTemplate(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	for _, tc := range []struct {
		name, html     string
		line, col      int
		wantDE, wantEN string
	}{
		{"missing end", "Hallo\n\n  {{ if .data.x }}\nText", 3, 3,
			"{{ end }} fehlt für das {{ if }} in Zeile 3: Schließen Sie es mit {{ end }} ab.",
			"{{ end }} is missing for the {{ if }} on line 3: close it with {{ end }}."},
		{"missing end of the inner block", "{{ range .data.l }}\n{{ with .x }}{{ . }}\n{{ end }}{{ with .y }}", 3, 10,
			"{{ end }} fehlt für das {{ with }} in Zeile 3: Schließen Sie es mit {{ end }} ab.",
			"{{ end }} is missing for the {{ with }} on line 3: close it with {{ end }}."},
		{"end too many", "a\nb {{ end }}", 2, 3,
			"Ein {{ end }} zu viel: Hier ist kein {{ if }}, {{ range }} oder {{ with }} offen. Entfernen Sie es.",
			"One {{ end }} too many: no {{ if }}, {{ range }} or {{ with }} is open here. Remove it."},
		{"unclosed action", "x\nHallo {{ .data.name ", 2, 7,
			"}} fehlt: Ein Platzhalter, der mit {{ beginnt, wird nicht geschlossen.",
			"}} is missing: a placeholder that starts with {{ is not closed."},
		{"unclosed action over lines", "x\nHallo {{ .data.name\n\nmore", 2, 7,
			"}} fehlt: Ein Platzhalter, der mit {{ beginnt, wird nicht geschlossen.",
			"}} is missing: a placeholder that starts with {{ is not closed."},
		{"unknown function", "<p>{{ nope 1 }}</p>", 1, 7,
			"Die Funktion „nope“ gibt es nicht. Die verfügbaren Funktionen stehen in der Hilfe zu Vorlagen.",
			"There is no function “nope”. The functions available are listed in the help on templates."},
		{"unknown placeholder", "\n{{ .evnt.type }}", 2, 4,
			"Den Platzhalter „.evnt.type“ gibt es nicht: Er muss mit .data, .contact, .recipient, .object, .project, .event, .actors, .workspace, .now oder .today beginnen. Meinten Sie „event“?",
			"There is no placeholder “.evnt.type”: it must start with .data, .contact, .recipient, .object, .project, .event, .actors, .workspace, .now or .today. Did you mean “event”?"},
		{"placeholder not in the sample", "Hallo\n<b>{{ .data.job.title }}</b>", 2, 7,
			"Platzhalter „job“ kommt in den Beispieldaten nicht vor (.data.job): Ergänzen Sie ihn dort oder lesen Sie ihn mit „get“, wenn er fehlen darf.",
			"Placeholder “job” does not occur in the sample data (.data.job): add it there, or read it with “get” if it may be missing."},
		{"if without a value", "{{ if }}x{{ end }}", 1, 1,
			"{{ if }} braucht einen Wert, zum Beispiel {{ if .data.x }}.",
			"{{ if }} needs a value, for example {{ if .data.x }}."},
		{"a function without its argument", "<p>\n  {{ date_long }}</p>", 2, 6,
			"Die Funktion „date_long“ braucht ein Argument, hier hat sie 0. Ein Wert, der mit | übergeben wird, zählt als ihr letztes Argument.",
			"The function “date_long” takes one argument, here it has 0. A value passed in with | counts as its last argument."},
		{"a piped value counts", "{{ .data.d | date }}", 1, 14,
			"Die Funktion „date“ braucht 2 Argumente, hier hat sie 1. Ein Wert, der mit | übergeben wird, zählt als ihr letztes Argument.",
			"The function “date” takes 2 arguments, here it has 1. A value passed in with | counts as its last argument."},
		{"a comparison with one value", "{{ if eq .data.x }}x{{ end }}", 1, 7,
			"Die Funktion „eq“ braucht mindestens 2 Argumente, hier hat sie 1. Ein Wert, der mit | übergeben wird, zählt als ihr letztes Argument.",
			"The function “eq” takes at least 2 arguments, here it has 1. A value passed in with | counts as its last argument."},
		{"a slice with too many", "{{ slice .data.l 1 2 3 4 }}", 1, 4,
			"Die Funktion „slice“ braucht 1 bis 4 Argumente, hier hat sie 5. Ein Wert, der mit | übergeben wird, zählt als ihr letztes Argument.",
			"The function “slice” takes 1 to 4 arguments, here it has 5. A value passed in with | counts as its last argument."},
		{"unfinished tag", "<a href=\"x", 0, 0,
			"Das HTML endet in einem offenen Tag oder Attribut: Fehlt ein Anführungszeichen \" oder ein >?",
			"The HTML ends inside an open tag or attribute: is a quote \" or a > missing?"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := problemOf(t, tc.html)
			for lang, want := range map[string]string{"de": tc.wantDE, "en": tc.wantEN} {
				is := explainTemplate(&localizer{cat: cat, lang: lang, loc: time.UTC}, f)
				require.Equal(t, want, is.Message, lang)
				require.Equal(t, tc.line, is.Line, "line")
				require.Equal(t, tc.col, is.Column, "column")
				require.Equal(t, f.Detail, is.Raw, "the raw message stays")
			}
		})
	}
}

// TestJSONErrorPos locates JSON mistakes exactly (line and column of the
// offending character, counting characters, not bytes) and names the
// likely cause.
func TestJSONErrorPos(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	de := &localizer{cat: cat, lang: "de", loc: time.UTC}
	for _, tc := range []struct {
		name, src string
		line, col int
		want      string
	}{
		{"comma too many", "{\n  \"a\": 1,\n}", 3, 1,
			"Zeile 3, Spalte 1: Hier wird ein Name in doppelten Anführungszeichen erwartet: Ist hier ein Komma zu viel oder fehlen Anführungszeichen?"},
		{"comma missing", "{\"ä\": 1\n \"b\": 2}", 2, 2, "Zeile 2, Spalte 2: Zwischen zwei Einträgen fehlt ein Komma (oder eine Klammer ist zu viel)."},
		{"colon missing", "{\"äö\" 1}", 1, 7, "Zeile 1, Spalte 7: Nach dem Namen fehlt der Doppelpunkt."},
		{"single quotes", "{'a': 1}", 1, 2, "Zeile 1, Spalte 2: Texte und Namen stehen in doppelten Anführungszeichen (\"…\"), nicht in einfachen."},
		{"ends early", "{\"a\": [1,\n2", 2, 2, "Zeile 2, Spalte 2: Das JSON endet zu früh: Fehlt eine schließende Klammer } oder ]?"},
		{"value missing", "{\"a\": }", 1, 7, "Zeile 1, Spalte 7: Hier fehlt ein Wert: ein Text in \"…\", eine Zahl, true, false, null, {…} oder […]."},
		{"a list for an object", "{\n \"data\": [1]}", 2, 10, "Zeile 2, Spalte 10: „data“ muss ein Objekt {…} sein."},
		{"a text for an object", "{\"data\": \"x\\\"y\"}", 1, 10, "Zeile 1, Spalte 10: „data“ muss ein Objekt {…} sein."},
		{"a number for an object", "{\"data\":\n  -1.5e3}", 2, 3, "Zeile 2, Spalte 3: „data“ muss ein Objekt {…} sein."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v struct {
				Data map[string]any `json:"data"`
			}
			err := json.Unmarshal([]byte(tc.src), &v)
			require.Error(t, err)
			line, col := jsonErrorPos(tc.src, err)
			require.Equal(t, tc.line, line, "line")
			require.Equal(t, tc.col, col, "column")
			require.Equal(t, "Die Testdaten sind kein gültiges JSON: "+tc.want, jsonProblem(de, "web.test.bad_json", line, col, err))
		})
	}
}
