package verp

import (
	"crypto/hmac"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// ReplyTag starts the tag of a reply address.
const ReplyTag = "r."

// ReplyAddress is the tracked reply address of message messageID (a UUID)
// of workspace wsID with key wsKey at domain: "KEY+r.ID.SIG@domain", the
// id and an 8-byte HMAC-SHA256 (bound to the workspace, under its own
// purpose) in base32, lower case, so the reply names the message even when
// the mail client drops In-Reply-To. The workspace key before the "+"
// routes it like any mail to the workspace; the tag is 42 characters. It
// returns "" for an id that is not a UUID.
func ReplyAddress(key []byte, wsID int64, wsKey, messageID, domain string) string {
	id, err := uuid.Parse(messageID)
	if err != nil {
		return ""
	}
	tag := ReplyTag + enc.EncodeToString(id[:]) + "." + sign(key, "herold-reply", strconv.FormatInt(wsID, 10), id)
	return wsKey + "+" + strings.ToLower(tag) + "@" + domain
}

// ParseReply reads the local part of a reply address (without the domain)
// received by workspace wsID: the message it names. ok is false for
// anything that is not a reply address of that workspace with a valid
// signature (a token of another workspace does not verify).
func ParseReply(key []byte, wsID int64, local string) (messageID string, ok bool) {
	_, tag, found := strings.Cut(strings.ToLower(local), "+")
	if !found {
		return "", false
	}
	rest, found := strings.CutPrefix(tag, ReplyTag)
	if !found {
		return "", false
	}
	idPart, sig, found := strings.Cut(rest, ".")
	if !found || len(idPart) != 26 {
		return "", false
	}
	raw, err := enc.DecodeString(strings.ToUpper(idPart))
	if err != nil || len(raw) != 16 {
		return "", false
	}
	id := uuid.UUID(raw)
	if !hmac.Equal([]byte(sig), []byte(strings.ToLower(sign(key, "herold-reply", strconv.FormatInt(wsID, 10), id)))) {
		return "", false
	}
	return id.String(), true
}
