package cli_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOfflineCommandsRefuseAMissingDatabase checks that the commands that
// work on the database directly refuse a SQLite path where there is no
// database, saying how to create one, and leave nothing behind; and that
// herold migrate creates it, after which they work.
func TestOfflineCommandsRefuseAMissingDatabase(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "typo", "herold.db")
	for _, args := range [][]string{
		{"keys", "list"},
		{"keys", "create", "--name", "x"},
		{"workspaces", "list"},
		{"workspaces", "create", "acme"},
		{"users", "list"},
		{"inbox", "secret"},
		{"export", "--output", filepath.Join(t.TempDir(), "out.jsonl")},
	} {
		code, _, stderr := run(t, append(args, "--database", path)...)
		want := "herold: no database at " + path + ": check --database (or HEROLD_DATABASE); to create it, run `herold migrate --database " + path + "`"
		if code != 1 || !strings.HasPrefix(stderr, want) {
			t.Errorf("%q: exit %d, stderr %q; want 1 and %q", args, code, stderr, want)
		}
		if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("%q left %s behind (%v)", args, filepath.Dir(path), err)
		}
	}
	code, _, stderr := run(t, "keys", "list", "--database", "sqlite://"+path)
	if want := "herold: no database at " + path + ": "; code != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("sqlite:// path: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	if code, _, stderr := run(t, "migrate", "--database", path); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := run(t, "workspaces", "create", "acme", "--database", "sqlite://"+path)
	if code != 0 || !strings.Contains(stdout+stderr, "acme") {
		t.Errorf("workspaces create after migrate: exit %d, %q %q", code, stdout, stderr)
	}
	code, stdout, stderr = run(t, "workspaces", "list", "--database", path)
	if code != 0 || !strings.Contains(stdout, "acme") {
		t.Errorf("workspaces list after migrate: exit %d, %q %q", code, stdout, stderr)
	}
}
