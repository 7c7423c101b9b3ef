// Package filetemplate makes a file once per process and hands out
// copies: tests use it for a migrated SQLite database, which costs about
// a second of CPU to make under the race detector and a millisecond to
// copy.
package filetemplate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Template is a file made on first use by Make.
type Template struct {
	// Make writes the file at path, in a temporary directory of its own
	// that is removed afterwards; it must leave nothing beside the file
	// that the file needs (a SQLite store must be closed, so that its
	// write-ahead log is checkpointed into the file).
	Make func(path string) error

	once  sync.Once
	bytes []byte
	err   error
}

// name is the file's name in Make's directory; Make's extra files are
// looked for beside it.
const name = "template"

// CopyTo writes a copy of the file to path, making the file first if
// this is the first use. A failed Make fails every copy.
func (t *Template) CopyTo(path string) error {
	t.once.Do(func() { t.bytes, t.err = t.make() })
	if t.err != nil {
		return fmt.Errorf("make the template file: %w", t.err)
	}
	return os.WriteFile(path, t.bytes, 0o600)
}

func (t *Template) make() ([]byte, error) {
	dir, err := os.MkdirTemp("", "herold-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, name)
	if err := t.Make(path); err != nil {
		return nil, err
	}
	// A SQLite write-ahead log left behind holds changes the file lacks.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, errors.New("a write-ahead log was left beside the file: close the store in Make")
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return os.ReadFile(path)
}
