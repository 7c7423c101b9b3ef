package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// PreferenceApply implements store.PreferenceQueries. The writer runs one
// transaction at a time, so reading the contact orders writers.
func (q queriesImpl) PreferenceApply(ctx context.Context, p *store.PreferenceApplyParams) ([]model.PreferenceChange, error) {
	c, err := q.ContactGet(ctx, p.WorkspaceID, p.ContactID)
	if err != nil {
		return nil, err
	}
	changes := c.ApplyPreferences(p.Sets, p.Source, p.Actor, p.At)
	if len(changes) == 0 {
		return nil, nil
	}
	if _, err := q.db.ExecContext(ctx, query("PreferenceContactSave"), jsonList(c.Preferences), jsonList(c.OptOuts),
		millis(p.At), p.WorkspaceID, p.ContactID); err != nil {
		return nil, mapErr(err)
	}
	for i := range changes {
		ch := &changes[i]
		err := q.db.QueryRowContext(ctx, query("PreferenceChangeInsert"), p.WorkspaceID, ch.ContactID, ch.Category,
			ch.Setting, ch.Old, ch.New, string(ch.Source), ch.Actor, millis(ch.At)).Scan(&ch.ID)
		if err != nil {
			return nil, mapErr(err)
		}
	}
	return changes, nil
}

// PreferenceApply implements store.PreferenceQueries in a transaction of
// the writer.
func (s *Store) PreferenceApply(ctx context.Context, p *store.PreferenceApplyParams) ([]model.PreferenceChange, error) {
	return write(ctx, s, func(q store.Tx) ([]model.PreferenceChange, error) { return q.PreferenceApply(ctx, p) })
}

// PreferenceChangeList implements store.PreferenceQueries.
func (q queriesImpl) PreferenceChangeList(ctx context.Context, p *store.PreferenceChangeListParams) ([]*model.PreferenceChange, error) {
	rows, err := q.db.QueryContext(ctx, query("PreferenceChangeList"), p.WorkspaceID, p.ContactID, p.Before, p.Limit)
	return collect(rows, err, func(r scanner) (*model.PreferenceChange, error) {
		var ch model.PreferenceChange
		var source string
		var at int64
		if err := r.Scan(&ch.ID, &ch.ContactID, &ch.Category, &ch.Setting, &ch.Old, &ch.New, &source, &ch.Actor,
			&at); err != nil {
			return nil, mapErr(err)
		}
		ch.Source, ch.At = model.PreferenceSource(source), fromMillis(at)
		return &ch, nil
	})
}

// PreferenceStateSet implements store.PreferenceQueries.
func (q queriesImpl) PreferenceStateSet(ctx context.Context, p *store.PreferenceStateSetParams) error {
	return affected(q.db.ExecContext(ctx, query("PreferenceStateSet"), jsonList(p.Preferences), p.WorkspaceID, p.ContactID))
}

// PreferenceStateSet implements store.PreferenceQueries on the writer.
func (s *Store) PreferenceStateSet(ctx context.Context, p *store.PreferenceStateSetParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.PreferenceStateSet(ctx, p) })
}
