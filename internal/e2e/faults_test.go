package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// permanentlyRejected picks 1 % of the recipients (c7, c107, …) whose
// mail the server always refuses.
func permanentlyRejected(rcpt string) bool {
	var i int
	_, err := fmt.Sscanf(rcpt, "c%d@", &i)
	return err == nil && i%100 == 7
}

// TestMailServerFaults: the mail server answers 421/451 to a fifth of the
// attempts, rejects 1 % of the messages with 550, drops the connection in
// the middle of DATA on 1 % and stalls 2 s on some. Every message must end
// sent or failed with the server's reply; none is lost, and duplicates are
// counted by Message-ID.
func TestMailServerFaults(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	roll := func() float64 { mu.Lock(); defer mu.Unlock(); return rng.Float64() }
	srv := smtptest.Start(t,
		smtptest.WithDataReply(func(_ int, _ string, rcpts []string, _ []byte) *smtptest.Reply {
			if permanentlyRejected(rcpts[0]) {
				return &smtptest.Reply{Code: 550, Enhanced: "5.7.1", Message: "Message rejected by policy"}
			}
			switch r := roll(); {
			case r < 0.10:
				return &smtptest.Reply{Code: 451, Enhanced: "4.3.0", Message: "Temporary local problem"}
			case r < 0.20:
				return &smtptest.Reply{Code: 421, Enhanced: "4.3.2", Message: "Service shutting down"}
			}
			return nil
		}),
		smtptest.WithDropMidData(func(int) bool { return roll() < 0.01 }),
		smtptest.WithDelay(func(int) time.Duration {
			if roll() < 0.02 {
				return 2 * time.Second
			}
			return 0
		}),
	)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	const n = 400
	var events []*client.Event
	for i := 0; i < n; i++ {
		events = append(events, ping(i, inline(fmt.Sprintf("c%d", i), fmt.Sprintf("c%d@example.org", i))))
	}
	results, err := c.SendEvents(context.Background(), events)
	require.NoError(t, err)
	ids := make([]string, 0, n)
	for _, r := range results {
		ids = append(ids, r.Result.Messages[0].ID)
	}
	final := map[string]*client.Message{}
	// Retries come due on the server's fake clock.
	e.EventuallyAdvancing(100*time.Millisecond, 50*time.Second, func() bool {
		for _, id := range ids {
			if final[id] != nil {
				continue
			}
			m, err := c.Message(context.Background(), id)
			if err == nil && (m.Status == "sent" || m.Status == "failed") {
				final[id] = m
			}
		}
		return len(final) == n
	}, "not every message reached sent or failed")

	received := map[string]int{}
	for _, m := range srv.Mails() {
		received[m.MessageID]++
	}
	var sent, failed, duplicates, retried int
	for _, m := range final {
		if m.Attempts > 1 {
			retried++
		}
		switch m.Status {
		case "sent":
			sent++
			require.Positive(t, received[m.MessageID], "message %s is sent but the server never got it", m.ID)
			duplicates += received[m.MessageID] - 1
		case "failed":
			failed++
			require.True(t, permanentlyRejected(m.To.Email), "message %s failed without a permanent rejection: %s", m.ID, m.Reason)
			require.Contains(t, m.Reason, "550 5.7.1 Message rejected by policy")
			require.Zero(t, received[m.MessageID], "a rejected message was not delivered")
		}
	}
	t.Logf("%d messages: %d sent, %d failed with 550, %d needed more than one attempt, %d duplicates by Message-ID",
		n, sent, failed, retried, duplicates)
	require.Equal(t, n, sent+failed)
	require.Equal(t, n/100, failed, "exactly the permanently rejected recipients fail")
	require.Positive(t, retried, "the faults must have caused retries")
	require.Zero(t, duplicates, "faults before the end of DATA must not lead to a second copy")
	e.Must(200, "GET", "/healthz", nil)
}

// TestHugeBodyRefusedEarly: a 50 MB request is refused with 413 before
// the server reads it.
func TestHugeBodyRefusedEarly(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	var read atomic.Int64
	body := io.MultiReader(strings.NewReader(`{"contacts": [`), &countingZeros{n: 50 << 20, read: &read})
	req, err := http.NewRequest("POST", e.URL+"/v1/contacts/bulk", body)
	require.NoError(t, err)
	req.ContentLength = 50<<20 + 14
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.Key)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		defer resp.Body.Close()
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	} else {
		// The server may close the connection while the client still
		// writes; then the client sees a write error instead of the 413.
		var ne net.Error
		require.ErrorAs(t, err, &ne)
	}
	require.Less(t, read.Load(), int64(5<<20), "the client sent far less than 50 MB before the server refused")
}

// countingZeros is a reader of n spaces that counts what was read.
type countingZeros struct {
	n    int64
	read *atomic.Int64
}

func (z *countingZeros) Read(p []byte) (int, error) {
	if z.read.Load() >= z.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n-z.read.Load())
	copy(p, bytes.Repeat([]byte(" "), int(k)))
	z.read.Add(k)
	return int(k), nil
}
