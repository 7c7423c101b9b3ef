//go:build unix

package sqlite

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrInUse is returned by LockForServe when another process serves the
// database.
var ErrInUse = errors.New("another herold serve uses this database")

// LockForServe makes this process the only server of the database, for as
// long as the store is open: it takes an exclusive lock on the file
// DATABASE.serve-lock (the lock ends with the process, even one killed
// with SIGKILL). A SQLite database is served by one process, so a server
// holding the lock knows that no other process can hold leases on its
// messages (see store.PipelineQueries.MessageLeaseExpire).
func (s *Store) LockForServe() error {
	path := s.path + ".serve-lock"
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		_ = f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			pid := strings.TrimSpace(string(holder))
			return fmt.Errorf("%w (process %s holds %s); stop it first, or give this server its own --database",
				ErrInUse, cmp.Or(pid, "unknown"), path)
		}
		return fmt.Errorf("lock %s: %w", path, err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	s.lock = f
	return nil
}
