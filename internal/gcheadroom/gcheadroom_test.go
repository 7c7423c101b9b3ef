package gcheadroom

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		live, headroom uint64
		want           int
	}{
		{0, 48 * mib, 1000},           // nothing live: the most room
		{1 * mib, 48 * mib, 1000},     // 4,800 % capped
		{16 * mib, 48 * mib, 300},     // a mailing's live heap
		{18 * mib, 48 * mib, 266},     // rounded down: never more than the headroom
		{48 * mib, 48 * mib, 100},     // exactly the headroom: Go's default
		{48*mib + 1, 48 * mib, 100},   // a byte more: still the default, never below
		{200 * mib, 48 * mib, 100},    // a large live heap keeps Go's default
		{4800 * 1024, 48 * mib, 1000}, // the cap exactly: 4.6875 MiB live
	} {
		if got := Percent(c.live, c.headroom); got != c.want {
			t.Errorf("Percent(%d, %d) = %d, want %d", c.live, c.headroom, got, c.want)
		}
	}
}

// TestPercentBoundsTheHeap checks the promise of the package comment: the
// heap Go collects at, live × (1 + percent/100), is at least live +
// headroom and never more than max(2 × live, live + headroom).
func TestPercentBoundsTheHeap(t *testing.T) {
	const headroom = 48 << 20
	for live := uint64(1 << 20); live < 400<<20; live += 1 << 19 {
		p := uint64(Percent(live, headroom))
		goal := live + live*p/100
		if p < maxPercent && goal+live/100 < live+headroom {
			t.Fatalf("live %d: goal %d leaves less than the headroom", live, goal)
		}
		if goal > max(2*live, live+headroom) {
			t.Fatalf("live %d: goal %d is above max(2 × live, live + headroom)", live, goal)
		}
	}
}

func gcPercent(t *testing.T) int {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

func liveBytes() uint64 {
	s := []metrics.Sample{{Name: liveMetric}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// awaitPercent collects and waits until the tuner has set the percent
// for the live heap the last collection found: the tuner runs on the
// runtime's cleanup goroutine after each collection (a collection of the
// runtime's own in between only changes which live heap that is).
func awaitPercent(t *testing.T, headroom uint64) int {
	t.Helper()
	runtime.GC()
	deadline := time.Now().Add(10 * time.Second)
	for {
		want := Percent(liveBytes(), headroom)
		if gcPercent(t) == want {
			return want
		}
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is %d after a collection, want %d for %d bytes live", gcPercent(t), want, liveBytes())
		}
		time.Sleep(time.Millisecond)
	}
}

var keep [][]byte

func TestTunerFollowsTheLiveHeap(t *testing.T) {
	t.Setenv("GOGC", "") // the operator's setting would stand
	before := debug.SetGCPercent(77)
	defer debug.SetGCPercent(before)

	const headroom = 8 << 20
	tu := Start(headroom)
	if tu == nil {
		t.Fatal("Start returned nil without GOGC")
	}
	// 32 MiB live: more than the headroom, so Go's default.
	for range 32 {
		keep = append(keep, make([]byte, 1<<20))
	}
	if got := awaitPercent(t, headroom); got != 100 {
		t.Fatalf("with 32 MiB live GOGC is %d, want 100", got)
	}
	// Released: a small heap gets the headroom.
	keep = nil
	if got := awaitPercent(t, headroom); got <= 100 {
		t.Fatalf("with %d bytes live GOGC is %d, want more than 100", liveBytes(), got)
	}

	tu.Stop()
	if got := gcPercent(t); got != 77 {
		t.Fatalf("after Stop GOGC is %d, want the 77 set before Start", got)
	}
	// Stopped: collections no longer change it.
	runtime.GC()
	runtime.GC()
	if got := gcPercent(t); got != 77 {
		t.Fatalf("a collection after Stop set GOGC to %d", got)
	}
	tu.Stop() // twice is harmless
}

func TestOperatorsGOGCStands(t *testing.T) {
	t.Setenv("GOGC", "150")
	if tu := Start(DefaultHeadroom); tu != nil {
		tu.Stop()
		t.Fatal("Start tuned the collector although GOGC is set")
	}
	var tu *Tuner
	tu.Stop() // a nil Tuner's Stop does nothing
}
