package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// Contact is a person the host application knows.
//
// OptOuts has three states when sent: nil leaves the stored opt-outs as
// they are (people unsubscribe through Herold's links, which the host
// application does not know about), an empty non-nil slice clears them,
// and a list replaces them.
type Contact struct {
	ID       string `json:"id"`
	Email    string `json:"email,omitempty"`
	Name     string `json:"name,omitempty"`
	Locale   string `json:"locale,omitempty"`
	Timezone string `json:"timezone,omitempty"`
	// Attributes are free data for templates and conditions.
	Attributes map[string]any `json:"attributes,omitempty"`
	// Consents are the categories the person agreed to.
	Consents []string `json:"consents,omitempty"`
	// OptOuts are the categories the person opted out of (see above).
	OptOuts []string `json:"opt_outs,omitzero"`
	// CreatedAt and UpdatedAt are read-only: set in answers, never sent.
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// MarshalJSON writes the fields the API accepts: CreatedAt and UpdatedAt
// are left out (omitzero), so a contact read from the API can be changed
// and put back.
func (ct Contact) MarshalJSON() ([]byte, error) {
	type plain Contact // without this method
	cp := plain(ct)
	cp.CreatedAt, cp.UpdatedAt = time.Time{}, time.Time{}
	return json.Marshal(cp)
}

// Contact returns one contact.
func (c *Client) Contact(ctx context.Context, id string) (*Contact, error) {
	var out Contact
	if err := c.do(ctx, &request{method: http.MethodGet, path: "/v1/contacts/" + escape(id), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// PutContact creates or replaces a contact (see Contact for OptOuts).
func (c *Client) PutContact(ctx context.Context, ct *Contact) error {
	return c.do(ctx, &request{method: http.MethodPut, path: "/v1/contacts/" + escape(ct.ID), body: ct})
}

// DeleteContact deletes a contact; ErrNotFound when there is none.
func (c *Client) DeleteContact(ctx context.Context, id string) error {
	return c.do(ctx, &request{method: http.MethodDelete, path: "/v1/contacts/" + escape(id)})
}

// Contacts lists the workspace's contacts by id, page by page.
func (c *Client) Contacts(ctx context.Context) iter.Seq2[*Contact, error] {
	return list[Contact](ctx, c, "/v1/contacts", nil, 0)
}

// BulkResult is the outcome of PutContacts: the valid contacts were saved
// in one transaction, the invalid ones skipped.
type BulkResult struct {
	// Upserted counts the contacts saved.
	Upserted int `json:"upserted"`
	// Errors lists the rejected contacts; empty when all were saved.
	Errors []BulkItemError `json:"errors"`
}

// BulkItemError is one rejected contact of PutContacts. It is an error
// that matches ErrValidation.
type BulkItemError struct {
	// Index is the contact's position in the request.
	Index int `json:"index"`
	// ID is the contact's id, if it had one.
	ID string `json:"id,omitempty"`
	// Errors name the fields, as "contacts[INDEX].FIELD".
	Errors []FieldError `json:"errors"`
}

// Error names the contact and its first field error.
func (e *BulkItemError) Error() string {
	return (&Error{Status: http.StatusUnprocessableEntity, Title: "contact " + e.ID + " rejected", Errors: e.Errors}).Error()
}

// Is matches ErrValidation.
func (e *BulkItemError) Is(target error) bool { return target == ErrValidation }

// bulkRequest is the body of POST /v1/contacts/bulk.
type bulkRequest struct {
	Contacts []Contact `json:"contacts"`
}

// PutContacts creates or replaces many contacts in one request (at most
// 50,000; split larger syncs). Rejected contacts are listed in the result;
// the error is for the request as a whole.
func (c *Client) PutContacts(ctx context.Context, contacts []Contact) (*BulkResult, error) {
	var out BulkResult
	err := c.do(ctx, &request{method: http.MethodPost, path: "/v1/contacts/bulk", replayable: true,
		body: bulkRequest{Contacts: contacts}, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
