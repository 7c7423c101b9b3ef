package dkim

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/smtptest"
)

// Issue 15, point 5: rotation with an overlap. Both selectors are
// published; the old key signs until the new one's ActiveFrom, the new
// one from that second on, and mail signed by either verifies while both
// records are in DNS.
func TestRotationSignsWithActiveKey(t *testing.T) {
	t.Parallel()
	switchAt := t0.Add(7 * 24 * time.Hour)
	s := newSetup(t,
		mustGenerate(t, RSA, "example.org", "herold202611", t0.Add(-30*24*time.Hour)),
		mustGenerate(t, RSA, "example.org", "herold202612", switchAt))
	raw, err := channel.BuildMIME(baseEmail())
	if err != nil {
		t.Fatal(err)
	}
	signer := NewSigner(s.keys)
	var signed [][]byte
	for _, at := range []time.Time{switchAt.Add(-time.Second), switchAt, switchAt.Add(time.Minute)} {
		s.clock.Set(at)
		out, err := signer.SignMessage(baseEmail(), raw)
		if err != nil {
			t.Fatal(err)
		}
		signed = append(signed, out)
	}
	// With only the old record left in DNS (after it is retired the other
	// way round), the message signed by the new key must fail: the
	// selector really is the new one.
	oldOnly := s.zone[:1]
	res := smtptest.VerifyDKIMAll(t, append(signed, signed[1]), s.zone)
	resOld := smtptest.VerifyDKIM(t, signed[1], oldOnly)
	want := []string{"herold202611", "herold202612", "herold202612"}
	for i, w := range want {
		if r := res[i]; len(r) != 1 || !r[0].Valid || r[0].Selector != w {
			t.Errorf("message %d: %+v, want valid signature by %s", i, r, w)
		}
	}
	if len(resOld) != 1 || resOld[0].Valid {
		t.Errorf("message signed by the new key verified without its record: %+v", resOld)
	}
	keys, err := ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, k := range keys {
		states[k.Selector] = State(keys, k, switchAt.Add(-time.Second)) + "/" + State(keys, k, switchAt)
	}
	if states["herold202611"] != "active/superseded" || states["herold202612"] != "pending/active" {
		t.Errorf("states before/at the switch: %v", states)
	}
}

// A domain with an RSA and an Ed25519 key gets both signatures, so a
// receiver that cannot check Ed25519 checks RSA; each algorithm rotates
// on its own.
func TestDualSignatures(t *testing.T) {
	t.Parallel()
	switchAt := t0.Add(24 * time.Hour)
	s := newSetup(t,
		mustGenerate(t, RSA, "example.org", "rsa1", t0.Add(-time.Hour)),
		mustGenerate(t, Ed25519, "example.org", "ed1", t0.Add(-time.Hour)),
		mustGenerate(t, Ed25519, "example.org", "ed2", switchAt))
	raw, err := channel.BuildMIME(baseEmail())
	if err != nil {
		t.Fatal(err)
	}
	signer := NewSigner(s.keys)
	before, err := signer.SignMessage(baseEmail(), raw)
	if err != nil {
		t.Fatal(err)
	}
	s.clock.Set(switchAt)
	after, err := signer.SignMessage(baseEmail(), raw)
	if err != nil {
		t.Fatal(err)
	}
	res := smtptest.VerifyDKIMAll(t, [][]byte{before, after}, s.zone)
	// Signatures are listed topmost first: the last one added on top.
	for i, want := range [][]string{{"ed1", "rsa1"}, {"ed2", "rsa1"}} {
		var got []string
		for _, r := range res[i] {
			if !r.Valid {
				t.Errorf("message %d: signature %+v does not verify", i, r)
			}
			got = append(got, r.Selector)
		}
		if !slices.Equal(got, want) {
			t.Errorf("message %d signed by %v, want %v", i, got, want)
		}
	}
}

// A key written into the directory while Herold runs signs after the
// next rescan, not before; a broken file then keeps the keys read before.
func TestKeyringRescans(t *testing.T) {
	t.Parallel()
	s := newSetup(t)
	if k := s.keys.Active("example.org"); k != nil {
		t.Fatalf("empty directory gave keys %v", k)
	}
	s.add(t, mustGenerate(t, Ed25519, "example.org", "new", t0))
	s.clock.Advance(DefaultRescan - time.Second)
	if k := s.keys.Active("example.org"); k != nil {
		t.Fatalf("keys %v picked up before the rescan", k)
	}
	s.clock.Advance(time.Second)
	if k := s.keys.Active("Example.ORG"); len(k) != 1 || k[0].Selector != "new" {
		t.Fatalf("after the rescan: keys %v, want selector new", k)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "example.org", "broken.pem"), []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(DefaultRescan)
	if k := s.keys.Active("example.org"); len(k) != 1 || k[0].Selector != "new" {
		t.Fatalf("after a failed rescan: keys %v, want selector new kept", k)
	}
}

// A key file others may read is refused, naming the fix; so are files
// that are not keys for DKIM.
func TestReadDirRefusesBadFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"readable by others", "", 0o644, "chmod 600"},
		{"not PEM", "hello", 0o600, "no PEM block"},
		{"bad active-from", "", 0o600, "Active-From"},
		{"too large", strings.Repeat("x", maxKeyFileBytes+1), 0o600, "not a key file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			k := mustGenerate(t, Ed25519, "example.org", "s1", t0)
			path, err := WriteKey(dir, k)
			if err != nil {
				t.Fatal(err)
			}
			content := c.content
			if c.name == "bad active-from" {
				b, _ := os.ReadFile(path)
				content = strings.Replace(string(b), "Active-From: ", "Active-From: tomorrow ", 1)
			}
			if content != "" {
				if err := os.WriteFile(path, []byte(content), c.mode); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(path, c.mode); err != nil {
				t.Fatal(err)
			}
			_, err = Open(Config{Dir: dir})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("Open: %v; want an error naming %s and %q", err, path, c.want)
			}
		})
	}
}

// A key directory that does not exist is an error that says how to make
// one.
func TestOpenMissingDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dkim")
	_, err := Open(Config{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "herold dkim keygen DOMAIN --dkim-keys "+dir) {
		t.Fatalf("Open: %v; want the keygen command", err)
	}
}

// A key file reads back as written; WriteKey never overwrites a selector.
func TestWriteKeyRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	k := mustGenerate(t, Ed25519, "Example.org", "S1", t0)
	path, err := WriteKey(dir, k)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	keys, err := ReadDir(dir)
	if err != nil || len(keys) != 1 {
		t.Fatalf("ReadDir: %v %v", keys, err)
	}
	got := keys[0]
	if got.Domain != "example.org" || got.Selector != "s1" || !got.ActiveFrom.Equal(t0) || got.Algorithm() != Ed25519 {
		t.Fatalf("read back %s active from %s", got, got.ActiveFrom)
	}
	v1, _ := k.DNSValue()
	v2, _ := got.DNSValue()
	if v1 != v2 {
		t.Fatalf("public key changed: %s vs %s", v1, v2)
	}
	if _, err := WriteKey(dir, k); err == nil || !strings.Contains(err.Error(), "another --selector") {
		t.Fatalf("second WriteKey: %v, want a refusal", err)
	}
}

var zoneRecord = regexp.MustCompile(`^([a-z0-9-]+)\._domainkey\.([a-z0-9.-]+)\. 3600 IN TXT ("[^"]{1,255}")( "[^"]{1,255}")*$`)

// The TXT record splits an RSA key's text into strings of at most 255
// bytes, which joined give the record (RFC 6376 section 3.6.2.2).
func TestZoneRecord(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		alg     string
		strings int
		keyLen  int // length of p=
	}{{RSA, 2, 392}, {Ed25519, 1, 44}} {
		t.Run(c.alg, func(t *testing.T) {
			t.Parallel()
			k := mustGenerate(t, c.alg, "mail.example.org", "herold", t0)
			rec, err := k.ZoneRecord()
			if err != nil {
				t.Fatal(err)
			}
			if !zoneRecord.MatchString(rec) || !strings.HasPrefix(rec, "herold._domainkey.mail.example.org. ") {
				t.Fatalf("record %q is not name TTL IN TXT \"…\" …", rec)
			}
			parts := regexp.MustCompile(`"([^"]*)"`).FindAllStringSubmatch(rec, -1)
			var joined string
			for _, p := range parts {
				joined += p[1]
			}
			v, _ := k.DNSValue()
			if len(parts) != c.strings || joined != v {
				t.Fatalf("%d strings joining to %q; want %d joining to %q", len(parts), joined, c.strings, v)
			}
			if p := v[strings.Index(v, "p=")+2:]; len(p) != c.keyLen || !strings.HasPrefix(v, "v=DKIM1; k="+c.alg+"; p=") {
				t.Fatalf("value %q: want v=DKIM1; k=%s; p= with %d characters", v, c.alg, c.keyLen)
			}
		})
	}
}

// Generate refuses names that are not DNS names and unknown algorithms.
func TestGenerateRefuses(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ alg, domain, selector, want string }{
		{"dsa", "example.org", "s1", "use rsa or ed25519"},
		{RSA, "example", "s1", "not a domain name"},
		{RSA, "../etc", "s1", "not a domain name"},
		{RSA, "example.org", "a/b", "selector"},
		{RSA, "example.org", "-s", "selector"},
	} {
		if _, err := Generate(c.alg, c.domain, c.selector, t0); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Generate(%s, %s, %s): %v, want %q", c.alg, c.domain, c.selector, err, c.want)
		}
	}
}

// A key printed or logged in any form names itself, never its private
// key.
func TestKeyNeverPrintsPrivateKey(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{RSA, Ed25519} {
		k := mustGenerate(t, alg, "example.org", "s1", t0)
		der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
		if err != nil {
			t.Fatal(err)
		}
		var logged bytes.Buffer
		slog.New(slog.NewJSONHandler(&logged, nil)).Warn("x", "key", k)
		pemText, _ := k.MarshalPEM()
		for _, out := range []string{fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k), logged.String()} {
			if !strings.Contains(out, "s1._domainkey.example.org") || strings.Contains(out, base64.StdEncoding.EncodeToString(der)[:40]) ||
				bytes.Contains(pemText, []byte(out)) {
				t.Errorf("%s key printed as %q", alg, out)
			}
			if alg == RSA && strings.Contains(out, k.Signer.(*rsa.PrivateKey).D.String()[:20]) {
				t.Errorf("rsa key printed its exponent: %q", out)
			}
		}
	}
}
