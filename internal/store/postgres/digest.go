package postgres

import (
	"context"
	"slices"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func (q queriesImpl) DigestItemAdd(ctx context.Context, p *store.DigestItemAddParams) (*store.DigestItemAddResult, error) {
	var res store.DigestItemAddResult
	err := q.db.QueryRow(ctx, query("DigestUpsert"), p.ID, p.WorkspaceID, p.Flow, p.Notification, p.Recipient, p.Key,
		p.To.ContactID, p.To.Email, p.To.Name, p.Sliding, p.MaxItems, p.EventID, string(p.Data), p.Now,
		p.ClosesAt, p.Deadline).Scan(&res.ID, &res.Total, &res.ClosesAt)
	if err != nil {
		return nil, mapErr(err)
	}
	res.ClosesAt = res.ClosesAt.UTC()
	if _, err := q.db.Exec(ctx, query("DigestItemInsert"), res.ID, res.Total, p.WorkspaceID, p.EventID,
		string(p.Item)); err != nil {
		return nil, mapErr(err)
	}
	return &res, nil
}

func (q queriesImpl) DigestListDue(ctx context.Context, p *store.DigestDueParams) ([]store.DigestDue, error) {
	rows, err := q.db.Query(ctx, query("DigestListDue"), p.Now, p.Limit)
	return collect(rows, err, func(r scanner) (store.DigestDue, error) {
		var d store.DigestDue
		err := r.Scan(&d.WorkspaceID, &d.ID)
		return d, err
	})
}

func (q queriesImpl) DigestClaim(ctx context.Context, p *store.DigestClaimParams) (*store.DigestClaimed, error) {
	var d store.DigestClaimed
	var data string
	err := q.db.QueryRow(ctx, query("DigestClaim"), p.Now, p.WorkspaceID, p.ID, p.Now).Scan(
		&d.ID, &d.Flow, &d.Notification, &d.Recipient, &d.Key, &d.Status, &d.Total, &d.OpenedAt, &d.ClosesAt, &d.ClosedAt,
		&d.MessageID, &d.To.ContactID, &d.To.Email, &d.To.Name, &d.FirstEventID, &data)
	if err != nil {
		return nil, mapErr(err)
	}
	d.Data = []byte(data)
	d.OpenedAt, d.ClosesAt, d.ClosedAt = utc(d.OpenedAt), utc(d.ClosesAt), utcPtr(d.ClosedAt)
	return &d, nil
}

func (q queriesImpl) DigestItems(ctx context.Context, p *store.DigestItemsParams) ([][]byte, error) {
	name := "DigestItemsFirst"
	if p.Last {
		name = "DigestItemsLast"
	}
	rows, err := q.db.Query(ctx, query(name), p.WorkspaceID, p.DigestID, p.Limit)
	out, err := collect(rows, err, func(r scanner) ([]byte, error) {
		var s string
		err := r.Scan(&s)
		return []byte(s), err
	})
	if p.Last {
		slices.Reverse(out)
	}
	return out, err
}

func (q queriesImpl) DigestSetMessage(ctx context.Context, p *store.DigestSetMessageParams) error {
	_, err := q.db.Exec(ctx, query("DigestSetMessage"), p.MessageID, p.WorkspaceID, p.ID)
	return mapErr(err)
}

func (q queriesImpl) DigestListByEvent(ctx context.Context, ws int64, eventID string) ([]*model.DigestState, error) {
	rows, err := q.db.Query(ctx, query("DigestListByEvent"), ws, ws, eventID)
	return collect(rows, err, func(r scanner) (*model.DigestState, error) {
		var d model.DigestState
		err := r.Scan(&d.ID, &d.Flow, &d.Notification, &d.Recipient, &d.Key, &d.Status, &d.Total, &d.OpenedAt,
			&d.ClosesAt, &d.ClosedAt, &d.MessageID)
		d.OpenedAt, d.ClosesAt, d.ClosedAt = utc(d.OpenedAt), utc(d.ClosesAt), utcPtr(d.ClosedAt)
		return &d, err
	})
}

func (q queriesImpl) DigestPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	tag, err := q.db.Exec(ctx, query("DigestPurge"), p.WorkspaceID, p.Before, p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}
