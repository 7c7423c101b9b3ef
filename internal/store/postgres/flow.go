package postgres

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanFlow(r scanner) (*model.Flow, error) {
	var f model.Flow
	if err := r.Scan(&f.Key, &f.Name, &f.Description, &f.Sender.From, &f.Sender.ReplyTo, &f.Version,
		&f.CreatedAt, &f.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	f.CreatedAt, f.UpdatedAt = utc(f.CreatedAt), utc(f.UpdatedAt)
	f.Notifications = []model.Notification{}
	return &f, nil
}

type flowNotification struct {
	flow string
	n    model.Notification
}

func scanNotification(r scanner) (flowNotification, error) {
	var fn flowNotification
	n := &fn.n
	var recipients, cc, bcc, throttle []byte
	var status, digest string
	if err := r.Scan(&fn.flow, &n.Key, &n.Name, &n.EventType, &n.Condition, &n.Template, &recipients,
		&cc, &bcc, &status, &n.Category, &n.Channel, &n.Webhook, &throttle, &n.Urgent, &digest); err != nil {
		return fn, mapErr(err)
	}
	var err error
	if n.Digest, err = model.DecodeDigest(digest); err != nil {
		return fn, err
	}
	n.Status = model.NotificationStatus(status)
	n.Channels = model.SplitChannels(n.Channel)
	for _, c := range []struct {
		src []byte
		dst *[]model.Recipient
	}{{recipients, &n.Recipients}, {cc, &n.CC}, {bcc, &n.BCC}} {
		if err := dbutil.FromJSON(c.src, c.dst); err != nil {
			return fn, err
		}
	}
	if err := dbutil.FromJSON(throttle, &n.Throttle); err != nil {
		return fn, err
	}
	if len(n.Throttle) == 0 {
		n.Throttle = nil
	}
	return fn, nil
}

func (q queriesImpl) attachNotifications(ctx context.Context, ws int64, flows []*model.Flow) error {
	if len(flows) == 0 {
		return nil
	}
	keys := make([]string, len(flows))
	byKey := make(map[string]*model.Flow, len(flows))
	for i, f := range flows {
		keys[i] = f.Key
		byKey[f.Key] = f
	}
	rows, err := q.db.Query(ctx, query("NotificationList"), ws, keys)
	list, err := collect(rows, err, scanNotification)
	if err != nil {
		return err
	}
	for _, fn := range list {
		f := byKey[fn.flow]
		f.Notifications = append(f.Notifications, fn.n)
	}
	return nil
}

func notificationArgs(n *model.Notification) []any {
	return []any{n.Name, n.EventType, n.Condition, n.Template, dbutil.List(n.Recipients), dbutil.List(n.CC),
		dbutil.List(n.BCC), string(n.Status), n.Category, n.Channel, n.Webhook, dbutil.List(n.Throttle), n.Urgent, model.EncodeDigest(n.Digest)}
}

func (q queriesImpl) insertNotification(ctx context.Context, ws int64, flowKey string, pos int, n *model.Notification) error {
	args := append([]any{ws, flowKey, n.Key, pos}, notificationArgs(n)...)
	_, err := q.db.Exec(ctx, query("NotificationInsert"), args...)
	return mapErr(err)
}

func (q queriesImpl) FlowUpsert(ctx context.Context, ws int64, f *model.Flow) (bool, error) {
	var created bool
	var at = f.CreatedAt
	err := q.db.QueryRow(ctx, query("FlowUpsert"), ws, f.Key, f.Name, f.Description, f.Sender.From,
		f.Sender.ReplyTo, f.CreatedAt, f.UpdatedAt).Scan(&at, &f.Version, &created)
	if err != nil {
		return false, mapErr(err)
	}
	f.CreatedAt = utc(at)
	if _, err := q.db.Exec(ctx, query("NotificationDeleteAll"), ws, f.Key); err != nil {
		return false, mapErr(err)
	}
	for i := range f.Notifications {
		if err := q.insertNotification(ctx, ws, f.Key, i, &f.Notifications[i]); err != nil {
			return false, err
		}
	}
	return created, nil
}

func (q queriesImpl) FlowSetVersion(ctx context.Context, ws int64, key string, version int) error {
	return affected(q.db.Exec(ctx, query("FlowSetVersion"), version, ws, key))
}

func (q queriesImpl) FlowGet(ctx context.Context, ws int64, key string) (*model.Flow, error) {
	f, err := scanFlow(q.db.QueryRow(ctx, query("FlowGet"), ws, key))
	if err != nil {
		return nil, err
	}
	return f, q.attachNotifications(ctx, ws, []*model.Flow{f})
}

func (q queriesImpl) FlowList(ctx context.Context, p *store.ListParams) ([]*model.Flow, error) {
	rows, err := q.db.Query(ctx, query("FlowList"), p.WorkspaceID, p.After, p.Limit)
	flows, err := collect(rows, err, scanFlow)
	if err != nil {
		return nil, err
	}
	return flows, q.attachNotifications(ctx, p.WorkspaceID, flows)
}

func (q queriesImpl) FlowDelete(ctx context.Context, ws int64, key string) error {
	rows, err := q.db.Query(ctx, query("FlowUsage"), ws, key)
	users, err := collect(rows, err, func(r scanner) (string, error) {
		var p string
		err := r.Scan(&p)
		return "project " + p, err
	})
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return &store.InUseError{UsedBy: users}
	}
	return affected(q.db.Exec(ctx, query("FlowDelete"), ws, key))
}

func (q queriesImpl) NotificationUpsert(ctx context.Context, p *store.NotificationUpsertParams) (bool, error) {
	ws, flowKey, n := p.WorkspaceID, p.Flow, p.Notification
	// Lock the flow row so that concurrent edits of one flow serialise.
	var version int
	if err := q.db.QueryRow(ctx, query("FlowLock"), ws, flowKey).Scan(&version); err != nil {
		return false, mapErr(err)
	}
	args := append(notificationArgs(n), ws, flowKey, n.Key)
	tag, err := q.db.Exec(ctx, query("NotificationUpdate"), args...)
	if err != nil {
		return false, mapErr(err)
	}
	created := tag.RowsAffected() == 0
	if created {
		var pos int
		if err := q.db.QueryRow(ctx, query("NotificationNextPosition"), ws, flowKey).Scan(&pos); err != nil {
			return false, mapErr(err)
		}
		if err := q.insertNotification(ctx, ws, flowKey, pos, n); err != nil {
			return false, err
		}
	}
	return created, affected(q.db.Exec(ctx, query("FlowBump"), p.At, ws, flowKey))
}

func (q queriesImpl) NotificationDelete(ctx context.Context, p *store.NotificationDeleteParams) error {
	if err := affected(q.db.Exec(ctx, query("NotificationDelete"), p.WorkspaceID, p.Flow, p.Key)); err != nil {
		return err
	}
	return affected(q.db.Exec(ctx, query("FlowBump"), p.At, p.WorkspaceID, p.Flow))
}
