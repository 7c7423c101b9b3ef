//go:build !unix

package httpserver

// openFileLimit returns 0: the limit is not known here, and the
// connection bound is taken as configured.
func openFileLimit() int { return 0 }
