package smtp

import (
	"bufio"
	"bytes"
	"context"
	"strings"

	"github.com/herold-dev/herold/internal/channel"
)

// exchange is one mail transaction on a conn: the envelope commands, their
// replies and the content. The envelope's commands are numbered: 0 is MAIL
// FROM, 1 to len(rcpts) are the RCPT TOs in order, and dataIndex is DATA.
type exchange struct {
	c     *conn
	ctx   context.Context
	from  string
	rcpts []string
	// dataPipelined says DATA goes out with the envelope.
	dataPipelined bool
}

func (x *exchange) dataIndex() int { return len(x.rcpts) + 1 }

// envelope sends MAIL FROM, every RCPT TO and, if dataPipelined, DATA, and
// reads their replies: with PIPELINING as one group, written at once and
// answered in order, otherwise one command at a time. It reports ok when
// the server accepted every command; otherwise out is the transaction's
// outcome, with the connection reset or given up.
//
// A refused recipient does not end the group: the remaining replies are
// read, and any 5xx among them fails the message permanently while only
// 4xx leaves it retryable (recipientsRejected).
func (x *exchange) envelope() (out outcome, ok bool) {
	n := x.dataIndex()
	if x.dataPipelined {
		n++
	}
	group := 1
	if x.c.pipelining {
		group = n
	}
	var rejected []*channel.Error
	for start := 0; start < n; start += group {
		end := min(start+group, n)
		if cerr := x.send(start, end); cerr != nil {
			return outcome{err: cerr, deadAtMail: start == 0}, false
		}
		for i := start; i < end; i++ {
			cerr := x.reply(i)
			switch {
			case i == 0 && cerr != nil:
				return x.failMail(cerr, end), false
			case i == x.dataIndex():
				return x.dataReplied(cerr, rejected)
			case cerr == nil: // accepted
			case gone(cerr):
				return outcome{err: cerr}, false
			default:
				rejected = append(rejected, cerr)
			}
		}
	}
	if len(rejected) > 0 {
		return x.fail(recipientsRejected(rejected, len(x.rcpts))), false
	}
	return outcome{}, true
}

// failMail handles a refused MAIL FROM. With pipelining the server has the
// RCPTs (and DATA) too and refuses them as out of sequence; those replies
// are read and dropped, as MAIL's reply is what explains the failure.
func (x *exchange) failMail(cerr *channel.Error, end int) outcome {
	out := outcome{err: cerr, deadAtMail: gone(cerr)}
	if out.deadAtMail || !x.drain(1, end) {
		return out
	}
	out.reusable = x.c.reset(x.ctx, cerr)
	return out
}

// drain reads the replies to the commands [from, end) sent after a refused
// MAIL FROM and reports whether the connection is still in a known state:
// every reply arrived and none opened DATA.
func (x *exchange) drain(from, end int) bool {
	for i := from; i < end; i++ {
		cerr := x.reply(i)
		if cerr == nil && i == x.dataIndex() || cerr != nil && gone(cerr) {
			return false
		}
	}
	return true
}

// dataReplied decides after the reply to a pipelined DATA. Its single
// recipient may have been refused (rejected), which then explains the
// failure better than DATA's "no valid recipients". A server that answers
// 354 although it refused every recipient waits for content that must not
// come, so the connection is given up rather than trusted.
func (x *exchange) dataReplied(cerr *channel.Error, rejected []*channel.Error) (outcome, bool) {
	switch {
	case len(rejected) == 0 && cerr == nil:
		return outcome{}, true
	case len(rejected) == 0:
		// MAIL and RCPT were accepted, so the transaction stays open on
		// the server after a refused DATA; RSET closes it, or the next
		// MAIL would be refused as nested.
		return x.fail(cerr), false
	case cerr == nil || gone(cerr):
		return outcome{err: recipientsRejected(rejected, len(x.rcpts))}, false
	}
	// DATA was refused too, so RSET ends what is left of the transaction.
	return x.fail(recipientsRejected(rejected, len(x.rcpts))), false
}

// exchangeOne sends command i on its own and reads its reply.
func (x *exchange) exchangeOne(i int) *channel.Error {
	if cerr := x.send(i, i+1); cerr != nil {
		return cerr
	}
	return x.reply(i)
}

// fail is the outcome of a refused command: the connection stays usable if
// RSET succeeds.
func (x *exchange) fail(cerr *channel.Error) outcome {
	return outcome{err: cerr, reusable: x.c.reset(x.ctx, cerr)}
}

// content sends the message and reads the reply to the end of DATA.
func (x *exchange) content(data []byte) outcome {
	text := x.c.client.Text
	if cerr := x.c.step(x.ctx, stageMessage, "send message content", func() error {
		writeDotStuffed(text.W, data)
		return text.W.Flush()
	}); cerr != nil {
		return outcome{err: cerr}
	}
	var (
		code int
		msg  string
	)
	if cerr := x.c.step(x.ctx, stageMessage, "end of DATA", func() (err error) {
		code, msg, err = text.ReadResponse(250)
		return err
	}); cerr != nil {
		return x.fail(cerr)
	}
	// No RSET after success: the reply to the end of DATA completes the
	// transaction and clears the server's state (RFC 5321 4.1.1.4).
	return outcome{reply: formatReply(code, msg), reusable: true}
}

// send writes the commands [start, end) and flushes them in one write.
func (x *exchange) send(start, end int) *channel.Error {
	if err := x.c.extend(x.ctx); err != nil {
		return classify(stageMessage, x.name(start), err)
	}
	w := x.c.client.Text.W
	for i := start; i < end; i++ {
		x.write(w, i)
	}
	if err := w.Flush(); err != nil {
		return x.c.classifyIO(x.ctx, stageMessage, x.name(start), err)
	}
	return nil
}

// reply reads the reply to command i, with a fresh deadline for each.
func (x *exchange) reply(i int) *channel.Error {
	if err := x.c.extend(x.ctx); err != nil {
		return classify(stageMessage, x.name(i), err)
	}
	if _, _, err := x.c.client.Text.ReadResponse(x.expect(i)); err != nil {
		return x.c.classifyIO(x.ctx, stageMessage, x.name(i), err)
	}
	return nil
}

// write buffers command i. MAIL FROM carries the parameters go-mail sent:
// BODY=8BITMIME when offered, and SMTPUTF8 only for a non-ASCII envelope
// address, since asking for it makes relays require it from every later
// hop while the message itself is 7-bit.
func (x *exchange) write(w *bufio.Writer, i int) {
	switch {
	case i == 0:
		_, _ = w.WriteString("MAIL FROM:")
		writeAngle(w, x.from)
		if x.c.eightBitMIME {
			_, _ = w.WriteString(" BODY=8BITMIME")
		}
		if x.c.smtpUTF8 && x.needsUTF8() {
			_, _ = w.WriteString(" SMTPUTF8")
		}
	case i < x.dataIndex():
		_, _ = w.WriteString("RCPT TO:")
		writeAngle(w, x.rcpts[i-1])
	default:
		_, _ = w.WriteString("DATA")
	}
	_, _ = w.WriteString("\r\n")
}

// name is command i as errors name it, e.g. "RCPT TO:<jana@example.org>".
func (x *exchange) name(i int) string {
	switch {
	case i == 0:
		return "MAIL FROM:" + angle(x.from)
	case i < x.dataIndex():
		return "RCPT TO:" + angle(x.rcpts[i-1])
	}
	return "DATA"
}

// expect is the reply code command i succeeds with, as
// textproto.ReadResponse takes it: 25 accepts 250 and 251 for RCPT.
func (x *exchange) expect(i int) int {
	switch {
	case i == 0:
		return 250
	case i < x.dataIndex():
		return 25
	}
	return 354
}

func (x *exchange) needsUTF8() bool {
	if !isASCII(x.from) {
		return true
	}
	for _, r := range x.rcpts {
		if !isASCII(r) {
			return true
		}
	}
	return false
}

// gone reports whether cerr ended the connection: no reply at all, or 421.
func gone(cerr *channel.Error) bool { return cerr.Code == 0 || cerr.Code == 421 }

// writeDotStuffed writes data as the content of DATA (RFC 5321 4.5.2): a
// line starting with '.' gets a second one, a bare LF becomes CRLF, and
// CRLF.CRLF ends it. It matches textproto's DotWriter for content with
// CRLF line ends, as BuildMIME writes, but copies runs of lines instead of
// one byte at a time.
func writeDotStuffed(w *bufio.Writer, data []byte) {
	start := 0 // data[start:i] is still to be written as is
	for i := 0; i < len(data); {
		if data[i] == '.' { // i is at the start of a line
			_, _ = w.Write(data[start:i])
			_ = w.WriteByte('.')
			start = i
		}
		nl := bytes.IndexByte(data[i:], '\n')
		if nl < 0 {
			break
		}
		nl += i
		if nl == i || data[nl-1] != '\r' {
			_, _ = w.Write(data[start:nl])
			_, _ = w.WriteString("\r\n")
			start = nl + 1
		}
		i = nl + 1
	}
	_, _ = w.Write(data[start:])
	switch {
	case len(data) > 0 && data[len(data)-1] == '\n':
	case len(data) > 0 && data[len(data)-1] == '\r':
		_ = w.WriteByte('\n')
	default:
		_, _ = w.WriteString("\r\n")
	}
	_, _ = w.WriteString(".\r\n")
}

// writeAngle writes addr in angle brackets for MAIL FROM and RCPT TO, as
// angle does, without angle's allocations for the usual address whose
// local part needs no quotes.
func writeAngle(w *bufio.Writer, addr string) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || !plainLocalPart(addr[:at]) {
		_, _ = w.WriteString(angle(addr))
		return
	}
	_ = w.WriteByte('<')
	_, _ = w.WriteString(addr)
	_ = w.WriteByte('>')
}

// plainLocalPart reports whether local is an ASCII dot-atom, which
// net/mail writes without quotes.
func plainLocalPart(local string) bool {
	if local == "" || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>[]:;@\,"`, c) >= 0 {
			return false
		}
	}
	return true
}
