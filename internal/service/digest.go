package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/store"
)

// digestBatch is how many due digests one pass of CloseDueDigests lists.
const digestBatch = 100

// CloseDueDigests turns every open digest whose close is at or before now
// into its one message (see ingest.CloseDigest), each in a transaction
// of its own, and returns how many it closed. A digest another replica
// closed first is skipped; one that fails is logged at WARN with its id
// and tried again on the next pass. The digest job calls it with the
// clock's time; a simulation calls it with its own.
func (s *Service) CloseDueDigests(ctx context.Context, now time.Time) (int, error) {
	closed := 0
	failed := map[string]bool{}
	for {
		due, err := s.store.DigestListDue(ctx, &store.DigestDueParams{Now: now, Limit: digestBatch + len(failed)})
		if err != nil {
			return closed, fmt.Errorf("find due digests: %w", err)
		}
		progress := false
		for _, d := range due {
			if failed[d.ID] {
				continue
			}
			ok, err := s.closeDigest(ctx, d, now)
			if err != nil {
				if ctx.Err() != nil {
					return closed, ctx.Err()
				}
				failed[d.ID] = true
				s.logger.WarnContext(ctx, "digest not closed, trying again later", "workspace_id", d.WorkspaceID,
					"digest", d.ID, "error", err)
				continue
			}
			progress = true
			if ok {
				closed++
			}
		}
		if !progress || len(due) < digestBatch+len(failed) {
			break
		}
	}
	if closed > 0 {
		s.notify()
	}
	return closed, nil
}

// closeDigest closes one digest and reports whether this call did.
func (s *Service) closeDigest(ctx context.Context, d store.DigestDue, now time.Time) (bool, error) {
	var msg *model.Message
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		ws, err := tx.WorkspaceGetByID(ctx, d.WorkspaceID)
		if err != nil {
			return fmt.Errorf("load workspace: %w", err)
		}
		msg, err = s.ingest.CloseDigest(ctx, tx, ws, d.ID, now)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	s.metrics.Messages.WithLabelValues(string(msg.Status)).Inc()
	s.logger.InfoContext(ctx, "digest closed", "workspace_id", d.WorkspaceID, "digest", d.ID, "message", msg.ID,
		"status", msg.Status)
	return true, nil
}

// CloseDigests closes the digests due now (the periodic digest job).
func (s *Service) CloseDigests(ctx context.Context) error {
	_, err := s.CloseDueDigests(ctx, s.now())
	return err
}

// purgeDigests deletes the workspace's digests closed before before
// (their messages follow the events' retention).
func (s *Service) purgeDigests(ctx context.Context, ws *model.Workspace, before time.Time) error {
	total, err := purgeAll(ctx, ws.ID, before, s.store.DigestPurge)
	if err != nil {
		return fmt.Errorf("purge digests of workspace %s: %w", ws.Key, err)
	}
	if total > 0 {
		s.logger.InfoContext(ctx, "purged old digests", "workspace", ws.Key, "digests", total, "before", before)
	}
	return nil
}

// checkDigest validates a notification's digest spec: its own fields, a
// key that compiles, and a notification it fits (e-mail only, no
// confirmation, no CC or BCC: a digest goes to each recipient alone). f
// gives the path of a notification field: a misfit is reported on the
// field to change (channels, status, cc, bcc), every one of them.
func checkDigest(c *checker, f func(name string) string, n *model.Notification) {
	d := n.Digest
	if d == nil {
		return
	}
	field := f("digest")
	for _, p := range d.Check() {
		c.add(field+"."+p.Field, CodeInvalid, "%s", p.Message)
	}
	if d.Key != "" && !model.HasCRLF(d.Key) {
		if _, err := render.CompileHeader("Digest key", d.Key); err != nil {
			c.add(field+".key", CodeInvalid, "%v", err)
		}
	}
	if n.Sends(model.ChannelInApp) || n.Sends(model.ChannelWebhook) {
		c.add(f("channels"), CodeInvalid, "a digest collects e-mails; use the channel email alone, or leave the digest out")
	}
	if n.Status == model.StatusConfirm {
		c.add(f("status"), CodeInvalid, "a digest is sent when its window closes and cannot wait for a confirmation; use active, or leave the digest out")
	}
	if len(n.CC) > 0 {
		c.add(f("cc"), CodeInvalid, "a digest goes to each recipient alone; leave cc out, or leave the digest out")
	}
	if len(n.BCC) > 0 {
		c.add(f("bcc"), CodeInvalid, "a digest goes to each recipient alone; leave bcc out, or leave the digest out")
	}
}
