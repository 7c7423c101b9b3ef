package condition

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const docsPath = "../../docs/conditions.md"

// docExamples returns the expressions in the cel code blocks of the docs; a
// line that starts with a space continues the previous expression.
func docExamples(t *testing.T) []string {
	t.Helper()
	f, err := os.Open(docsPath)
	require.NoError(t, err)
	defer f.Close()
	var out []string
	in := false
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		switch {
		case line == "```cel":
			in = true
		case line == "```":
			in = false
		case in && strings.HasPrefix(line, " ") && len(out) > 0:
			out[len(out)-1] += "\n" + line
		case in && strings.TrimSpace(line) != "":
			out = append(out, line)
		}
	}
	return out
}

func TestDocExamplesCompile(t *testing.T) {
	t.Parallel()
	env := setup(t)
	examples := docExamples(t)
	require.Greater(t, len(examples), 15)
	for _, ex := range examples {
		_, err := env.Compile(ex)
		require.NoError(t, err, "docs example %q", ex)
	}
}

// TestDocCompileErrors checks the table of save-time errors in the docs.
func TestDocCompileErrors(t *testing.T) {
	t.Parallel()
	env := setup(t)
	b, err := os.ReadFile(docsPath)
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^\\| `(.+)` \\| `(\\d+:\\d+: .+)` \\|$")
	rows := row.FindAllStringSubmatch(string(b), -1)
	require.GreaterOrEqual(t, len(rows), 6)
	for _, r := range rows {
		expr := strings.ReplaceAll(r[1], `\|`, "|")
		_, err := env.Compile(expr)
		require.Error(t, err, expr)
		require.Equal(t, r[2], strings.SplitN(err.Error(), "; ", 2)[0], expr)
	}
}
