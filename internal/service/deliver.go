package service

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// deliverable are the statuses a delivery job acts on. A message still
// "sending" was in flight when a worker died; it is sent again (with the same
// Message-ID, so receivers can de-duplicate).
var deliverable = []model.MessageStatus{model.MsgQueued, model.MsgRetrying, model.MsgSending}

// outcome is the result of one send.
type outcome struct {
	msg      *model.Message
	reply    string
	err      error
	raw      []byte // capture mailbox copy
	duration time.Duration
}

// Deliver sends the given messages of a workspace and records each outcome:
// sent with the server's reply, a retry with backoff for temporary failures,
// or failed at once for permanent ones. It returns an error only when the
// database fails; River then runs the job again and messages already sent
// are skipped.
func (s *Service) Deliver(ctx context.Context, wsID int64, ids []string) error {
	ws, err := s.store.WorkspaceGetByID(ctx, wsID)
	if err != nil {
		return fmt.Errorf("load workspace: %w", err)
	}
	msgs, err := s.store.MessageGetMany(ctx, wsID, ids)
	if err != nil {
		return fmt.Errorf("load messages: %w", err)
	}
	key, err := s.unsubscribeKey(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	todo, err := s.markSending(ctx, ws, msgs, now)
	if err != nil || len(todo) == 0 {
		return err
	}
	// A database error stops recording; the sends still going are then
	// called off (their messages stay "sending" for the job's retry).
	sendCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := s.sendAll(sendCtx, todo, func(m *model.Message) *channel.Email { return s.emailOf(ws, m, key) })
	return s.recordAsSent(ctx, ws, results)
}

// Outcomes are recorded in groups of up to recordEvery, and at least every
// recordWithin: a message sent but not yet recorded is sent again after a
// crash, so the groups bound the duplicates a crash can cause, while
// recording each message alone would cost a transaction per message.
const (
	recordEvery  = 20
	recordWithin = 200 * time.Millisecond
)

// recordAsSent records the outcomes arriving on results (closed after the
// last) in groups; see recordEvery. On a database error it stops: the
// messages not recorded stay "sending" and the job's retry sends them
// again.
func (s *Service) recordAsSent(ctx context.Context, ws *model.Workspace, results <-chan outcome) error {
	var group []outcome
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		err := s.store.WithTx(ctx, func(tx store.Tx) error { return s.recordAll(ctx, tx, ws, group) })
		group = group[:0]
		return err
	}
	tick := time.NewTicker(recordWithin)
	defer tick.Stop()
	for {
		select {
		case o, ok := <-results:
			if !ok {
				return flush()
			}
			group = append(group, o)
			if len(group) < recordEvery {
				continue
			}
		case <-tick.C:
		}
		if err := flush(); err != nil {
			return err
		}
	}
}

func (s *Service) day(ws *model.Workspace) string {
	return s.now().In(ws.Location()).Format("2006-01-02")
}

// markSending moves the deliverable messages to "sending" with one
// statement and returns them with their attempt numbers.
func (s *Service) markSending(ctx context.Context, ws *model.Workspace, msgs []*model.Message, now time.Time) ([]*model.Message, error) {
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if isOneOf(m.Status, deliverable) {
			ids = append(ids, m.ID)
		}
	}
	var moved map[string]int
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		var err error
		moved, err = tx.MessageMarkSending(ctx, &store.MarkSendingParams{WorkspaceID: ws.ID, IDs: ids, At: now})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("mark sending: %w", err)
	}
	var todo []*model.Message
	for _, m := range msgs {
		if attempt, ok := moved[m.ID]; ok {
			m.Attempts, m.Status = attempt, model.MsgSending
			todo = append(todo, m)
		}
	}
	return todo, nil
}

func isOneOf(s model.MessageStatus, list []model.MessageStatus) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// emailOf builds the e-mail of message m of workspace ws: the one place
// that decides what a message looks like on the wire, for sending and for
// the history's .eml download alike. key signs the unsubscribe link (see
// unsubscribeURL); the headers depend only on the message, so every
// attempt of a message carries the same ones.
func (s *Service) emailOf(ws *model.Workspace, m *model.Message, key []byte) *channel.Email {
	headers := map[string]string{"Auto-Submitted": "auto-generated"}
	if u := s.unsubscribeURL(ws, m, key); u != "" {
		headers["List-Unsubscribe"] = "<" + u + ">"
		headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
	}
	return &channel.Email{
		MessageID: m.MessageID, From: m.From, ReplyTo: m.ReplyTo,
		To: []model.Address{m.To}, CC: m.CC, BCC: m.BCC,
		Subject: m.Subject, HTML: m.HTML, Text: m.Text,
		Headers: headers,
		Date:    m.CreatedAt,
	}
}

// sendAll sends messages concurrently (bounded) and delivers every outcome
// on the returned channel as it comes, closing it after the last; email
// builds each message's e-mail. The channel holds every outcome, so the
// senders never wait for the reader.
func (s *Service) sendAll(ctx context.Context, msgs []*model.Message, email func(*model.Message) *channel.Email) <-chan outcome {
	results := make(chan outcome, len(msgs))
	go func() {
		sem := make(chan struct{}, s.sendConc)
		var wg sync.WaitGroup
		for _, m := range msgs {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				results <- s.sendOne(ctx, m, email(m))
			}()
		}
		wg.Wait()
		close(results)
	}()
	return results
}

func (s *Service) sendOne(ctx context.Context, m *model.Message, e *channel.Email) outcome {
	start := time.Now()
	o := outcome{msg: m}
	if s.sender == nil {
		o.raw, o.err = channel.BuildMIME(e)
		o.reply = "stored in the capture mailbox (no SMTP server configured)"
	} else {
		var res channel.Result
		res, o.err = s.sender.Send(ctx, e)
		o.reply = res.Reply
	}
	o.duration = time.Since(start)
	s.metrics.DeliveryDuration.Observe(o.duration.Seconds())
	return o
}

// recordAll stores the outcomes of a delivery job in tx: the transitions
// together, captured copies, retry jobs and the day's counts.
func (s *Service) recordAll(ctx context.Context, tx store.Tx, ws *model.Workspace, results []outcome) error {
	ps := make([]*store.MessageTransitionParams, len(results))
	for i, o := range results {
		p, err := s.transition(ctx, tx, ws, o)
		if err != nil {
			return err
		}
		ps[i] = p
	}
	applied, err := tx.MessageRecordMany(ctx, ps)
	if err != nil {
		return fmt.Errorf("record deliveries: %w", err)
	}
	counts := map[model.MessageStatus]int{}
	for i, p := range ps {
		if !applied[i] {
			continue
		}
		s.metrics.Messages.WithLabelValues(string(p.To)).Inc()
		if p.To == model.MsgSent || p.To == model.MsgFailed {
			counts[p.To]++
		}
	}
	var deltas []store.StatsDelta
	for _, st := range []model.MessageStatus{model.MsgSent, model.MsgFailed} {
		if n := counts[st]; n > 0 {
			deltas = append(deltas, store.StatsDelta{WorkspaceID: ws.ID, Day: s.day(ws), Status: st, N: n})
		}
	}
	return tx.StatsAdd(ctx, deltas)
}

// transition decides what an outcome does to its message: sent with the
// reply, failed at once (permanent or too old), or a retry after a backoff
// (whose job is queued here).
func (s *Service) transition(ctx context.Context, tx store.Tx, ws *model.Workspace, o outcome) (*store.MessageTransitionParams, error) {
	m, now := o.msg, s.now()
	p := &store.MessageTransitionParams{WorkspaceID: ws.ID, ID: m.ID, From: []model.MessageStatus{model.MsgSending},
		Attempts: m.Attempts, At: now}
	switch {
	case o.err == nil:
		if o.raw != nil {
			if err := tx.CaptureInsert(ctx, ws.ID, m.ID, o.raw, now); err != nil {
				return nil, fmt.Errorf("store captured mail: %w", err)
			}
		}
		p.To, p.LastReply, p.SentAt = model.MsgSent, o.reply, &now
		p.Entry = model.MessageEvent{At: now, Status: model.MsgSent, Attempt: m.Attempts, Detail: o.reply}
		s.metrics.DeliveryAttempts.WithLabelValues("sent").Inc()
		return p, nil
	case channel.IsPermanent(o.err):
		return s.failed(p, m, failureText(o.err), replyOf(o.err), now), nil
	}
	reason := failureText(o.err)
	queued := m.CreatedAt
	if m.QueuedAt != nil {
		queued = *m.QueuedAt
	}
	if now.Sub(queued) >= s.retry.MaxAge {
		reason = fmt.Sprintf("gave up after %s of retries; last error: %s", s.retry.MaxAge, reason)
		return s.failed(p, m, reason, replyOf(o.err), now), nil
	}
	delay := s.backoff(m.Attempts)
	next := now.Add(delay)
	p.To, p.Reason, p.LastReply, p.NextAttemptAt = model.MsgRetrying, reason, replyOf(o.err), &next
	p.Entry = model.MessageEvent{At: now, Status: model.MsgRetrying, Attempt: m.Attempts, Detail: reason, NextAttemptAt: &next}
	s.metrics.DeliveryAttempts.WithLabelValues("retry").Inc()
	if s.queue == nil {
		return nil, errors.New("no delivery queue configured")
	}
	return p, s.queue.EnqueueDelivery(ctx, tx, ws.ID, []string{m.ID}, delay)
}

func (s *Service) failed(p *store.MessageTransitionParams, m *model.Message, reason, reply string, now time.Time) *store.MessageTransitionParams {
	p.To, p.Reason, p.LastReply = model.MsgFailed, reason, reply
	p.Entry = model.MessageEvent{At: now, Status: model.MsgFailed, Attempt: m.Attempts, Detail: reason}
	s.metrics.DeliveryAttempts.WithLabelValues("failed").Inc()
	return p
}

// failureText is the reason recorded for a failed attempt: the server's
// reply when there is one, else the error.
func failureText(err error) string {
	var ce *channel.Error
	if errors.As(err, &ce) && ce.Reply != "" {
		return ce.Reply
	}
	return err.Error()
}

func replyOf(err error) string {
	var ce *channel.Error
	if errors.As(err, &ce) {
		return ce.Reply
	}
	return ""
}

// backoff is BaseDelay·2^(attempt-1), capped at MaxDelay, with ±25% jitter.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.retry.BaseDelay
	for i := 1; i < attempt && d < s.retry.MaxDelay; i++ {
		d *= 2
	}
	if d > s.retry.MaxDelay {
		d = s.retry.MaxDelay
	}
	jitter := (rand.Float64()*0.5 - 0.25) * float64(d)
	return d + time.Duration(jitter)
}
