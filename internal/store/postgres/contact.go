package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanContact(r scanner) (*model.Contact, error) { return scanContactAlso(r) }

// scanContactAlso reads a contact's columns and then the row's further
// columns into also.
func scanContactAlso(r scanner, also ...any) (*model.Contact, error) {
	var c model.Contact
	var attrs, consents, optOuts, prefs []byte
	if err := r.Scan(append([]any{&c.ID, &c.Email, &c.Name, &c.Locale, &c.Timezone, &attrs, &consents, &optOuts, &prefs,
		&c.CreatedAt, &c.UpdatedAt}, also...)...); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromJSON(attrs, &c.Attributes); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(consents, &c.Consents); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(optOuts, &c.OptOuts); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(prefs, &c.Preferences); err != nil {
		return nil, err
	}
	if len(c.Preferences) == 0 {
		c.Preferences = nil // none recorded, as a contact never stored
	}
	c.CreatedAt, c.UpdatedAt = utc(c.CreatedAt), utc(c.UpdatedAt)
	return &c, nil
}

func contactArgs(ws int64, c *model.Contact) []any {
	return []any{ws, c.ID, c.Email, c.Name, c.Locale, c.Timezone, dbutil.Map(c.Attributes),
		dbutil.List(c.Consents), dbutil.List(c.OptOuts), c.CreatedAt, c.UpdatedAt, c.OptOuts == nil}
}

// upsertedContact reads ContactUpsert's answer into c: nil OptOuts keep
// the stored ones (see store.Contacts), so c gets those.
func upsertedContact(row pgx.Row, c *model.Contact) (bool, error) {
	var at time.Time
	var created bool
	var optOuts []byte
	if err := row.Scan(&at, &created, &optOuts); err != nil {
		return false, mapErr(err)
	}
	c.CreatedAt = utc(at)
	return created, dbutil.FromJSON(optOuts, &c.OptOuts)
}

func (q queriesImpl) ContactUpsert(ctx context.Context, ws int64, c *model.Contact) (bool, error) {
	return upsertedContact(q.db.QueryRow(ctx, query("ContactUpsert"), contactArgs(ws, c)...), c)
}

// ContactUpsertMany sends all upserts in one pipelined batch.
func (q queriesImpl) ContactUpsertMany(ctx context.Context, ws int64, cs []*model.Contact) error {
	if len(cs) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, c := range cs {
		b.Queue(query("ContactUpsert"), contactArgs(ws, c)...)
	}
	br := q.db.SendBatch(ctx, b)
	for _, c := range cs {
		if _, err := upsertedContact(br.QueryRow(), c); err != nil {
			_ = br.Close()
			return err
		}
	}
	return mapErr(br.Close())
}

func (q queriesImpl) ContactGet(ctx context.Context, ws int64, id string) (*model.Contact, error) {
	return scanContact(q.db.QueryRow(ctx, query("ContactGet"), ws, id))
}

func (q queriesImpl) ContactGetMany(ctx context.Context, ws int64, ids []string) (map[string]*model.Contact, error) {
	out := make(map[string]*model.Contact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.db.Query(ctx, query("ContactGetMany"), ws, ids)
	list, err := collect(rows, err, scanContact)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		out[c.ID] = c
	}
	return out, nil
}

func (q queriesImpl) ContactList(ctx context.Context, p *store.ListParams) ([]*model.Contact, error) {
	rows, err := q.db.Query(ctx, query("ContactList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanContact)
}

func (q queriesImpl) ContactScan(ctx context.Context, p *store.ContactScanParams) (*store.ContactScanPage, error) {
	var field *string // NULL: nothing is left out
	var days []string
	if p.Skip != nil {
		field, days = &p.Skip.Field, p.Skip.MonthDays
	}
	page := &store.ContactScanPage{}
	rows, err := q.db.Query(ctx, query("ContactScan"), p.WorkspaceID, p.After, p.Limit, field, days)
	cs, err := collect(rows, err, func(r scanner) (*model.Contact, error) {
		return scanContactAlso(r, &page.Scanned)
	})
	if err != nil {
		return nil, err
	}
	page.Contacts = cs
	return page, nil
}

func (q queriesImpl) ContactDelete(ctx context.Context, ws int64, id string) error {
	return affected(q.db.Exec(ctx, query("ContactDelete"), ws, id))
}

func scanObject(r scanner) (*model.Object, error) {
	var o model.Object
	var attrs, contacts, subs []byte
	if err := r.Scan(&o.Collection, &o.ID, &attrs, &contacts, &subs, &o.CreatedAt, &o.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromJSON(attrs, &o.Attributes); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(contacts, &o.Contacts); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(subs, &o.Subscribers); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = utc(o.CreatedAt), utc(o.UpdatedAt)
	return &o, nil
}

func (q queriesImpl) ObjectUpsert(ctx context.Context, ws int64, o *model.Object) (bool, error) {
	row := q.db.QueryRow(ctx, query("ObjectUpsert"), ws, o.Collection, o.ID, dbutil.Map(o.Attributes),
		dbutil.Map(o.Contacts), dbutil.List(o.Subscribers), o.CreatedAt, o.UpdatedAt, o.Subscribers == nil)
	var at time.Time
	var created bool
	var subs []byte
	if err := row.Scan(&at, &created, &subs); err != nil {
		return false, mapErr(err)
	}
	o.CreatedAt = utc(at)
	return created, dbutil.FromJSON(subs, &o.Subscribers)
}

func (q queriesImpl) ObjectGet(ctx context.Context, ws int64, ref model.ObjectRef) (*model.Object, error) {
	return scanObject(q.db.QueryRow(ctx, query("ObjectGet"), ws, ref.Collection, ref.ID))
}

func (q queriesImpl) ObjectList(ctx context.Context, p *store.ObjectListParams) ([]*model.Object, error) {
	rows, err := q.db.Query(ctx, query("ObjectList"), p.WorkspaceID, p.Collection, p.After, p.Limit)
	return collect(rows, err, scanObject)
}

func (q queriesImpl) ObjectDelete(ctx context.Context, ws int64, ref model.ObjectRef) error {
	return affected(q.db.Exec(ctx, query("ObjectDelete"), ws, ref.Collection, ref.ID))
}

func (q queriesImpl) ObjectCollections(ctx context.Context, ws int64) ([]string, error) {
	rows, err := q.db.Query(ctx, query("ObjectCollections"), ws)
	return collect(rows, err, func(r scanner) (string, error) {
		var c string
		return c, mapErr(r.Scan(&c))
	})
}

func (q queriesImpl) ContactOptOut(ctx context.Context, p *store.ContactOptOutParams) (bool, error) {
	tag, err := q.db.Exec(ctx, query("ContactOptOut"), p.WorkspaceID, p.ContactID, p.Category, p.At)
	if err != nil {
		return false, mapErr(err)
	}
	if tag.RowsAffected() > 0 {
		return true, nil
	}
	var exists bool
	if err := q.db.QueryRow(ctx, query("ContactExists"), p.WorkspaceID, p.ContactID).Scan(&exists); err != nil {
		return false, mapErr(err)
	}
	if !exists {
		return false, store.ErrNotFound
	}
	return false, nil
}
