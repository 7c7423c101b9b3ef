// Package dkim signs Herold's outgoing mail with DKIM (RFC 6376; Ed25519
// keys per RFC 8463) so receivers can tell it really comes from the
// sender's domain. Keys live in a directory, one file per domain and
// selector, each with the time it becomes active; a Keyring picks the keys
// to sign with by the From domain and the time (per algorithm the newest
// that is active, so RSA and Ed25519 sign side by side), which is how
// keys rotate with an overlap. The signing itself is github.com/emersion/go-msgauth
// (see docs/decisions.md), relaxed/relaxed.
package dkim

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"golang.org/x/net/idna"
)

// Algorithms a key can have.
const (
	// RSA is rsa-sha256 with a 2048-bit key: what every receiver verifies.
	RSA = "rsa"
	// Ed25519 is ed25519-sha256 (RFC 8463): short keys and signatures, not
	// yet verified by every receiver, so usually published next to an RSA
	// key.
	Ed25519 = "ed25519"
)

// RSABits is the size of generated RSA keys.
const RSABits = 2048

// pemType is the PEM block of a key file: PKCS #8, the form openssl
// writes and reads, with Herold's metadata as PEM headers.
const pemType = "PRIVATE KEY"

// activeFromHeader is the PEM header that says when a key starts to sign.
const activeFromHeader = "Active-From"

// Key is one DKIM key: a private key with the domain and selector it
// signs for and the time from which it does.
type Key struct {
	// Domain is the signing domain (d=), lower case, e.g. "example.org".
	Domain string
	// Selector names the key in DNS (s=): the public key is published at
	// <Selector>._domainkey.<Domain>.
	Selector string
	// ActiveFrom is when the key starts to sign. A newer key takes over
	// from an older one of the same domain at its ActiveFrom.
	ActiveFrom time.Time
	// Signer is the private key: *rsa.PrivateKey or ed25519.PrivateKey.
	Signer crypto.Signer
}

// Algorithm is RSA or Ed25519.
func (k *Key) Algorithm() string {
	if _, ok := k.Signer.(ed25519.PrivateKey); ok {
		return Ed25519
	}
	return RSA
}

// String names the key without anything secret, for logs and errors.
func (k *Key) String() string {
	return fmt.Sprintf("%s._domainkey.%s (%s)", k.Selector, k.Domain, k.Algorithm())
}

// GoString is String, so %#v of a Key does not print the private key.
func (k *Key) GoString() string { return k.String() }

// LogValue is String, so a Key given to slog never logs the private key.
func (k *Key) LogValue() slog.Value { return slog.StringValue(k.String()) }

// Generate creates a key of algorithm RSA or Ed25519.
func Generate(algorithm, domain, selector string, activeFrom time.Time) (*Key, error) {
	k := &Key{Domain: asciiDomain(domain), Selector: strings.ToLower(selector), ActiveFrom: activeFrom.UTC()}
	if err := k.checkNames(); err != nil {
		return nil, err
	}
	switch algorithm {
	case RSA:
		priv, err := rsa.GenerateKey(rand.Reader, RSABits)
		if err != nil {
			return nil, fmt.Errorf("generate rsa key: %w", err)
		}
		k.Signer = priv
	case Ed25519:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate ed25519 key: %w", err)
		}
		k.Signer = priv
	default:
		return nil, fmt.Errorf("algorithm %q: use rsa or ed25519", algorithm)
	}
	return k, nil
}

// asciiDomain is domain in lower case with internationalised labels as
// A-labels ("bücher.example" → "xn--bcher-kva.example"): the form of d=
// and of the DNS name (RFC 6376 section 3.5, RFC 8616). A domain that is
// not a valid IDN is returned lower-cased, for checkNames to refuse.
func asciiDomain(domain string) string {
	if a, err := idna.Lookup.ToASCII(domain); err == nil {
		return a
	}
	return strings.ToLower(domain)
}

// checkNames refuses a domain or selector that is not a DNS name: they
// become a DNS query and a path in the key directory.
func (k *Key) checkNames() error {
	if !dnsName(k.Domain) || !strings.Contains(k.Domain, ".") {
		return fmt.Errorf("domain %q is not a domain name such as example.org", k.Domain)
	}
	if !dnsName(k.Selector) {
		return fmt.Errorf("selector %q: use letters, digits, '-' and '.', e.g. herold2026", k.Selector)
	}
	return nil
}

// dnsName reports whether s is a host name: labels of letters, digits and
// '-' (not at either end) of at most 63 characters, 253 in all.
func dnsName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// MarshalPEM is the key file: the private key in PKCS #8 with its
// ActiveFrom as a PEM header. Domain and selector are the file's place in
// the key directory.
func (k *Key) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: der,
		Headers: map[string]string{activeFromHeader: k.ActiveFrom.UTC().Format(time.RFC3339)}}), nil
}

// parsePEM reads a key file written by MarshalPEM, or a PKCS #8 or
// PKCS #1 key written by openssl (active from the zero time: at once).
func parsePEM(b []byte, domain, selector string) (*Key, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block: expected a PKCS #8 private key (BEGIN PRIVATE KEY)")
	}
	k := &Key{Domain: domain, Selector: selector}
	if err := k.checkNames(); err != nil {
		return nil, err
	}
	if v, ok := block.Headers[activeFromHeader]; ok {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, fmt.Errorf("%s %q: use RFC 3339, e.g. 2026-12-24T00:00:00Z", activeFromHeader, v)
		}
		k.ActiveFrom = t.UTC()
	}
	var priv any
	var err error
	switch block.Type {
	case pemType:
		priv, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		priv, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q: expected a PKCS #8 private key (BEGIN PRIVATE KEY)", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("read private key: %w", err)
	}
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		if p.N.BitLen() < 1024 {
			return nil, fmt.Errorf("rsa key of %d bits: receivers ignore signatures with keys under 1024 bits; generate one of %d", p.N.BitLen(), RSABits)
		}
		k.Signer = p
	case ed25519.PrivateKey:
		k.Signer = p
	default:
		return nil, fmt.Errorf("a %T key: DKIM signs with rsa or ed25519", priv)
	}
	return k, nil
}

// DNSValue is the TXT record's text (RFC 6376 section 3.6.1; RFC 8463
// section 4 for Ed25519), e.g. "v=DKIM1; k=ed25519; p=11qYAYK…".
func (k *Key) DNSValue() (string, error) {
	var pub []byte
	switch p := k.Signer.Public().(type) {
	case ed25519.PublicKey:
		pub = p // RFC 8463: the bare 32 bytes
	default:
		der, err := x509.MarshalPKIXPublicKey(p)
		if err != nil {
			return "", fmt.Errorf("encode public key: %w", err)
		}
		pub = der
	}
	return "v=DKIM1; k=" + k.Algorithm() + "; p=" + base64.StdEncoding.EncodeToString(pub), nil
}

// txtStringMax is the longest character-string a TXT record holds (RFC
// 1035 section 3.3); longer text is split into several, which receivers
// join.
const txtStringMax = 255

// ZoneRecord is the TXT record in zone-file syntax, the text split into
// quoted strings of at most 255 bytes (an RSA 2048 key needs two), e.g.
//
//	herold2026._domainkey.example.org. 3600 IN TXT "v=DKIM1; k=ed25519; p=…"
func (k *Key) ZoneRecord() (string, error) {
	v, err := k.DNSValue()
	if err != nil {
		return "", err
	}
	var parts []string
	for len(v) > txtStringMax {
		parts = append(parts, `"`+v[:txtStringMax]+`"`)
		v = v[txtStringMax:]
	}
	parts = append(parts, `"`+v+`"`)
	return k.Selector + "._domainkey." + k.Domain + ". 3600 IN TXT " + strings.Join(parts, " "), nil
}
