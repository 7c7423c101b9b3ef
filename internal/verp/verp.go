// Package verp makes and reads the signed bounce addresses (VERP, variable
// envelope return path) Herold sends with when an inbound domain is set:
// one per message, so a bounce that quotes nothing of the message still
// names it, and signed, so nobody can forge a bounce for a message by
// guessing its address.
package verp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// Prefix starts the local part of every VERP address.
const Prefix = "b+"

var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

// Address is the bounce address of message messageID (a UUID) of
// workspace wsID at domain: "b+WS.ID.SIG@domain", the id and an 8-byte
// HMAC-SHA256 in base32, lower case; at most 50 characters before the @,
// within RFC 5321's 64. It returns "" for an id that is not a UUID.
func Address(key []byte, wsID int64, messageID, domain string) string {
	id, err := uuid.Parse(messageID)
	if err != nil {
		return ""
	}
	ws := strconv.FormatInt(wsID, 10)
	return strings.ToLower(Prefix+ws+"."+enc.EncodeToString(id[:])+"."+sign(key, "herold-verp", ws, id)) + "@" + domain
}

// Parse reads the local part of a VERP address (without the domain). ok
// is false for anything that is not one with a valid signature.
func Parse(key []byte, local string) (wsID int64, messageID string, ok bool) {
	rest, found := strings.CutPrefix(strings.ToLower(local), Prefix)
	if !found {
		return 0, "", false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 3 {
		return 0, "", false
	}
	ws, err := strconv.ParseInt(parts[0], 10, 64)
	if err != nil || ws <= 0 || strconv.FormatInt(ws, 10) != parts[0] {
		return 0, "", false
	}
	raw, err := enc.DecodeString(strings.ToUpper(parts[1]))
	if err != nil || len(raw) != 16 {
		return 0, "", false
	}
	id := uuid.UUID(raw)
	if !hmac.Equal([]byte(parts[2]), []byte(strings.ToLower(sign(key, "herold-verp", parts[0], id)))) {
		return 0, "", false
	}
	return ws, id.String(), true
}

// sign is the 8-byte HMAC of message id of workspace ws under purpose, so
// a bounce address is no reply token and the other way round.
func sign(key []byte, purpose, ws string, id uuid.UUID) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose + "\x00" + ws + "\x00"))
	m.Write(id[:])
	return enc.EncodeToString(m.Sum(nil)[:8])
}
