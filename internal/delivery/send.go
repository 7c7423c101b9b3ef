package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// result is what became of one claimed message, for the recorder.
type result struct {
	job *job
	// release gives the claim back unsent (a stop); otherwise decision
	// says what the attempt came to.
	release  bool
	decision Decision
	started  time.Time // the attempt's start
	ended    time.Time // the decision's time
	size     int       // bytes as built, for the capture mailbox
	// bounces are the hard bounces the attempt found (see hardBounces).
	bounces []*store.SuppressionUpsertParams
	// counted says the result is in Dispatcher.unrecorded until written.
	counted bool
}

// captureReply is the reply recorded for a message filed in the capture
// mailbox (model.CaptureReply; the cockpit translates it).
const captureReply = model.CaptureReply

// sendLoop sends claimed messages until the work queue closes; after Stop
// it gives back what it takes instead.
func (d *Dispatcher) sendLoop() {
	for j := range d.work {
		counted := d.awaitRecorder()
		if d.stopping.Load() {
			d.done <- &result{job: j, release: true, ended: d.cfg.Clock.Now(), counted: counted}
			continue
		}
		r := d.deliver(j)
		r.counted = counted
		d.done <- r
	}
}

// sendersWait reports whether senders wait for the recorder.
func (d *Dispatcher) sendersWait() bool {
	if d.cfg.MaxUnrecorded <= 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.unrecorded >= d.cfg.MaxUnrecorded
}

// awaitRecorder waits while MaxUnrecorded sends await their outcome's
// write (or until a stop), then counts the next one; it reports whether
// it counted.
func (d *Dispatcher) awaitRecorder() bool {
	if d.cfg.MaxUnrecorded <= 0 {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.unrecorded >= d.cfg.MaxUnrecorded && !d.stopping.Load() {
		d.changed.Wait()
	}
	d.unrecorded++
	return true
}

// deliver makes one attempt at sending j's message and decides what it
// came to. The send's context ends only at a stop's deadline or a kill,
// so a graceful stop lets it finish.
func (d *Dispatcher) deliver(j *job) *result {
	now := d.cfg.Clock.Now()
	d.mu.Lock()
	until := j.until
	d.mu.Unlock()
	m := j.msg
	a := Attempt{Started: now.Before(until), Number: m.Attempts, QueuedAt: queuedAt(m), LeaseUntil: until}
	r := &result{job: j, started: now}
	if a.Started {
		start := time.Now()
		r.size, a.Reply, a.Err = d.send(d.sendCtx, j)
		d.cfg.Metrics.DeliveryDuration.Observe(time.Since(start).Seconds())
	}
	r.ended = d.cfg.Clock.Now()
	a.Now, a.Jitter = r.ended, d.cfg.Jitter()
	r.decision = Decide(d.cfg.Policy, a)
	if r.decision.Verdict == Fail {
		r.bounces = hardBounces(j.ws, m, a.Err, r.ended)
	}
	d.logAttempt(j, r.decision)
	return r
}

// logAttempt logs an attempt that did not deliver at WARN, the level an
// operator runs at: with the workspace, the message (Herold's id and its
// Message-ID), the server's reply and what comes next.
func (d *Dispatcher) logAttempt(j *job, dc Decision) {
	if dc.Verdict == Sent {
		return // nothing to log: the arguments alone would cost each message an allocation and a lookup
	}
	m := j.msg
	args := []any{"workspace", d.workspaceKey(j.ws), "message", m.ID, "message_id", m.MessageID, "attempt", m.Attempts,
		"result", dc.Verdict.String(), "reply", dc.Reply}
	switch dc.Verdict {
	case Retry:
		d.log.Warn("delivery attempt failed; retrying", append(args, "reason", dc.Reason, "next_attempt", dc.Next)...)
	case Fail:
		d.log.Warn("delivery attempt failed; giving up", append(args, "reason", dc.Reason)...)
	case Abandon:
		d.log.Warn("delivery attempt not started; the message is due again", append(args, "reason", dc.Reason)...)
	}
}

// send builds j's e-mail and sends it (or files it in the capture
// mailbox); it returns the size as built and the server's reply.
func (d *Dispatcher) send(ctx context.Context, j *job) (size int, reply string, err error) {
	ws, err := d.workspace(ctx, j.ws)
	if err != nil {
		return 0, "", err
	}
	if j.msg.Channel == model.ChannelInApp {
		// Delivered by appending to the contact's feed, with or without
		// an SMTP server.
		if d.cfg.Feed == nil {
			return 0, "", &channel.Error{Permanent: true, Err: errors.New("in-app delivery is not configured")}
		}
		reply, err := d.cfg.Feed.Deliver(ctx, ws, j.msg)
		return 0, reply, err
	}
	e, err := d.cfg.Compose(ctx, ws, j.msg)
	if err != nil {
		return 0, "", err
	}
	// Checked again here: the operator may have narrowed the workspace's
	// allowed senders since the message was made (one awaiting approval
	// may be days old). Retrying cannot help. The message's own Reply-To
	// is checked: a tracked reply address is Herold's inbound domain, not
	// a sender the workspace chose.
	if err := ws.CheckSenders(e.From, j.msg.ReplyTo); err != nil {
		return 0, "", &channel.Error{Permanent: true, Err: fmt.Errorf("sender refused: %w", err)}
	}
	if d.cfg.Capture {
		// Built for its size only, in a reused buffer.
		buf := channel.GetMIMEBuffer()
		raw, err := buf.Build(e)
		buf.Release()
		return len(raw), captureReply, err
	}
	res, err := d.cfg.Sender.Send(ctx, e)
	return 0, res.Reply, err
}

// queuedAt is when m was first queued (the maximum age counts from it).
func queuedAt(m *model.Message) time.Time {
	if m.QueuedAt != nil {
		return *m.QueuedAt
	}
	return m.CreatedAt
}
