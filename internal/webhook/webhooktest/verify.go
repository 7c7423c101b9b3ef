// Package webhooktest verifies Standard Webhooks signatures the way a
// receiver would, independently of package webhook's signing code, for
// tests on both sides of the wire.
package webhooktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// Verify is the receiver side written from the specification: the signed
// content is id "." timestamp "." body, the key is the base64 after
// "whsec_", the header holds space-separated "v1,<base64 HMAC-SHA256>"
// entries, one matching is enough. It returns how many entries match, so
// that tests can tell a rotation's two signatures apart.
func Verify(secret string, h http.Header, body []byte) int {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return 0
	}
	content := h.Get("webhook-id") + "." + h.Get("webhook-timestamp") + "." + string(body)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(content))
	want := m.Sum(nil)
	n := 0
	for _, entry := range strings.Fields(h.Get("webhook-signature")) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			n++
		}
	}
	return n
}
