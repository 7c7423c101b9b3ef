package alloctest

import "testing"

var sink []byte

func TestBytesPerRun(t *testing.T) {
	if got := BytesPerRun(t, 100, func() {}); got != 0 {
		t.Errorf("nothing allocated: got %v bytes per run, want 0", got)
	}
	got := BytesPerRun(t, 100, func() { sink = make([]byte, 4096) })
	if got < 4096 || got > 4096+64 {
		t.Errorf("a 4 KB buffer per run: got %v bytes per run", got)
	}
}

func TestAllocsPerRun(t *testing.T) {
	if got := AllocsPerRun(t, 100, func() { sink = make([]byte, 4096) }); got != 1 {
		t.Errorf("one buffer per run: got %v allocations per run, want 1", got)
	}
}
