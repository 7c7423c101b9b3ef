//go:build unix

package httpserver

import "syscall"

// openFileLimit returns the process's limit on open files (the soft
// RLIMIT_NOFILE, which Go raises to the hard limit at start), or 0 when it
// cannot be read.
func openFileLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return int(min(r.Cur, 1<<30))
}
