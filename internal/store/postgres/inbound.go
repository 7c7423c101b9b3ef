package postgres

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func (q queriesImpl) InboundMessageInsert(ctx context.Context, ws int64, m *model.InboundMessage) (bool, error) {
	tag, err := q.db.Exec(ctx, query("InboundMessageInsert"), m.ID, ws, m.HeaderID, m.ContentHash, m.MailFrom,
		m.RcptTo, m.Kind, m.Address, m.Object, m.Evidence, m.MessageID, m.EventID, m.Raw, m.ReceivedAt)
	if err != nil {
		return false, mapErr(err)
	}
	return tag.RowsAffected() > 0, nil
}

func (q queriesImpl) InboundMessageCount(ctx context.Context, p *store.InboundCountParams) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, query("InboundMessageCount"), p.WorkspaceID, p.Address, p.Kind, p.Object, p.Since).Scan(&n)
	return n, mapErr(err)
}

func (q queriesImpl) InboundMessagePurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	tag, err := q.db.Exec(ctx, query("InboundMessagePurge"), p.WorkspaceID, p.Before, p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}
