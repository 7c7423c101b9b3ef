package proctest

import (
	"context"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/smtptest"
)

// mailing is the size of the mailings below: large enough that a signal
// lands while the server sends.
const mailing = 3000

// A SIGTERM in the middle of a mailing: the process stops claiming, lets
// the SMTP transactions in progress finish (the mail server answers them
// slowly) and records them, gives back what it had not started, and exits
// with 0 well within its shutdown timeout. Restarted, it sends the rest:
// every message arrives exactly once.
func TestSIGTERMDuringMailingSendsEachOnce(t *testing.T) {
	t.Parallel()
	const stopAt = 1000
	reached := make(chan struct{})
	var once sync.Once
	srv := smtptest.Start(t, smtptest.WithDataReply(func(n int, _ string, _ []string, _ []byte) *smtptest.Reply {
		if n >= stopAt && n < stopAt+20 {
			once.Do(func() { close(reached) })
			time.Sleep(300 * time.Millisecond) // transactions in progress when the signal comes
		}
		return nil
	}))
	s := startMailing(t, srv.Port(), mailing)
	<-reached
	took := s.signal(syscall.SIGTERM)
	require.NoError(t, s.exitErr, "exit status after SIGTERM\n%s", s.logText())
	require.Less(t, took, 30*time.Second, "within the shutdown timeout")
	t.Logf("SIGTERM after %d messages: exited with 0 after %v", stopAt, took.Round(time.Millisecond))

	// Everything the mail server accepted is recorded as sent: nothing was
	// left in flight.
	byID, dups := counts(srv.Mails())
	require.Zero(t, dups)
	recorded := recordedSent(t, s.dir)
	for id := range byID {
		require.True(t, recorded[id], "%s was accepted by the mail server but not recorded as sent", id)
	}
	require.Len(t, recorded, len(byID), "and nothing recorded that the server did not get")

	s.start()
	waitMails(t, srv, mailing, time.Minute)
	byID, dups = counts(srv.Mails())
	require.Zero(t, dups, "a SIGTERM doubles nothing")
	require.Len(t, byID, mailing)
	waitRecorded(t, s, mailing)
}

// A SIGKILL in the middle of a mailing: the restarted process resumes
// within seconds (as a single server it ends the dead process's leases at
// once), nothing is lost, and only the messages the mail server accepted
// but the dead process had not yet recorded arrive twice.
func TestSIGKILLDuringMailingResumesAtOnce(t *testing.T) {
	t.Parallel()
	const killAt = 1000
	reached := make(chan struct{})
	var once sync.Once
	srv := smtptest.Start(t, smtptest.WithDataReply(func(n int, _ string, _ []string, _ []byte) *smtptest.Reply {
		if n >= killAt {
			once.Do(func() { close(reached) })
		}
		return nil
	}))
	s := startMailing(t, srv.Port(), mailing)
	<-reached
	s.signal(syscall.SIGKILL)
	srv.WaitForOpenConnections(t, 0, 5*time.Second) // the dead process's connections are gone

	accepted, dups := counts(srv.Mails())
	require.Zero(t, dups)
	recorded := recordedSent(t, s.dir)
	inFlight := 0
	for id := range accepted {
		if !recorded[id] {
			inFlight++
		}
	}
	for id := range recorded {
		require.Positive(t, accepted[id], "%s recorded as sent but never accepted", id)
	}

	restarted := time.Now()
	s.start()
	ready := time.Since(restarted)
	deadline := restarted.Add(10 * time.Second)
	for {
		if byID, _ := counts(srv.Mails()); len(byID) > len(accepted) {
			break
		}
		require.True(t, time.Now().Before(deadline), "delivery did not resume within 10 s of the restart")
		time.Sleep(10 * time.Millisecond)
	}
	resumed := time.Since(restarted)
	waitMails(t, srv, mailing, time.Minute)
	byID, dups := counts(srv.Mails())
	require.Len(t, byID, mailing, "nothing lost")
	t.Logf("SIGKILL after %d messages: %d accepted, %d recorded, %d in flight (accepted, not recorded); restarted and ready in %v, "+
		"sending again %v after the restart; %d duplicates", killAt, len(accepted), len(recorded), inFlight,
		ready.Round(time.Millisecond), resumed.Round(time.Millisecond), dups)
	require.LessOrEqual(t, dups, inFlight, "only the messages in flight at the kill arrive twice")
	waitRecorded(t, s, mailing)
}

// waitRecorded waits until history shows n messages sent.
func waitRecorded(t *testing.T, s *server, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		sent, cursor := 0, ""
		for {
			var page struct { // fresh each page: the last one has no next_cursor
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				Next string `json:"next_cursor"`
			}
			require.NoError(t, s.client().Do(context.Background(), "GET", "/v1/messages?status=sent&limit=1000&cursor="+cursor, nil, &page))
			sent += len(page.Items)
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
		if sent == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("history shows %d of %d messages sent", sent, n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
