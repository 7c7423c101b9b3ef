package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// PendingParams filter the confirmation queue.
type PendingParams struct {
	Project string
	EventID string
	// OlderThan keeps confirmations waiting at least this long.
	OlderThan time.Duration
	PageParams
}

// PendingList lists messages awaiting confirmation, newest first.
func (s *Service) PendingList(ctx context.Context, ws *model.Workspace, p PendingParams) (*Page[*model.Message], error) {
	lp := &store.MessageListParams{WorkspaceID: ws.ID, Project: p.Project, EventID: p.EventID,
		Statuses: []model.MessageStatus{model.MsgAwaitingConfirmation}}
	if p.OlderThan > 0 {
		until := s.now().Add(-p.OlderThan)
		lp.Until = &until
	}
	return s.messagePage(ctx, lp, p.PageParams)
}

// Decision is the answer to one confirmation.
type Decision struct {
	ID      string              `json:"id"`
	Status  model.MessageStatus `json:"status"`
	Error   string              `json:"error,omitempty"`
	Applied bool                `json:"applied"`
}

// MaxDeclineReason bounds the reason recorded with a declined message, in
// characters.
const MaxDeclineReason = 500

// Approve releases messages awaiting confirmation for delivery; actor is who
// approved (recorded). Messages no longer awaiting confirmation are
// reported, not changed.
func (s *Service) Approve(ctx context.Context, ws *model.Workspace, ids []string, actor string) ([]Decision, error) {
	return s.decide(ctx, ws, ids, actor, "", true)
}

// Decline drops messages awaiting confirmation; they are never delivered.
// reason, when given, is recorded with each message (its timeline and
// explain show it); at most MaxDeclineReason characters.
func (s *Service) Decline(ctx context.Context, ws *model.Workspace, ids []string, actor, reason string) ([]Decision, error) {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxDeclineReason {
		return nil, &ValidationError{Fields: []FieldError{{Field: "reason", Code: CodeTooLong,
			Detail: fmt.Sprintf("use at most %d characters", MaxDeclineReason)}}}
	}
	return s.decide(ctx, ws, ids, actor, reason, false)
}

func (s *Service) decide(ctx context.Context, ws *model.Workspace, ids []string, actor, reason string, approve bool) ([]Decision, error) {
	if len(ids) == 0 {
		return nil, &ValidationError{Fields: []FieldError{{Field: "ids", Code: CodeRequired, Detail: "name at least one message"}}}
	}
	if len(ids) > MaxPageSize {
		return nil, &ValidationError{Fields: []FieldError{{Field: "ids", Code: CodeTooLong, Detail: fmt.Sprintf("at most %d messages at once", MaxPageSize)}}}
	}
	var out []Decision
	var approved []string
	now := s.now()
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		out, approved = make([]Decision, 0, len(ids)), nil
		var deltas []store.StatsDelta
		for _, id := range ids {
			d, planned, err := s.decideOne(ctx, tx, ws, id, actor, reason, approve, now)
			if err != nil {
				return err
			}
			out = append(out, d)
			if !d.Applied {
				continue
			}
			deltas = append(deltas, leftConfirmation(ws, planned))
			if approve {
				approved = append(approved, id)
				continue
			}
			deltas = append(deltas, store.StatsDelta{WorkspaceID: ws.ID, Day: s.day(ws), Status: model.MsgDeclined, N: 1})
			if err := s.webhookOutcome(ctx, tx, ws.ID, id, model.MsgDeclined, "declined by "+actor, now); err != nil {
				return err
			}
		}
		return tx.StatsAdd(ctx, sumDeltas(deltas))
	})
	if err != nil {
		return nil, err
	}
	for _, d := range out {
		if d.Applied {
			s.metrics.Messages.WithLabelValues(string(d.Status)).Inc()
		}
	}
	if len(approved) > 0 {
		s.notify()
	}
	return out, nil
}

// decideOne approves or declines one message; it returns, with the
// decision, when the message was planned (whose day counts it as awaiting
// confirmation).
func (s *Service) decideOne(ctx context.Context, tx store.Tx, ws *model.Workspace, id, actor, reason string, approve bool, now time.Time) (Decision, time.Time, error) {
	m, err := tx.MessageGet(ctx, ws.ID, id)
	if err != nil {
		if err = mapNotFound(err, "message %q", id); isNotFound(err) {
			return Decision{ID: id, Error: err.Error()}, time.Time{}, nil
		}
		return Decision{}, time.Time{}, err
	}
	if m.Status != model.MsgAwaitingConfirmation {
		return Decision{ID: id, Status: m.Status, Error: fmt.Sprintf("the message is %s, not awaiting confirmation", m.Status)}, m.CreatedAt, nil
	}
	p := &store.MessageTransitionParams{WorkspaceID: ws.ID, ID: id, From: []model.MessageStatus{model.MsgAwaitingConfirmation}, At: now}
	if approve {
		p.To, p.QueuedAt = model.MsgQueued, &now
		p.Entry = model.MessageEvent{At: now, Status: model.MsgApproved, Actor: actor}
	} else {
		p.To, p.Reason = model.MsgDeclined, reason
		p.Entry = model.MessageEvent{At: now, Status: model.MsgDeclined, Actor: actor, Detail: reason}
	}
	ok, err := tx.MessageTransition(ctx, p)
	if err != nil {
		return Decision{}, time.Time{}, fmt.Errorf("record decision: %w", err)
	}
	if !ok {
		return Decision{ID: id, Status: m.Status, Error: "the message changed meanwhile; reload it"}, m.CreatedAt, nil
	}
	return Decision{ID: id, Status: p.To, Applied: true}, m.CreatedAt, nil
}

// leftConfirmation takes a message that stopped awaiting confirmation off
// that daily count: ingest counted it on the day it was planned, and it is
// counted again under the status it reaches (sent, failed, declined,
// expired), so that each message counts once.
func leftConfirmation(ws *model.Workspace, planned time.Time) store.StatsDelta {
	return store.StatsDelta{WorkspaceID: ws.ID, Day: planned.In(ws.Location()).Format(time.DateOnly),
		Status: model.MsgAwaitingConfirmation, N: -1}
}

// sumDeltas adds up the deltas of the same counter, in a stable order (no
// deadlocks between replicas writing the same counters).
func sumDeltas(deltas []store.StatsDelta) []store.StatsDelta {
	type key struct {
		ws                  int64
		day, status, reason string
	}
	sums := map[key]int{}
	var out []store.StatsDelta
	for _, d := range deltas {
		k := key{d.WorkspaceID, d.Day, string(d.Status), d.Reason}
		if _, ok := sums[k]; !ok {
			out = append(out, store.StatsDelta{WorkspaceID: d.WorkspaceID, Day: d.Day, Status: d.Status, Reason: d.Reason})
		}
		sums[k] += d.N
	}
	for i := range out {
		d := &out[i]
		d.N = sums[key{d.WorkspaceID, d.Day, string(d.Status), d.Reason}]
	}
	slices.SortFunc(out, func(a, b store.StatsDelta) int {
		return cmp.Or(cmp.Compare(a.WorkspaceID, b.WorkspaceID), cmp.Compare(a.Day, b.Day),
			cmp.Compare(a.Status, b.Status), cmp.Compare(a.Reason, b.Reason))
	})
	return out
}

func isNotFound(err error) bool {
	_, ok := err.(*NotFoundError)
	return ok
}

// expiredReason is why an expired confirmation's message was not sent.
const expiredReason = "nobody approved or declined it in time"

// ExpireConfirmations expires every confirmation whose deadline passed, in
// all workspaces (a periodic job).
func (s *Service) ExpireConfirmations(ctx context.Context) error {
	for {
		now := s.now()
		refs, err := s.store.MessageExpiring(ctx, now, 500)
		if err != nil {
			return fmt.Errorf("find expiring confirmations: %w", err)
		}
		if len(refs) == 0 {
			return nil
		}
		err = s.store.WithTx(ctx, func(tx store.Tx) error {
			for _, ref := range refs {
				ok, err := tx.MessageTransition(ctx, &store.MessageTransitionParams{
					WorkspaceID: ref.WorkspaceID, ID: ref.ID, From: []model.MessageStatus{model.MsgAwaitingConfirmation},
					To: model.MsgExpired, Reason: expiredReason, At: now,
					Entry: model.MessageEvent{At: now, Status: model.MsgExpired},
				})
				if err != nil {
					return err
				}
				if ok {
					ws, err := tx.WorkspaceGetByID(ctx, ref.WorkspaceID)
					if err != nil {
						return err
					}
					if err := tx.StatsAdd(ctx, []store.StatsDelta{leftConfirmation(ws, ref.CreatedAt),
						{WorkspaceID: ws.ID, Day: s.day(ws), Status: model.MsgExpired, N: 1}}); err != nil {
						return err
					}
					if err := s.webhookOutcome(ctx, tx, ws.ID, ref.ID, model.MsgExpired, expiredReason, now); err != nil {
						return err
					}
					s.metrics.Messages.WithLabelValues(string(model.MsgExpired)).Inc()
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("expire confirmations: %w", err)
		}
		if len(refs) < 500 {
			return nil
		}
	}
}

// Purge deletes, in every workspace, events older than its retention whose
// messages are all final, with their messages and captured copies, and
// in-app feed items older than the retention. Daily counts stay.
func (s *Service) Purge(ctx context.Context) error {
	wss, err := s.store.WorkspaceList(ctx)
	if err != nil {
		return fmt.Errorf("list workspaces: %w", err)
	}
	for _, ws := range wss {
		before := s.now().Add(-time.Duration(ws.RetentionDays) * 24 * time.Hour)
		total, err := purgeAll(ctx, ws.ID, before, s.store.EventPurge)
		if err != nil {
			return fmt.Errorf("purge workspace %s: %w", ws.Key, err)
		}
		if total > 0 {
			s.logger.InfoContext(ctx, "purged old events", "workspace", ws.Key, "events", total, "before", before)
		}
		if err := s.purgeWebhookDeliveries(ctx, ws, before); err != nil {
			return err
		}
		// In-app feed items are kept as long as the messages that
		// delivered them.
		items, err := purgeAll(ctx, ws.ID, before, s.store.FeedPurge)
		if err != nil {
			return fmt.Errorf("purge the feeds of workspace %s: %w", ws.Key, err)
		}
		if items > 0 {
			s.logger.InfoContext(ctx, "purged old feed items", "workspace", ws.Key, "items", items, "before", before)
		}
		if err := s.purgeInbound(ctx, ws, before); err != nil {
			return err
		}
		if err := s.purgeThrottleCounts(ctx, ws); err != nil {
			return err
		}
		if err := s.purgeDigests(ctx, ws, before); err != nil {
			return err
		}
	}
	return nil
}

// purgeInbound deletes the workspace's received mail older than before
// (its retention, like events).
func (s *Service) purgeInbound(ctx context.Context, ws *model.Workspace, before time.Time) error {
	total, err := purgeAll(ctx, ws.ID, before, s.store.InboundMessagePurge)
	if err != nil {
		return fmt.Errorf("purge received mail of workspace %s: %w", ws.Key, err)
	}
	if total > 0 {
		s.logger.InfoContext(ctx, "purged old received mail", "workspace", ws.Key, "messages", total, "before", before)
	}
	return nil
}

// purgeBatch is how many rows one purge statement deletes.
const purgeBatch = 1000

// purgeAll runs a purge in batches until one deletes less than a batch,
// and returns how many rows went.
func purgeAll(ctx context.Context, ws int64, before time.Time, purge func(context.Context, *store.PurgeParams) (int, error)) (int, error) {
	total := 0
	for {
		n, err := purge(ctx, &store.PurgeParams{WorkspaceID: ws, Before: before, Limit: purgeBatch})
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}
