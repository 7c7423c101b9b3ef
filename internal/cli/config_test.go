package cli_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/cli"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Execute(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	}))
	return out
}

// TestConfigCommands: export writes the files byte-stable, validate
// reports file:line:column, plan shows the field-level diff and its
// revision, apply makes a revision, rollback returns to one, and an
// export after an object is gone removes its file.
func TestConfigCommands(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	srv := []string{"--server", e.URL, "--key", e.Key}
	e.Must(http.StatusCreated, "PUT", "/v1/templates/job", map[string]any{"locales": map[string]any{
		"de": map[string]any{"subject": "Job {{ .data.job }}", "text": "Hallo\n{{ .recipient.name }}\n"}}})
	e.Must(http.StatusCreated, "PUT", "/v1/templates/gone", map[string]any{"locales": map[string]any{
		"de": map[string]any{"subject": "x", "text": "y"}}})

	dir := t.TempDir()
	code, _, errOut := run(t, append([]string{"export", "-o", dir}, srv...)...)
	require.Equal(t, 0, code, errOut)
	first := readDir(t, dir)
	require.Contains(t, first, "templates/job.yaml")
	require.Contains(t, first, "config.schema.json")
	e.Must(http.StatusNoContent, "DELETE", "/v1/templates/gone", nil)
	code, _, errOut = run(t, append([]string{"export", "-o", dir}, srv...)...)
	require.Equal(t, 0, code, errOut)
	second := readDir(t, dir)
	delete(first, "templates/gone.yaml")
	require.Equal(t, first, second, "a second export is byte-identical, without the deleted template")

	code, out, errOut := run(t, "validate", "-f", dir)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "files valid")

	path := filepath.Join(dir, "templates", "job.yaml")
	good := second["templates/job.yaml"]
	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(good, "Job {{ .data.job }}", "Job {{ .data.job ", 1)), 0o644))
	code, _, errOut = run(t, "validate", "-f", dir)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "templates/job.yaml:9:20: spec.locales.de.subject: syntax error: unclosed action (template line 1, column 5)")

	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(good, "Job {{ .data.job }}", "Neuer Job {{ .data.job }}", 1)), 0o644))
	code, out, errOut = run(t, append([]string{"plan", "-f", dir}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "~ Template job (templates/job.yaml)\n    locales.de.subject: \"Job {{ .data.job }}\" → \"Neuer Job {{ .data.job }}\"\n")
	require.Contains(t, out, "apply with: herold apply -f "+dir+" --revision ")

	code, out, errOut = run(t, append([]string{"apply", "-f", dir, "-m", "new subject"}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "\napplied as revision 1, the first: there is no earlier revision to roll back to\n",
		"no rollback command: nothing before the first apply was recorded")
	code, _, errOut = run(t, append([]string{"rollback", "0"}, srv...)...)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, `"0" is not a revision number: revisions count from 1`)
	code, out, errOut = run(t, append([]string{"revisions"}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "new subject")

	require.NoError(t, os.WriteFile(path, []byte(good), 0o644))
	code, _, errOut = run(t, append([]string{"apply", "-f", dir, "--revision", "0123456789abcdef01234567"}, srv...)...)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "changed since the plan")
	code, out, errOut = run(t, append([]string{"apply", "-f", dir}, srv...)...)
	require.Equal(t, 0, code, errOut)
	// The undo command it prints works and restores revision 1.
	undo := regexp.MustCompile(`\(undo with: herold (rollback \d+)\)`).FindStringSubmatch(out)
	require.NotNil(t, undo, out)
	require.Equal(t, "rollback 1", undo[1])
	code, out, errOut = run(t, append(strings.Fields(undo[1]), srv...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "applied as revision 3 (undo with: herold rollback 2)")
	got := e.Must(http.StatusOK, "GET", "/v1/templates/job", nil).Map(t)
	require.Equal(t, "Neuer Job {{ .data.job }}", got["locales"].(map[string]any)["de"].(map[string]any)["subject"])

	code, out, _ = run(t, "schema")
	require.Equal(t, 0, code)
	require.Contains(t, out, `"$id": "https://herold.dev/schemas/config/v1.json"`)
}

// TestConfigDemoRoundTrip: the demo workspace (flows with confirm and
// BCC, birthday and qualification schedules) exports to files that
// validate offline, and planning them against the same server changes
// nothing.
func TestConfigDemoRoundTrip(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, apptest.WithDemo)
	require.NotEmpty(t, e.App.Demo.Secret)
	srv := []string{"--server", e.URL, "--key", e.App.Demo.Secret}
	dir := t.TempDir()
	code, _, errOut := run(t, append([]string{"export", "-o", dir}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.Greater(t, len(readDir(t, dir)), 5)
	code, _, errOut = run(t, "validate", "-f", dir)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := run(t, append([]string{"plan", "-f", dir, "--prune"}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.True(t, strings.HasPrefix(out, "No changes: the server matches the files.\n"), out)

	// Values equal to the default are left out, and channels is written
	// without the older channel.
	exported := readDir(t, dir)
	flow := exported["flows/standard.yaml"]
	require.Contains(t, flow, "status: confirm", "a value other than the default stays")
	for _, def := range []string{"status: active", "category: transactional", "channel:", "channels:"} {
		require.NotContains(t, flow, def, "flows/standard.yaml:\n%s", flow)
	}
	require.NotContains(t, exported["schedules/geburtstagsgruesse.yaml"], "role: contact")

	// Once the files manage the demo, prune deletes the flow whose file is
	// gone: the plan shows what
	// that would have done to last week's job requests, in German.
	demo := e.WithKey(e.App.Demo.Secret)
	demo.Must(http.StatusCreated, "POST", "/v1/events", map[string]any{"type": "job.requested", "project": "messe-koeln",
		"data": map[string]any{"job": "Aufbau", "date": "2026-04-14", "reply_by": "2026-04-01"}})
	e.Clock.Advance(time.Hour)
	code, _, errOut = run(t, append([]string{"apply", "-f", dir, "-m", "the files manage the demo"}, srv...)...)
	require.Equal(t, 0, code, errOut)
	// Applying the export changed nothing: a plan shows no difference, and
	// a second export writes the same bytes.
	code, out, errOut = run(t, append([]string{"plan", "-f", dir, "--prune", "--no-impact"}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.True(t, strings.HasPrefix(out, "No changes: the server matches the files.\n"), out)
	again := t.TempDir()
	code, _, errOut = run(t, append([]string{"export", "-o", again}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, exported, readDir(t, again))
	require.NoError(t, os.Remove(filepath.Join(dir, "flows", "standard.yaml")))
	code, _, errOut = run(t, append([]string{"plan", "-f", dir, "--prune"}, srv...)...)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "herold: 422 Invalid input: Flow/standard: prune cannot delete it: project messe-koeln still uses it")
	project := filepath.Join(dir, "projects", "messe-koeln.yaml")
	data, err := os.ReadFile(project)
	require.NoError(t, err)
	require.Contains(t, string(data), "\n  flow: standard\n")
	require.NoError(t, os.WriteFile(project, []byte(strings.Replace(string(data), "\n  flow: standard\n", "\n", 1)), 0o644))
	code, out, errOut = run(t, append([]string{"plan", "-f", dir, "--prune", "--days", "1", "--lang", "de"}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "- Flow standard")
	require.Contains(t, out, "Auswirkung der geplanten Konfiguration auf 1 aufgezeichnete Ereignisse")
	require.Contains(t, out, "Ablauf standard, job.requested, Benachrichtigung job-requested:")
	require.Contains(t, out, "Projekt messe-koeln, Ablauf standard, job.requested, Benachrichtigung job-requested: 3 Nachrichten → 0: das Projekt nutzt einen anderen Ablauf (0 hinzu, 3 entfallen, 0 geändert).")
	require.Contains(t, out, "entfällt p-clara (job-requested, unterdrückt: keine E-Mail-Adresse)")
	code, out, errOut = run(t, append([]string{"plan", "-f", dir, "--prune", "--no-impact"}, srv...)...)
	require.Equal(t, 0, code, errOut)
	require.NotContains(t, out, "Impact")
	code, _, errOut = run(t, append([]string{"plan", "-f", dir, "--days", "93"}, srv...)...)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "impact.days")
}

// TestValidateReportsEveryProblemAtOnce: a schema problem does not hide
// the template problems of other files, an unknown field not those of
// its own file, and validate says which checks wait for the next run.
func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	write := func(name, data string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", name), []byte(data), 0o644))
	}
	write("job.yaml", "apiVersion: herold/v1\nkind: Template\nmetadata:\n  name: job\nspec:\n  name: [x]\n")
	write("broken.yaml", "apiVersion: herold/v1\nkind: Template\nmetadata:\n  name: broken\nspec:\n  colour: red\n  locales:\n"+
		"    de:\n      subject: \"{{ .data.job \"\n      text: x\n")
	code, _, errOut := run(t, "validate", "-f", dir)
	require.Equal(t, 1, code)
	require.Equal(t, "herold: fix these, then run herold validate again: the templates, conditions and references of "+
		"templates/job.yaml are checked once these problems are fixed:\n"+
		"templates/broken.yaml:6:3: spec.colour: unknown field \"colour\"; known fields: description, locales, name, sender\n"+
		"templates/broken.yaml:9:17: spec.locales.de.subject: syntax error: unclosed action (template line 1, column 1)\n"+
		"templates/job.yaml:6:9: spec.name: expected text\n", errOut)
}
