// Package alloctest measures how many bytes a function allocates, for
// tests that pin a hot path's allocations: testing.AllocsPerRun counts
// allocations, but a path that trades one large buffer for a small one
// keeps its count and changes its bytes.
package alloctest

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// BytesPerRun returns the average number of bytes f allocates per call,
// measured over runs calls after one warm-up call (which fills pools and
// caches, as a long-running server has them filled). Like
// testing.AllocsPerRun it runs with GOMAXPROCS 1, so other goroutines of
// the test allocate as little as possible meanwhile, and it turns the
// garbage collector off so that sync.Pool keeps what f put back. Under
// the race detector, which makes sync.Pool drop what it is given at
// random, it skips the test.
func BytesPerRun(t testing.TB, runs int, f func()) float64 {
	t.Helper()
	if raceEnabled {
		t.Skip("the race detector makes pooled paths allocate at random")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / float64(runs)
}

// AllocsPerRun is testing.AllocsPerRun for a path that reaches a
// sync.Pool, also indirectly (fmt keeps its printers in one): under the
// race detector, which makes a pool drop what it is given at random, it
// skips the test rather than count those allocations.
func AllocsPerRun(t testing.TB, runs int, f func()) float64 {
	t.Helper()
	if raceEnabled {
		t.Skip("the race detector makes pooled paths allocate at random")
	}
	return testing.AllocsPerRun(runs, f)
}
