package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseProcIO(t *testing.T) {
	const text = "rchar: 1023483210\nwchar: 1536144424\nsyscr: 443885\nsyscw: 536053\n" +
		"read_bytes: 5070848\nwrite_bytes: 1128955904\ncancelled_write_bytes: 901120\n"
	got, err := parseProcIO(text)
	if err != nil {
		t.Fatal(err)
	}
	want := IOUsage{ReadCalls: 443885, WriteCalls: 536053, ReadBytes: 1023483210, WriteBytes: 1536144424}
	if got != want {
		t.Errorf("parseProcIO = %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "syscr: 1\nsyscw: 2\nrchar: 3\n", "syscr: x\nsyscw: 2\nrchar: 3\nwchar: 4\n"} {
		if _, err := parseProcIO(bad); err == nil {
			t.Errorf("parseProcIO(%q) accepted", bad)
		}
	}
}

// TestMeterCountsIO checks the counters against this process's own writes
// and reads of a file: 20 writes of 4 KiB and 10 reads of 4 KiB.
func TestMeterCountsIO(t *testing.T) {
	if _, err := os.Stat("/proc/self/io"); err != nil {
		t.Skip("no /proc/self/io on this kernel")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "io"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := startMeter(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	page := []byte(strings.Repeat("x", 4096))
	for range 20 {
		if _, err := f.Write(page); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 10 {
		if _, err := f.ReadAt(page, int64(i)*4096); err != nil {
			t.Fatal(err)
		}
	}
	u, err := m.read()
	if err != nil {
		t.Fatal(err)
	}
	if u.IO == nil {
		t.Fatal("no io counters read")
	}
	// The runtime and the test framework may read and write too (other
	// goroutines), never less than this test did.
	if u.IO.WriteCalls < 20 || u.IO.WriteBytes < 20*4096 || u.IO.ReadCalls < 10 || u.IO.ReadBytes < 10*4096 {
		t.Errorf("io = %+v, want at least 20 writes of 80 KiB and 10 reads of 40 KiB", *u.IO)
	}
	if u.IO.WriteCalls > 1000 || u.IO.ReadCalls > 1000 {
		t.Errorf("io = %+v: far more calls than the test made", *u.IO)
	}
}
