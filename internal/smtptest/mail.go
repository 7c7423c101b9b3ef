package smtptest

import (
	"bytes"
	"io"
	"mime"
	"strings"
	"time"

	// Registers decoders for non-UTF-8 charsets with go-message.
	_ "github.com/emersion/go-message/charset"
	"github.com/emersion/go-message/mail"
)

// Mail is one message the server accepted, with its envelope, raw bytes and
// the parts a test usually asserts on, decoded.
type Mail struct {
	// From is the envelope sender (MAIL FROM).
	From string
	// Rcpts are the envelope recipients (RCPT TO), in order.
	Rcpts []string
	// Data is the message exactly as received, CRLF line endings.
	Data []byte
	// UTF8 reports whether MAIL FROM carried the SMTPUTF8 parameter.
	UTF8 bool
	// TLS reports whether the message came over TLS (implicit or STARTTLS).
	TLS bool
	// QueueID is the id the server named in its 250 reply ("queued as ID").
	QueueID string
	// MessageID is the Message-ID header without angle brackets.
	MessageID string
	// Header is the parsed top-level header.
	Header mail.Header
	// Subject is the decoded subject.
	Subject string
	// Text and HTML are the decoded text/plain and text/html bodies (the
	// first of each), transfer encoding and charset undone.
	Text, HTML string
	// ReceivedAt is when the server accepted the message.
	ReceivedAt time.Time
	// ParseErr is set when Data could not be parsed as a MIME message; the
	// decoded fields are then incomplete.
	ParseErr error
}

// parseMail fills the decoded fields of m from m.Data.
func parseMail(m *Mail) {
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if r == nil {
		m.ParseErr = err
		return
	}
	m.Header = r.Header
	m.MessageID, _ = r.Header.MessageID()
	if m.Subject, err = r.Header.Subject(); err != nil {
		m.ParseErr = err
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return
		}
		if err != nil {
			m.ParseErr = err
			return
		}
		h, ok := p.Header.(*mail.InlineHeader)
		if !ok {
			continue
		}
		ct, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
		if ct == "" {
			ct = "text/plain"
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			m.ParseErr = err
			return
		}
		switch {
		case strings.EqualFold(ct, "text/plain") && m.Text == "":
			m.Text = string(body)
		case strings.EqualFold(ct, "text/html") && m.HTML == "":
			m.HTML = string(body)
		}
	}
}
