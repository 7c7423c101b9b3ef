package smtp

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
)

// discardBackend accepts every message and throws it away, so a benchmark
// measures the client and the protocol, not the recording smtptest does.
type discardBackend struct{}

func (discardBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return discardSession{}, nil }

type discardSession struct{}

func (discardSession) Mail(string, *smtp.MailOptions) error { return nil }
func (discardSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (discardSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (discardSession) Reset()        {}
func (discardSession) Logout() error { return nil }

// startDiscardServer runs a go-smtp server on 127.0.0.1:0 whose goroutines
// carry the pprof label side=server, so a CPU profile separates the
// server's share from the client's (go test -cpuprofile; pprof -tags).
func startDiscardServer(b *testing.B) (host string, port int) {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := smtp.NewServer(discardBackend{})
	srv.Domain = "localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	go pprof.Do(context.Background(), pprof.Labels("side", "server"), func(context.Context) { _ = srv.Serve(ln) })
	b.Cleanup(func() { _ = srv.Close() })
	addr := ln.Addr().(*net.TCPAddr)
	return addr.IP.String(), addr.Port
}

// BenchmarkSend measures one Sender.Send of a newsletter-like message over
// a reused connection: building the message, the SMTP transaction and the
// server's reply. go-smtp offers PIPELINING and CHUNKING: "bdat" sends the
// envelope, BDAT LAST and the message in one write (one round trip), "data"
// turns CHUNKING off and sends the envelope and DATA in one write, then the
// dot-stuffed content (two round trips). Over loopback a round trip costs
// next to nothing, so this measures CPU and scheduling, go-smtp's included.
func BenchmarkSend(b *testing.B) {
	for _, bc := range sendModes {
		b.Run(bc.name, func(b *testing.B) {
			host, port := startDiscardServer(b)
			benchmarkSend(b, host, port, bc.disableChunking)
		})
	}
}

// BenchmarkSendRTT is BenchmarkSend over a network with a round trip time
// of 10ms, as to a relay some hundred kilometres away: what saving a round
// trip is worth. (Go's timers wake up to about a millisecond late, which
// the proxy's delays inherit.)
func BenchmarkSendRTT(b *testing.B) {
	for _, bc := range sendModes {
		b.Run(bc.name, func(b *testing.B) {
			host, port := startDiscardServer(b)
			port = startDelayProxy(b, net.JoinHostPort(host, strconv.Itoa(port)), 5*time.Millisecond)
			benchmarkSend(b, host, port, bc.disableChunking)
		})
	}
}

var sendModes = []struct {
	name            string
	disableChunking bool
}{
	{"data", true},
	{"bdat", false},
}

func benchmarkSend(b *testing.B, host string, port int, disableChunking bool) {
	s, err := New(Config{
		Host: host, Port: port, TLS: TLSNone, MaxConns: 1, Timeout: 10 * time.Second,
		DisableChunking: disableChunking,
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	e := &channel.Email{
		MessageID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b@mail.example.org",
		From:      "Gärtnerei Grünfink <newsletter@gruenfink.example.org>",
		ReplyTo:   "Kundenservice <service@gruenfink.example.org>",
		To:        []model.Address{{Email: "juergen.mueller@example.org", Name: "Jürgen Müller"}},
		Subject:   "Jürgen, unsere Frühjahrsangebote: 20 % auf Gartenmöbel",
		Text:      benchText,
		HTML:      benchHTML,
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://herold.example.org/u/4f2a1c>",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"Auto-Submitted":        "auto-generated",
		},
		Date: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
	}
	ctx := context.Background()
	if _, err := s.Send(ctx, e); err != nil { // connect outside the timing
		b.Fatal(err)
	}
	b.ReportAllocs()
	pprof.Do(ctx, pprof.Labels("side", "client"), func(ctx context.Context) {
		for b.Loop() {
			if _, err := s.Send(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// startDelayProxy forwards connections to target and delays what it
// forwards by oneWay in each direction, as a network with a round trip
// time of 2*oneWay would, without limiting bandwidth. It returns its port.
func startDelayProxy(b *testing.B, target string, oneWay time.Duration) int {
	delay := func(dst, src net.Conn) { delayCopy(dst, src, oneWay) }
	return startProxy(b, target, delay, delay)
}

// delayCopy copies src to dst, each read oneWay after it arrived, and
// closes dst when src ends.
func delayCopy(dst, src net.Conn, oneWay time.Duration) {
	type packet struct {
		due  time.Time
		data []byte
	}
	queue := make(chan packet, 1024)
	go func() {
		defer close(queue)
		buf := make([]byte, 64<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				queue <- packet{time.Now().Add(oneWay), bytes.Clone(buf[:n])}
			}
			if err != nil {
				return
			}
		}
	}()
	for p := range queue {
		time.Sleep(time.Until(p.due))
		if _, err := dst.Write(p.data); err != nil {
			break
		}
	}
	_ = dst.Close()
	for range queue { // let the reader end
	}
}

const benchHTML = `<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>Frühjahrsangebote</title></head>` +
	`<body style="font-family: Arial, sans-serif; color: #222;"><h1 style="font-size: 20px;">Hallo Jürgen Müller,</h1>` +
	`<p>die Tage werden länger, und unsere Frühjahrsaktion hat begonnen: Bis zum 31. März erhalten Sie ` +
	`auf alle Gartenmöbel 20&nbsp;% Rabatt. Schauen Sie vorbei – wir freuen uns über Ihren Besuch!</p>` +
	`<p>Unsere Öffnungszeiten: Montag bis Freitag 9–18 Uhr, Samstag 9–14 Uhr. Für Rückfragen erreichen ` +
	`Sie uns unter <a href="tel:+4922112345">0221 12345</a> oder per E-Mail.</p>` +
	`<p><a href="https://shop.example.org/fruehjahr?utm_source=newsletter&amp;utm_medium=email" ` +
	`style="color: #0a5;">Zu den Angeboten</a></p><p style="font-size: 12px; color: #777;">Sie erhalten ` +
	`diese Nachricht, weil Sie unseren Newsletter abonniert haben. <a href="https://herold.example.org/u/4f2a1c">Abmelden</a></p></body></html>`

const benchText = "Hallo Jürgen Müller,\n\n" +
	"die Tage werden länger, und unsere Frühjahrsaktion hat begonnen: Bis zum 31. März erhalten Sie " +
	"auf alle Gartenmöbel 20 % Rabatt. Schauen Sie vorbei – wir freuen uns über Ihren Besuch!\n\n" +
	"Unsere Öffnungszeiten: Montag bis Freitag 9–18 Uhr, Samstag 9–14 Uhr. Für Rückfragen erreichen " +
	"Sie uns unter 0221 12345 oder per E-Mail.\n\n.\n" +
	"Zu den Angeboten: https://shop.example.org/fruehjahr\n\n" +
	"Abmelden: https://herold.example.org/u/4f2a1c\n"
