package postgres

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

// PreferenceApply implements store.PreferenceQueries. The contact's row
// is locked (FOR UPDATE) so that concurrent writers apply one after the
// other and each ledger entry's old value is the one before it.
func (q queriesImpl) PreferenceApply(ctx context.Context, p *store.PreferenceApplyParams) ([]model.PreferenceChange, error) {
	c, err := scanContact(q.db.QueryRow(ctx, query("PreferenceContactLock"), p.WorkspaceID, p.ContactID))
	if err != nil {
		return nil, err
	}
	changes := c.ApplyPreferences(p.Sets, p.Source, p.Actor, p.At)
	if len(changes) == 0 {
		return nil, nil
	}
	if _, err := q.db.Exec(ctx, query("PreferenceContactSave"), dbutil.List(c.Preferences), dbutil.List(c.OptOuts),
		p.At, p.WorkspaceID, p.ContactID); err != nil {
		return nil, mapErr(err)
	}
	for i := range changes {
		ch := &changes[i]
		err := q.db.QueryRow(ctx, query("PreferenceChangeInsert"), p.WorkspaceID, ch.ContactID, ch.Category,
			ch.Setting, ch.Old, ch.New, string(ch.Source), ch.Actor, ch.At).Scan(&ch.ID)
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return changes, nil
}

// PreferenceApply implements store.PreferenceQueries in a transaction of
// its own (the lock needs one).
func (s *Store) PreferenceApply(ctx context.Context, p *store.PreferenceApplyParams) (out []model.PreferenceChange, err error) {
	err = s.WithTx(ctx, func(q store.Tx) error {
		out, err = q.PreferenceApply(ctx, p)
		return err
	})
	return out, err
}

// PreferenceChangeList implements store.PreferenceQueries.
func (q queriesImpl) PreferenceChangeList(ctx context.Context, p *store.PreferenceChangeListParams) ([]*model.PreferenceChange, error) {
	rows, err := q.db.Query(ctx, query("PreferenceChangeList"), p.WorkspaceID, p.ContactID, p.Before, p.Limit)
	return collect(rows, err, func(r scanner) (*model.PreferenceChange, error) {
		var ch model.PreferenceChange
		var source string
		if err := r.Scan(&ch.ID, &ch.ContactID, &ch.Category, &ch.Setting, &ch.Old, &ch.New, &source, &ch.Actor,
			&ch.At); err != nil {
			return nil, mapErr(err)
		}
		ch.Source, ch.At = model.PreferenceSource(source), utc(ch.At)
		return &ch, nil
	})
}

// PreferenceStateSet implements store.PreferenceQueries.
func (q queriesImpl) PreferenceStateSet(ctx context.Context, p *store.PreferenceStateSetParams) error {
	return affected(q.db.Exec(ctx, query("PreferenceStateSet"), dbutil.List(p.Preferences), p.WorkspaceID, p.ContactID))
}
