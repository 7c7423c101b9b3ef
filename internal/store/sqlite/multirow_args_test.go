package sqlite

import (
	"testing"

	"github.com/herold-dev/herold/internal/alloctest"
)

// TestArgumentListsAreReused pins that a chunk's argument list comes from
// the pool (a chunk of 100 messages would otherwise allocate 59 KB for
// it) and goes back without the values of its rows.
func TestArgumentListsAreReused(t *testing.T) { // not parallel: it counts bytes
	row := []any{"m1", int64(1), "ev", "booking.confirmed"}
	var kept []any
	got := alloctest.BytesPerRun(t, 100, func() {
		l := takeArgs(maxRowsPerInsert * 36)
		args := l.a
		for range maxRowsPerInsert * 9 {
			args = append(args, row...)
		}
		kept = args
		l.release(args)
	})
	if got != 0 {
		t.Errorf("a chunk's argument list costs %v bytes, want 0 (pooled)", got)
	}
	for i, v := range kept {
		if v != nil {
			t.Fatalf("released list still holds value %d: %v", i, v)
		}
	}
	if len(kept) != maxRowsPerInsert*36 {
		t.Fatalf("kept %d values", len(kept))
	}
}
