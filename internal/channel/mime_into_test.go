package channel

import (
	"bytes"
	"testing"
)

// TestBuildMIMEInto builds into buffers left dirty by a longer message, too
// small, and absent: always BuildMIME's bytes, in the given storage when
// it is large enough, and without allocating that storage again.
func TestBuildMIMEInto(t *testing.T) { // not parallel: it counts allocations
	e := newsletterEmail()
	want, err := BuildMIME(e)
	if err != nil {
		t.Fatal(err)
	}
	dirty := bytes.Repeat([]byte{0xff, '\n', '.'}, 3*len(want))
	for _, tt := range []struct {
		name  string
		buf   []byte
		alias bool
	}{
		{"dirty and larger", dirty, true},
		{"dirty, used length zero", dirty[:0], true},
		{"too small", make([]byte, 10), false},
		{"nil", nil, false},
	} {
		got, err := BuildMIMEInto(tt.buf, e)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: built\n%q\nwant\n%q", tt.name, got, want)
		}
		if aliased := cap(tt.buf) > 0 && &got[:1][0] == &tt.buf[:1][0]; aliased != tt.alias {
			t.Errorf("%s: result in the given buffer = %v, want %v", tt.name, aliased, tt.alias)
		}
	}
	fresh := testing.AllocsPerRun(20, func() { _, _ = BuildMIME(e) })
	reused := testing.AllocsPerRun(20, func() { _, _ = BuildMIMEInto(dirty, e) })
	if reused != fresh-1 {
		t.Errorf("building into a large enough buffer allocates %v times, BuildMIME %v: want one less, the buffer", reused, fresh)
	}

	// An invalid message fails as in BuildMIME.
	bad := newsletterEmail()
	bad.Subject = "a\r\nBcc: x@y.de"
	if _, err := BuildMIMEInto(dirty, bad); !IsPermanent(err) {
		t.Errorf("invalid message: err = %v, want a permanent error", err)
	}
}
