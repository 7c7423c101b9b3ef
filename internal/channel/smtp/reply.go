package smtp

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// A mail transaction reads three replies per message (MAIL, RCPT, BDAT),
// usually short single lines, often arriving together. textproto's
// ReadResponse allocates each line and its message; bufferedReply reads
// such a reply in place, and only when it is complete in the buffer, so
// that its answer is exactly ReadResponse's and no read (and so no fresh
// deadline) is needed for it. Everything else — a reply not yet
// arrived, multi-line, malformed or refusing — still goes to
// ReadResponse, which reads and reports it as before.

// bufferedReply returns the single-line reply at the start of r's
// buffer, without its line end, if it is complete there and has the
// code expect asks for (as textproto.ReadResponse checks it: 25 accepts
// 250 to 259), and how many bytes it takes with its line end. It reads
// nothing from the connection and consumes nothing.
func bufferedReply(r *bufio.Reader, expect int) (line []byte, n int, ok bool) {
	buf, _ := r.Peek(r.Buffered())
	end := bytes.IndexByte(buf, '\n')
	if end < 0 {
		return nil, 0, false
	}
	n, line = end+1, buf[:end]
	if len(line) > 0 && line[len(line)-1] == '\r' { // as bufio.Reader.ReadLine drops it
		line = line[:len(line)-1]
	}
	if len(line) < 4 || line[3] != ' ' {
		return nil, 0, false // short, malformed or multi-line: ReadResponse's case
	}
	code := 0
	for _, c := range line[:3] {
		if c < '0' || c > '9' {
			return nil, 0, false
		}
		code = 10*code + int(c-'0')
	}
	if code < 100 || !expected(code, expect) {
		return nil, 0, false
	}
	return line, n, true
}

// expected reports whether code meets expect as textproto.ReadResponse
// checks it: one digit for the class, two for the class and category,
// three for the code.
func expected(code, expect int) bool {
	switch {
	case 1 <= expect && expect < 10:
		return code/100 == expect
	case 10 <= expect && expect < 100:
		return code/10 == expect
	case 100 <= expect && expect < 1000:
		return code == expect
	}
	return true
}

// formatReply rebuilds a reply as the server sent it from textproto's code
// and message (whose lines it joined with "\n"): "250-first\n250 last".
func formatReply(code int, msg string) string {
	var b strings.Builder
	b.Grow(len(msg) + 4*(1+strings.Count(msg, "\n")))
	for {
		line, rest, more := strings.Cut(msg, "\n")
		if code >= 100 { // textproto's codes always are
			b.WriteString(strconv.Itoa(code))
		} else {
			fmt.Fprintf(&b, "%03d", code)
		}
		if more {
			b.WriteByte('-')
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(line)
		if !more {
			return b.String()
		}
		b.WriteByte('\n')
		msg = rest
	}
}
