//go:build !unix

package sqlite

import "errors"

// ErrInUse is returned by LockForServe when another process serves the
// database.
var ErrInUse = errors.New("another herold serve uses this database")

// LockForServe is a no-op where file locks are not available: the
// operator must make sure one process serves a database.
func (s *Store) LockForServe() error { return nil }
