package manifest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestValidateReportsEveryProblemInOneRun: a schema problem in one file
// does not hide the template and reference problems of the others; an
// unknown field does not hide those of its own file; a reference to an
// object whose file has other problems counts as resolved; and when a
// file cannot be read far enough to know its object, the references are
// left for the next run, which Validate says.
func TestValidateReportsEveryProblemInOneRun(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		// A schema problem that is no unknown field; it defines Template job.
		"templates/job.yaml": "apiVersion: herold/v1\nkind: Template\nmetadata:\n  name: job\nspec:\n  name: [x]\n" +
			"  locales:\n    de:\n      subject: Job\n      text: x\n",
		// A template problem.
		"templates/broken.yaml": "apiVersion: herold/v1\nkind: Template\nmetadata:\n  name: broken\nspec:\n  locales:\n" +
			"    de:\n      subject: \"{{ .data.job \"\n      text: x\n",
		// An unknown field; refers to the template of the file with a
		// schema problem, and to one no file defines.
		"flows/standard.yaml": "apiVersion: herold/v1\nkind: Flow\nmetadata:\n  name: standard\nspec:\n  colour: red\n  notifications:\n" +
			"    - key: a\n      event_type: job.requested\n      template: job\n      recipients: [role:promoter]\n" +
			"    - key: b\n      event_type: job.requested\n      template: jobb\n      recipients: [role:promoter]\n",
		// A reference problem.
		"projects/messe.yaml": "apiVersion: herold/v1\nkind: Project\nmetadata:\n  name: messe\nspec:\n  flow: nope\n",
	}
	asList := func(m map[string]string) []File {
		var out []File
		for name, data := range m {
			out = append(out, File{Name: name, Data: data})
		}
		return out
	}
	v := Validate(asList(files))
	require.Equal(t, []string{"templates/job.yaml"}, v.Unchecked)
	require.False(t, v.ReferencesUnchecked)
	require.Equal(t, []string{
		`flows/standard.yaml:6:3: spec.colour: unknown field "colour"; known fields: description, name, notifications, sender`,
		`flows/standard.yaml:14:17: spec.notifications[1].template: no file defines Template "jobb"`,
		`projects/messe.yaml:6:9: spec.flow: no file defines Flow "nope"`,
		`templates/broken.yaml:8:17: spec.locales.de.subject: syntax error: unclosed action (template line 1, column 1)`,
		`templates/job.yaml:6:9: spec.name: expected text`,
	}, problemLines(v.Problems))

	// A file that is not YAML may define any object: references wait.
	files["flows/other.yaml"] = "key: [\n"
	v = Validate(asList(files))
	require.Equal(t, []string{"flows/other.yaml", "templates/job.yaml"}, v.Unchecked)
	require.True(t, v.ReferencesUnchecked)
	require.Equal(t, []string{
		`flows/other.yaml:1: did not find expected node content`,
		`flows/standard.yaml:6:3: spec.colour: unknown field "colour"; known fields: description, name, notifications, sender`,
		`templates/broken.yaml:8:17: spec.locales.de.subject: syntax error: unclosed action (template line 1, column 1)`,
		`templates/job.yaml:6:9: spec.name: expected text`,
	}, problemLines(v.Problems))

	// Without problems, nothing is unchecked.
	delete(files, "flows/other.yaml")
	files["flows/standard.yaml"] = strings.Replace(strings.Replace(files["flows/standard.yaml"], "  colour: red\n", "", 1), "jobb", "job", 1)
	files["templates/job.yaml"] = "apiVersion: herold/v1\nkind: Template\nmetadata:\n  name: job\nspec:\n  locales:\n    de:\n      subject: Job\n      text: x\n"
	files["projects/messe.yaml"] = "apiVersion: herold/v1\nkind: Project\nmetadata:\n  name: messe\nspec:\n  flow: standard\n"
	delete(files, "templates/broken.yaml")
	v = Validate(asList(files))
	require.Empty(t, v.Problems)
	require.Empty(t, v.Unchecked)
	require.Len(t, v.Docs, 3)
}

func problemLines(ps Problems) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}
