package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
)

// CloseDigest claims the due digest id in tx and turns it into its one
// message, queued on the delivery path like every other (rendered with
// digest.items and digest.total, belonging to the digest's first event).
// It returns nil, store.ErrNotFound when another closer got the digest
// first or it is no longer due. A notification or template deleted in
// the meantime makes the message failed with the reason, never lost.
func (g *Ingester) CloseDigest(ctx context.Context, tx store.Tx, ws *model.Workspace, id string, now time.Time) (*model.Message, error) {
	d, err := tx.DigestClaim(ctx, &store.DigestClaimParams{WorkspaceID: ws.ID, ID: id, Now: now})
	if err != nil {
		return nil, err
	}
	m := &model.Message{
		ID: NewID(), EventID: d.FirstEventID, Project: "", Flow: d.Flow, Notification: d.Notification,
		Channel: model.ChannelEmail, To: d.To, Status: model.MsgQueued, CreatedAt: now, UpdatedAt: now,
	}
	render := g.renderDigest
	if d.Flow == model.SummaryFlow {
		render = g.renderSummary
	}
	if err := render(ctx, tx, ws, d, m, now); err != nil {
		if !errors.As(err, new(*digestRenderError)) {
			return nil, err
		}
		m.Status, m.Reason = model.MsgFailed, err.Error()
	}
	m.MessageID = g.messageIDHeader(m.ID, m.From)
	if m.Status == model.MsgQueued {
		m.QueuedAt = &now
	}
	m.Timeline = []model.MessageEvent{{At: now, Status: model.MsgPlanned, Detail: fmt.Sprintf("digest %s: %d items", d.ID, d.Total)},
		{At: now, Status: m.Status, Detail: m.Reason}}
	if err := tx.MessageInsertMany(ctx, ws.ID, []*model.Message{m}); err != nil {
		return nil, fmt.Errorf("save digest message: %w", err)
	}
	if err := tx.StatsAdd(ctx, dailyCounts(ws, []*model.Message{m}, now)); err != nil {
		return nil, fmt.Errorf("count messages: %w", err)
	}
	if err := tx.DigestSetMessage(ctx, &store.DigestSetMessageParams{WorkspaceID: ws.ID, ID: d.ID, MessageID: m.ID}); err != nil {
		return nil, fmt.Errorf("link digest message: %w", err)
	}
	return m, nil
}

// digestRenderError is a digest whose message cannot be built from the
// configuration as it is now (it fails; the database is fine).
type digestRenderError struct{ err error }

func (e *digestRenderError) Error() string { return e.err.Error() }
func (e *digestRenderError) Unwrap() error { return e.err }

// renderDigest renders m from the digest's stored data model, its items
// and the notification, template and recipient as they are now.
func (g *Ingester) renderDigest(ctx context.Context, tx store.Tx, ws *model.Workspace, d *store.DigestClaimed, m *model.Message, now time.Time) error {
	fail := func(format string, args ...any) error { return &digestRenderError{fmt.Errorf(format, args...)} }
	f, err := tx.FlowGet(ctx, ws.ID, d.Flow)
	if errors.Is(err, store.ErrNotFound) {
		return fail("flow %q no longer exists", d.Flow)
	}
	if err != nil {
		return fmt.Errorf("load flow of digest %s: %w", d.ID, err)
	}
	var n *model.Notification
	for i := range f.Notifications {
		if f.Notifications[i].Key == d.Notification {
			n = &f.Notifications[i]
		}
	}
	if n == nil {
		return fail("notification %q no longer exists in flow %q", d.Notification, d.Flow)
	}
	m.FlowVersion, m.Template, m.Category = f.Version, n.Template, n.Category
	spec := n.Digest
	if spec == nil {
		spec = &model.Digest{} // the spec was removed while this one was open: first 10 items
	}
	items, err := digestItems(ctx, tx, ws, d, spec.Show == model.DigestShowLast, spec.Shown())
	if err != nil {
		return err
	}
	var data map[string]any
	if err := json.Unmarshal(d.Data, &data); err != nil {
		return fmt.Errorf("read data of digest %s: %w", d.ID, err)
	}
	fresh := model.NewData(model.DataInput{Workspace: ws, Now: now})
	data[model.RootNow], data[model.RootToday] = fresh[model.RootNow], fresh[model.RootToday]
	data[model.RootDigest] = map[string]any{"items": items, "total": d.Total, "shown": len(items),
		"more": d.Total - len(items), "key": d.Key}
	if p, ok := data[model.RootProject].(map[string]any); ok {
		m.Project, _ = p["key"].(string)
	}
	if ev, ok := data[model.RootEvent].(map[string]any); ok {
		m.EventType, _ = ev["type"].(string)
	}
	to, err := digestRecipient(ctx, tx, ws, d)
	if err != nil {
		return err
	}
	tpl, err := tx.TemplateGet(ctx, ws.ID, n.Template)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fail("template %q does not exist", n.Template)
	case err != nil:
		return fmt.Errorf("load template of digest %s: %w", d.ID, err)
	}
	sn := &snapshot{flow: f, flowSender: f.Sender, templates: map[string]*model.Template{n.Template: tpl}}
	pm := plan.Message{Notification: n, Channel: model.ChannelEmail, To: to}
	if err := g.renderInto(ctx, ws, sn, data, pm, m, now); err != nil {
		return &digestRenderError{err}
	}
	// The contact may have opted out while the digest was open: their
	// choice now decides, as for a summary.
	if reason := plan.Suppressed(n.Category, model.ChannelEmail, to); reason != "" {
		m.Status, m.Reason = model.MsgSuppressed, string(reason)
	}
	return nil
}

// digestItems reads the first (or last) limit items of digest d, in the
// order they arrived.
func digestItems(ctx context.Context, tx store.Tx, ws *model.Workspace, d *store.DigestClaimed, last bool, limit int) ([]any, error) {
	raw, err := tx.DigestItems(ctx, &store.DigestItemsParams{WorkspaceID: ws.ID, DigestID: d.ID, Last: last, Limit: limit})
	if err != nil {
		return nil, fmt.Errorf("load items of digest %s: %w", d.ID, err)
	}
	items := make([]any, len(raw))
	for i, b := range raw {
		if err := json.Unmarshal(b, &items[i]); err != nil {
			return nil, fmt.Errorf("read item of digest %s: %w", d.ID, err)
		}
	}
	return items, nil
}

// digestRecipient is digest d's recipient as it is now: with its contact
// (its language and zone), or without one when it was deleted meanwhile.
func digestRecipient(ctx context.Context, tx store.Tx, ws *model.Workspace, d *store.DigestClaimed) (plan.Recipient, error) {
	to := plan.Recipient{Address: d.To}
	if d.To.ContactID != "" {
		c, err := tx.ContactGet(ctx, ws.ID, d.To.ContactID)
		switch {
		case err == nil:
			to.Contact = c
		case !errors.Is(err, store.ErrNotFound):
			return to, fmt.Errorf("load recipient of digest %s: %w", d.ID, err)
		}
	}
	return to, nil
}
