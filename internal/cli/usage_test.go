package cli_test

import (
	"net"
	"strings"
	"testing"
)

// TestUsageErrorsSayWhereToLook checks that a command line that does not
// fit its command (an unknown flag, a flag without its value, too many or
// too few arguments) fails with the problem and the help to read for the
// command that was meant, and that other errors get no such line.
func TestUsageErrorsSayWhereToLook(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args       []string
		want, help string
	}{
		{[]string{"serve", "--listen", "127.0.0.1:1"}, "herold: unknown flag: --listen\n", "herold serve"},
		{[]string{"serve", "--addr"}, "herold: flag needs an argument: --addr\n", "herold serve"},
		{[]string{"events", "send", "a", "b"}, "herold: accepts at most 1 arg(s), received 2\n", "herold events send"},
		{[]string{"keys", "revoke"}, "herold: accepts 1 arg(s), received 0\n", "herold keys revoke"},
		{[]string{"--bogus"}, "herold: unknown flag: --bogus\n", "herold"},
	} {
		code, _, stderr := run(t, tt.args...)
		want := tt.want + "Run '" + tt.help + " --help' for its arguments and flags.\n"
		if code != 1 || stderr != want {
			t.Errorf("%q: exit %d, stderr %q; want 1, %q", tt.args, code, stderr, want)
		}
	}
	// An error that is not about the command line gets no help line.
	code, _, stderr := run(t, "keys", "list", "--database", t.TempDir()+"/missing/dir/x.db")
	if code != 1 || stderr == "" || strings.Contains(stderr, "--help") {
		t.Errorf("a failing command: exit %d, stderr %q; want 1 and no help line", code, stderr)
	}
}

// TestClientCommandsSayWhenNoServerAnswers: a client command against an
// address where nothing listens says which server it tried and what to
// do, not Go's dial error.
func TestClientCommandsSayWhenNoServerAnswers(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	for _, args := range [][]string{
		{"explain", "some-event", "--key", "hk_x", "--server", server + "/"},
		{"events", "send", "--type", "t", "--project", "p", "--key", "hk_x", "--server", server},
	} {
		code, _, stderr := run(t, args...)
		want := "herold: cannot reach the Herold server at " + server + " (connection refused): start it with `herold serve`, " +
			"or point --server (or HEROLD_SERVER) at it\n"
		if code != 1 || stderr != want {
			t.Errorf("%q: exit %d, stderr %q; want 1, %q", args, code, stderr, want)
		}
	}
}
