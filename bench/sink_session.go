package main

import (
	"bytes"
	"io"
	"strings"

	"github.com/emersion/go-smtp"
)

// sinkBackend creates one session per connection.
type sinkBackend struct{ s *sink }

// NewSession is called at the first EHLO of a connection.
func (b sinkBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &sinkSession{s: b.s, conn: c}, nil
}

// sinkSession is one connection; go-smtp calls it from one goroutine.
type sinkSession struct {
	s    *sink
	conn *smtp.Conn
	// closeOnReset is set after a 421: the connection closes right after
	// the reply, as a server going away would.
	closeOnReset bool
	// rcpts are the current transaction's envelope recipients.
	rcpts []string
}

// Mail waits while the sink holds mail, then accepts.
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return ss.s.mailAllowed() }

// Rcpt accepts every recipient and remembers it for the message.
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

// Data reads the message, applies the injected fault if any, and records
// the Message-ID of an accepted message.
func (ss *sinkSession) Data(r io.Reader) error {
	s := ss.s
	s.dataN.Add(1)
	f, stall := s.decide()
	if f == faultDrop {
		_, _ = io.ReadFull(r, make([]byte, 16)) // truly mid-message
		s.count(&s.dropped)
		_ = ss.conn.Conn().Close()
		return errDropped
	}
	buf := s.bufs.Get().(*bytes.Buffer)
	defer s.bufs.Put(buf)
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return err
	}
	if stall {
		s.stall(s.faults.StallFor)
	}
	switch f {
	case fault451:
		s.count(&s.temp)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later (injected)"}
	case fault421:
		s.count(&s.temp)
		ss.closeOnReset = true
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "Going away (injected)"}
	case fault550:
		s.count(&s.perm)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user (injected)"}
	}
	msg := buf.Bytes()
	s.accept(messageID(msg), buf.Len(), ss.rcpts, header(msg, "List-Unsubscribe") != "")
	return nil
}

// Reset ends a transaction; after a 421 it closes the connection. It
// closes the socket, not the smtp.Conn, whose lock go-smtp holds here.
func (ss *sinkSession) Reset() {
	ss.rcpts = ss.rcpts[:0]
	if ss.closeOnReset {
		_ = ss.conn.Conn().Close()
	}
}

// Logout has nothing to free.
func (ss *sinkSession) Logout() error { return nil }

// messageID returns the Message-ID header's value without angle brackets,
// or "" when the header section has none.
func messageID(msg []byte) string {
	val := header(msg, "Message-ID")
	val = strings.TrimPrefix(val, "<")
	val = strings.TrimSuffix(val, ">")
	return strings.TrimSpace(val)
}

// header returns the value of the first header field called name (case
// does not matter), trimmed, or "" when the header section has none. It
// looks at the header section only and unfolds continuation lines.
func header(msg []byte, name string) string {
	prefix := []byte(name + ":")
	for len(msg) > 0 {
		line, rest, _ := bytes.Cut(msg, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return "" // end of the header section
		}
		msg = rest
		if len(line) < len(prefix) || !bytes.EqualFold(line[:len(prefix)], prefix) {
			continue
		}
		val := append([]byte(nil), line[len(prefix):]...)
		for len(msg) > 0 && (msg[0] == ' ' || msg[0] == '\t') {
			cont, rest, _ := bytes.Cut(msg, []byte("\n"))
			val = append(val, bytes.TrimSuffix(cont, []byte("\r"))...)
			msg = rest
		}
		return string(bytes.TrimSpace(val))
	}
	return ""
}
