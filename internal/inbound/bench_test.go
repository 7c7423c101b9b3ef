package inbound

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/herold-dev/herold/internal/clock"
)

// BenchmarkReceive10KB: inbound throughput on SQLite, messages of 10 KB
// classified and stored (raw row, and for bounces the suppression entry),
// from 8 goroutines as an MTA's parallel deliveries would; half are
// Postfix DSNs for distinct addresses, half human mail answering nothing.
// Reports messages/s.
//
//	go test ./internal/inbound/ -run '^$' -bench Receive10KB -benchtime 5000x
func BenchmarkReceive10KB(b *testing.B) {
	st, ws := openStore(b)
	ctx := context.Background()
	r, err := NewReceiver(ReceiverConfig{Store: st, Clock: clock.NewFake(start), Domain: "inbound.test", Logger: discard()})
	if err != nil {
		b.Fatal(err)
	}
	bounce := sample(b, "postfix-user-unknown.eml")
	human := sample(b, "human-reply.eml")
	var n atomic.Int64
	b.SetParallelism(4) // 8 goroutines on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			raw := tenKB(human, i)
			if i%2 == 0 {
				raw = tenKB(bytes.ReplaceAll(bounce, []byte("anna@example.org"), fmt.Appendf(nil, "a%d@example.org", i)), i)
			}
			if _, err := r.Receive(ctx, ws, Envelope{To: "acme@inbound.test"}, raw); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "messages/s")
}

// tenKB makes sample i unique (its Message-ID) and pads it to 10 KB with
// a header field of text lines.
func tenKB(sample []byte, i int64) []byte {
	out := bytes.Replace(sample, []byte("Message-I"), fmt.Appendf(nil, "X-Seq: %d\r\nMessage-I", i), 1)
	var pad bytes.Buffer
	pad.WriteString("X-Padding:")
	for pad.Len()+len(out) < 10*1024-80 {
		pad.WriteString(" lorem ipsum dolor sit amet consectetur adipiscing elit\r\n")
	}
	return append(pad.Bytes(), out...)
}
