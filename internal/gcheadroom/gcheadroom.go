// Package gcheadroom gives the Go garbage collector a minimum of room to
// grow the heap between collections.
//
// Go collects when the heap has grown by GOGC percent of what the last
// collection found live (100 %: a heap of 20 MiB live is collected again
// at 40 MiB). A collection costs about the same whatever it frees, so a
// server whose live heap is small collects often for little: during a
// mailing Herold keeps 15–30 MiB live and allocates several hundred MiB
// per second, and the collector took a fifth of its CPU. With a headroom
// of H, the collector percent is set after each collection so that the
// heap may grow by at least H before the next one, i.e. GOGC =
// H / live × 100, never below Go's 100 and never above maxPercent. A
// large live heap keeps Go's default: the heap never exceeds
// max(2 × live, live + H).
//
// Operators who set GOGC in the environment keep their setting; GOMEMLIMIT
// still bounds the heap as the runtime documents.
package gcheadroom

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultHeadroom is the room Herold gives the heap: 48 MiB.
const DefaultHeadroom = 48 << 20

const (
	minPercent = 100
	// maxPercent bounds the percent for a nearly empty heap, where the
	// headroom alone decides.
	maxPercent = 1000
	liveMetric = "/gc/heap/live:bytes"
)

// Percent is the collector percent that lets a heap of live bytes grow by
// at least headroom bytes: headroom / live × 100, at least 100 and at
// most 1000.
func Percent(live, headroom uint64) int {
	if live == 0 {
		return maxPercent
	}
	p := headroom * 100 / live
	switch {
	case p < minPercent:
		return minPercent
	case p > maxPercent:
		return maxPercent
	}
	return int(p)
}

// Tuner sets the collector percent after every collection.
type Tuner struct {
	headroom uint64
	mu       sync.Mutex // guards what follows: adjust and Stop
	stopped  bool
	last     int
	prev     int // the percent before Start, restored by Stop
	sample   []metrics.Sample
}

// sentinel is allocated for each collection: its cleanup runs after the
// collection that found it unreachable. It holds a pointer and 16 bytes
// so that it is an object of its own, never one of the tiny allocator's
// shared blocks.
type sentinel struct {
	_ *byte
	_ [16]byte
}

// Start tunes the collector with headroom (DefaultHeadroom when 0) until
// Stop, and returns nil when GOGC is set in the environment: the
// operator's setting stands.
func Start(headroom uint64) *Tuner {
	if os.Getenv("GOGC") != "" {
		return nil
	}
	if headroom == 0 {
		headroom = DefaultHeadroom
	}
	t := &Tuner{headroom: headroom, sample: []metrics.Sample{{Name: liveMetric}}}
	t.prev = debug.SetGCPercent(minPercent)
	t.last = minPercent
	t.adjust()
	t.arm()
	return t
}

// arm allocates the next collection's sentinel.
func (t *Tuner) arm() {
	runtime.AddCleanup(&sentinel{}, (*Tuner).cycle, t)
}

// cycle runs after a collection: it sets the percent for the live heap it
// found and arms the next one, until Stop.
func (t *Tuner) cycle() {
	if t.adjust() {
		t.arm()
	}
}

// adjust sets the percent for the live heap the last collection found;
// it reports false once stopped.
func (t *Tuner) adjust() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return false
	}
	metrics.Read(t.sample)
	if t.sample[0].Value.Kind() != metrics.KindUint64 {
		return true
	}
	if p := Percent(t.sample[0].Value.Uint64(), t.headroom); p != t.last {
		debug.SetGCPercent(p)
		t.last = p
	}
	return true
}

// Stop ends the tuning and restores the percent from before Start. A nil
// Tuner (GOGC set) does nothing.
func (t *Tuner) Stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped {
		return
	}
	t.stopped = true
	debug.SetGCPercent(t.prev)
}
