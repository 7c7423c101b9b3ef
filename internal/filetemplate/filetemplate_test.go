package filetemplate_test

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/filetemplate"
)

// TestCopiesAreMadeOnce: Make runs once, however many copies are taken
// at once, and every copy holds what Make wrote and is its own file.
func TestCopiesAreMadeOnce(t *testing.T) {
	t.Parallel()
	var made int
	tmpl := &filetemplate.Template{Make: func(path string) error {
		made++
		return os.WriteFile(path, []byte("migrated"), 0o600)
	}}
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			require.NoError(t, tmpl.CopyTo(filepath.Join(dir, string(rune('a'+i)))))
		})
	}
	wg.Wait()
	require.Equal(t, 1, made)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a"), []byte("changed"), 0o600))
	b, err := os.ReadFile(filepath.Join(dir, "b"))
	require.NoError(t, err)
	require.Equal(t, "migrated", string(b))
}

// TestFailedMakeFailsEveryCopy: Make's error comes back on each copy,
// and a write-ahead log left beside the file is refused (the copy would
// lack its changes).
func TestFailedMakeFailsEveryCopy(t *testing.T) {
	t.Parallel()
	broken := &filetemplate.Template{Make: func(string) error { return errors.New("disk full") }}
	for range 2 {
		require.ErrorContains(t, broken.CopyTo(filepath.Join(t.TempDir(), "x")), "disk full")
	}
	wal := &filetemplate.Template{Make: func(path string) error {
		require.NoError(t, os.WriteFile(path, []byte("db"), 0o600))
		return os.WriteFile(path+"-wal", []byte("pages"), 0o600)
	}}
	require.ErrorContains(t, wal.CopyTo(filepath.Join(t.TempDir(), "x")), "write-ahead log")
}
