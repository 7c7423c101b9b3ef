package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// checkContact validates a contact; prefix is the field path prefix.
func checkContact(c *checker, prefix string, ct *model.Contact) {
	f := func(name string) string { return prefix + name }
	c.id(f("id"), ct.ID)
	if ct.Email != "" {
		if model.HasCRLF(ct.Email) {
			c.add(f("email"), CodeLineBreak, "must not contain line breaks")
		} else if _, err := model.ParseBareAddress(ct.Email); errors.Is(err, model.ErrAddressTooLong) {
			c.add(f("email"), CodeInvalidEmail, "%v", err)
		} else if errors.Is(err, model.ErrNotBare) {
			c.add(f("email"), CodeInvalidEmail, "%q is not a bare e-mail address: give only the address, such as anna@example.org, without angle brackets or a comment (the name goes in name)", ct.Email)
		} else if err != nil {
			c.add(f("email"), CodeInvalidEmail, "%q is not a valid e-mail address (give the bare address; the name goes in name)", ct.Email)
		}
	}
	c.text(f("name"), ct.Name, 200)
	c.locale(f("locale"), ct.Locale)
	c.timezone(f("timezone"), ct.Timezone)
	c.attributes(f("attributes"), ct.Attributes, model.ContactFields)
	checkContactQuietHours(c, f("attributes."+model.ContactQuietHoursAttribute), ct.Attributes)
	c.names(f("consents"), ct.Consents)
	c.names(f("opt_outs"), ct.OptOuts)
}

// ContactPut creates or replaces a contact.
func (s *Service) ContactPut(ctx context.Context, ws *model.Workspace, ct *model.Contact) (bool, error) {
	ct.Normalize()
	ct.Email = strings.TrimSpace(ct.Email)
	var c checker
	checkContact(&c, "", ct)
	if err := c.err(); err != nil {
		return false, err
	}
	now := s.now()
	ct.CreatedAt, ct.UpdatedAt = now, now
	created, err := s.store.ContactUpsert(ctx, ws.ID, ct)
	if err != nil {
		return false, fmt.Errorf("save contact: %w", err)
	}
	return created, nil
}

// MaxBulkContacts is the most contacts one bulk request may carry.
const MaxBulkContacts = 50_000

// BulkResult reports a bulk upsert.
type BulkResult struct {
	// Upserted counts the contacts saved.
	Upserted int `json:"upserted"`
	// Errors lists the rejected items by index; they were not saved.
	Errors []BulkItemError `json:"errors"`
}

// BulkItemError is one rejected item of a bulk request.
type BulkItemError struct {
	Index  int          `json:"index"`
	ID     string       `json:"id,omitempty"`
	Errors []FieldError `json:"errors"`
}

// ContactBulkUpsert validates every contact and saves the valid ones in one
// transaction. Invalid items are reported by index and skipped; a database
// error saves nothing.
func (s *Service) ContactBulkUpsert(ctx context.Context, ws *model.Workspace, cs []*model.Contact) (*BulkResult, error) {
	if len(cs) > MaxBulkContacts {
		return nil, &ValidationError{Fields: []FieldError{{Field: "contacts", Code: CodeTooLong,
			Detail: fmt.Sprintf("at most %d contacts per request; split the upload", MaxBulkContacts)}}}
	}
	res := &BulkResult{Errors: []BulkItemError{}}
	valid := make([]*model.Contact, 0, len(cs))
	seen := make(map[string]int, len(cs))
	now := s.now()
	for i, ct := range cs {
		ct.Normalize()
		ct.Email = strings.TrimSpace(ct.Email)
		var c checker
		prefix := fmt.Sprintf("contacts[%d].", i)
		checkContact(&c, prefix, ct)
		if first, dup := seen[ct.ID]; dup && ct.ID != "" {
			c.add(prefix+"id", CodeDuplicate, "contact %q appears twice in this request (first at index %d)", ct.ID, first)
		}
		if !c.ok() {
			res.Errors = append(res.Errors, BulkItemError{Index: i, ID: ct.ID, Errors: c.errs})
			continue
		}
		seen[ct.ID] = i
		ct.CreatedAt, ct.UpdatedAt = now, now
		valid = append(valid, ct)
	}
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		return tx.ContactUpsertMany(ctx, ws.ID, valid)
	})
	if err != nil {
		return nil, fmt.Errorf("save contacts: %w", err)
	}
	res.Upserted = len(valid)
	return res, nil
}

// ContactGet returns a contact.
func (s *Service) ContactGet(ctx context.Context, ws *model.Workspace, id string) (*model.Contact, error) {
	ct, err := s.store.ContactGet(ctx, ws.ID, id)
	return ct, mapNotFound(err, "contact %q", id)
}

// ContactList pages through contacts.
func (s *Service) ContactList(ctx context.Context, ws *model.Workspace, p PageParams) (*Page[*model.Contact], error) {
	return page(ctx, p, func(c *model.Contact) string { return c.ID },
		func(ctx context.Context, after string, limit int) ([]*model.Contact, error) {
			return s.store.ContactList(ctx, &store.ListParams{WorkspaceID: ws.ID, After: after, Limit: limit})
		})
}

// ContactDelete deletes a contact. Projects and objects that name it keep
// the id; the planner then records that the contact no longer exists.
func (s *Service) ContactDelete(ctx context.Context, ws *model.Workspace, id string) error {
	return mapNotFound(s.store.ContactDelete(ctx, ws.ID, id), "contact %q", id)
}

// ObjectPut creates or replaces an object. Without Subscribers (nil) the
// object keeps its watchers.
func (s *Service) ObjectPut(ctx context.Context, ws *model.Workspace, o *model.Object) (bool, error) {
	o.Normalize()
	var created bool
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		var c checker
		r := newRefs()
		c.name("collection", o.Collection)
		c.id("id", o.ID)
		c.attributes("attributes", o.Attributes, model.ObjectFields)
		checkLinks(&c, r, "contacts", o.Contacts)
		if len(o.Subscribers) > store.MaxWatchers {
			c.add("subscribers", CodeTooMany, "an object has at most %d watchers, not %d", store.MaxWatchers, len(o.Subscribers))
		}
		for i, id := range o.Subscribers {
			r.contact(fmt.Sprintf("subscribers[%d]", i), id)
		}
		if err := r.check(ctx, tx, ws.ID, &c); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		now := s.now()
		o.CreatedAt, o.UpdatedAt = now, now
		var err error
		created, err = tx.ObjectUpsert(ctx, ws.ID, o)
		return err
	})
	return created, err
}

// ObjectGet returns an object.
func (s *Service) ObjectGet(ctx context.Context, ws *model.Workspace, ref model.ObjectRef) (*model.Object, error) {
	o, err := s.store.ObjectGet(ctx, ws.ID, ref)
	return o, mapNotFound(err, "object %q in collection %q", ref.ID, ref.Collection)
}

// ObjectList pages through one collection.
func (s *Service) ObjectList(ctx context.Context, ws *model.Workspace, collection string, p PageParams) (*Page[*model.Object], error) {
	if !model.ValidName(collection) {
		return nil, &ValidationError{Fields: []FieldError{{Field: "collection", Code: CodeInvalid,
			Detail: fmt.Sprintf("%q is not a valid collection name: %s", collection, model.NameRule())}}}
	}
	return page(ctx, p, func(o *model.Object) string { return o.ID },
		func(ctx context.Context, after string, limit int) ([]*model.Object, error) {
			return s.store.ObjectList(ctx, &store.ObjectListParams{
				ListParams: store.ListParams{WorkspaceID: ws.ID, After: after, Limit: limit}, Collection: collection})
		})
}

// ObjectDelete deletes an object.
func (s *Service) ObjectDelete(ctx context.Context, ws *model.Workspace, ref model.ObjectRef) error {
	err := s.store.ObjectDelete(ctx, ws.ID, ref)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("object %q in collection %q", ref.ID, ref.Collection)
	}
	return err
}
