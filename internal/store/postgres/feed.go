package postgres

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanFeedItem(r scanner) (*model.FeedItem, error) {
	var it model.FeedItem
	var item []byte
	if err := r.Scan(&it.Seq, &it.Version, &it.MessageID, &it.Category, &item, &it.CreatedAt, &it.SeenAt, &it.ReadAt,
		&it.ArchivedAt, &it.SnoozedUntil); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromJSON(item, &it.InAppContent); err != nil {
		return nil, err
	}
	it.CreatedAt = utc(it.CreatedAt)
	it.SeenAt, it.ReadAt, it.ArchivedAt, it.SnoozedUntil = utcPtr(it.SeenAt), utcPtr(it.ReadAt), utcPtr(it.ArchivedAt),
		utcPtr(it.SnoozedUntil)
	return &it, nil
}

// FeedAppend implements store.FeedQueries. The head row's lock, taken
// by the bump, orders concurrent appends of one contact; a concurrent
// append of the same message finds the item inserted and leaves a gap
// in seq, which nothing relies on.
func (q queriesImpl) FeedAppend(ctx context.Context, p *store.FeedAppendParams) (*model.FeedItem, bool, error) {
	it, err := scanFeedItem(q.db.QueryRow(ctx, query("FeedItemByMessage"), p.WorkspaceID, p.MessageID))
	if err != store.ErrNotFound {
		return it, false, err
	}
	var seq, version int64
	if err := q.db.QueryRow(ctx, query("FeedHeadBump"), p.WorkspaceID, p.ContactID, 1).Scan(&seq, &version); err != nil {
		return nil, false, mapErr(err)
	}
	if _, err := q.db.Exec(ctx, query("FeedItemInsert"), p.WorkspaceID, p.ContactID, seq, version, p.MessageID,
		p.Category, dbutil.ToJSON(p.Item), p.At); err != nil {
		return nil, false, mapErr(err)
	}
	it, err = scanFeedItem(q.db.QueryRow(ctx, query("FeedItemByMessage"), p.WorkspaceID, p.MessageID))
	return it, err == nil && it.Seq == seq, err
}

// FeedList implements store.FeedQueries.
func (q queriesImpl) FeedList(ctx context.Context, p *store.FeedListParams) ([]*model.FeedItem, error) {
	rows, err := q.db.Query(ctx, query("FeedList"), p.WorkspaceID, p.ContactID, p.Before, p.Archived, p.Now, p.Limit)
	return collect(rows, err, scanFeedItem)
}

// FeedChanges implements store.FeedQueries.
func (q queriesImpl) FeedChanges(ctx context.Context, p *store.FeedChangesParams) ([]*model.FeedItem, error) {
	rows, err := q.db.Query(ctx, query("FeedChanges"), p.WorkspaceID, p.ContactID, p.After, p.Limit)
	return collect(rows, err, scanFeedItem)
}

// FeedMark implements store.FeedQueries.
func (q queriesImpl) FeedMark(ctx context.Context, p *store.FeedMarkParams) (int, error) {
	var seq, version int64
	if err := q.db.QueryRow(ctx, query("FeedHeadBump"), p.WorkspaceID, p.ContactID, 0).Scan(&seq, &version); err != nil {
		return 0, mapErr(err)
	}
	var until *time.Time
	if p.Mark == model.FeedSnoozed {
		until = &p.Until
	}
	seqs := p.Seqs
	if seqs == nil {
		seqs = []int64{}
	}
	tag, err := q.db.Exec(ctx, query("FeedMark"), string(p.Mark), p.At, until, version, p.WorkspaceID, p.ContactID,
		seqs, p.UpTo)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}

// FeedCounts implements store.FeedQueries.
func (q queriesImpl) FeedCounts(ctx context.Context, ws int64, contact string, now time.Time) (*model.FeedCounts, error) {
	var c model.FeedCounts
	err := q.db.QueryRow(ctx, query("FeedCounts"), ws, contact, now).Scan(&c.Unread, &c.Unseen, &c.Version)
	return &c, mapErr(err)
}

// FeedSettingsGet implements store.FeedQueries.
func (q queriesImpl) FeedSettingsGet(ctx context.Context, ws int64) (*model.FeedSettings, error) {
	var s model.FeedSettings
	var origins []byte
	if err := q.db.QueryRow(ctx, query("FeedSettingsGet"), ws).Scan(&s.Secret, &s.PreviousSecret, &origins,
		&s.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	s.UpdatedAt = utc(s.UpdatedAt)
	return &s, dbutil.FromJSON(origins, &s.Origins)
}

// FeedSettingsPut implements store.FeedQueries.
func (q queriesImpl) FeedSettingsPut(ctx context.Context, ws int64, s *model.FeedSettings) error {
	_, err := q.db.Exec(ctx, query("FeedSettingsPut"), ws, s.Secret, s.PreviousSecret, dbutil.List(s.Origins), s.UpdatedAt)
	return mapErr(err)
}

// FeedPurge implements store.FeedQueries.
func (q queriesImpl) FeedPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	tag, err := q.db.Exec(ctx, query("FeedPurge"), p.WorkspaceID, p.Before, p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}

// FeedAppend implements store.FeedQueries in a transaction of its own.
func (s *Store) FeedAppend(ctx context.Context, p *store.FeedAppendParams) (*model.FeedItem, bool, error) {
	var it *model.FeedItem
	var created bool
	err := s.WithTx(ctx, func(q store.Tx) (err error) {
		it, created, err = q.FeedAppend(ctx, p)
		return err
	})
	return it, created, err
}

// FeedMark implements store.FeedQueries in a transaction of its own.
func (s *Store) FeedMark(ctx context.Context, p *store.FeedMarkParams) (n int, err error) {
	err = s.WithTx(ctx, func(q store.Tx) error {
		n, err = q.FeedMark(ctx, p)
		return err
	})
	return n, err
}
