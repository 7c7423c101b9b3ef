// Package unsubscribe builds and checks the tokens of unsubscribe links
// (RFC 2369 List-Unsubscribe, RFC 8058 one-click). A token names one
// message of one workspace and is signed with a server secret, so it
// cannot be forged or moved to another message, and nothing has to be
// stored per message: the message row already holds the contact and the
// category the link opts out of.
package unsubscribe

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"unicode/utf8"
)

// SecretName is the name of the server secret that signs tokens.
const SecretName = "unsubscribe"

// SecretSize is the length of a generated secret in bytes.
const SecretSize = 32

// macSize is the length of the truncated HMAC-SHA256 in a token: 128
// bits, half the hash (RFC 2104 section 5).
const macSize = 16

// maxMessageID bounds the message id inside a token (ids are UUIDs).
const maxMessageID = 100

// purpose separates these MACs from any other use of the same secret.
const purpose = "herold unsubscribe v1\x00"

// ErrInvalid is returned for a token that is malformed or whose signature
// does not match.
var ErrInvalid = errors.New("unsubscribe token is not valid")

var enc = base64.RawURLEncoding

// Token returns the token of message messageID in workspace workspaceID:
// base64url(uvarint(workspaceID) ‖ messageID) "." base64url(MAC), where MAC
// is HMAC-SHA256 over the payload truncated to 16 bytes. The same inputs
// always give the same token, so a message keeps its link across retries.
func Token(secret []byte, workspaceID int64, messageID string) string {
	payload := binary.AppendUvarint(nil, uint64(workspaceID))
	payload = append(payload, messageID...)
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(mac(secret, payload))
}

// Parse checks a token's signature and returns the workspace and message
// it names. Any defect is ErrInvalid. The token is compared, in constant
// time, with the one Token builds from the names it carries, so there is
// exactly one valid spelling per message (no second base64 form).
func Parse(secret []byte, token string) (workspaceID int64, messageID string, err error) {
	p, _, ok := strings.Cut(token, ".")
	if !ok || len(token) > 2*maxMessageID {
		return 0, "", ErrInvalid
	}
	payload, err := enc.DecodeString(p)
	if err != nil {
		return 0, "", ErrInvalid
	}
	ws, n := binary.Uvarint(payload)
	if n <= 0 || ws == 0 || ws > math.MaxInt64 {
		return 0, "", ErrInvalid
	}
	id := string(payload[n:])
	if id == "" || len(id) > maxMessageID || !utf8.ValidString(id) {
		return 0, "", ErrInvalid
	}
	want := Token(secret, int64(ws), id)
	if subtle.ConstantTimeCompare([]byte(want), []byte(token)) != 1 {
		return 0, "", ErrInvalid
	}
	return int64(ws), id, nil
}

func mac(secret, payload []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(purpose))
	h.Write(payload)
	return h.Sum(nil)[:macSize]
}
