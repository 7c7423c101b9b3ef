package inbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// A feed token lets one browser read one contact's feed: the host
// application signs it with its workspace's feed secret, so no API key
// reaches a browser. Its form is
//
//	base64url(payload) "." base64url(HMAC-SHA256(secret, base64url(payload)))
//
// with payload {"ws":"<workspace key>","sub":"<contact id>","exp":<unix seconds>}
// and base64url without padding; the secret's text is the HMAC key, so a
// shell can sign with openssl (docs/inbox.md). client.FeedToken makes
// one in Go; Herold only verifies them.

// MaxTokenTTL bounds how far in the future a token may expire: a token
// that leaks is good for no longer than this.
const MaxTokenTTL = 24 * time.Hour

// maxTokenBytes bounds the token read from a request.
const maxTokenBytes = 1024

// Claims are what a valid token says.
type Claims struct {
	Workspace string `json:"ws"`
	Contact   string `json:"sub"`
	Expires   int64  `json:"exp"`
}

// Token errors; each says what the host application must do.
var (
	ErrTokenMissing   = errors.New("send a feed token (Authorization: Bearer <token>, or ?token= for EventSource); the host application signs it with the workspace's feed secret")
	ErrTokenMalformed = errors.New("the feed token is malformed; it must be base64url(payload).base64url(signature), see docs/inbox.md")
	ErrTokenSignature = errors.New("the feed token's signature does not match the workspace's feed secret (rotated? sign new tokens with the current secret)")
	ErrTokenWorkspace = errors.New("the feed token is for another workspace than the URL's; call /v1/feed/<the workspace in the token>/…, or sign the token for this workspace")
	ErrTokenExpired   = errors.New("the feed token has expired; ask the host application for a new one")
	ErrTokenTooLong   = errors.New("the feed token expires too far ahead; sign tokens valid for at most 24 hours")
)

var b64 = base64.RawURLEncoding

func mac(secret, payload string) []byte {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// parse reads a token's claims without checking its signature: the
// workspace named in it says which secret to check it with.
func parse(token string) (p, sig string, c Claims, err error) {
	if len(token) > maxTokenBytes {
		return "", "", c, ErrTokenMalformed
	}
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return "", "", c, ErrTokenMalformed
	}
	raw, err := b64.DecodeString(p)
	if err != nil || json.Unmarshal(raw, &c) != nil || c.Workspace == "" || c.Contact == "" || c.Expires == 0 {
		return "", "", c, ErrTokenMalformed
	}
	return p, sig, c, nil
}

// verify checks the signature against each secret (current, then the
// previous one during a rotation) and the expiry against now.
func verify(p, sig string, c Claims, now time.Time, secrets ...string) error {
	got, err := b64.DecodeString(sig)
	if err != nil {
		return ErrTokenMalformed
	}
	ok := false
	for _, s := range secrets {
		if s != "" && hmac.Equal(got, mac(s, p)) {
			ok = true
		}
	}
	switch {
	case !ok:
		return ErrTokenSignature
	case now.Unix() >= c.Expires:
		return ErrTokenExpired
	case time.Unix(c.Expires, 0).Sub(now) > MaxTokenTTL+time.Minute:
		return ErrTokenTooLong
	}
	return nil
}
