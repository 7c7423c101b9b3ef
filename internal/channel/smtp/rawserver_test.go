package smtp

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// rawServer is an SMTP server written by hand on 127.0.0.1:0, for what
// go-smtp cannot be made to do: hold its replies until a whole pipelined
// group has arrived, not offer PIPELINING and notice a client that
// pipelines anyway, or misbehave. It keeps a real server's sequencing: RCPT
// needs an accepted MAIL, DATA an accepted RCPT ("554 no valid
// recipients" otherwise), a rejected DATA leaves the transaction open until
// RSET, and a 421 reply closes the connection.
type rawServer struct {
	t   *testing.T
	ln  net.Listener
	cfg rawConfig

	mu         sync.Mutex
	conns      int
	txns       int          // MAIL commands, numbering transactions from 1
	ends       int          // ends of data
	messages   []rawMessage // accepted
	commands   []string     // every command line, in order of arrival
	violations []string
}

// rawConfig scripts a rawServer. Every reply function gets n, the number of
// the transaction (the MAIL command) server-wide from 1, and returns a
// whole reply line; "" accepts.
type rawConfig struct {
	pipelining bool
	// group holds replies until this many MAIL and RCPT commands are
	// waiting or DATA arrives, then answers them in order. A client that
	// waits for each reply stalls; the server's read deadline then ends
	// the connection and the test fails instead of hanging. 0 answers at
	// once.
	group int
	mail  func(n int) string
	rcpt  func(n int, addr string) string
	data  func(n int) string
	end   func(n int) string
	// dropMidData closes the connection after the first line of content.
	dropMidData func(n int) bool
	// broken354 answers DATA with 354 even without an accepted MAIL or
	// RCPT, as no server should.
	broken354 bool
}

// rawMessage is a message the server accepted.
type rawMessage struct {
	from  string
	rcpts []string
	data  []byte // dot-stuffing undone
}

// rawTxn is one connection's transaction state.
type rawTxn struct {
	n     int
	mail  bool
	from  string
	rcpts []string
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
			s.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				s.serve(conn)
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
	var pending []string // commands held for the group
	for {
		_ = conn.SetDeadline(time.Now().Add(rawReadDeadline))
		line, err := r.ReadString('\n')
		if err != nil {
			if len(pending) > 0 {
				s.violation("client stalled with %q unanswered: it waits for replies the server holds for a pipelined group", pending)
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
		pending = append(pending, cmd)
		if v := verb(cmd); (v == "MAIL" || v == "RCPT") && len(pending) < s.cfg.group {
			continue
		}
		if !s.cfg.pipelining && r.Buffered() > 0 {
			s.violation("client sent more after %q without waiting for the reply, but PIPELINING is not offered", cmd)
		}
		for _, p := range pending {
			reply := s.answer(&txn, p)
			send(reply)
			switch {
			case strings.HasPrefix(reply, "421"):
				return
			case strings.HasPrefix(reply, "354"):
				if !s.receive(r, &txn, send) {
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
	send("250 8BITMIME")
}

// answer returns the reply to one command and updates the transaction.
func (s *rawServer) answer(txn *rawTxn, cmd string) string {
	switch verb(cmd) {
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
		txn.mail, txn.from = true, addrOf(cmd)
		return "250 2.1.0 Ok"
	case "RCPT":
		if !txn.mail {
			return "503 5.5.1 Error: need MAIL command"
		}
		if s.cfg.rcpt != nil {
			if r := s.cfg.rcpt(txn.n, addrOf(cmd)); r != "" {
				return r
			}
		}
		txn.rcpts = append(txn.rcpts, addrOf(cmd))
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
	case "RSET":
		*txn = rawTxn{}
		return "250 2.0.0 Ok"
	case "NOOP":
		return "250 2.0.0 Ok"
	}
	return "502 5.5.2 Error: command not recognized"
}

// receive reads the content after 354 and answers its end. It reports
// false when the connection is to close.
func (s *rawServer) receive(r *bufio.Reader, txn *rawTxn, send func(string)) bool {
	var data []byte
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
		data = append(data, strings.TrimPrefix(line, ".")...)
	}
	s.mu.Lock()
	s.ends++
	reply := script(s.cfg.end, txn.n)
	if reply == "" {
		reply = fmt.Sprintf("250 2.0.0 Ok: queued as Q%d", s.ends)
		s.messages = append(s.messages, rawMessage{from: txn.from, rcpts: txn.rcpts, data: data})
	}
	s.mu.Unlock()
	*txn = rawTxn{}
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

// addrOf returns the address between the angle brackets of MAIL or RCPT.
func addrOf(cmd string) string {
	_, rest, _ := strings.Cut(cmd, "<")
	addr, _, _ := strings.Cut(rest, ">")
	return addr
}
