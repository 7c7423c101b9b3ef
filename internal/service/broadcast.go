package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// MaxBroadcastPerMinute bounds a broadcast's pacing (a larger figure is
// no pacing at all: leave it 0).
const MaxBroadcastPerMinute = 100_000

// checkBroadcast validates a broadcast's spec for ws.
func (s *Service) checkBroadcast(ctx context.Context, q store.Queries, ws *model.Workspace, b *model.Broadcast) error {
	var c checker
	r := newRefs()
	c.name("key", b.Key)
	c.text("name", b.Name, 200)
	c.name("category", b.Category)
	switch {
	case b.Template != "" && b.Content != nil:
		c.add("content", CodeInvalid, "give either a template key or inline content, not both")
	case b.Template != "":
		r.template("template", b.Template)
	case b.Content != nil:
		if b.Content.Subject == "" {
			c.add("content.subject", CodeRequired, "give the mail's subject")
		}
		if b.Content.HTML == "" && b.Content.Text == "" {
			c.add("content.html", CodeRequired, "give an HTML or a text body")
		}
		templateProblems(&c, "content", compileErr(*b.Content))
	default:
		c.add("template", CodeRequired, "give a template key, or the mail inline as content.subject, content.html and content.text")
	}
	c.sender("sender", b.Sender, ws)
	c.data("data", b.Data)
	if b.Audience != "" {
		checkConditionReads(&c, s.conditions, "audience", b.Audience, []string{model.RootContact, model.RootWorkspace},
			func(root string) string {
				return fmt.Sprintf("an audience has no %s.…: it reads each contact as contact.… (also workspace, now and today)", root)
			})
	}
	checkRecurrence(&c, ws, b, s.now())
	if b.PerMinute < 0 || b.PerMinute > MaxBroadcastPerMinute {
		c.add("per_minute", CodeInvalid, "give 0 (as fast as delivery takes them) or 1 to %d messages a minute", MaxBroadcastPerMinute)
	}
	if err := r.check(ctx, q, ws.ID, &c); err != nil {
		return err
	}
	return c.err()
}

// BroadcastPut creates or replaces a draft broadcast. Once started, a
// broadcast's content no longer changes (its recipients must all get the
// same mail): replacing it is a conflict.
func (s *Service) BroadcastPut(ctx context.Context, ws *model.Workspace, b *model.Broadcast) (bool, error) {
	b.Name = cmp.Or(b.Name, b.Key)
	b.Series, b.Edition = "", 0 // editions are made by their recurring broadcast only
	if b.Data == nil {
		b.Data = map[string]any{}
	}
	var created bool
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		prev, err := tx.BroadcastGet(ctx, ws.ID, b.Key)
		switch {
		case err == nil && prev.Status != model.BroadcastDraft:
			return &ConflictError{Detail: fmt.Sprintf("broadcast %q is %s; only a draft can be changed (create a new broadcast instead)", b.Key, prev.Status)}
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return err
		}
		if err := s.checkBroadcast(ctx, tx, ws, b); err != nil {
			return err
		}
		now := s.now()
		b.Status, b.Progress = model.BroadcastDraft, model.BroadcastProgress{ErrorSamples: []string{}}
		b.StartedAt, b.FinishedAt, b.CreatedAt, b.UpdatedAt = nil, nil, now, now
		created, err = tx.BroadcastUpsert(ctx, ws.ID, b)
		return err
	})
	return created, err
}

// BroadcastCheck returns the problems BroadcastPut would refuse b for,
// and saves nothing: a form that could not read some of its fields (data
// that is not JSON) leaves them empty and checks the rest, so that one
// submit names every problem.
func (s *Service) BroadcastCheck(ctx context.Context, ws *model.Workspace, b *model.Broadcast) error {
	c := *b
	c.Name = cmp.Or(c.Name, c.Key)
	if c.Data == nil {
		c.Data = map[string]any{}
	}
	return s.checkBroadcast(ctx, s.store, ws, &c)
}

// BroadcastGet returns a broadcast.
func (s *Service) BroadcastGet(ctx context.Context, ws *model.Workspace, key string) (*model.Broadcast, error) {
	b, err := s.store.BroadcastGet(ctx, ws.ID, key)
	return b, mapNotFound(err, "broadcast %q", key)
}

// BroadcastList pages through broadcasts by key.
func (s *Service) BroadcastList(ctx context.Context, ws *model.Workspace, p PageParams) (*Page[*model.Broadcast], error) {
	return page(ctx, p, func(b *model.Broadcast) string { return b.Key },
		func(ctx context.Context, after string, limit int) ([]*model.Broadcast, error) {
			return s.store.BroadcastList(ctx, &store.ListParams{WorkspaceID: ws.ID, After: after, Limit: limit})
		})
}

// BroadcastDelete deletes a draft; a started broadcast stays, with its
// report, like the messages it sent.
func (s *Service) BroadcastDelete(ctx context.Context, ws *model.Workspace, key string) error {
	b, err := s.BroadcastGet(ctx, ws, key)
	if err != nil {
		return err
	}
	switch b.Status {
	case model.BroadcastDraft:
	case model.BroadcastDone, model.BroadcastCancelled:
		return &ConflictError{Detail: fmt.Sprintf("broadcast %q is %s; only a draft can be deleted, a sent or cancelled broadcast stays with its report", key, b.Status)}
	default:
		return &ConflictError{Detail: fmt.Sprintf("broadcast %q is %s; only a draft can be deleted (cancel it instead)", key, b.Status)}
	}
	err = s.store.BroadcastDelete(ctx, ws.ID, key)
	if errors.Is(err, store.ErrNotFound) {
		return &ConflictError{Detail: fmt.Sprintf("broadcast %q was started meanwhile; only a draft can be deleted", key)}
	}
	return err
}

// transitionBroadcast moves a broadcast from one of from to to, due at
// due; a broadcast in another status is a conflict that says what it is.
func (s *Service) transitionBroadcast(ctx context.Context, ws *model.Workspace, key, action string, from []model.BroadcastStatus,
	to model.BroadcastStatus, due, startAt *time.Time,
) (*model.Broadcast, error) {
	// An unknown broadcast is a 404, not a conflict.
	if _, err := s.BroadcastGet(ctx, ws, key); err != nil {
		return nil, err
	}
	ok, err := s.store.BroadcastTransition(ctx, &store.BroadcastTransitionParams{WorkspaceID: ws.ID, Key: key,
		From: from, To: to, DueAt: due, StartAt: startAt, At: s.now()})
	if err != nil {
		return nil, err
	}
	if !ok {
		b, err := s.BroadcastGet(ctx, ws, key)
		if err != nil {
			return nil, err
		}
		return nil, &ConflictError{Detail: fmt.Sprintf("broadcast %q is %s; it cannot be %s", key, b.Status, action)}
	}
	s.broadcaster.wake()
	return s.BroadcastGet(ctx, ws, key)
}

// BroadcastStart starts a draft: at at, else at its start_at, else now.
// A start in the future makes it scheduled until then.
func (s *Service) BroadcastStart(ctx context.Context, ws *model.Workspace, key string, at *time.Time) (*model.Broadcast, error) {
	b, err := s.BroadcastGet(ctx, ws, key)
	if err != nil {
		return nil, err
	}
	now := s.now()
	due := now
	if at == nil {
		at = b.StartAt
	}
	if b.Recurrence != "" {
		r, err := recurrence(ws, b)
		if err != nil {
			return nil, err
		}
		due = firstEdition(r, now, at)
		return s.transitionBroadcast(ctx, ws, key, "started", []model.BroadcastStatus{model.BroadcastDraft},
			model.BroadcastScheduled, &due, at)
	}
	to := model.BroadcastRunning
	if at != nil && at.After(now) {
		due, to = at.UTC(), model.BroadcastScheduled
	}
	return s.transitionBroadcast(ctx, ws, key, "started", []model.BroadcastStatus{model.BroadcastDraft}, to, &due, &due)
}

// BroadcastPause stops a scheduled or running broadcast from sending
// more. Messages already handed to delivery (at most one batch) still go
// out; nothing is sent twice when it resumes. A recurring broadcast opens
// no edition while paused, and its current edition pauses with it.
func (s *Service) BroadcastPause(ctx context.Context, ws *model.Workspace, key string) (*model.Broadcast, error) {
	b, err := s.transitionBroadcast(ctx, ws, key, "paused",
		[]model.BroadcastStatus{model.BroadcastScheduled, model.BroadcastRunning}, model.BroadcastPaused, nil, nil)
	if err != nil {
		return nil, err
	}
	ed, err := s.currentEdition(ctx, ws, b)
	if err != nil || ed == nil {
		return b, err
	}
	_, err = s.store.BroadcastTransition(ctx, &store.BroadcastTransitionParams{WorkspaceID: ws.ID, Key: ed.Key,
		From: []model.BroadcastStatus{model.BroadcastScheduled, model.BroadcastRunning}, To: model.BroadcastPaused, At: s.now()})
	return b, err
}

// BroadcastResume goes on with a paused broadcast from where it stopped
// (scheduled again when its start is still ahead).
func (s *Service) BroadcastResume(ctx context.Context, ws *model.Workspace, key string) (*model.Broadcast, error) {
	b, err := s.BroadcastGet(ctx, ws, key)
	if err != nil {
		return nil, err
	}
	now := s.now()
	due, to := now, model.BroadcastRunning
	if b.StartedAt == nil && b.StartAt != nil && b.StartAt.After(due) {
		due, to = *b.StartAt, model.BroadcastScheduled
	}
	if b.Recurrence != "" {
		if due, err = resumeDue(ws, b, now); err != nil {
			return nil, err
		}
		to = model.BroadcastScheduled
	}
	if b, err = s.transitionBroadcast(ctx, ws, key, "resumed", []model.BroadcastStatus{model.BroadcastPaused}, to, &due, nil); err != nil {
		return nil, err
	}
	// A recurring broadcast's current edition goes on from where it
	// stopped.
	ed, err := s.currentEdition(ctx, ws, b)
	if err != nil || ed == nil {
		return b, err
	}
	_, err = s.store.BroadcastTransition(ctx, &store.BroadcastTransitionParams{WorkspaceID: ws.ID, Key: ed.Key,
		From: []model.BroadcastStatus{model.BroadcastPaused}, To: model.BroadcastRunning, DueAt: &now, At: now})
	s.broadcaster.wake()
	return b, err
}

// BroadcastCancel ends a broadcast for good: nothing more is sent, and
// its messages still waiting for delivery are suppressed with the reason
// broadcast_cancelled (each in history, explainable). Messages being sent
// at that moment finish. A recurring broadcast opens no more editions,
// and its current edition is cancelled with it.
func (s *Service) BroadcastCancel(ctx context.Context, ws *model.Workspace, key string) (*model.Broadcast, error) {
	b, err := s.transitionBroadcast(ctx, ws, key, "cancelled", []model.BroadcastStatus{model.BroadcastScheduled,
		model.BroadcastRunning, model.BroadcastPaused}, model.BroadcastCancelled, nil, nil)
	if err != nil {
		return nil, err
	}
	if err := s.suppressQueued(ctx, ws, key); err != nil {
		return nil, err
	}
	ed, err := s.currentEdition(ctx, ws, b)
	if err != nil || ed == nil {
		return b, err
	}
	if _, err := s.store.BroadcastTransition(ctx, &store.BroadcastTransitionParams{WorkspaceID: ws.ID, Key: ed.Key,
		From: []model.BroadcastStatus{model.BroadcastScheduled, model.BroadcastRunning, model.BroadcastPaused},
		To:   model.BroadcastCancelled, At: s.now()}); err != nil {
		return nil, err
	}
	return b, s.suppressQueued(ctx, ws, ed.Key)
}

// cancelBatch is how many waiting messages of a cancelled broadcast are
// suppressed per query.
const cancelBatch = 500

// suppressQueued suppresses the broadcast's messages that wait for
// delivery. A message a sender claims meanwhile is left to finish.
func (s *Service) suppressQueued(ctx context.Context, ws *model.Workspace, key string) error {
	for {
		ids, err := s.store.BroadcastQueuedMessages(ctx, ws.ID, key, cancelBatch)
		if err != nil || len(ids) == 0 {
			return err
		}
		ms, err := s.store.MessageGetMany(ctx, ws.ID, ids)
		if err != nil {
			return err
		}
		now := s.now()
		n := 0
		reason := string(model.ReasonBroadcastCancelled)
		for _, m := range ms {
			// A retrying message keeps its attempts and last reply.
			ok, err := s.store.MessageTransition(ctx, &store.MessageTransitionParams{WorkspaceID: ws.ID, ID: m.ID,
				From: []model.MessageStatus{model.MsgQueued, model.MsgRetrying}, To: model.MsgSuppressed,
				Reason: reason, Attempts: m.Attempts, LastReply: m.LastReply, At: now,
				Entry: model.MessageEvent{At: now, Status: model.MsgSuppressed, Detail: reason}})
			if err != nil {
				return err
			}
			if ok {
				n++
			}
		}
		if n > 0 {
			if err := s.store.StatsAdd(ctx, []store.StatsDelta{{WorkspaceID: ws.ID, Day: s.day(ws),
				Status: model.MsgSuppressed, Reason: reason, N: n}}); err != nil {
				return err
			}
		}
		if len(ids) < cancelBatch {
			return nil
		}
	}
}

// BroadcastReport is what happened to a broadcast's mail, from its
// progress and its real messages.
type BroadcastReport struct {
	Key    string                `json:"key"`
	Status model.BroadcastStatus `json:"status"`
	// Scanned counts the contacts looked at so far, Audience those the
	// audience condition selected (each got an event), Errors those
	// whose condition could not be evaluated.
	Scanned      int      `json:"scanned"`
	Audience     int      `json:"audience"`
	Errors       int      `json:"errors"`
	ErrorSamples []string `json:"error_samples"`
	// Messages counts the broadcast's messages: Sent, Failed, Queued
	// (waiting, being sent or retrying) and Suppressed, by reason in
	// SuppressedBy (no_consent, opted_out, no_email, invalid_email,
	// broadcast_cancelled).
	// CountedAt is when the messages were counted: a large broadcast's
	// count is kept for a few seconds (see keptCounts).
	CountedAt    time.Time      `json:"counted_at"`
	Messages     int            `json:"messages"`
	Sent         int            `json:"sent"`
	Failed       int            `json:"failed"`
	Queued       int            `json:"queued"`
	Suppressed   int            `json:"suppressed"`
	SuppressedBy map[string]int `json:"suppressed_by"`
	StartedAt    *time.Time     `json:"started_at,omitempty"`
	FinishedAt   *time.Time     `json:"finished_at,omitempty"`
	// Recurrence is a recurring broadcast's cron; NextEditionAt when it
	// opens its next edition (while scheduled or running) and Editions
	// the reports of its newest editions (at most 52), newest first. Its
	// own counts stay 0: the editions send.
	Recurrence    string             `json:"recurrence,omitempty"`
	NextEditionAt *time.Time         `json:"next_edition_at,omitempty"`
	Editions      []*BroadcastReport `json:"editions,omitempty"`
	// Series and Edition name, on an edition, its recurring broadcast and
	// its number.
	Series  string `json:"series,omitempty"`
	Edition int    `json:"edition,omitempty"`
}

// BroadcastReportGet reports on a broadcast (a large broadcast's messages
// as counted at most a few seconds ago, see keptCounts; CountedAt says
// when).
func (s *Service) BroadcastReportGet(ctx context.Context, ws *model.Workspace, key string) (*BroadcastReport, error) {
	b, err := s.BroadcastGet(ctx, ws, key)
	if err != nil {
		return nil, err
	}
	counts, at, err := s.counts.broadcastMessages(ctx, s, ws.ID, b)
	if err != nil {
		return nil, fmt.Errorf("count the broadcast's mail: %w", err)
	}
	r := &BroadcastReport{Key: b.Key, Status: b.Status, CountedAt: at, Scanned: b.Progress.Scanned, Audience: b.Progress.Matched,
		Errors: b.Progress.Errors, ErrorSamples: b.Progress.ErrorSamples, SuppressedBy: map[string]int{},
		StartedAt: b.StartedAt, FinishedAt: b.FinishedAt, Recurrence: b.Recurrence, Series: b.Series, Edition: b.Edition}
	if b.Recurrence != "" {
		// The recurring broadcast's own progress counts editions, not
		// contacts.
		r.Scanned, r.Audience = 0, 0
		if next := nextEdition(ws, b); !next.IsZero() {
			r.NextEditionAt = &next
		}
		if r.Editions, err = s.editionReports(ctx, ws, b); err != nil {
			return nil, err
		}
	}
	if r.ErrorSamples == nil {
		r.ErrorSamples = []string{}
	}
	for _, c := range counts {
		r.Messages += c.N
		switch c.Status {
		case model.MsgSent:
			r.Sent += c.N
		case model.MsgFailed:
			r.Failed += c.N
		case model.MsgSuppressed:
			r.Suppressed += c.N
			r.SuppressedBy[c.Reason] += c.N
		default:
			r.Queued += c.N
		}
	}
	return r, nil
}
