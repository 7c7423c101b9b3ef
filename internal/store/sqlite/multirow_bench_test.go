package sqlite

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkStatementMemory reports how much the process's resident memory
// grows while the writer's connection prepares the multi-row statements of
// one query in every length a scheme produces: "upTo100" is every length
// from 1 to 100 (chunks before they came in powers of two), "powersOfTwo"
// the lengths chunks makes now. Resident memory is the process's, so run
// each case in a process of its own:
//
//	for c in upTo100 powersOfTwo; do for q in MessageInsert MessageRecord; do
//	  go test -run '^$' -bench "StatementMemory/$c/$q\$" -benchtime 1x ./internal/store/sqlite/
//	done; done
func BenchmarkStatementMemory(b *testing.B) {
	upTo100 := make([]int, 100)
	for i := range upTo100 {
		upTo100[i] = i + 1
	}
	var powers []int
	for n := 1; n <= maxRowsPerInsert; n *= 2 {
		powers = append(powers, n)
	}
	texts := map[string]func(s *Store, n int) string{
		"MessageInsert": func(s *Store, n int) string { return s.rows.query("MessageInsert", n) },
		"MessageRecord": func(s *Store, n int) string { return s.rows.replaceRows("MessageRecord", "MessageRecordRow", n) },
	}
	for _, scheme := range []struct {
		name    string
		lengths []int
	}{{"upTo100", upTo100}, {"powersOfTwo", powers}} {
		for name, text := range texts {
			b.Run(scheme.name+"/"+name, func(b *testing.B) {
				s, _ := benchStore(b)
				ctx := context.Background()
				before := residentKB(b)
				for b.Loop() {
					for _, n := range scheme.lengths {
						st, err := s.wdb.PrepareContext(ctx, text(s, n))
						if err != nil {
							b.Fatal(err)
						}
						b.Cleanup(func() { _ = st.Close() })
					}
				}
				b.ReportMetric(float64(residentKB(b)-before), "KB-resident")
			})
		}
	}
}

// residentKB is the process's resident memory (VmRSS) in KB.
func residentKB(b *testing.B) int {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status here")
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.Fields(rest)[0])
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatal("no VmRSS in /proc/self/status")
	return 0
}
