package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanContact(r scanner) (*model.Contact, error) { return scanContactAlso(r) }

// scanContactAlso reads a contact's columns and then the row's further
// columns into also.
func scanContactAlso(r scanner, also ...any) (*model.Contact, error) {
	var c model.Contact
	// The columns that need converting and the scan's destinations in one
	// value: a schedule run scans every contact, and separate variables
	// cost an allocation each (they escape into Scan) and the list of
	// destinations one more, two with further columns.
	var v struct {
		attrs, consents, optOuts, prefs string
		created, updated                int64
		dest                            [12]any
	}
	dest := append(v.dest[:0], &c.ID, &c.Email, &c.Name, &c.Locale, &c.Timezone, &v.attrs, &v.consents, &v.optOuts,
		&v.prefs, &v.created, &v.updated)
	if err := r.Scan(append(dest, also...)...); err != nil {
		return nil, mapErr(err)
	}
	if err := fromJSON(v.attrs, &c.Attributes); err != nil {
		return nil, err
	}
	if err := fromJSON(v.consents, &c.Consents); err != nil {
		return nil, err
	}
	if err := fromJSON(v.optOuts, &c.OptOuts); err != nil {
		return nil, err
	}
	if err := fromJSON(v.prefs, &c.Preferences); err != nil {
		return nil, err
	}
	if len(c.Preferences) == 0 {
		c.Preferences = nil // none recorded, as a contact never stored
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(v.created), fromMillis(v.updated)
	return &c, nil
}

// upsertContact saves c; nil OptOuts keep the stored ones (see
// store.Contacts). c gets the stored creation time and opt-outs.
func (q queriesImpl) upsertContact(ctx context.Context, ws int64, c *model.Contact) error {
	var created int64
	var optOuts string
	err := q.db.QueryRowContext(ctx, query("ContactUpsert"), ws, c.ID, c.Email, c.Name, c.Locale, c.Timezone,
		jsonMap(c.Attributes), jsonList(c.Consents), jsonList(c.OptOuts), millis(c.CreatedAt),
		millis(c.UpdatedAt), c.OptOuts == nil).Scan(&created, &optOuts)
	if err != nil {
		return mapErr(err)
	}
	c.CreatedAt = fromMillis(created)
	return fromJSON(optOuts, &c.OptOuts)
}

func (q queriesImpl) ContactUpsert(ctx context.Context, ws int64, c *model.Contact) (bool, error) {
	prev, err := q.existing(ctx, "ContactExists", ws, c.ID)
	if err != nil {
		return false, err
	}
	return prev == nil, q.upsertContact(ctx, ws, c)
}

func (q queriesImpl) ContactUpsertMany(ctx context.Context, ws int64, cs []*model.Contact) error {
	for _, c := range cs {
		if err := q.upsertContact(ctx, ws, c); err != nil {
			return err
		}
	}
	return nil
}

func (q queriesImpl) ContactGet(ctx context.Context, ws int64, id string) (*model.Contact, error) {
	return scanContact(q.db.QueryRowContext(ctx, query("ContactGet"), ws, id))
}

func (q queriesImpl) ContactGetMany(ctx context.Context, ws int64, ids []string) (map[string]*model.Contact, error) {
	out := make(map[string]*model.Contact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.db.QueryContext(ctx, query("ContactGetMany"), ws, jsonList(ids))
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
	rows, err := q.db.QueryContext(ctx, query("ContactList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanContact)
}

func (q queriesImpl) ContactScan(ctx context.Context, p *store.ContactScanParams) (*store.ContactScanPage, error) {
	var path, days any // NULL: nothing is left out
	if p.Skip != nil {
		if strings.Contains(p.Skip.Field, `"`) {
			return nil, fmt.Errorf("scan contacts: a JSON path cannot name attribute %q", p.Skip.Field)
		}
		path, days = `$."`+p.Skip.Field+`"`, jsonList(p.Skip.MonthDays)
	}
	page := &store.ContactScanPage{}
	rows, err := q.db.QueryContext(ctx, query("ContactScan"), p.WorkspaceID, p.After, p.Limit, path, days)
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
	return affected(q.db.ExecContext(ctx, query("ContactDelete"), ws, id))
}

func (q queriesImpl) ContactOptOut(ctx context.Context, p *store.ContactOptOutParams) (bool, error) {
	res, err := q.db.ExecContext(ctx, query("ContactOptOut"), p.Category, millis(p.At), p.WorkspaceID, p.ContactID,
		p.Category)
	if err != nil {
		return false, mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return n > 0, err
	}
	prev, err := q.existing(ctx, "ContactExists", p.WorkspaceID, p.ContactID)
	if err == nil && prev == nil {
		err = store.ErrNotFound
	}
	return false, err
}
