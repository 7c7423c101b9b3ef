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

// hardBounces are the suppression-list entries a failed attempt makes: a
// synchronous bounce, i.e. a 5xx reply to an address's RCPT TO (or to
// DATA of a message to that address alone), is a hard bounce of the
// address, with the reply as evidence. They are recorded in the
// transaction of the message's outcome, so the next event's decision
// suppresses the address.
func hardBounces(ws int64, m *model.Message, err error, at time.Time) []*store.SuppressionUpsertParams {
	var ce *channel.Error
	if !errors.As(err, &ce) || !ce.Permanent {
		return nil
	}
	out := make([]*store.SuppressionUpsertParams, 0, len(ce.Refused))
	for _, addr := range ce.Refused {
		out = append(out, &store.SuppressionUpsertParams{WorkspaceID: ws, Suppression: &model.Suppression{
			Email: addr, Kind: model.SuppressionHardBounce, Evidence: ce.Reply, MessageID: m.ID, CreatedAt: at}})
	}
	return out
}

// suppressBounces puts the hard bounces of the applied outcomes on their
// workspaces' suppression lists (an outcome that no longer applied was
// another process's to record).
func suppressBounces(ctx context.Context, tx store.Tx, of []*result, applied []bool) error {
	for i, r := range of {
		if !applied[i] {
			continue
		}
		for _, b := range r.bounces {
			if _, err := tx.SuppressionUpsert(ctx, b); err != nil {
				return fmt.Errorf("suppress hard bounce: %w", err)
			}
		}
	}
	return nil
}

// logBounces tells the operator which addresses a recorded outcome put on
// the suppression list.
func (d *Dispatcher) logBounces(r *result) {
	for _, b := range r.bounces {
		d.log.Warn("address suppressed after a hard bounce", "workspace", d.workspaceKey(r.job.ws),
			"message", r.job.msg.ID, "address", b.Suppression.Email, "reply", b.Suppression.Evidence)
	}
}
