package smtp

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	gmsmtp "github.com/wneessen/go-mail/smtp"
)

// bufferedReply answers exactly as textproto.ReadResponse where it
// answers at all, and leaves to ReadResponse every reply it cannot read
// in place: one not complete yet, multi-line, malformed or refusing.
func TestBufferedReplyMatchesReadResponse(t *testing.T) {
	cases := []struct {
		in      string
		expect  int
		inPlace bool
	}{
		{"250 2.1.0 Ok\r\n", 250, true},
		{"250 2.1.5 Ok\r\n", 25, true},
		{"251 2.1.5 forwarded\r\nMORE", 25, true},
		{"354 End data with <CR><LF>.<CR><LF>\r\n", 354, true},
		{"250 2.0.0 Ok: queued as 4Xy\n", 250, true}, // a bare LF ends a line too
		{"250 \r\n", 250, true},
		{"250 trailing space \r\n", 250, true},
		{"250 ünïcödé\r\n", 250, true},
		{"250 a\rb\r\n", 250, true},
		{"", 250, false},
		{"250 2.1.0 Ok", 250, false},              // not complete yet
		{"250 2.1.0 Ok\r", 250, false},            // nor this
		{"250-first\r\n250 last\r\n", 250, false}, // multi-line
		{"451 4.3.0 Try again later\r\n", 250, false},
		{"550 5.1.1 No such user\r\n", 25, false},
		{"260 odd\r\n", 25, false},
		{"250 2.0.0 Ok\r\n", 354, false},
		{"25 short\r\n", 250, false},
		{"2500 long\r\n", 250, false},
		{"250\r\n", 250, false},
		{"+25 sign\r\n", 25, false},
		{"099 low\r\n", 0, false},
		{"25a x\r\n", 250, false},
	}
	for _, tc := range cases {
		r := bufio.NewReader(strings.NewReader(tc.in))
		_, _ = r.Peek(1)
		line, n, ok := bufferedReply(r, tc.expect)
		require.Equal(t, tc.inPlace, ok, "%q", tc.in)
		if !ok {
			continue
		}
		want := textproto.NewReader(bufio.NewReader(strings.NewReader(tc.in)))
		code, msg, err := want.ReadResponse(tc.expect)
		require.NoError(t, err, "%q", tc.in)
		require.Equal(t, formatReply(code, msg), string(line), "%q", tc.in)
		rest, _ := want.R.Peek(want.R.Buffered())
		require.Equal(t, tc.in[n:], string(rest), "%q: consumes what ReadResponse consumes", tc.in)
		require.Equal(t, len(tc.in), r.Buffered(), "consumes nothing itself")
	}
}

// formatReply rebuilds a reply line by line as fmt's "%03d%s%s" did.
func TestFormatReply(t *testing.T) {
	reference := func(code int, msg string) string {
		lines := strings.Split(msg, "\n")
		var b strings.Builder
		for i, line := range lines {
			if i > 0 {
				b.WriteByte('\n')
			}
			sep := "-"
			if i == len(lines)-1 {
				sep = " "
			}
			fmt.Fprintf(&b, "%03d%s%s", code, sep, line)
		}
		return b.String()
	}
	for _, code := range []int{0, 7, 42, 99, 100, 250, 354, 421, 554, 999, 1000} {
		for _, msg := range []string{"", "2.0.0 Ok", "first\nsecond\nlast", "\n", "a\n\nb", "ünï\ncödé"} {
			require.Equal(t, reference(code, msg), formatReply(code, msg), "%d %q", code, msg)
		}
	}
	require.Equal(t, "250-mx.example.org\n250 2.0.0 Ok", formatReply(250, "mx.example.org\n2.0.0 Ok"))
}

// pipedExchange is an exchange of MAIL, one RCPT and BDAT LAST over a
// real TCP connection whose replies the test puts into the client's
// buffer itself.
func pipedExchange(t *testing.T) *exchange {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		srv, err := ln.Accept()
		if err != nil {
			return
		}
		t.Cleanup(func() { _ = srv.Close() })
		_, _ = srv.Write([]byte("220 mx.example.org ESMTP\r\n"))
	}()
	raw, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close() })
	client, err := gmsmtp.NewClient(raw, "mx.example.org")
	require.NoError(t, err)
	c := &conn{client: client, raw: raw, timeout: 5 * time.Second, pipelining: true, chunking: true}
	return &exchange{c: c, ctx: context.Background(), from: "news@acme.example", rcpts: []string{"anna@example.org"},
		data: []byte("Subject: x\r\n\r\nHallo\r\n"), bdat: true, dataPipelined: true}
}

// Replies that arrived together are read in place: no allocation but
// the accepting reply to BDAT LAST, which the message keeps.
func TestRepliesReadInPlace(t *testing.T) { // not parallel: AllocsPerRun
	x := pipedExchange(t)
	const replies = "250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.0.0 Ok: queued as 4Xy\r\n"
	src := strings.NewReader(replies)
	r := x.c.client.Text.R
	allocs := testing.AllocsPerRun(200, func() {
		src.Reset(replies)
		r.Reset(src)
		for i := range 3 {
			if cerr := x.reply(i); cerr != nil {
				t.Fatal(cerr)
			}
		}
	})
	require.LessOrEqual(t, allocs, 1.0)
	require.Equal(t, "250 2.0.0 Ok: queued as 4Xy", x.accepted)

	// A refusal, and a multi-line reply, still go through textproto.
	src.Reset("250 2.1.0 Ok\r\n550 5.1.1 No such user\r\n")
	r.Reset(src)
	require.Nil(t, x.reply(0))
	cerr := x.reply(1)
	require.NotNil(t, cerr)
	require.Equal(t, 550, cerr.Code)
	require.Equal(t, "550 5.1.1 No such user", cerr.Reply)
	src.Reset("250-mx.example.org\r\n250 2.0.0 Ok: queued\r\n")
	r.Reset(src)
	require.Nil(t, x.reply(2))
	require.Equal(t, "250-mx.example.org\n250 2.0.0 Ok: queued", x.accepted)
}

// A reply to BDAT LAST that has arrived counts even when the send is
// cancelled before it is read: the server took the message, and calling
// it failed would send it again. One that has not arrived does not.
func TestArrivedAcceptanceCountsAfterCancel(t *testing.T) {
	x := pipedExchange(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x.ctx = ctx
	src := strings.NewReader("250 2.0.0 Ok: queued as 4Xy\r\n")
	x.c.client.Text.R.Reset(src)
	_, _ = x.c.client.Text.R.Peek(1) // it arrived with the replies before it
	require.Nil(t, x.reply(2))
	require.Equal(t, "250 2.0.0 Ok: queued as 4Xy", x.accepted)

	x.accepted = ""
	x.c.client.Text.R.Reset(strings.NewReader(""))
	cerr := x.reply(2)
	require.NotNil(t, cerr)
	require.ErrorIs(t, cerr, context.Canceled)
	require.Empty(t, x.accepted)
}
