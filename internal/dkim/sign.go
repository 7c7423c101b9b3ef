package dkim

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/herold-dev/herold/internal/channel"
)

// SignedFields are the header fields signed when present (RFC 6376
// section 5.4.1's recommendation, plus the list and reply fields that
// matter to receivers). From is signed once more than it occurs
// ("oversigned"), so a second From added on the way breaks the signature
// instead of being shown to the reader.
var SignedFields = []string{
	"From", "To", "Cc", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type",
	"List-Unsubscribe", "List-Unsubscribe-Post", "Reply-To", "References", "In-Reply-To",
}

// Signer signs messages with the active keys of their From domain. It is
// the channel.MessageSigner the SMTP sender calls with the final bytes.
type Signer struct {
	keys *Keyring
}

var _ channel.MessageSigner = (*Signer)(nil)

// NewSigner returns a Signer using keys.
func NewSigner(keys *Keyring) *Signer { return &Signer{keys: keys} }

// SignMessage prepends a DKIM-Signature header to raw (relaxed/relaxed,
// rsa-sha256 or ed25519-sha256 by the key) for each active key of e's
// From domain, and returns raw unchanged when it has none.
func (s *Signer) SignMessage(e *channel.Email, raw []byte) ([]byte, error) {
	for _, k := range s.keys.Active(channel.FromDomain(e)) {
		var err error
		if raw, err = Sign(k, raw); err != nil {
			return nil, err
		}
	}
	return raw, nil
}

// Sign prepends k's DKIM-Signature to raw, a message with CRLF line
// endings. The error is a retryable *channel.Error naming the key.
func Sign(k *Key, raw []byte) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(raw) + 1024)
	err := dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{
		Domain:                 k.Domain,
		Selector:               k.Selector,
		Signer:                 k.Signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             fieldsToSign(raw),
	})
	if err != nil {
		return nil, &channel.Error{Err: fmt.Errorf("dkim sign with %s: %w", k, err)}
	}
	return out.Bytes(), nil
}

// fieldsToSign lists the SignedFields in raw's header, each as often as
// it occurs, and From once more.
func fieldsToSign(raw []byte) []string {
	header := raw
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		header = raw[:i+2]
	}
	var keys []string
	for line := range bytes.SplitSeq(header, []byte("\r\n")) {
		if len(line) == 0 || line[0] == ' ' || line[0] == '\t' {
			continue // a continuation line
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 {
			continue
		}
		name := strings.TrimRight(string(line[:colon]), " \t")
		for _, f := range SignedFields {
			if strings.EqualFold(name, f) {
				keys = append(keys, f)
				break
			}
		}
	}
	return append(keys, "From")
}
