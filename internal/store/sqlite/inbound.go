package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func (q queriesImpl) InboundMessageInsert(ctx context.Context, ws int64, m *model.InboundMessage) (bool, error) {
	res, err := q.db.ExecContext(ctx, query("InboundMessageInsert"), m.ID, ws, m.HeaderID, m.ContentHash, m.MailFrom,
		m.RcptTo, m.Kind, m.Address, m.Object, m.Evidence, m.MessageID, m.EventID, m.Raw, millis(m.ReceivedAt))
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (q queriesImpl) InboundMessageCount(ctx context.Context, p *store.InboundCountParams) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, query("InboundMessageCount"), p.WorkspaceID, p.Address, p.Kind, p.Object, millis(p.Since)).Scan(&n)
	return n, mapErr(err)
}

func (q queriesImpl) InboundMessagePurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	res, err := q.db.ExecContext(ctx, query("InboundMessagePurge"), p.WorkspaceID, millis(p.Before), p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}
