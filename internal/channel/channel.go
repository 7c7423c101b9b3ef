package channel

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// Email is one rendered message ready for delivery.
type Email struct {
	// MessageID is stable across retries so receivers can de-duplicate,
	// without angle brackets, e.g. "0190a1b2-…@mail.example.org".
	MessageID string
	// From is the RFC 5322 sender, e.g. "Agentur Nord <info@agentur-nord.de>".
	// Required; its address is also the envelope sender.
	From string
	// ReplyTo is an optional RFC 5322 address for the Reply-To header.
	ReplyTo string
	// To and CC appear in the headers and the envelope.
	To, CC []model.Address
	// BCC appears only in the envelope, never in a header.
	BCC []model.Address
	// Subject is plain text; non-ASCII is encoded per RFC 2047.
	Subject string
	// HTML and Text are the bodies; at least one must be set. With both the
	// message is multipart/alternative.
	HTML, Text string
	// TextParts and HTMLParts, when not nil, are the bodies in pieces,
	// written one after the other exactly as their concatenation would
	// be, in place of Text and HTML, which must then be empty: a caller
	// that adds to a rendered body (the preference footer) does not copy
	// the body for every message. TextBody and HTMLBody join them.
	TextParts, HTMLParts []string
	// Headers are extra header fields such as List-Unsubscribe,
	// List-Unsubscribe-Post or Auto-Submitted. Fields the builder owns
	// (From, To, Subject, Message-ID, Content-Type, …) are rejected, and so
	// are two names that differ only in case.
	Headers map[string]string
	// ReturnPath, when set, is the envelope sender (MAIL FROM) instead
	// of From's address: the message's own bounce address (VERP).
	ReturnPath string
	// Date is the Date header. Zero means the time of building, which makes
	// BuildMIME's output differ between calls; callers should set it.
	Date time.Time
}

// TextBody returns the text body: Text, or TextParts joined.
func (e *Email) TextBody() string { return body(e.Text, e.TextParts) }

// HTMLBody returns the HTML body: HTML, or HTMLParts joined.
func (e *Email) HTMLBody() string { return body(e.HTML, e.HTMLParts) }

func body(one string, parts []string) string {
	if parts == nil {
		return one
	}
	return strings.Join(parts, "")
}

// bodyParts returns a body as its pieces: parts when not nil, else the
// one string in one, an array of the caller's so that nothing is
// allocated; an empty body has none.
func bodyParts(s string, parts []string, one *[1]string) []string {
	if parts != nil {
		return parts
	}
	if s == "" {
		return nil
	}
	one[0] = s
	return one[:]
}

// partsLen is the length of a body given in pieces.
func partsLen(parts []string) int {
	n := 0
	for _, s := range parts {
		n += len(s)
	}
	return n
}

// Result is what a Sender reports for a delivered message.
type Result struct {
	// Reply is the receiver's reply to the message, for SMTP the reply to the
	// end of DATA, e.g. "250 2.0.0 Ok: queued as 4F2A1".
	Reply string
}

// Sender delivers emails over one channel. Implementations are safe for
// concurrent use.
type Sender interface {
	// Send delivers e. On failure the error is an *Error saying whether a
	// retry can succeed.
	Send(ctx context.Context, e *Email) (Result, error)
	// Close releases connections; in-flight Sends finish first or fail.
	Close() error
}

// ErrInvalidMessage is wrapped by the permanent errors BuildMIME and Send
// return for an Email that cannot be built (missing or malformed fields,
// line breaks in headers).
var ErrInvalidMessage = errors.New("invalid message")

// ErrRateLimited is wrapped by the retryable error a Sender returns when its
// rate limit does not let the message go before ctx's deadline. Nothing was
// attempted, so a worker may snooze the job instead of counting a failure.
var ErrRateLimited = errors.New("rate limit reached")

// Error is the failure every Sender returns.
type Error struct {
	// Permanent is true for a 5xx reply or an invalid message: retrying
	// cannot help.
	Permanent bool
	// Code is the SMTP reply code (421, 451, 550, …), 0 for network errors
	// and invalid messages.
	Code int
	// Reply is the server's reply as received, e.g.
	// "550 5.1.1 <x@y.de>: Recipient address rejected", for history and
	// explain. Multi-line replies keep one line per reply line.
	Reply string
	// Refused lists the envelope recipients a permanent (5xx) reply
	// refused: those whose RCPT TO got one, or the only recipient of a
	// message whose DATA got one. Each is a hard bounce of that address.
	// Empty for a refused MAIL FROM, a temporary failure, or a 5xx to
	// DATA of a message to several recipients (it names none of them).
	Refused []string
	// Err is the cause.
	Err error
}

// Error describes the failure with its kind, cause and the server's reply.
func (e *Error) Error() string {
	var b strings.Builder
	if e.Permanent {
		b.WriteString("permanent delivery error")
	} else {
		b.WriteString("temporary delivery error")
	}
	var cause string
	if e.Err != nil {
		cause = e.Err.Error()
		b.WriteString(": ")
		b.WriteString(cause)
	}
	if e.Reply != "" && !strings.Contains(cause, e.Reply) {
		b.WriteString(" (server replied: ")
		b.WriteString(e.Reply)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// IsPermanent reports whether err is, or wraps, a permanent *Error. Any other
// error, including nil, is not permanent: a plain error is retryable.
func IsPermanent(err error) bool {
	var ce *Error
	return errors.As(err, &ce) && ce.Permanent
}
