package cli_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestClientCommandsNameTheScopeTheirKeyNeeds: the help of every command
// that talks to a server names the scope its --key needs, and that is the
// truth: with an ingest key, a command whose help says admin alone is
// refused for the scope, and one whose help allows ingest is not.
func TestClientCommandsNameTheScopeTheirKeyNeeds(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	var k struct {
		Secret string `json:"secret"`
	}
	e.Must(http.StatusCreated, "POST", "/v1/keys", map[string]any{"name": "sync", "scopes": []string{"ingest"}}).JSON(t, &k)

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "job.yaml"), []byte("apiVersion: herold/v1\nkind: Template\n"+
		"metadata:\n  name: job\nspec:\n  locales:\n    de:\n      subject: Job\n      text: x\n"), 0o644))
	events := filepath.Join(t.TempDir(), "events.yaml")
	require.NoError(t, os.WriteFile(events, []byte("- type: job.requested\n  project: p\n  occurred_at: 2026-03-02T09:00:00Z\n"), 0o644))

	keyHelp := regexp.MustCompile(`--key string +API key \(scope ([a-z ]+)\)`)
	for _, tt := range []struct {
		args []string
		want string // the scope the help names
	}{
		{[]string{"plan", "-f", dir}, "admin"},
		{[]string{"apply", "-f", dir}, "admin"},
		{[]string{"export", "-o", t.TempDir()}, "admin"},
		{[]string{"revisions"}, "admin"},
		{[]string{"rollback", "1"}, "admin"},
		{[]string{"simulate", "standard", events}, "admin"},
		{[]string{"explain", "no-such-event"}, "admin or ingest"},
		{[]string{"events", "send", "--type", "job.requested", "--project", "p"}, "admin or ingest"},
	} {
		name := strings.Join(tt.args[:1], " ")
		if tt.args[0] == "events" {
			name = "events send"
		}
		code, help, _ := run(t, append(strings.Fields(name), "--help")...)
		require.Equal(t, 0, code)
		m := keyHelp.FindStringSubmatch(help)
		require.NotNil(t, m, "%s --help names no scope for --key:\n%s", name, help)
		require.Equal(t, tt.want, m[1], "%s --help", name)

		_, _, stderr := run(t, append(tt.args, "--server", e.URL, "--key", k.Secret)...)
		forbidden := strings.Contains(stderr, "403")
		if tt.want == "admin" {
			require.True(t, forbidden, "%s with an ingest key: %s", name, stderr)
			require.Contains(t, stderr, "needs one of: admin", name)
		} else {
			require.False(t, forbidden, "%s with an ingest key: %s", name, stderr)
		}
	}
}
