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

// TestMIMEBuffer builds a long and then a short message in one buffer,
// each as BuildMIME would; a refused message leaves the buffer as it was;
// and a build-release cycle allocates no message-sized buffer.
func TestMIMEBuffer(t *testing.T) { // not parallel: it counts allocations
	long, short := newsletterEmail(), newsletterEmail()
	short.HTML, short.Text = "", "kurz"
	buf := GetMIMEBuffer()
	for _, e := range []*Email{long, short, long} {
		want, err := BuildMIME(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := buf.Build(e)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("Build = %q, %v; want %q", got, err, want)
		}
	}
	kept := buf.b
	bad := newsletterEmail()
	bad.From = ""
	if got, err := buf.Build(bad); got != nil || !IsPermanent(err) {
		t.Errorf("invalid message: %q, %v", got, err)
	}
	if &buf.b[:1][0] != &kept[:1][0] {
		t.Error("a refused message dropped the buffer")
	}
	buf.Release()

	fresh := testing.AllocsPerRun(20, func() { _, _ = BuildMIME(long) })
	pooled := testing.AllocsPerRun(20, func() {
		b := GetMIMEBuffer()
		_, _ = b.Build(long)
		b.Release()
	})
	if pooled != fresh-1 {
		t.Errorf("a pooled build allocates %v times, BuildMIME %v: want one less, the buffer", pooled, fresh)
	}

	huge := newsletterEmail()
	huge.Text = string(bytes.Repeat([]byte("Zeile\n"), maxPooledMIME/6+1))
	b := GetMIMEBuffer()
	if _, err := b.Build(huge); err != nil {
		t.Fatal(err)
	}
	b.Release()
	if b.b != nil && cap(b.b) > maxPooledMIME {
		t.Errorf("released buffer keeps %d bytes, more than %d", cap(b.b), maxPooledMIME)
	}
}
