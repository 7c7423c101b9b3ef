package main

import "testing"

func TestCompareSent(t *testing.T) {
	t.Parallel()
	// One mailing, three stops in a row: the sink's counts and the sent
	// records as each stop finds them.
	stops := []struct {
		name             string
		counts           map[string]int32
		sent             map[string]bool
		inFlight, notDel int
	}{
		{"a and b delivered, only a recorded", map[string]int32{"a": 1, "b": 1}, map[string]bool{"a": true}, 1, 0},
		{"b not sent again yet: not in flight twice", map[string]int32{"a": 1, "b": 1, "c": 1}, map[string]bool{"a": true, "c": true}, 0, 0},
		{"b sent again, still unrecorded; d recorded, never delivered", map[string]int32{"a": 1, "b": 2, "c": 1}, map[string]bool{"a": true, "c": true, "d": true}, 1, 1},
	}
	accounted := map[string]int32{}
	for _, st := range stops {
		inFlight, notDel := compareSent(st.counts, st.sent, accounted)
		if inFlight != st.inFlight || notDel != st.notDel {
			t.Errorf("%s: in flight %d, not delivered %d; want %d, %d", st.name, inFlight, notDel, st.inFlight, st.notDel)
		}
	}
}
