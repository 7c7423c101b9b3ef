package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanFlow(r scanner) (*model.Flow, error) {
	var f model.Flow
	var created, updated int64
	if err := r.Scan(&f.Key, &f.Name, &f.Description, &f.Sender.From, &f.Sender.ReplyTo, &f.Version,
		&created, &updated); err != nil {
		return nil, mapErr(err)
	}
	f.CreatedAt, f.UpdatedAt = fromMillis(created), fromMillis(updated)
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
	var recipients, cc, bcc, status, throttle, digest string
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
		src string
		dst *[]model.Recipient
	}{{recipients, &n.Recipients}, {cc, &n.CC}, {bcc, &n.BCC}} {
		if err := fromJSON(c.src, c.dst); err != nil {
			return fn, err
		}
	}
	if err := fromJSON(throttle, &n.Throttle); err != nil {
		return fn, err
	}
	if len(n.Throttle) == 0 {
		n.Throttle = nil
	}
	return fn, nil
}

// attachNotifications loads the notifications of flows in one query.
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
	rows, err := q.db.QueryContext(ctx, query("NotificationList"), ws, jsonList(keys))
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

func (q queriesImpl) insertNotification(ctx context.Context, ws int64, flowKey string, pos int, n *model.Notification) error {
	_, err := q.db.ExecContext(ctx, query("NotificationInsert"), ws, flowKey, n.Key, pos, n.Name, n.EventType,
		n.Condition, n.Template, jsonList(n.Recipients), jsonList(n.CC), jsonList(n.BCC), string(n.Status),
		n.Category, n.Channel, n.Webhook, jsonList(n.Throttle), n.Urgent, model.EncodeDigest(n.Digest))
	return mapErr(err)
}

func (q queriesImpl) FlowUpsert(ctx context.Context, ws int64, f *model.Flow) (bool, error) {
	prev, err := q.existing(ctx, "FlowExists", ws, f.Key)
	if err != nil {
		return false, err
	}
	if prev != nil {
		f.CreatedAt = fromMillis(*prev)
		if _, err := q.db.ExecContext(ctx, query("FlowUpdate"), f.Name, f.Description, f.Sender.From,
			f.Sender.ReplyTo, millis(f.UpdatedAt), ws, f.Key); err != nil {
			return false, mapErr(err)
		}
		if _, err := q.db.ExecContext(ctx, query("NotificationDeleteAll"), ws, f.Key); err != nil {
			return false, mapErr(err)
		}
	} else if _, err := q.db.ExecContext(ctx, query("FlowInsert"), ws, f.Key, f.Name, f.Description,
		f.Sender.From, f.Sender.ReplyTo, millis(f.CreatedAt), millis(f.UpdatedAt)); err != nil {
		return false, mapErr(err)
	}
	for i := range f.Notifications {
		if err := q.insertNotification(ctx, ws, f.Key, i, &f.Notifications[i]); err != nil {
			return false, err
		}
	}
	if err := q.db.QueryRowContext(ctx, query("FlowVersion"), ws, f.Key).Scan(&f.Version); err != nil {
		return false, mapErr(err)
	}
	return prev == nil, nil
}

func (q queriesImpl) FlowSetVersion(ctx context.Context, ws int64, key string, version int) error {
	return affected(q.db.ExecContext(ctx, query("FlowSetVersion"), version, ws, key))
}

func (q queriesImpl) FlowGet(ctx context.Context, ws int64, key string) (*model.Flow, error) {
	f, err := scanFlow(q.db.QueryRowContext(ctx, query("FlowGet"), ws, key))
	if err != nil {
		return nil, err
	}
	return f, q.attachNotifications(ctx, ws, []*model.Flow{f})
}

func (q queriesImpl) FlowList(ctx context.Context, p *store.ListParams) ([]*model.Flow, error) {
	rows, err := q.db.QueryContext(ctx, query("FlowList"), p.WorkspaceID, p.After, p.Limit)
	flows, err := collect(rows, err, scanFlow)
	if err != nil {
		return nil, err
	}
	return flows, q.attachNotifications(ctx, p.WorkspaceID, flows)
}

func (q queriesImpl) FlowDelete(ctx context.Context, ws int64, key string) error {
	rows, err := q.db.QueryContext(ctx, query("FlowUsage"), ws, key)
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
	return affected(q.db.ExecContext(ctx, query("FlowDelete"), ws, key))
}

func (q queriesImpl) NotificationUpsert(ctx context.Context, p *store.NotificationUpsertParams) (bool, error) {
	ws, flowKey, n := p.WorkspaceID, p.Flow, p.Notification
	var pos int
	err := q.db.QueryRowContext(ctx, query("NotificationExists"), ws, flowKey, n.Key).Scan(&pos)
	created := false
	switch mapErr(err) {
	case nil:
		_, err = q.db.ExecContext(ctx, query("NotificationUpdate"), n.Name, n.EventType, n.Condition, n.Template,
			jsonList(n.Recipients), jsonList(n.CC), jsonList(n.BCC), string(n.Status), n.Category, n.Channel, n.Webhook,
			jsonList(n.Throttle), n.Urgent, model.EncodeDigest(n.Digest), ws, flowKey, n.Key)
		err = mapErr(err)
	case store.ErrNotFound:
		created = true
		if err = q.db.QueryRowContext(ctx, query("NotificationNextPosition"), ws, flowKey).Scan(&pos); err != nil {
			return false, mapErr(err)
		}
		err = q.insertNotification(ctx, ws, flowKey, pos, n)
	default:
		return false, mapErr(err)
	}
	if err != nil {
		return false, err
	}
	return created, affected(q.db.ExecContext(ctx, query("FlowBump"), millis(p.At), ws, flowKey))
}

func (q queriesImpl) NotificationDelete(ctx context.Context, p *store.NotificationDeleteParams) error {
	if err := affected(q.db.ExecContext(ctx, query("NotificationDelete"), p.WorkspaceID, p.Flow, p.Key)); err != nil {
		return err
	}
	return affected(q.db.ExecContext(ctx, query("FlowBump"), millis(p.At), p.WorkspaceID, p.Flow))
}
