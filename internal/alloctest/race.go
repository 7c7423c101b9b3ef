//go:build race

package alloctest

// raceEnabled: the race detector makes sync.Pool drop a quarter of what
// is put back, so pooled paths allocate at random.
const raceEnabled = true
