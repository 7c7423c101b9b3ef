package render

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFunctions(t *testing.T) {
	t.Parallel()
	data := testData(map[string]any{
		"name":   "  Ann Meyer ",
		"empty":  "",
		"list":   []any{"a", "b", "c"},
		"none":   []any{},
		"nested": map[string]any{"k": "v"},
		"count":  json.Number("1"),
		"many":   json.Number("3"),
		"tags":   []any{"vip", "neu"},
	})
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{"default on missing via get", `{{ get .data "nope" | default "Kunde" }}`, "Kunde", ""},
		{"default on empty string", `{{ default "Kunde" .data.empty }}`, "Kunde", ""},
		{"default on empty list", `{{ default "keine" .data.none }}`, "keine", ""},
		{"default keeps value", `{{ default "Kunde" .contact.name }}`, "Ann", ""},
		{"default keeps zero", `{{ default 5 0 }}`, "0", ""},
		{"coalesce", `{{ coalesce .data.empty nil .contact.name "x" }}`, "Ann", ""},
		{"coalesce all empty", `{{ coalesce .data.empty nil }}`, "", ""},
		{"get present", `{{ get .data.nested "k" }}`, "v", ""},
		{"get from nil", `{{ get (get .data "nope") "k" }}`, "", ""},
		{"get from a non-map", `{{ get .data.list "k" }}`, "", "get: a value of type []interface {} is not a map"},
		{"has", `{{ has .data "name" }} {{ has .data "nope" }}`, "true false", ""},
		{"upper lower", `{{ upper "straße" }} {{ lower "ÄRGER" }}`, "STRASSE ärger", ""},
		{"title in German", `{{ title "anna-lena müller" }}`, "Anna-Lena Müller", ""},
		{"trim", `[{{ trim .data.name }}]`, "[Ann Meyer]", ""},
		{"truncate", `{{ truncate 5 "Hallo Welt" }}`, "Hallo…", ""},
		{"truncate counts characters", `{{ truncate 4 "Größe" }}`, "Größ…", ""},
		{"truncate trims the cut", `{{ truncate 6 "Hallo Welt" }}`, "Hallo…", ""},
		{"truncate short", `{{ truncate 20 "Hallo" }}`, "Hallo", ""},
		{"truncate negative", `{{ truncate -1 "Hallo" }}`, "", "truncate: length -1 is negative"},
		{"replace", `{{ replace "a" "o" "Banane" }}`, "Bonone", ""},
		{"contains string", `{{ contains "nn" .contact.name }}`, "true", ""},
		{"contains list", `{{ contains "vip" .data.tags }} {{ contains "vi" .data.tags }}`, "true false", ""},
		{"prefix suffix", `{{ hasPrefix "An" .contact.name }} {{ hasSuffix "x" .contact.name }}`, "true false", ""},
		{"join", `{{ join ", " .data.list }}`, "a, b, c", ""},
		{"join nil", `[{{ join ", " nil }}]`, "[]", ""},
		{"first", `{{ first .data.list }}`, "a", ""},
		{"first of empty", `{{ first .data.none }}`, "", ""},
		{"plural one", `{{ .data.count }} {{ plural .data.count "Tag" "Tage" }}`, "1 Tag", ""},
		{"plural many", `{{ .data.many }} {{ plural .data.many "Tag" "Tage" }}`, "3 Tage", ""},
		{"plural zero", `{{ plural 0 "Tag" "Tage" }}`, "Tage", ""},
		{"arithmetic", `{{ add 2 3 }} {{ sub 2 3 }} {{ mul 4 5 }} {{ div 7 2 }} {{ mod 7 2 }} {{ div -7 2 }} {{ mod -7 2 }}`, "5 -1 20 3 1 -3 -1", ""},
		{"arithmetic on json numbers", `{{ add .data.many "4" }}`, "7", ""},
		{"division by zero", `{{ div 1 0 }}`, "", "div: division by zero"},
		{"modulo by zero", `{{ mod 1 0 }}`, "", "mod: division by zero"},
		{"overflow", `{{ mul 9223372036854775807 2 }}`, "", "mul: result 18446744073709551614 is out of range"},
		{"not whole", `{{ add 1.5 1 }}`, "", "add: 3/2 is not a whole number in range"},
		{"range over computed int", `{{ range (mul 2 2) }}{{ . }}{{ end }}`, "0123", ""},
		{"html escaper", `{{ html "<b>" }}`, "&lt;b&gt;", ""},
		{"js escaper", `{{ js "'a'" }}`, `\'a\'`, ""},
		{"urlquery", `{{ urlquery "a b&c" }}`, "a+b%26c", ""},
		{"print", `{{ print "a" 1 2 "b" }}`, "a1 2b", ""},
		{"println", `{{ println "a" 1 }}`, "a 1\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := renderText(t, tt.in, data, Options{Locale: "de"})
			if tt.wantErr != "" {
				require.Equal(t, tt.wantErr, problemsOf(t, err)[0].Message)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
