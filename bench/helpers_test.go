package main

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestBirthdaysOn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    int
		day  time.Time
	}{
		{"1 March, 1M", 1_000_000, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"28 February in a common year takes 29 February", 100_000, time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC)},
		{"28 February in a leap year", 100_000, time.Date(2028, 2, 28, 0, 0, 0, 0, time.UTC)},
		{"29 February", 100_000, time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"fewer contacts than days", 100, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			leap := time.Date(tt.day.Year(), 12, 31, 0, 0, 0, 0, time.UTC).YearDay() == 366
			want := 0
			for i := range tt.n {
				b := birthdayOf(i)
				if b.Month() == tt.day.Month() && b.Day() == tt.day.Day() ||
					!leap && tt.day.Month() == 2 && tt.day.Day() == 28 && b.Month() == 2 && b.Day() == 29 {
					want++
				}
			}
			if got := birthdaysOn(tt.n, tt.day); got != want {
				t.Fatalf("birthdaysOn = %d, want %d", got, want)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	t.Parallel()
	msg := []byte("From: a@b\r\nList-Unsubscribe: <mailto:u@b>,\r\n <https://b/u>\r\nMessage-ID: <x@y>\r\n\r\nList-Unsubscribe: body\r\n")
	if got := header(msg, "list-unsubscribe"); got != "<mailto:u@b>, <https://b/u>" {
		t.Errorf("header = %q", got)
	}
	if got := messageID(msg); got != "x@y" {
		t.Errorf("messageID = %q", got)
	}
	if got := header([]byte("From: a\r\n\r\nX-Y: z\r\n"), "X-Y"); got != "" {
		t.Errorf("header from the body = %q", got)
	}
}

func TestParseSizesAndNames(t *testing.T) {
	t.Parallel()
	got, err := parseSizes("100_000, 1000000,2500")
	if err != nil || len(got) != 3 || got[0] != 100000 || got[1] != 1000000 || got[2] != 2500 {
		t.Fatalf("parseSizes = %v, %v", got, err)
	}
	for _, bad := range []string{"", "x", "-5", "0"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q): want an error", bad)
		}
	}
	for n, want := range map[int]string{100000: "100k", 1000000: "1m", 2500: "2500", 2000: "2k"} {
		if got := sizeName(n); got != want {
			t.Errorf("sizeName(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestFlagsNeedPostgresForReplicas(t *testing.T) {
	t.Parallel()
	if _, err := parseFlags([]string{"-replicas", "3"}); err == nil {
		t.Fatal("-replicas 3 without -postgres: want an error")
	}
	cfg, err := parseFlags([]string{"-replicas", "3", "-postgres", "auto", "-w3-sizes", "1000"})
	if err != nil || cfg.replicas != 3 || len(cfg.w3Sizes) != 1 {
		t.Fatalf("cfg = %+v, err %v", cfg, err)
	}
	ws, err := selectWorkloads("w3,faults", cfg)
	if err != nil || len(ws) != 4 || ws[0].name != "w3-1k" || ws[1].name != "crash" || ws[2].name != "load" || ws[3].name != "sigterm" {
		t.Fatalf("selectWorkloads = %v, %v", ws, err)
	}
}

func TestAllCombinesWithTheFaultTests(t *testing.T) {
	t.Parallel()
	cfg, err := parseFlags([]string{"-w3-sizes", "1000"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	ws, err := selectWorkloads("all,faults,w2", cfg)
	for _, w := range ws {
		names = append(names, w.name)
	}
	if want := "ceiling w1-max w1-paced d1 w4 w2 w2-broadcast w3-1k mixed inbox crash load sigterm"; err != nil || strings.Join(names, " ") != want {
		t.Fatalf("selectWorkloads = %q, %v; want %q", names, err, want)
	}
}

func TestSigtermRunsAreWorkloads(t *testing.T) {
	t.Parallel()
	cfg, err := parseFlags([]string{"-sigterm-runs", "2"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ spec, want string }{
		{"sigterm", "sigterm-1 sigterm-2"},
		{"faults", "crash load sigterm-1 sigterm-2"},
		{"sigterm-2,mixed", "sigterm-2 mixed"},
	} {
		ws, err := selectWorkloads(tt.spec, cfg)
		var names []string
		for _, w := range ws {
			names = append(names, w.name)
		}
		if err != nil || strings.Join(names, " ") != tt.want {
			t.Errorf("selectWorkloads(%q) = %q, %v; want %q", tt.spec, names, err, tt.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	if got := exitCode(nil); got != 0 {
		t.Errorf("exitCode(nil) = %d", got)
	}
	err := exec.Command("sh", "-c", "exit 3").Run()
	if got := exitCode(err); got != 3 {
		t.Errorf("exitCode(exit 3) = %d (%v)", got, err)
	}
}

// TestAudience checks both orders of actors: in turn, k names contact k
// modulo n; spread, n consecutive actors name every contact once, and no
// two consecutive actors name neighbouring contacts.
func TestAudience(t *testing.T) {
	if got := (audience{n: 1000}).contact(1003); got != contactID(3) {
		t.Errorf("in turn: actor 1003 of 1000 contacts is %s, want %s", got, contactID(3))
	}
	for _, n := range []int{1, 2, 1000, 99_991, 100_000} {
		a := audience{n: n, spread: true}
		seen := make(map[string]bool, n)
		prev := -1
		for k := range n {
			id := a.contact(k + 5*n) // any window of n consecutive actors
			if seen[id] {
				t.Fatalf("spread over %d: %s named twice within %d actors", n, id, n)
			}
			seen[id] = true
			var i int
			if _, err := fmt.Sscanf(id, "c-%d", &i); err != nil || i < 0 || i >= n {
				t.Fatalf("spread over %d: %q is not one of the contacts", n, id)
			}
			if n >= 1000 && prev >= 0 && (i == prev+1 || i == prev-1) {
				t.Fatalf("spread over %d: actors %d and %d name neighbours %d and %d", n, k-1, k, prev, i)
			}
			prev = i
		}
	}
}
