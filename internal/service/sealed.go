package service

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// sealMACSize is the length of a sealed token's truncated HMAC-SHA256:
// 128 bits, as in unsubscribe tokens.
const sealMACSize = 16

// maxSealed bounds the length of a sealed token read back: its payload is
// an id, a key or the list of a workspace choice.
const maxSealed = 4096

// seal returns base64url(payload) "." base64url(MAC) under the
// installation's signing key (the one of unsubscribe links). purpose
// keeps the tokens of different uses apart; scope binds a token to where
// it is valid (a workspace's list, a browser), so that it is refused
// anywhere else.
func seal(key []byte, purpose, scope, payload string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(sealMAC(key, purpose, scope, payload))
}

// unseal returns the payload of a token seal made for the same purpose
// and scope, and false for any other string.
func unseal(key []byte, purpose, scope, token string) (string, bool) {
	enc := base64.RawURLEncoding
	p, s, ok := strings.Cut(token, ".")
	if !ok || len(token) > maxSealed {
		return "", false
	}
	payload, err1 := enc.DecodeString(p)
	mac, err2 := enc.DecodeString(s)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, sealMAC(key, purpose, scope, string(payload))) {
		return "", false
	}
	return string(payload), true
}

// sealMAC signs payload for purpose and scope; the lengths keep the parts
// apart, so that no two (purpose, scope, payload) sign alike.
func sealMAC(key []byte, purpose, scope, payload string) []byte {
	var b []byte
	for _, part := range []string{purpose, scope} {
		b = binary.AppendUvarint(b, uint64(len(part)))
		b = append(b, part...)
	}
	h := hmac.New(sha256.New, key)
	h.Write(b)
	h.Write([]byte(payload))
	return h.Sum(nil)[:sealMACSize]
}
