// Package unsubscribe builds and checks the tokens of unsubscribe links
// (RFC 2369 List-Unsubscribe, RFC 8058 one-click). A token names what the
// link opts out of (a contact of a workspace, a category) and the message
// it came with, and is signed with a server secret, so it cannot be forged
// or changed, and nothing has to be stored per message. Because the
// contact and the category are in the token, the link keeps working after
// its message is purged.
package unsubscribe

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// SecretName is the name of the server secret that signs tokens.
const SecretName = "unsubscribe"

// SecretSize is the length of a generated secret in bytes.
const SecretSize = 32

// macSize is the length of the truncated HMAC-SHA256 in a token: 128
// bits, half the hash (RFC 2104 section 5).
const macSize = 16

// maxToken bounds a token's length: a 100-character workspace key, a
// 200-character contact id, a 100-character category and a message id,
// in base64, with room.
const maxToken = 800

// purpose separates these MACs from any other use of the same secret.
const purpose = "herold unsubscribe v3\x00"

// SecretStore keeps server secrets by name (the store's queries do).
type SecretStore interface {
	SecretGetOrCreate(ctx context.Context, name string, candidate []byte, at time.Time) ([]byte, error)
}

// LoadSecret returns the key that signs tokens, generating and storing it
// the first time: every replica, every restart and an export use the same.
func LoadSecret(ctx context.Context, st SecretStore, now time.Time) ([]byte, error) {
	candidate := make([]byte, SecretSize)
	if _, err := rand.Read(candidate); err != nil {
		return nil, fmt.Errorf("generate unsubscribe key: %w", err)
	}
	key, err := st.SecretGetOrCreate(ctx, SecretName, candidate, now)
	if err != nil {
		return nil, fmt.Errorf("load unsubscribe key: %w", err)
	}
	return key, nil
}

// ErrInvalid is returned for a token that is malformed or whose signature
// does not match.
var ErrInvalid = errors.New("unsubscribe token is not valid")

var enc = base64.RawURLEncoding

// Link is what an unsubscribe link stands for.
type Link struct {
	// Workspace is the workspace's key, not its database id, so links
	// survive a move to another database (herold export / import).
	Workspace string
	// ContactID and Category are what the link opts out of.
	ContactID string
	Category  string
	// MessageID is the message the link came with; its timeline records
	// the opt-out while the message is kept.
	MessageID string
}

// Token returns the token of l: base64url(payload) "." base64url(MAC),
// where the payload is the four names, each preceded by its uvarint
// length, and MAC is HMAC-SHA256 over the payload truncated to 16 bytes.
// The same link always gives the same token, so a message keeps its link
// across retries.
func Token(secret []byte, l Link) string {
	return sign(secret, purpose, l.Workspace, l.ContactID, l.Category, l.MessageID)
}

// AppendToken appends the token of l (see Token) to dst: a link built
// around it then costs one allocation instead of one for the token and
// one for the link.
func AppendToken(dst, secret []byte, l Link) []byte {
	return appendSigned(dst, secret, purpose, l.Workspace, l.ContactID, l.Category, l.MessageID)
}

// Parse checks a token's signature and returns the link it names. Any
// defect is ErrInvalid. The token is compared, in constant time, with the
// one Token builds from the names it carries, so there is exactly one
// valid spelling per link (no second base64 form).
func Parse(secret []byte, token string) (Link, error) {
	names, err := parse(secret, purpose, token, 4)
	if err != nil {
		return Link{}, err
	}
	return Link{Workspace: names[0], ContactID: names[1], Category: names[2], MessageID: names[3]}, nil
}

// sign returns base64url(payload) "." base64url(MAC) for names under
// purpose. Every message of a mailing carries two tokens, so a token is
// written into a pooled signer's buffer (purpose and payload, the MAC
// after them, then the token itself) with its HMAC state, and the
// returned string is the only allocation.
func sign(secret []byte, purpose string, names ...string) string {
	s := getSigner(secret)
	token := string(s.sign(purpose, names))
	s.put()
	return token
}

// appendSigned appends what sign returns to dst.
func appendSigned(dst, secret []byte, purpose string, names ...string) []byte {
	s := getSigner(secret)
	dst = append(dst, s.sign(purpose, names)...)
	s.put()
	return dst
}

// sign writes the token of names under purpose into s.buf and returns it;
// it is valid until s is put back.
func (s *signer) sign(purpose string, names []string) []byte {
	b := append(s.buf[:0], purpose...)
	for _, n := range names {
		b = binary.AppendUvarint(b, uint64(len(n)))
		b = append(b, n...)
	}
	signed := len(b)
	s.h.Write(b)
	b = s.h.Sum(b)[:signed+macSize]
	b = enc.AppendEncode(b, b[len(purpose):signed])
	b = append(b, '.')
	b = enc.AppendEncode(b, b[signed:signed+macSize])
	s.buf = b
	return b[signed+macSize:]
}

// parse checks a token of n non-empty names signed under purpose and
// returns the names.
func parse(secret []byte, purpose, token string, n int) ([]string, error) {
	p, _, ok := strings.Cut(token, ".")
	if !ok || len(token) > maxToken {
		return nil, ErrInvalid
	}
	payload, err := enc.DecodeString(p)
	if err != nil {
		return nil, ErrInvalid
	}
	names := make([]string, n)
	for i := range names {
		size, k := binary.Uvarint(payload)
		if k <= 0 || size == 0 || size > uint64(len(payload)-k) {
			return nil, ErrInvalid
		}
		names[i] = string(payload[k : k+int(size)])
		if !utf8.ValidString(names[i]) {
			return nil, ErrInvalid
		}
		payload = payload[k+int(size):]
	}
	if len(payload) != 0 {
		return nil, ErrInvalid
	}
	if subtle.ConstantTimeCompare([]byte(sign(secret, purpose, names...)), []byte(token)) != 1 {
		return nil, ErrInvalid
	}
	return names, nil
}

// signer is an HMAC-SHA256 state keyed with one secret and a buffer for
// a token, kept in signers between tokens: hmac.New costs a key schedule
// and two hash states per token. A hash.Hash is not safe for concurrent
// use, so each signer is used by one goroutine at a time.
type signer struct {
	secret []byte // a copy of the key h was made with
	h      hash.Hash
	buf    []byte
}

// maxSignerBuf is the largest buffer a pooled signer keeps, so that one
// long token does not pin its buffer in the pool.
const maxSignerBuf = 4 << 10

var signers sync.Pool

// getSigner returns a signer for secret, from signers when the pooled one
// was keyed with the same secret (a server signs with one), its state
// reset.
func getSigner(secret []byte) *signer {
	if s, ok := signers.Get().(*signer); ok && bytes.Equal(s.secret, secret) {
		s.h.Reset()
		return s
	}
	return &signer{secret: bytes.Clone(secret), h: hmac.New(sha256.New, secret), buf: make([]byte, 0, 512)}
}

// put gives s back to signers for the next token, unless a long token
// grew its buffer too much.
func (s *signer) put() {
	if cap(s.buf) > maxSignerBuf {
		return
	}
	signers.Put(s)
}
