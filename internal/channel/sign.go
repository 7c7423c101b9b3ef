package channel

import "strings"

// MessageSigner adds a signature to a message as built, right before it
// is sent: DKIM (internal/dkim) is the one there is. Kept apart from
// BuildMIME so the bytes the capture mailbox and .eml downloads show stay
// exactly what BuildMIME writes, and so the signature covers the final
// bytes whatever the steps before it changed.
type MessageSigner interface {
	// SignMessage returns raw with a signature prepended, or raw itself
	// when e's sender has nothing to sign with. An error is a
	// *Error: a message that cannot be signed now is retried. raw is the
	// sender's reused buffer: SignMessage must not keep it, nor a result
	// that shares its storage, beyond the send.
	SignMessage(e *Email, raw []byte) ([]byte, error)
}

// FromDomain is the domain of e's From address, lower case, or "" when
// From has no parsable address: the domain a DKIM signature speaks for
// (the d= tag), which DMARC aligns with From, not with the envelope
// sender.
func FromDomain(e *Email) string {
	addr, ok := envelopeAddress(e.From)
	if !ok {
		return ""
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(addr[at+1:])
}
