package smtp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/channel"
)

// exchange is one mail transaction on a conn: the envelope commands, their
// replies and the content. The commands are numbered: 0 is MAIL FROM, 1 to
// len(rcpts) are the RCPT TOs in order, and dataIndex is the command that
// carries the message: DATA, or with CHUNKING (RFC 3030) "BDAT <size>
// LAST" followed by the message itself.
type exchange struct {
	c     *conn
	ctx   context.Context
	from  string
	rcpts []string
	data  []byte
	// bdat says the message goes out as one BDAT LAST chunk, as built: a
	// chunk is not dot-stuffed, and BuildMIME ends every line with CRLF
	// (channel's fuzz tests hold it to that).
	bdat bool
	// dataPipelined says DATA or BDAT goes out with the envelope.
	dataPipelined bool
	// accepted is the reply to BDAT LAST once the server accepted it.
	accepted string
}

func (x *exchange) dataIndex() int { return len(x.rcpts) + 1 }

// chunkSent reports whether the commands [0, end) carry the BDAT chunk: the
// whole message was then written before any reply was read.
func (x *exchange) chunkSent(end int) bool { return x.bdat && end > x.dataIndex() }

// envelope sends MAIL FROM, every RCPT TO and, if dataPipelined, DATA or
// BDAT with the message, and reads their replies: with PIPELINING as one group, written at once and
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
			// A write that failed did not deliver all of BDAT's chunk
			// either, so no server can have accepted the message.
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
				if cerr.Permanent {
					cerr.Refused = []string{x.rcpts[i-1]}
				}
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
// RCPTs (and DATA or BDAT with its chunk) too and refuses them as out of
// sequence; those replies are read and dropped, as MAIL's reply is what
// explains the failure.
func (x *exchange) failMail(cerr *channel.Error, end int) outcome {
	out := outcome{err: cerr, deadAtMail: x.deadAtMail(cerr, end)}
	if gone(cerr) || !x.drain(1, end) {
		return out
	}
	out.reusable = x.c.reset(x.ctx, cerr)
	return out
}

// deadAtMail reports whether MAIL FROM's failure (cerr, for the commands
// [0, end) written together) proves that nothing of the message can have
// been accepted, so that it may be sent again on a fresh connection.
//
// Without the chunk in the group, the content was never sent: any lost
// connection or 421 qualifies. With it, the whole message is already with
// the server, which accepts it by answering BDAT with 250 after answering
// MAIL. A 421 to MAIL refuses the transaction, and the end of the stream
// before MAIL's reply shows that the server sent no 250 and never will: a
// pooled connection the server closed while idle ends this way. A timeout
// or a reset does not: a slow server may still accept the message it has,
// and a reset may have discarded replies that were on their way.
func (x *exchange) deadAtMail(cerr *channel.Error, end int) bool {
	switch {
	case !gone(cerr):
		return false
	case !x.chunkSent(end) || cerr.Code == 421:
		return true
	}
	return errors.Is(cerr.Err, io.EOF)
}

// drain reads the replies to the commands [from, end) sent after a refused
// MAIL FROM and reports whether the connection is still in a known state:
// every reply arrived and none opened DATA or accepted BDAT.
func (x *exchange) drain(from, end int) bool {
	for i := from; i < end; i++ {
		cerr := x.reply(i)
		if cerr == nil && i == x.dataIndex() || cerr != nil && gone(cerr) {
			return false
		}
	}
	return true
}

// dataReplied decides after the reply to a pipelined DATA or BDAT. Its
// single recipient may have been refused (rejected), which then explains
// the failure better than the "no valid recipients" that DATA or BDAT gets
// (RFC 3030 has the server read and drop the chunk of a refused BDAT). A
// server that answers DATA with 354 although it refused every recipient
// waits for content that must not come, and one that accepts BDAT then
// is in no state to trust: the connection is given up.
func (x *exchange) dataReplied(cerr *channel.Error, rejected []*channel.Error) (outcome, bool) {
	switch {
	case len(rejected) == 0 && cerr == nil:
		return outcome{}, true
	case len(rejected) == 0:
		// MAIL and RCPT were accepted, so the transaction may stay open on
		// the server after a refused DATA or BDAT; RSET closes it, or the
		// next MAIL would be refused as nested.
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
	if cerr.Permanent && len(cerr.Refused) == 0 && len(x.rcpts) == 1 {
		// A 5xx to DATA of a message with one recipient refuses that
		// recipient: a hard bounce of the address, like a 5xx to its
		// RCPT. With several, the reply names none of them.
		cerr.Refused = x.rcpts
	}
	return outcome{err: cerr, reusable: x.c.reset(x.ctx, cerr)}
}

// content sends the message after DATA's 354 and reads the reply to the
// end of DATA.
func (x *exchange) content() outcome {
	text := x.c.client.Text
	if cerr := x.c.step(x.ctx, stageMessage, "send message content", func() error {
		writeDotStuffed(text.W, x.data)
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

// send writes the commands [start, end) and flushes them in one write;
// BDAT carries the message with it.
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

// reply reads the reply to command i, with a fresh deadline for each that
// has to be waited for, and keeps an accepting reply to BDAT for
// Result.Reply. A reply already received is read without a deadline or a
// look at ctx: a cancelled send still learns that the server took the
// message.
func (x *exchange) reply(i int) *channel.Error {
	if x.replyBuffered(i) {
		return nil
	}
	if err := x.c.extend(x.ctx); err != nil {
		return classify(stageMessage, x.name(i), err)
	}
	r := x.c.client.Text.R
	if r.Buffered() == 0 {
		// Wait for the reply's first bytes as ReadResponse would (its
		// error, if any, is the one ReadResponse reports), then read it
		// in place if it is all there.
		if _, err := r.Peek(1); err != nil {
			return x.c.classifyIO(x.ctx, stageMessage, x.name(i), err)
		}
		if x.replyBuffered(i) {
			return nil
		}
	}
	code, msg, err := x.c.client.Text.ReadResponse(x.expect(i))
	if err != nil {
		return x.c.classifyIO(x.ctx, stageMessage, x.name(i), err)
	}
	if x.bdat && i == x.dataIndex() {
		x.accepted = formatReply(code, msg)
	}
	return nil
}

// replyBuffered reads the reply to command i in place if it is a
// single line that accepts the command and is complete in the buffer
// (see bufferedReply), keeping an accepting reply to BDAT as reply does.
func (x *exchange) replyBuffered(i int) bool {
	r := x.c.client.Text.R
	line, n, ok := bufferedReply(r, x.expect(i))
	if !ok {
		return false
	}
	if x.bdat && i == x.dataIndex() {
		x.accepted = string(line) // formatReply of a single line is the line
	}
	_, _ = r.Discard(n)
	return true
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
		if x.c.smtpUTF8 && x.utf8Address() != "" {
			_, _ = w.WriteString(" SMTPUTF8")
		}
	case i < x.dataIndex():
		_, _ = w.WriteString("RCPT TO:")
		writeAngle(w, x.rcpts[i-1])
	case x.bdat:
		_, _ = w.WriteString("BDAT ")
		_, _ = w.Write(strconv.AppendInt(w.AvailableBuffer(), int64(len(x.data)), 10))
		_, _ = w.WriteString(" LAST\r\n")
		_, _ = w.Write(x.data)
		return
	default:
		_, _ = w.WriteString("DATA")
	}
	_, _ = w.WriteString("\r\n")
}

// name is command i as errors name it, e.g. "RCPT TO:<jana@example.org>".
// The reply to BDAT LAST is the one to the end of the message, which
// errors call the end of DATA either way.
func (x *exchange) name(i int) string {
	switch {
	case i == 0:
		return "MAIL FROM:" + angle(x.from)
	case i < x.dataIndex():
		return "RCPT TO:" + angle(x.rcpts[i-1])
	case x.bdat:
		return "BDAT " + strconv.Itoa(len(x.data)) + " LAST (end of DATA)"
	}
	return "DATA"
}

// expect is the reply code command i succeeds with, as
// textproto.ReadResponse takes it: 25 accepts 250 and 251 for RCPT.
func (x *exchange) expect(i int) int {
	switch {
	case i == 0, i > len(x.rcpts) && x.bdat:
		return 250
	case i < x.dataIndex():
		return 25
	}
	return 354
}

// utf8Address returns the first envelope address that is not ASCII, or
// "". channel.Envelope writes domains as A-labels, so only a local part
// can make one.
func (x *exchange) utf8Address() string {
	if !isASCII(x.from) {
		return x.from
	}
	for _, r := range x.rcpts {
		if !isASCII(r) {
			return r
		}
	}
	return ""
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
