package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// ScheduleRunMatchList implements store.RunMatchQueries.
func (q queriesImpl) ScheduleRunMatchList(ctx context.Context, p *store.RunMatchListParams) ([]*store.RunMatch, error) {
	statuses := p.Statuses
	if statuses == nil {
		statuses = []model.MessageStatus{}
	}
	rows, err := q.db.QueryContext(ctx, query("ScheduleRunMatchList"), p.WorkspaceID, p.RunID, p.After,
		p.Excluded, jsonList(statuses), p.Limit)
	ms, err := collect(rows, err, func(r scanner) (*store.RunMatch, error) {
		m := &store.RunMatch{}
		return m, mapErr(r.Scan(&m.EventID, &m.Excluded, &m.ContactID, &m.Name, &m.Email, &m.ObjectCollection, &m.ObjectID))
	})
	if err != nil || len(ms) == 0 {
		return ms, err
	}
	rows, err = q.db.QueryContext(ctx, query("ScheduleRunMatchMessages"), p.WorkspaceID, jsonList(store.RunMatchEventIDs(ms)))
	msgs, err := collect(rows, err, func(r scanner) (store.RunMatchMessageRow, error) {
		var m store.RunMatchMessageRow
		return m, mapErr(r.Scan(&m.EventID, &m.ID, &m.Status, &m.Reason, &m.Channel, &m.ToEmail, &m.ToName))
	})
	if err != nil {
		return nil, err
	}
	store.RunMatchAttach(ms, msgs)
	return ms, nil
}
