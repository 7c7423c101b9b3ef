package httpapi

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocsCurlExamplesSendJSON: every curl example in the README and
// docs/ that sends a body to the API says it is JSON. The API refuses a
// body without Content-Type: application/json (415), and curl's -d sends
// application/x-www-form-urlencoded, so an example without the header
// fails for whoever copies it.
func TestDocsCurlExamplesSendJSON(t *testing.T) {
	files, err := filepath.Glob("../../docs/*.md")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	files = append(files, "../../README.md")
	body := regexp.MustCompile(`\s(-d|--data|--data-binary|--data-raw)\s`)
	var bad []string
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			if !strings.Contains(lines[i], "curl ") || strings.HasPrefix(strings.TrimSpace(lines[i]), "|") {
				continue
			}
			start := i
			cmd := lines[i]
			for strings.HasSuffix(strings.TrimRight(lines[i], " "), `\`) && i+1 < len(lines) {
				i++
				cmd += " " + lines[i]
			}
			if !body.MatchString(cmd) || !strings.Contains(cmd, "/v1/") {
				continue
			}
			checked++
			// README sets J="Content-Type: application/json" once.
			if !strings.Contains(cmd, "Content-Type: application/json") && !strings.Contains(cmd, `-H "$J"`) {
				bad = append(bad, fmt.Sprintf("%s:%d: %s", filepath.Base(f), start+1, strings.TrimSpace(lines[start])))
			}
		}
	}
	require.NotZero(t, checked, "no curl example with a body found: the scan is broken")
	require.Empty(t, bad, "curl examples that send a body without Content-Type: application/json (the API answers 415)")
}
