package manifest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func sampleConfig() *Config {
	return &Config{
		Workspace: &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin",
			AllowedSenders: []string{"acme.example"}, RetentionDays: 30, ConfirmationExpiryHours: 168},
		Templates: []*model.Template{{Key: "welcome", Name: "Welcome", Locales: map[string]model.TemplateContent{
			"de": {Subject: "Hallo {{ .contact.name }}", HTML: "<p>Hallo</p>\n<p>{{ .contact.name }}</p>\n", Text: "yes"},
			"en": {Subject: "Hello", Text: "trailing space \nand\ttab"},
		}}},
		Flows: []*model.Flow{{Key: "standard", Name: "Standard", Version: 7, Notifications: []model.Notification{{
			Key: "job-requested", EventType: "job.requested", Template: "welcome", Condition: "event.type == \"job.requested\"",
			Recipients: []model.Recipient{"role:promoter"}, Status: model.StatusConfirm, Category: "transactional", Channel: "email"}}}},
		Projects: []*model.Project{{Key: "messe", Name: "Messe", Flow: "standard",
			Members: map[string][]string{"agency": {"c-1"}},
			Attributes: map[string]any{"budget": json.Number("1200.5"), "city": "Köln", "note": "", "open": true,
				"zip": "01234", "yes": "yes", "null": "null", "num": "1.5", "date": "2026-01-01", "colon": "a: b", "hash": "# x",
				"1": "one", "list": []any{"x", json.Number("2"), nil, true}, "big": json.Number("12345678901234567890"),
				"neg": json.Number("-1e-7"), "star": "*x", "tilde": "~", "lead": " x", "crlf": "a\r\nb"}}},
		Schedules: []*model.Schedule{{Key: "birthday", Name: "Birthday", Enabled: true, Cron: "0 6 * * *",
			Source: model.ScheduleSource{Kind: "contacts"}, Condition: "contact.email != \"\"",
			EventType: "contact.birthday", Project: "messe", OccurrenceKey: "b-{{ .contact.id }}-{{ .today.Year }}"}},
	}
}

func encodeAll(t *testing.T, c *Config) map[string][]byte {
	t.Helper()
	docs, err := Documents(c)
	require.NoError(t, err)
	files, err := Files(docs)
	require.NoError(t, err)
	return files
}

func asFiles(m map[string][]byte) []File {
	var out []File
	for name, b := range m {
		if name != SchemaFile {
			out = append(out, File{Name: name, Data: string(b)})
		}
	}
	return out
}

// TestEncodeIsStableAndReadsBack: the same configuration gives the same
// bytes every time, and reading the files gives the same documents
// (free data with empty values, multi-line text, tabs and trailing
// blanks included).
func TestEncodeIsStableAndReadsBack(t *testing.T) {
	first := encodeAll(t, sampleConfig())
	for range 5 {
		require.Equal(t, first, encodeAll(t, sampleConfig()))
	}
	require.Contains(t, string(first["flows/standard.yaml"]), "# yaml-language-server: $schema=../config.schema.json\napiVersion: herold/v1\nkind: Flow\n")
	require.Contains(t, string(first["templates/welcome.yaml"]), "html: |\n")
	require.NotContains(t, string(first["workspace.yaml"]), "allowed_senders", "only the operator sets senders")
	require.NotContains(t, string(first["flows/standard.yaml"]), "version")

	docs, ps := Parse(asFiles(first))
	require.Empty(t, ps)
	want, err := Documents(sampleConfig())
	require.NoError(t, err)
	require.Len(t, docs, len(want))
	for i := range want {
		require.JSONEq(t, string(want[i].Canonical()), string(docs[i].Canonical()))
	}
	require.Empty(t, Check(docs))
	p, err := docs[3].Object()
	require.NoError(t, err)
	require.Equal(t, "", p.(*model.Project).Attributes["note"], "empty free data survives")
}

const flowFile = `apiVersion: herold/v1
kind: Flow
metadata:
  name: standard
spec:
  notifications:
    - key: n1
      event_type: job.requested
      template: missing
      condition: "event.data.x ==="
      recipients: [role:promoter]
      colour: red
`

// TestProblemPositions: every problem names file, line and column of
// the value at fault.
func TestProblemPositions(t *testing.T) {
	cases := []struct {
		name, file string
		parse      bool // a Parse problem (else a Check problem)
		want       []string
	}{
		{"unknown field", flowFile, true, []string{"flows/standard.yaml:12:7: spec.notifications[0].colour: unknown field \"colour\""}},
		{"wrong type", strings.Replace(flowFile, "      colour: red\n", "", 1) + "  version: [1]\n", true,
			[]string{"flows/standard.yaml:12:3: spec.version: unknown field"}},
		{"syntax", "apiVersion: herold/v1\nkind: [\n", true, []string{"flows/standard.yaml:2: did not find expected node content"}},
		{"kind", "apiVersion: herold/v2\nkind: Flux\nmetadata: {name: x}\nspec: {}\n", true, []string{
			"flows/standard.yaml:1:13: apiVersion: must be \"herold/v1\"", "flows/standard.yaml:2:7: kind: \"Flux\" is not one of"}},
		{"missing metadata", "apiVersion: herold/v1\nkind: Flow\nspec: {}\n", true, []string{"flows/standard.yaml:1:1: metadata is required"}},
		{"enabled not a bool", "apiVersion: herold/v1\nkind: Schedule\nmetadata: {name: s}\nspec:\n  enabled: sometimes\n", true,
			[]string{"flows/standard.yaml:5:12: spec.enabled: expected true or false"}},
		{"reference and condition", strings.Replace(flowFile, "      colour: red\n", "", 1), false, []string{
			"flows/standard.yaml:9:17: spec.notifications[0].template: no file defines Template \"missing\"",
			// The condition's column 16 in the file: after the quote at 18.
			"flows/standard.yaml:10:34: spec.notifications[0].condition: Syntax error: token recognition error at: '=' (condition line 1, column 16)",
			"flows/standard.yaml:10:35: spec.notifications[0].condition: Syntax error: mismatched input '<EOF>'"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs, ps := Parse([]File{{Name: "flows/standard.yaml", Data: tc.file}})
			if !tc.parse {
				require.Empty(t, ps)
				ps = Check(docs)
			}
			require.Len(t, ps, len(tc.want), ps.Error())
			for i, w := range tc.want {
				require.True(t, strings.HasPrefix(ps[i].String(), w), "got %q, want prefix %q", ps[i].String(), w)
			}
		})
	}
}

// TestProblemsInsideTextsPointIntoTheFile: a problem at a line and column
// of a template is reported at that place in the file when the
// template's lines stand there as written (a plain or quoted value on
// one line, a literal block); inside a folded block or a value with
// escapes it stays at the value.
func TestProblemsInsideTextsPointIntoTheFile(t *testing.T) {
	file := "apiVersion: herold/v1\nkind: Template\nmetadata: {name: job}\nspec:\n  locales:\n" +
		"    de:\n" +
		"      subject: Job für {{ .data.job \n" + // line 7, value at column 16, its {{ at 24
		"      html: |\n" + // line 8
		"        <p>Hallo</p>\n" +
		"        <p>{{ .dta.x }}</p>\n" + // line 10: the placeholder at column 15
		"    en:\n" +
		"      subject: 'Job {{ uper .data.job }}'\n" + // line 12: value at 17 after the quote
		"      text: \"Hi\\n{{ .evnt }}\"\n" + // line 13: an escape, so the value's position
		"      html: >\n" + // line 14: folded
		"        <p>{{ .evnt }}</p>\n"
	docs, ps := Parse([]File{{Name: "templates/job.yaml", Data: file}})
	require.Empty(t, ps)
	var got []string
	for _, p := range Check(docs) {
		got = append(got, fmt.Sprintf("%d:%d %s", p.Line, p.Column, p.Path))
	}
	require.Equal(t, []string{
		"7:24 spec.locales.de.subject",
		"10:15 spec.locales.de.html",
		"12:24 spec.locales.en.subject",
		"13:13 spec.locales.en.text",
		"14:13 spec.locales.en.html",
	}, got)
}

// TestParseRefusesDuplicatesAndBounds: one object per file and per set,
// and no set beyond the limits.
func TestParseRefusesDuplicatesAndBounds(t *testing.T) {
	f := "apiVersion: herold/v1\nkind: Project\nmetadata: {name: p}\nspec: {}\n"
	_, ps := Parse([]File{{Name: "a.yaml", Data: f}, {Name: "b.yaml", Data: f}})
	require.Len(t, ps, 1)
	require.Equal(t, "b.yaml:3:18: metadata.name: Project \"p\" is defined in a.yaml already", ps[0].String())

	_, ps = Parse([]File{{Name: "a.yaml", Data: f + "---\n" + f}})
	require.Contains(t, ps.Error(), "a.yaml:5:1: a second document")

	_, ps = Parse([]File{{Name: "big.yaml", Data: strings.Repeat("#", MaxFileSize+1)}})
	require.Contains(t, ps.Error(), "too large")

	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" +
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
	doc := "apiVersion: herold/v1\nkind: Project\nmetadata: {name: p}\nspec:\n  attributes:\n" + indent(bomb, "    ")
	_, ps = Parse([]File{{Name: "bomb.yaml", Data: doc}})
	require.Contains(t, ps.Error(), "too large or too deeply nested")
}

func indent(s, by string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	return by + strings.Join(lines, "\n"+by) + "\n"
}

// TestDiff: field-level changes, notifications by key, creations and
// deletions in apply order.
func TestDiff(t *testing.T) {
	cur, err := Documents(sampleConfig())
	require.NoError(t, err)
	c := sampleConfig()
	c.Flows[0].Notifications[0].Status = model.StatusActive
	c.Flows[0].Notifications = append([]model.Notification{{Key: "a-first", EventType: "x.y", Template: "welcome",
		Recipients: []model.Recipient{"role:agency"}, Status: model.StatusActive, Category: "transactional", Channel: "email"}},
		c.Flows[0].Notifications...)
	c.Templates = append(c.Templates, &model.Template{Key: "new", Locales: map[string]model.TemplateContent{"de": {Subject: "s", Text: "t"}}})
	c.Schedules = nil
	want, err := Documents(c)
	require.NoError(t, err)

	changes := Diff(cur, want, []string{"Schedule/birthday"})
	require.Len(t, changes, 3)
	require.Equal(t, Change{Action: ActionCreate, Kind: KindTemplate, Name: "new"}, changes[0])
	require.Equal(t, ActionChange, changes[1].Action)
	require.Equal(t, []FieldChange{
		{Path: "notifications[a-first]", New: nil},
		{Path: "notifications[job-requested].status", Old: "confirm", New: "active"},
	}[1], changes[1].Fields[len(changes[1].Fields)-1])
	require.Equal(t, "notifications[a-first].category", changes[1].Fields[0].Path)
	require.Equal(t, Change{Action: ActionDelete, Kind: KindSchedule, Name: "birthday"}, changes[2])
	require.Empty(t, Diff(cur, cur, nil))

	var out strings.Builder
	WriteText(&out, changes)
	require.Contains(t, out.String(), "~ Flow standard\n")
	require.Contains(t, out.String(), "    notifications[job-requested].status: \"confirm\" → \"active\"\n")
}

// TestSchemaPublished: the schema is JSON Schema naming every kind's
// fields and refusing unknown ones.
func TestSchemaPublished(t *testing.T) {
	var s map[string]any
	require.NoError(t, json.Unmarshal(Schema(), &s))
	require.Equal(t, SchemaID, s["$id"])
	all := s["allOf"].([]any)
	require.Len(t, all, len(Kinds))
	flow := all[2].(map[string]any)["then"].(map[string]any)["properties"].(map[string]any)["spec"].(map[string]any)
	props := flow["properties"].(map[string]any)
	require.Contains(t, props, "notifications")
	require.NotContains(t, props, "version")
	require.Equal(t, false, flow["additionalProperties"])
}

// TestParseOfALongLineStaysLinear: a file of the largest size with one
// line holding a flow list of 100,000 short values (an attacker's file
// for POST /v1/plan) is read in time proportional to its size. Locating
// each value's text on its line once converted the whole line per value:
// 8 minutes for this file instead of a fraction of a second.
func TestParseOfALongLineStaysLinear(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("apiVersion: herold/v1\nkind: Flow\nmetadata: {name: f}\nspec: {notifications: [{key: n, event_type: e, template: t, recipients: [")
	for i := 0; b.Len() < MaxFileSize-100; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("ab")
	}
	b.WriteString("]}]}\n")
	start := time.Now()
	_, ps := Parse([]File{{Name: "flows/f.yaml", Data: b.String()}})
	took := time.Since(start)
	require.Len(t, ps, 1)
	require.Contains(t, ps[0].Message, "too large or too deeply nested")
	// 0.3 s here, 2.5 s under -race on a 2-core machine; the quadratic
	// reading took 500 s.
	require.Less(t, took, 20*time.Second)
}
