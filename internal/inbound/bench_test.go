package inbound

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

// BenchmarkReceive10KB: inbound throughput on SQLite, messages of 10 KB
// classified and stored (raw row, and for bounces the suppression entry),
// from 8 goroutines as an MTA's parallel deliveries would; half are
// Postfix DSNs for distinct addresses, half human mail answering nothing.
// Reports messages/s.
//
//	go test ./internal/inbound/ -run '^$' -bench Receive10KB -benchtime 5000x
func BenchmarkReceive10KB(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "herold.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	ws := &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin",
		AllowedSenders: []string{"*"}, RetentionDays: 30, ConfirmationExpiryHours: 168, CreatedAt: start, UpdatedAt: start}
	if err := st.WorkspaceInsert(ctx, ws); err != nil {
		b.Fatal(err)
	}
	r, err := NewReceiver(ReceiverConfig{Store: st, Clock: clock.NewFake(start), Domain: "inbound.test", Logger: discard()})
	if err != nil {
		b.Fatal(err)
	}
	bounce := loadSample(b, "postfix-user-unknown.eml")
	human := loadSample(b, "human-reply.eml")
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

func loadSample(b *testing.B, name string) []byte {
	raw, err := readSample(name)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}
