package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// TestWriteAllocProfile writes a pprof file (gzip-compressed protobuf), and
// reports a path it cannot write, naming the flag, without failing the run.
func TestWriteAllocProfile(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	cmd := &cobra.Command{}
	cmd.SetErr(&stderr)
	path := filepath.Join(t.TempDir(), "herold.mem.prof")
	writeAllocProfile(cmd, path)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 100 || raw[0] != 0x1f || raw[1] != 0x8b {
		t.Errorf("profile of %d bytes starting %x is no gzip-compressed pprof file", len(raw), raw[:min(len(raw), 2)])
	}
	if stderr.Len() > 0 {
		t.Errorf("unexpected message: %s", stderr.String())
	}

	writeAllocProfile(cmd, filepath.Join(t.TempDir(), "missing", "dir", "mem.prof"))
	if msg := stderr.String(); !strings.HasPrefix(msg, "--mem-profile: ") || !strings.Contains(msg, "no such file") {
		t.Errorf("message for an unwritable path = %q", msg)
	}
}
