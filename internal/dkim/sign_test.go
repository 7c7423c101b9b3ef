package dkim

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/channel/smtp"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
)

var t0 = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

// setup is a key directory with one key for example.org per algorithm
// given, a Keyring on a fake clock at t0, and the zone publishing the
// keys.
type setup struct {
	dir   string
	clock *clock.Fake
	keys  *Keyring
	zone  []string
}

func newSetup(t *testing.T, keys ...*Key) *setup {
	t.Helper()
	s := &setup{dir: t.TempDir(), clock: clock.NewFake(t0)}
	for _, k := range keys {
		s.add(t, k)
	}
	var err error
	s.keys, err = Open(Config{Dir: s.dir, Clock: s.clock})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// add writes k to the directory and publishes its record.
func (s *setup) add(t *testing.T, k *Key) {
	t.Helper()
	if _, err := WriteKey(s.dir, k); err != nil {
		t.Fatalf("WriteKey: %v", err)
	}
	rec, err := k.ZoneRecord()
	if err != nil {
		t.Fatal(err)
	}
	s.zone = append(s.zone, rec)
}

func mustGenerate(t *testing.T, alg, domain, selector string, from time.Time) *Key {
	t.Helper()
	k, err := Generate(alg, domain, selector, from)
	if err != nil {
		t.Fatalf("Generate: %v", err)
	}
	return k
}

// sendVia sends every email through a real SMTP sender signing with s's
// keys to a real SMTP server (DATA with dot-stuffing: the test server
// offers no CHUNKING) and returns the mails as received, in order.
func (s *setup) sendVia(t *testing.T, emails ...*channel.Email) []smtptest.Mail {
	t.Helper()
	srv := smtptest.Start(t)
	snd, err := smtp.New(smtp.Config{Host: srv.Host(), Port: srv.Port(), TLS: smtp.TLSNone, Timeout: 5 * time.Second,
		MaxConns: 1, Signer: NewSigner(s.keys)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = snd.Close() })
	for _, e := range emails {
		if _, err := snd.Send(context.Background(), e); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	return srv.WaitForMails(t, len(emails), 5*time.Second)
}

func baseEmail() *channel.Email {
	return &channel.Email{
		MessageID: "0190a1b2-dkim@example.org",
		From:      "Agentur Nord <info@example.org>",
		To:        []model.Address{{Name: "Kim Berger", Email: "kim@example.net"}},
		Subject:   "Termin bestätigt",
		Text:      "Hallo Kim,\n\nIhr Termin ist bestätigt.\n",
		HTML:      "<p>Hallo Kim,</p><p>Ihr Termin ist bestätigt.</p>",
		Date:      t0,
	}
}

// Issue 15, point 5: mail signed on its way through the SMTP sender
// verifies with dkimpy for both algorithms: non-ASCII and folded header
// fields, a long body with lines SMTP dot-stuffs, CC and BCC recipients
// (one copy of the bytes for all). From is oversigned.
func TestSignedMailVerifiesWithDkimpy(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Zeile mit Umlauten äöü und einem Punkt am Anfang der nächsten Zeile\n.\n..Punkte\n", 400)
	cases := []struct {
		name string
		mod  func(e *channel.Email)
	}{
		{"plain", func(*channel.Email) {}},
		{"non-ASCII and folded headers", func(e *channel.Email) {
			e.From = "Zoë Größe-Müller von der Agentur Nord <info@Example.ORG>"
			e.Subject = strings.Repeat("Ärger über die verschobene Wartung — ", 6)
			e.ReplyTo = "Büro <buero@example.org>"
			e.Headers = map[string]string{
				"List-Unsubscribe":      "<https://herold.example.org/u/" + strings.Repeat("t0k3n", 30) + ">, <mailto:unsubscribe@example.org?subject=unsubscribe>",
				"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			}
		}},
		{"long body with dots", func(e *channel.Email) { e.Text, e.HTML = long, "" }},
		{"CC and BCC", func(e *channel.Email) {
			e.CC = []model.Address{{Name: "Jörg", Email: "joerg@example.net"}, {Email: "team@example.com"}}
			e.BCC = []model.Address{{Email: "archiv@example.org"}}
		}},
	}
	for _, alg := range []string{RSA, Ed25519} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			s := newSetup(t, mustGenerate(t, alg, "example.org", "sel-"+alg, t0.Add(-time.Hour)))
			emails := make([]*channel.Email, len(cases))
			for i, c := range cases {
				emails[i] = baseEmail()
				emails[i].MessageID = fmt.Sprintf("case-%d@example.org", i)
				c.mod(emails[i])
			}
			mails := s.sendVia(t, emails...)
			// Each message as received, then the same with a changed
			// subject: the verifier must be able to say no.
			raws := make([][]byte, 0, 2*len(mails))
			for _, m := range mails {
				raws = append(raws, m.Data)
			}
			for _, m := range mails {
				raws = append(raws, bytes.Replace(m.Data, []byte("Subject: "), []byte("Subject: Re: "), 1))
			}
			results := smtptest.VerifyDKIMAll(t, raws, s.zone)
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					e, m, res := emails[i], mails[i], results[i]
					if m.MessageID != e.MessageID {
						t.Fatalf("mail %d is %s, want %s", i, m.MessageID, e.MessageID)
					}
					if len(res) != 1 {
						t.Fatalf("%d signatures, want 1:\n%s", len(res), m.Data)
					}
					r := res[0]
					wantAlg := map[string]string{RSA: "rsa-sha256", Ed25519: "ed25519-sha256"}[alg]
					if !r.Valid || r.Domain != "example.org" || r.Selector != "sel-"+alg || r.Algorithm != wantAlg {
						t.Fatalf("dkimpy: %+v, want a valid %s signature by sel-%s for example.org", r, wantAlg, alg)
					}
					if n := countOf(r.Headers, "from"); n != 2 {
						t.Errorf("h= %v names from %d times, want 2 (oversigned)", r.Headers, n)
					}
					for _, f := range []string{"to", "subject", "date", "message-id", "mime-version", "content-type"} {
						if !slices.Contains(r.Headers, f) {
							t.Errorf("h= %v lacks %s", r.Headers, f)
						}
					}
					if len(e.CC) > 0 && !slices.Contains(r.Headers, "cc") {
						t.Errorf("h= %v lacks cc", r.Headers)
					}
					if e.Headers != nil && !slices.Contains(r.Headers, "list-unsubscribe") {
						t.Errorf("h= %v lacks list-unsubscribe", r.Headers)
					}
					if len(e.BCC) > 0 && len(m.Rcpts) != 4 {
						t.Errorf("envelope recipients %v, want 4", m.Rcpts)
					}
					if tr := results[len(mails)+i]; len(tr) != 1 || tr[0].Valid {
						t.Errorf("message with a changed subject verified: %+v", tr)
					}
				})
			}
		})
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// A second From added on the way breaks the signature: From is signed
// once more than it occurs.
func TestAddedFromBreaksSignature(t *testing.T) {
	t.Parallel()
	s := newSetup(t, mustGenerate(t, Ed25519, "example.org", "s1", t0.Add(-time.Hour)))
	raw, err := channel.BuildMIME(baseEmail())
	if err != nil {
		t.Fatal(err)
	}
	signed, err := NewSigner(s.keys).SignMessage(baseEmail(), raw)
	if err != nil {
		t.Fatal(err)
	}
	// A second From at the end of the header: a verifier picks fields
	// from the bottom, so this is the From a reader could be shown.
	forged := bytes.Replace(signed, []byte("\r\n\r\n"), []byte("\r\nFrom: ceo@example.org\r\n\r\n"), 1)
	res := smtptest.VerifyDKIMAll(t, [][]byte{signed, forged}, s.zone)
	if r := res[0]; len(r) != 1 || !r[0].Valid {
		t.Fatalf("signed message does not verify: %+v", r)
	}
	if r := res[1]; len(r) != 1 || r[0].Valid {
		t.Fatalf("message with a second From verified: %+v", r)
	}
}

// Mail from a domain without a key goes out as built, unsigned.
func TestNoKeyLeavesMessageUnsigned(t *testing.T) {
	t.Parallel()
	s := newSetup(t, mustGenerate(t, Ed25519, "example.org", "s1", t0.Add(-time.Hour)))
	e := baseEmail()
	e.From = "info@other.example"
	raw, err := channel.BuildMIME(e)
	if err != nil {
		t.Fatal(err)
	}
	out, err := NewSigner(s.keys).SignMessage(e, raw)
	if err != nil || !bytes.Equal(out, raw) {
		t.Fatalf("SignMessage changed mail of a domain without a key (err %v):\n%s", err, out)
	}
}

// failingSigner is a key whose signing fails, as a hardware token that
// went away would.
type failingSigner struct{ crypto.Signer }

func (f failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("token removed")
}

// A message that cannot be signed is not sent unsigned: the send fails
// retryably, naming the key, and nothing reaches the server.
func TestSignFailureIsRetryableAndSendsNothing(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, Ed25519, "example.org", "s1", t0.Add(-time.Hour))
	s := newSetup(t, k)
	s.keys.keys["example.org"][0].Signer = failingSigner{k.Signer}
	srv := smtptest.Start(t)
	snd, err := smtp.New(smtp.Config{Host: srv.Host(), Port: srv.Port(), TLS: smtp.TLSNone, Timeout: 5 * time.Second,
		Signer: NewSigner(s.keys)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = snd.Close() })
	_, err = snd.Send(context.Background(), baseEmail())
	var ce *channel.Error
	if !errors.As(err, &ce) || ce.Permanent || !strings.Contains(err.Error(), "s1._domainkey.example.org") {
		t.Fatalf("Send: %v; want a retryable *channel.Error naming the key", err)
	}
	if n := srv.Count(); n != 0 || srv.Connections() != 0 {
		t.Fatalf("%d mails, %d connections; want nothing sent", n, srv.Connections())
	}
}

// An internationalised sender domain is signed under its A-label form,
// the name receivers look the key up by; keygen takes either form.
func TestInternationalisedDomain(t *testing.T) {
	t.Parallel()
	k := mustGenerate(t, Ed25519, "Bücher.example", "s1", t0.Add(-time.Hour))
	if k.Domain != "xn--bcher-kva.example" {
		t.Fatalf("domain %q, want xn--bcher-kva.example", k.Domain)
	}
	s := newSetup(t, k)
	e := baseEmail()
	e.From = "Bücherei <info@bücher.example>"
	m := s.sendVia(t, e)[0]
	res := smtptest.VerifyDKIM(t, m.Data, s.zone)
	if len(res) != 1 || !res[0].Valid || res[0].Domain != "xn--bcher-kva.example" {
		t.Fatalf("dkimpy: %+v, want a valid signature for xn--bcher-kva.example\n%s", res, m.Data)
	}
}
