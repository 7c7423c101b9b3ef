package smtp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawServer is an SMTP server written by hand on 127.0.0.1:0, for what
// go-smtp cannot be made to do: hold its replies until a whole pipelined
// group has arrived, not offer PIPELINING and notice a client that
// pipelines anyway, or misbehave. It keeps a real server's sequencing: RCPT
// needs an accepted MAIL, DATA or BDAT an accepted RCPT ("554 no valid
// recipients" otherwise), a rejected DATA or BDAT leaves the transaction
// open until RSET, and a 421 reply closes the connection. A BDAT chunk is
// read with its command, as RFC 3030 requires even when the command is
// refused, before any reply that was held for it.
type rawServer struct {
	t   *testing.T
	ln  net.Listener
	cfg rawConfig

	mu         sync.Mutex
	conns      int          // accepted, including refused ones
	open       int          // being served now
	peak       int          // most served at once
	refused    int          // answered 421 at the greeting for cfg.maxConns
	txns       int          // MAIL commands, numbering transactions from 1
	ends       int          // ends of data
	messages   []rawMessage // accepted
	commands   []string     // every command line, in order of arrival
	violations []string
}

// rawConfig scripts a rawServer. Every reply function gets n, the number of
// the transaction (the MAIL command) server-wide from 1, and returns a
// whole reply line; "" accepts.
//
// A reply function may also return rawHangUp to close the connection
// instead of answering, rawReset to reset it (TCP RST), or rawStall to
// answer nothing more and wait for the client to go away.
type rawConfig struct {
	pipelining bool
	// chunking offers CHUNKING (RFC 3030). BDAT is a violation without it.
	chunking bool
	// group holds replies until this many MAIL and RCPT commands are
	// waiting or DATA or BDAT arrives, then answers them in order. A
	// client that waits for each reply stalls; the server's read deadline
	// then ends the connection and the test fails instead of hanging. 0
	// answers at once.
	group int
	mail  func(n int) string
	rcpt  func(n int, addr string) string
	data  func(n int) string
	// end answers the end of DATA and BDAT LAST, after the content.
	end func(n int) string
	// dropMidData closes the connection after the first line of content.
	dropMidData func(n int) bool
	// broken354 answers DATA with 354, and accepts BDAT, even without an
	// accepted MAIL or RCPT, as no server should.
	broken354 bool
	// maxConns, when above 0, bounds the connections served at once, as
	// relays bound those of one client: a further one is greeted with
	// 421 and closed. refuseAll greets every connection so.
	maxConns  int
	refuseAll bool
}

// Replies that script the connection rather than answer.
const (
	rawHangUp = "hang up"
	rawReset  = "reset"
	rawStall  = "stall"
)

// rawMessage is a message the server accepted.
type rawMessage struct {
	from  string
	rcpts []string
	data  []byte // dot-stuffing undone
	bdat  bool   // came in BDAT chunks, not after DATA
}

// rawTxn is one connection's transaction state.
type rawTxn struct {
	n     int
	mail  bool
	from  string
	rcpts []string
	data  []byte // BDAT chunks so far
}

// rawCmd is a command waiting for its reply, with its chunk for BDAT.
type rawCmd struct {
	line  string
	chunk []byte
}

const rawReadDeadline = 2 * time.Second

func startRawServer(t *testing.T, cfg rawConfig) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	s := &rawServer{t: t, ln: ln, cfg: cfg}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			refuse := s.cfg.refuseAll || (s.cfg.maxConns > 0 && s.open >= s.cfg.maxConns)
			if refuse {
				s.refused++
			} else {
				s.open++
				s.peak = max(s.peak, s.open)
			}
			s.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				if refuse {
					_, _ = conn.Write([]byte("421 4.7.0 raw.test Too many connections from your host, try again later\r\n"))
					_ = conn.Close()
					return
				}
				s.serve(conn)
				s.mu.Lock()
				s.open--
				s.mu.Unlock()
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	return s
}

func (s *rawServer) addr() (string, int) {
	a := s.ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}

// serve speaks SMTP on one connection until QUIT, a 421, a drop or the
// client going away.
func (s *rawServer) serve(conn net.Conn) {
	defer func() { _ = conn.Close() }()
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	send := func(line string) {
		_, _ = w.WriteString(line + "\r\n")
		_ = w.Flush()
	}
	send("220 raw.test ESMTP")
	var txn rawTxn
	var pending []rawCmd // commands held for the group
	for {
		_ = conn.SetDeadline(time.Now().Add(rawReadDeadline))
		line, err := r.ReadString('\n')
		if err != nil {
			if len(pending) > 0 {
				s.violation("client stalled with %q unanswered: it waits for replies the server holds for a pipelined group", lines(pending))
			}
			return
		}
		cmd := strings.TrimRight(line, "\r\n")
		s.record(cmd)
		switch verb(cmd) {
		case "EHLO":
			s.ehlo(send)
			continue
		case "QUIT":
			send("221 2.0.0 Bye")
			return
		}
		p := rawCmd{line: cmd}
		if verb(cmd) == "BDAT" {
			if p.chunk, err = s.readChunk(r, cmd); err != nil {
				s.violation("%s: %v", cmd, err)
				return
			}
		}
		pending = append(pending, p)
		if v := verb(cmd); (v == "MAIL" || v == "RCPT") && len(pending) < s.cfg.group {
			continue
		}
		if !s.cfg.pipelining && r.Buffered() > 0 {
			s.violation("client sent more after %q without waiting for the reply, but PIPELINING is not offered", cmd)
		}
		for _, p := range pending {
			reply := s.answer(&txn, p)
			if hangUp(conn, r, reply) {
				return
			}
			send(reply)
			switch {
			case strings.HasPrefix(reply, "421"):
				return
			case strings.HasPrefix(reply, "354"):
				if !s.receive(conn, r, &txn, send) {
					return
				}
			}
		}
		pending = pending[:0]
	}
}

func (s *rawServer) ehlo(send func(string)) {
	send("250-raw.test")
	if s.cfg.pipelining {
		send("250-PIPELINING")
	}
	if s.cfg.chunking {
		send("250-CHUNKING")
	}
	send("250 8BITMIME")
}

// hangUp acts out a reply that scripts the connection, and reports whether
// it is to close.
func hangUp(conn net.Conn, r *bufio.Reader, reply string) bool {
	switch reply {
	case rawHangUp:
	case rawReset:
		_ = conn.(*net.TCPConn).SetLinger(0)
	case rawStall:
		_, _ = io.Copy(io.Discard, r) // until the client hangs up or the read deadline
	default:
		return false
	}
	return true
}

// readChunk reads the chunk that follows a BDAT command, whose size the
// command names, before anything is answered: a client that waits for a
// reply before sending all of it stalls until the read deadline.
func (s *rawServer) readChunk(r *bufio.Reader, cmd string) ([]byte, error) {
	if !s.cfg.chunking {
		return nil, fmt.Errorf("BDAT although CHUNKING is not offered")
	}
	size, _, err := bdatArgs(cmd)
	if err != nil {
		return nil, err
	}
	chunk := make([]byte, size)
	if n, err := io.ReadFull(r, chunk); err != nil {
		return nil, fmt.Errorf("client sent %d of %d bytes of the chunk and stalled: %w", n, size, err)
	}
	return chunk, nil
}

// answer returns the reply to one command and updates the transaction.
func (s *rawServer) answer(txn *rawTxn, cmd rawCmd) string {
	switch verb(cmd.line) {
	case "MAIL":
		if txn.mail {
			return "503 5.5.1 Error: nested MAIL command"
		}
		s.mu.Lock()
		s.txns++
		n := s.txns
		s.mu.Unlock()
		*txn = rawTxn{n: n}
		if r := script(s.cfg.mail, n); r != "" {
			return r
		}
		txn.mail, txn.from = true, addrOf(cmd.line)
		return "250 2.1.0 Ok"
	case "RCPT":
		if !txn.mail {
			return "503 5.5.1 Error: need MAIL command"
		}
		if s.cfg.rcpt != nil {
			if r := s.cfg.rcpt(txn.n, addrOf(cmd.line)); r != "" {
				return r
			}
		}
		txn.rcpts = append(txn.rcpts, addrOf(cmd.line))
		return "250 2.1.5 Ok"
	case "DATA":
		switch {
		case s.cfg.broken354:
		case !txn.mail:
			return "503 5.5.1 Error: need RCPT command"
		case len(txn.rcpts) == 0:
			return "554 5.5.1 Error: no valid recipients"
		}
		if r := script(s.cfg.data, txn.n); r != "" {
			return r
		}
		return "354 End data with <CR><LF>.<CR><LF>"
	case "BDAT":
		return s.bdat(txn, cmd.line, cmd.chunk)
	case "RSET":
		*txn = rawTxn{}
		return "250 2.0.0 Ok"
	case "NOOP":
		return "250 2.0.0 Ok"
	}
	s.violation("unrecognized command %q", cmd.line)
	return "502 5.5.2 Error: command not recognized"
}

// bdat answers a BDAT command whose chunk was read: it adds to the message
// and, with LAST, ends it as the end of DATA would.
func (s *rawServer) bdat(txn *rawTxn, cmd string, chunk []byte) string {
	switch {
	case s.cfg.broken354:
	case !txn.mail:
		return "503 5.5.1 Error: need MAIL command"
	case len(txn.rcpts) == 0:
		return "554 5.5.1 Error: no valid recipients"
	}
	txn.data = append(txn.data, chunk...)
	if _, last, _ := bdatArgs(cmd); !last {
		return fmt.Sprintf("250 2.0.0 Ok: %d bytes", len(chunk))
	}
	reply := s.end(txn, true)
	if !strings.HasPrefix(reply, "250") {
		txn.data = nil // the transaction stays open until RSET
	}
	return reply
}

// end answers the end of a message, DATA's or BDAT's, with the end script
// or by recording the message, which ends the transaction.
func (s *rawServer) end(txn *rawTxn, bdat bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ends++
	if reply := script(s.cfg.end, txn.n); reply != "" {
		return reply
	}
	if len(txn.rcpts) > 0 { // a broken server's message without them goes nowhere
		s.messages = append(s.messages, rawMessage{from: txn.from, rcpts: txn.rcpts, data: txn.data, bdat: bdat})
	}
	*txn = rawTxn{}
	return fmt.Sprintf("250 2.0.0 Ok: queued as Q%d", s.ends)
}

// receive reads the content after 354 and answers its end. It reports
// false when the connection is to close.
func (s *rawServer) receive(conn net.Conn, r *bufio.Reader, txn *rawTxn, send func(string)) bool {
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		if s.cfg.dropMidData != nil && s.cfg.dropMidData(txn.n) {
			return false
		}
		if line == ".\r\n" {
			break
		}
		txn.data = append(txn.data, strings.TrimPrefix(line, ".")...)
	}
	reply := s.end(txn, false)
	*txn = rawTxn{}
	if hangUp(conn, r, reply) {
		return false
	}
	send(reply)
	return !strings.HasPrefix(reply, "421")
}

func (s *rawServer) record(cmd string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = append(s.commands, cmd)
}

func (s *rawServer) violation(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, fmt.Sprintf(format, args...))
}

// snapshot returns the connections, accepted messages, commands and
// violations so far.
func (s *rawServer) snapshot() (conns int, msgs []rawMessage, cmds, violations []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns, append([]rawMessage(nil), s.messages...), append([]string(nil), s.commands...), append([]string(nil), s.violations...)
}

func lines(cmds []rawCmd) []string {
	l := make([]string, len(cmds))
	for i, c := range cmds {
		l[i] = c.line
	}
	return l
}

func script(fn func(int) string, n int) string {
	if fn == nil {
		return ""
	}
	return fn(n)
}

func verb(cmd string) string {
	v, _, _ := strings.Cut(cmd, " ")
	if i := strings.IndexByte(v, ':'); i >= 0 {
		v = v[:i]
	}
	return strings.ToUpper(v)
}

// bdatArgs parses "BDAT <size> [LAST]".
func bdatArgs(cmd string) (size int, last bool, err error) {
	f := strings.Fields(cmd)
	if len(f) < 2 || len(f) > 3 || len(f) == 3 && f[2] != "LAST" {
		return 0, false, fmt.Errorf("malformed BDAT command %q", cmd)
	}
	size, err = strconv.Atoi(f[1])
	if err != nil || size < 0 {
		return 0, false, fmt.Errorf("malformed BDAT size in %q", cmd)
	}
	return size, len(f) == 3, nil
}

// addrOf returns the address between the angle brackets of MAIL or RCPT.
func addrOf(cmd string) string {
	_, rest, _ := strings.Cut(cmd, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
