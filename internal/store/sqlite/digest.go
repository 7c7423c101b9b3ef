package sqlite

import (
	"context"
	"database/sql"
	"slices"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func (q queriesImpl) DigestItemAdd(ctx context.Context, p *store.DigestItemAddParams) (*store.DigestItemAddResult, error) {
	sliding := 0
	if p.Sliding {
		sliding = 1
	}
	var res store.DigestItemAddResult
	var closes int64
	err := q.db.QueryRowContext(ctx, query("DigestUpsert"), p.ID, p.WorkspaceID, p.Flow, p.Notification, p.Recipient, p.Key,
		p.To.ContactID, p.To.Email, p.To.Name, sliding, p.MaxItems, p.EventID, string(p.Data), millis(p.Now),
		millis(p.ClosesAt), millis(p.Deadline)).Scan(&res.ID, &res.Total, &closes)
	if err != nil {
		return nil, mapErr(err)
	}
	res.ClosesAt = fromMillis(closes)
	if _, err := q.db.ExecContext(ctx, query("DigestItemInsert"), res.ID, res.Total, p.WorkspaceID, p.EventID,
		string(p.Item)); err != nil {
		return nil, mapErr(err)
	}
	return &res, nil
}

func (q queriesImpl) DigestListDue(ctx context.Context, p *store.DigestDueParams) ([]store.DigestDue, error) {
	rows, err := q.db.QueryContext(ctx, query("DigestListDue"), millis(p.Now), p.Limit)
	return collect(rows, err, func(r scanner) (store.DigestDue, error) {
		var d store.DigestDue
		err := r.Scan(&d.WorkspaceID, &d.ID)
		return d, err
	})
}

func (q queriesImpl) DigestClaim(ctx context.Context, p *store.DigestClaimParams) (*store.DigestClaimed, error) {
	var d store.DigestClaimed
	var data string
	var opened, closes int64
	var closed sql.NullInt64
	err := q.db.QueryRowContext(ctx, query("DigestClaim"), millis(p.Now), p.WorkspaceID, p.ID, millis(p.Now)).Scan(
		&d.ID, &d.Flow, &d.Notification, &d.Recipient, &d.Key, &d.Status, &d.Total, &opened, &closes, &closed,
		&d.MessageID, &d.To.ContactID, &d.To.Email, &d.To.Name, &d.FirstEventID, &data)
	if err != nil {
		return nil, mapErr(err)
	}
	d.OpenedAt, d.ClosesAt, d.ClosedAt, d.Data = fromMillis(opened), fromMillis(closes), fromNullMillis(closed), []byte(data)
	return &d, nil
}

func (q queriesImpl) DigestItems(ctx context.Context, p *store.DigestItemsParams) ([][]byte, error) {
	name := "DigestItemsFirst"
	if p.Last {
		name = "DigestItemsLast"
	}
	rows, err := q.db.QueryContext(ctx, query(name), p.WorkspaceID, p.DigestID, p.Limit)
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
	_, err := q.db.ExecContext(ctx, query("DigestSetMessage"), p.MessageID, p.WorkspaceID, p.ID)
	return mapErr(err)
}

func (q queriesImpl) DigestListByEvent(ctx context.Context, ws int64, eventID string) ([]*model.DigestState, error) {
	rows, err := q.db.QueryContext(ctx, query("DigestListByEvent"), ws, ws, eventID)
	return collect(rows, err, func(r scanner) (*model.DigestState, error) {
		var d model.DigestState
		var opened, closes int64
		var closed sql.NullInt64
		err := r.Scan(&d.ID, &d.Flow, &d.Notification, &d.Recipient, &d.Key, &d.Status, &d.Total, &opened,
			&closes, &closed, &d.MessageID)
		d.OpenedAt, d.ClosesAt, d.ClosedAt = fromMillis(opened), fromMillis(closes), fromNullMillis(closed)
		return &d, err
	})
}

func (q queriesImpl) DigestPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	res, err := q.db.ExecContext(ctx, query("DigestPurge"), p.WorkspaceID, millis(p.Before), p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DigestItemAdd implements store.DigestQueries on the writer.
func (s *Store) DigestItemAdd(ctx context.Context, p *store.DigestItemAddParams) (*store.DigestItemAddResult, error) {
	return write(ctx, s, func(q store.Tx) (*store.DigestItemAddResult, error) { return q.DigestItemAdd(ctx, p) })
}

// DigestClaim implements store.DigestQueries on the writer.
func (s *Store) DigestClaim(ctx context.Context, p *store.DigestClaimParams) (*store.DigestClaimed, error) {
	return write(ctx, s, func(q store.Tx) (*store.DigestClaimed, error) { return q.DigestClaim(ctx, p) })
}

// DigestSetMessage implements store.DigestQueries on the writer.
func (s *Store) DigestSetMessage(ctx context.Context, p *store.DigestSetMessageParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.DigestSetMessage(ctx, p) })
}

// DigestPurge implements store.DigestQueries on the writer.
func (s *Store) DigestPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.DigestPurge(ctx, p) })
}
