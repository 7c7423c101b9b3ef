package cli_test

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// yamlBlock is a ```yaml block of a Markdown file.
type yamlBlock struct {
	line int // of the opening fence
	text string
}

// yamlBlocks returns the ```yaml blocks of a Markdown file, with the
// indentation of their fence (a block inside a list item) removed.
func yamlBlocks(t *testing.T, path string) []yamlBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []yamlBlock
	var cur *yamlBlock
	indent := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case cur == nil && trimmed == "```yaml":
			indent = line[:len(line)-len(trimmed)]
			cur = &yamlBlock{line: n}
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += strings.TrimPrefix(line, indent) + "\n"
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: the yaml block is not closed", path, cur.line)
	}
	return out
}

// exampleStubs are the objects the examples of config-as-code.md refer
// to without defining them: each example is validated with them.
var exampleStubs = map[string]string{
	"templates/job-request.yaml":       stubTemplate("job-request"),
	"templates/booking-confirmed.yaml": stubTemplate("booking-confirmed"),
}

func stubTemplate(key string) string {
	return "apiVersion: herold/v1\nkind: Template\nmetadata:\n  name: " + key +
		"\nspec:\n  locales:\n    de:\n      subject: Betreff\n      text: Text\n"
}

// TestConfigAsCodeExamplesValidate: every YAML example of
// docs/config-as-code.md passes herold validate, so that a reader who
// copies one gets no error. A whole file (apiVersion …) is validated as
// it stands, a fragment starting with spec: as the workspace.yaml it is
// part of; a block that is only a comment or a CI pipeline is no
// configuration file. Any other block fails the test until it is
// classified here.
func TestConfigAsCodeExamplesValidate(t *testing.T) {
	t.Parallel()
	const doc = "../../docs/config-as-code.md"
	blocks := yamlBlocks(t, doc)
	checked := 0
	for _, b := range blocks {
		var file string
		switch {
		case strings.Contains(b.text, "\napiVersion: ") || strings.HasPrefix(b.text, "apiVersion: "):
			file = b.text
		case strings.HasPrefix(b.text, "spec:\n"):
			file = "apiVersion: herold/v1\nkind: Workspace\nmetadata:\n  name: default\n" + b.text
		case onlyComments(b.text), strings.Contains(b.text, "script:"):
			continue
		default:
			t.Errorf("%s:%d: a yaml block that is neither a configuration file nor a spec: fragment; classify it in this test", doc, b.line)
			continue
		}
		dir := t.TempDir()
		files := map[string]string{"example.yaml": file}
		for name, data := range exampleStubs {
			files[name] = data
		}
		for name, data := range files {
			path := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		code, _, stderr := run(t, "validate", "-f", dir)
		if code != 0 {
			t.Errorf("%s:%d: the example does not validate:\n%s", doc, b.line, stderr)
		}
		checked++
	}
	if checked < 4 {
		t.Errorf("validated %d examples of %s; expected at least the flow and the three workspace.yaml fragments", checked, doc)
	}
}

func onlyComments(text string) bool {
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			return false
		}
	}
	return true
}
