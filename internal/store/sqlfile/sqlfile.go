// Package sqlfile loads named SQL statements from embedded .sql files, so that
// the store drivers keep their SQL in .sql files rather than Go strings.
//
// A file holds any number of statements, each introduced by a line
//
//	-- name: TemplateGet
//
// and running until the next such line or the end of the file.
package sqlfile

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Load reads every *.sql file in dir of fsys and returns the statements by
// name. Duplicate or empty names are an error.
func Load(fsys fs.FS, dir string) (map[string]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read query dir: %w", err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", e.Name(), err)
		}
		if err := parse(string(b), e.Name(), out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parse(src, file string, out map[string]string) error {
	var name string
	var body strings.Builder
	flush := func() error {
		if name == "" {
			return nil
		}
		q := strings.TrimSpace(body.String())
		if q == "" {
			return fmt.Errorf("%s: query %s is empty", file, name)
		}
		if _, dup := out[name]; dup {
			return fmt.Errorf("%s: query %s defined twice", file, name)
		}
		out[name] = q
		body.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "-- name:"); ok {
			if err := flush(); err != nil {
				return err
			}
			name = strings.TrimSpace(rest)
			if name == "" {
				return fmt.Errorf("%s: query without a name", file)
			}
			continue
		}
		if name != "" {
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("scan %s: %w", file, err)
	}
	return flush()
}
