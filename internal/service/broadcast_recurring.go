package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/store"
)

// A recurring broadcast (one with a recurrence) sends nothing itself: at
// each occurrence of its cron it opens an edition, a broadcast of its own
// keyed "KEY:000001", "KEY:000002" … (a colon, which no key the API
// accepts contains) with a copy of its content, data, audience and
// pacing. An edition is sent, paused, reported and explained like a
// one-off broadcast, and its events' idempotency keys name it
// ("broadcast:KEY:000002:CONTACT"), so a contact gets each edition once
// and a batch repeated after a crash sends nothing twice.
//
// The recurring broadcast's progress keeps, in Matched, how many editions
// it opened and, in Cursor, the occurrence it waits for (RFC 3339).

// maxReportEditions is how many editions, the newest, a recurring
// broadcast's report lists.
const maxReportEditions = 52

// editionKey is the key of edition n of the recurring broadcast key.
func editionKey(key string, n int) string { return fmt.Sprintf("%s:%06d", key, n) }

// recurrence returns a recurring broadcast's rule, in the workspace's
// time zone.
func recurrence(ws *model.Workspace, b *model.Broadcast) (*schedule.Rule, error) {
	return schedule.ParseCron(b.Recurrence, ws.Location())
}

// checkRecurrence checks a broadcast's recurrence: a cron that occurs.
func checkRecurrence(c *checker, ws *model.Workspace, b *model.Broadcast, now time.Time) {
	if b.Recurrence == "" {
		return
	}
	if len(b.Recurrence) > 100 {
		c.add("recurrence", CodeInvalid, "give a cron expression of at most 100 characters, such as \"0 8 * * MON\"")
		return
	}
	r, err := recurrence(ws, b)
	switch {
	case err != nil:
		c.add("recurrence", CodeInvalid, "%v", err)
	case r.Next(now).IsZero():
		c.add("recurrence", CodeInvalid, "%q never occurs; give a cron expression such as \"0 8 * * MON\"", b.Recurrence)
	}
}

// firstEdition is when a recurring broadcast started at now (not before
// startAt) opens its first edition: the first occurrence after that.
func firstEdition(r *schedule.Rule, now time.Time, startAt *time.Time) time.Time {
	from := now
	if startAt != nil && startAt.After(now) {
		from = *startAt
	}
	return r.Next(from).UTC()
}

// openEdition handles a claimed recurring broadcast: when its occurrence
// has come, it stores the next edition (running, due at once) and waits
// for the next occurrence, both in one transaction; an occurrence still
// ahead (the broadcast was resumed early) is only waited for. After an
// outage that missed several occurrences, one edition is sent, not one
// per missed occurrence.
func (s *Service) openEdition(ctx context.Context, owner string, c *store.ClaimedBroadcast, now time.Time) error {
	b := c.Broadcast
	ws, err := s.store.WorkspaceGetByID(ctx, c.WorkspaceID)
	if err != nil {
		return fmt.Errorf("load workspace: %w", err)
	}
	r, err := recurrence(ws, b)
	if err != nil {
		return fmt.Errorf("recurrence: %w", err)
	}
	prog := b.Progress
	p := &store.BroadcastProgressParams{WorkspaceID: ws.ID, Key: b.Key, Owner: owner, Progress: prog, At: now}
	if occ, err := time.Parse(time.RFC3339, prog.Cursor); err == nil && occ.After(now) {
		p.DueAt = occ
		return s.broadcastProgress(ctx, s.store, p)
	}
	prog.Matched++
	ed := *b
	ed.Key, ed.Name, ed.Series, ed.Edition, ed.Recurrence = editionKey(b.Key, prog.Matched),
		fmt.Sprintf("%s (%d)", b.Name, prog.Matched), b.Key, prog.Matched, ""
	ed.Status, ed.StartAt, ed.StartedAt, ed.FinishedAt = model.BroadcastRunning, nil, nil, nil
	ed.Progress = model.BroadcastProgress{ErrorSamples: []string{}}
	ed.CreatedAt, ed.UpdatedAt = now, now
	next := r.Next(now)
	prog.Cursor = next.UTC().Format(time.RFC3339)
	p.Progress, p.DueAt, p.Done = prog, next, next.IsZero()
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		if _, err := tx.BroadcastUpsert(ctx, ws.ID, &ed); err != nil {
			return fmt.Errorf("store edition %d: %w", ed.Edition, err)
		}
		return s.broadcastProgress(ctx, tx, p)
	})
}

// broadcastProgress stores a batch's progress; a broadcast paused,
// cancelled or taken over meanwhile is errBroadcastStopped.
func (s *Service) broadcastProgress(ctx context.Context, q store.Queries, p *store.BroadcastProgressParams) error {
	if err := q.BroadcastProgress(ctx, p); errors.Is(err, store.ErrNotFound) {
		return errBroadcastStopped
	} else if err != nil {
		return err
	}
	return nil
}

// currentEdition returns the newest edition of a recurring broadcast, nil
// when it has none yet.
func (s *Service) currentEdition(ctx context.Context, ws *model.Workspace, b *model.Broadcast) (*model.Broadcast, error) {
	if b.Recurrence == "" || b.Progress.Matched == 0 {
		return nil, nil
	}
	ed, err := s.store.BroadcastGet(ctx, ws.ID, editionKey(b.Key, b.Progress.Matched))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return ed, err
}

// resumeDue is when a paused recurring broadcast is due again: at the
// occurrence it waited for if that is still ahead, else at the next one
// (an occurrence that passed while it was paused is skipped: a pause
// sends nothing, not even late).
func resumeDue(ws *model.Workspace, b *model.Broadcast, now time.Time) (time.Time, error) {
	r, err := recurrence(ws, b)
	if err != nil {
		return time.Time{}, err
	}
	return waitingFor(r, b, now), nil
}

// waitingFor is the occurrence a recurring broadcast waits for as of
// since (its last change): the one stored in its cursor while that is
// ahead, else the first after since (and its start_at).
func waitingFor(r *schedule.Rule, b *model.Broadcast, since time.Time) time.Time {
	if occ, err := time.Parse(time.RFC3339, b.Progress.Cursor); err == nil && occ.After(since) {
		return occ
	}
	return firstEdition(r, since, b.StartAt)
}

// nextEdition is when a scheduled or running recurring broadcast opens its
// next edition (zero when it does not). Its start, a resume and every
// stored progress set its updated_at, so the occurrence it waits for is
// the one after that unless its cursor names a later one.
func nextEdition(ws *model.Workspace, b *model.Broadcast) time.Time {
	if b.Status != model.BroadcastScheduled && b.Status != model.BroadcastRunning {
		return time.Time{}
	}
	r, err := recurrence(ws, b)
	if err != nil {
		return time.Time{}
	}
	return waitingFor(r, b, b.UpdatedAt)
}

// editionReports reports on the newest editions of a recurring broadcast,
// newest first.
func (s *Service) editionReports(ctx context.Context, ws *model.Workspace, b *model.Broadcast) ([]*BroadcastReport, error) {
	out := []*BroadcastReport{}
	for n := b.Progress.Matched; n > 0 && n > b.Progress.Matched-maxReportEditions; n-- {
		r, err := s.BroadcastReportGet(ctx, ws, editionKey(b.Key, n))
		var nf *NotFoundError
		if errors.As(err, &nf) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
