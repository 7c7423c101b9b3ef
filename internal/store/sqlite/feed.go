package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanFeedItem(r scanner) (*model.FeedItem, error) {
	var it model.FeedItem
	var item string
	var created int64
	var seen, read, archived, snoozed sql.NullInt64
	if err := r.Scan(&it.Seq, &it.Version, &it.MessageID, &it.Category, &item, &created, &seen, &read, &archived,
		&snoozed); err != nil {
		return nil, mapErr(err)
	}
	if err := fromJSON(item, &it.InAppContent); err != nil {
		return nil, err
	}
	it.CreatedAt = fromMillis(created)
	it.SeenAt, it.ReadAt, it.ArchivedAt = fromNullMillis(seen), fromNullMillis(read), fromNullMillis(archived)
	it.SnoozedUntil = fromNullMillis(snoozed)
	return &it, nil
}

// FeedAppend implements store.FeedQueries.
func (q queriesImpl) FeedAppend(ctx context.Context, p *store.FeedAppendParams) (*model.FeedItem, bool, error) {
	it, err := scanFeedItem(q.db.QueryRowContext(ctx, query("FeedItemByMessage"), p.WorkspaceID, p.MessageID))
	if err != store.ErrNotFound {
		return it, false, err
	}
	var seq, version int64
	if err := q.db.QueryRowContext(ctx, query("FeedHeadBump"), p.WorkspaceID, p.ContactID, 1).Scan(&seq, &version); err != nil {
		return nil, false, mapErr(err)
	}
	if _, err := q.db.ExecContext(ctx, query("FeedItemInsert"), p.WorkspaceID, p.ContactID, seq, version, p.MessageID,
		p.Category, string(dbutil.ToJSON(p.Item)), millis(p.At)); err != nil {
		return nil, false, mapErr(err)
	}
	it, err = scanFeedItem(q.db.QueryRowContext(ctx, query("FeedItemByMessage"), p.WorkspaceID, p.MessageID))
	return it, err == nil && it.Seq == seq, err
}

// FeedList implements store.FeedQueries.
func (q queriesImpl) FeedList(ctx context.Context, p *store.FeedListParams) ([]*model.FeedItem, error) {
	rows, err := q.db.QueryContext(ctx, query("FeedList"), p.WorkspaceID, p.ContactID, p.Before, p.Archived,
		millis(p.Now), p.Limit)
	return collect(rows, err, scanFeedItem)
}

// FeedChanges implements store.FeedQueries.
func (q queriesImpl) FeedChanges(ctx context.Context, p *store.FeedChangesParams) ([]*model.FeedItem, error) {
	rows, err := q.db.QueryContext(ctx, query("FeedChanges"), p.WorkspaceID, p.ContactID, p.After, p.Limit)
	return collect(rows, err, scanFeedItem)
}

// FeedMark implements store.FeedQueries.
func (q queriesImpl) FeedMark(ctx context.Context, p *store.FeedMarkParams) (int, error) {
	var seq, version int64
	if err := q.db.QueryRowContext(ctx, query("FeedHeadBump"), p.WorkspaceID, p.ContactID, 0).Scan(&seq, &version); err != nil {
		return 0, mapErr(err)
	}
	var until any
	if p.Mark == model.FeedSnoozed {
		until = millis(p.Until)
	}
	res, err := q.db.ExecContext(ctx, query("FeedMark"), string(p.Mark), millis(p.At), until, version, p.WorkspaceID,
		p.ContactID, jsonList(p.Seqs), p.UpTo)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// FeedCounts implements store.FeedQueries.
func (q queriesImpl) FeedCounts(ctx context.Context, ws int64, contact string, now time.Time) (*model.FeedCounts, error) {
	var c model.FeedCounts
	err := q.db.QueryRowContext(ctx, query("FeedCounts"), ws, contact, millis(now)).Scan(&c.Unread, &c.Unseen, &c.Version)
	return &c, mapErr(err)
}

// FeedSettingsGet implements store.FeedQueries.
func (q queriesImpl) FeedSettingsGet(ctx context.Context, ws int64) (*model.FeedSettings, error) {
	var s model.FeedSettings
	var origins string
	var updated int64
	if err := q.db.QueryRowContext(ctx, query("FeedSettingsGet"), ws).Scan(&s.Secret, &s.PreviousSecret, &origins,
		&updated); err != nil {
		return nil, mapErr(err)
	}
	s.UpdatedAt = fromMillis(updated)
	return &s, fromJSON(origins, &s.Origins)
}

// FeedSettingsPut implements store.FeedQueries.
func (q queriesImpl) FeedSettingsPut(ctx context.Context, ws int64, s *model.FeedSettings) error {
	_, err := q.db.ExecContext(ctx, query("FeedSettingsPut"), ws, s.Secret, s.PreviousSecret, jsonList(s.Origins),
		millis(s.UpdatedAt))
	return mapErr(err)
}

// FeedPurge implements store.FeedQueries.
func (q queriesImpl) FeedPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	res, err := q.db.ExecContext(ctx, query("FeedPurge"), p.WorkspaceID, millis(p.Before), p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// FeedPurge implements store.FeedQueries on the writer.
func (s *Store) FeedPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.FeedPurge(ctx, p) })
}

// FeedAppend implements store.FeedQueries on the writer.
func (s *Store) FeedAppend(ctx context.Context, p *store.FeedAppendParams) (*model.FeedItem, bool, error) {
	var it *model.FeedItem
	var created bool
	err := s.WithTx(ctx, func(q store.Tx) (err error) {
		it, created, err = q.FeedAppend(ctx, p)
		return err
	})
	return it, created, err
}

// FeedMark implements store.FeedQueries on the writer.
func (s *Store) FeedMark(ctx context.Context, p *store.FeedMarkParams) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.FeedMark(ctx, p) })
}

// FeedSettingsPut implements store.FeedQueries on the writer.
func (s *Store) FeedSettingsPut(ctx context.Context, ws int64, fs *model.FeedSettings) error {
	return exec(ctx, s, func(q store.Tx) error { return q.FeedSettingsPut(ctx, ws, fs) })
}
