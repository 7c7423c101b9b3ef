package main

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// What the fault tests (crash, sigterm) share: a mailing queued while the
// sink holds MAIL, a look at the database while no herold process runs on
// it, a restart, and the time until delivery resumed.

// closeWait is how long the fault tests wait for an ended process's
// connections to the sink to close before they look at the database.
const closeWait = 2 * time.Second

// heroldShutdownTimeout is herold serve's --shutdown-timeout at its default
// (internal/config): how long a graceful stop may wait for in-flight
// deliveries. The harness does not pass the flag.
const heroldShutdownTimeout = 30 * time.Second

// startMailing configures the mailing of n messages (one per contact),
// queues it through /v1/events/batch while the sink holds MAIL, and lets
// the sink go. It returns how long queueing took and when the sink let go.
func startMailing(ctx context.Context, s *server, snk *sink, n int) (time.Duration, time.Time, error) {
	if _, err := prepareMailing(ctx, s.url, n); err != nil {
		return 0, time.Time{}, err
	}
	t0 := time.Now()
	if err := queueMailing(ctx, s.url, n); err != nil {
		return 0, time.Time{}, err
	}
	queued := time.Since(t0)
	released := time.Now()
	snk.release()
	return queued, released, nil
}

// stopCheck is what the harness finds after a herold process ended
// (SIGKILL or SIGTERM) and before it starts again.
type stopCheck struct {
	// ConnsClosed says whether the process's connections to the sink had
	// closed (within closeWait), ClosedMS how long that took.
	ConnsClosed bool    `json:"sink_connections_closed"`
	ClosedMS    float64 `json:"connections_closed_after_ms"`
	// SinkHad is the distinct Message-IDs the sink had accepted then,
	// SinkMessages all its accepted messages.
	SinkHad      int64 `json:"sink_had"`
	SinkMessages int64 `json:"sink_messages"`
	// RecordedSent is the messages the database records as sent.
	RecordedSent int `json:"recorded_sent"`
	// InFlight is the messages the sink accepted that the database does
	// not record as sent: delivered, not recorded, so a correct engine
	// sends them again. A message counts again at a later stop only when
	// the sink got it again since (see inspectStopped).
	InFlight int `json:"in_flight"`
	// RecordedNotDelivered is the messages recorded as sent that the sink
	// never accepted: must be 0.
	RecordedNotDelivered int `json:"recorded_not_delivered"`
}

// inspectStopped waits until the ended process's connections to the sink
// have closed (at most closeWait: a message whose DATA was complete may
// still be accepted), then compares the sink with the database, read
// directly while no process runs on it. accounted holds, per Message-ID,
// how many deliveries were counted in flight at earlier stops; a message
// still unrecorded counts again only when the sink accepted it again since,
// so the sum over stops bounds the duplicates a correct engine may cause.
func inspectStopped(ctx context.Context, s *server, snk *sink, stopped time.Time, accounted map[string]int32) (stopCheck, error) {
	var c stopCheck
	c.ConnsClosed = snk.waitClosed(closeWait)
	c.ClosedMS = round(float64(time.Since(stopped))/float64(time.Millisecond), 1)
	counts := snk.counts()
	c.SinkHad, c.SinkMessages = int64(len(counts)), snk.Stats().Messages
	sent, err := s.db.sentMessageIDs(ctx)
	if err != nil {
		return c, err
	}
	c.RecordedSent = len(sent)
	c.InFlight, c.RecordedNotDelivered = compareSent(counts, sent, accounted)
	return c, nil
}

// compareSent compares what the sink accepted (counts per Message-ID) with
// what the database records as sent. inFlight counts the messages accepted
// but not recorded whose deliveries exceed those counted at earlier stops
// (accounted, updated); notDelivered those recorded but never accepted.
func compareSent(counts map[string]int32, sent map[string]bool, accounted map[string]int32) (inFlight, notDelivered int) {
	for id, n := range counts {
		if !sent[id] && n > accounted[id] {
			inFlight++
			accounted[id] = n
		}
	}
	for id := range sent {
		if counts[id] == 0 {
			notDelivered++
		}
	}
	return inFlight, notDelivered
}

// restart starts the ended process again on the same database and port
// and returns when it answered /readyz.
func restart(ctx context.Context, s *server) (time.Time, error) {
	if err := s.procs[0].start(ctx, s.e.bin); err != nil {
		return time.Time{}, err
	}
	return time.Now(), nil
}

// resumption is how long delivery took to resume after a stop: until the
// sink accepted a message it had not seen before.
type resumption struct {
	// FromStopS counts from the kill or the exit, FromReadyS from the
	// moment the harness saw the restarted process answer /readyz
	// (negative when the message came first). Both are nil when no new
	// message arrived.
	FromStopS  *float64 `json:"resume_from_stop_s"`
	FromReadyS *float64 `json:"resume_from_ready_s"`
}

// resumeAfter finds the first message after a stop at which the sink had
// had distinct Message-IDs.
func resumeAfter(snk *sink, had int64, stopped, ready time.Time) resumption {
	at, ok := snk.distinctAt(had)
	if !ok {
		return resumption{}
	}
	fromStop, fromReady := round(at.Sub(stopped).Seconds(), 3), round(at.Sub(ready).Seconds(), 3)
	return resumption{FromStopS: &fromStop, FromReadyS: &fromReady}
}

// describe is "resumed 1.234 s after the kill, 0.456 s after /readyz",
// with stop naming what ended the process.
func (r resumption) describe(stop string) string {
	if r.FromStopS == nil {
		return "no new message arrived after the restart"
	}
	return fmt.Sprintf("resumed %.3f s after the %s, %.3f s after /readyz", *r.FromStopS, stop, *r.FromReadyS)
}

// lostRecipients counts the mailing's contacts the sink got no message for.
func lostRecipients(snk *sink, n int) int {
	lost := 0
	for i := range n {
		if !snk.gotRecipient(contactEmail(i)) {
			lost++
		}
	}
	return lost
}

// exitCode is a process's exit status: 0 for a clean exit, -1 when a
// signal ended it.
func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}
