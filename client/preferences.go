package client

import (
	"context"
	"net/http"
	"time"
)

// Preferences are a contact's choices per category, with the newest
// entries of its preference ledger.
type Preferences struct {
	ContactID  string               `json:"contact_id"`
	Categories []CategoryPreference `json:"categories"`
	// Changes are the newest 50 ledger entries, newest first.
	Changes []PreferenceChange `json:"changes"`
}

// CategoryPreference is a contact's choice for one category: Email and
// InApp are "in" or "out", Frequency is "instantly", "daily" or "weekly".
// Locked marks transactional messages, which are always sent.
type CategoryPreference struct {
	Category  string `json:"category"`
	Locked    bool   `json:"locked,omitempty"`
	Email     string `json:"email"`
	InApp     string `json:"inapp"`
	Frequency string `json:"frequency"`
	// Frequencies are the frequencies the workspace allows for the
	// category; more than one means the contact may choose.
	Frequencies []string `json:"frequencies,omitempty"`
}

// PreferenceUpdate changes the settings of one category; empty fields
// stay as they are.
type PreferenceUpdate struct {
	Category  string `json:"category"`
	Email     string `json:"email,omitempty"`
	InApp     string `json:"inapp,omitempty"`
	Frequency string `json:"frequency,omitempty"`
}

// PreferenceChange is one entry of the preference ledger: who (Source:
// page, one_click, api, admin, complaint; Actor where known) changed
// which Setting (email, inapp, frequency) of which category, when, from
// Old to New.
type PreferenceChange struct {
	ID        int64     `json:"id"`
	ContactID string    `json:"contact_id"`
	Category  string    `json:"category"`
	Setting   string    `json:"setting"`
	Old       string    `json:"old"`
	New       string    `json:"new"`
	Source    string    `json:"source"`
	Actor     string    `json:"actor,omitempty"`
	At        time.Time `json:"at"`
}

type preferencesRequest struct {
	Categories []PreferenceUpdate `json:"categories"`
}

// Preferences returns a contact's preferences; ErrNotFound when there is
// no such contact.
func (c *Client) Preferences(ctx context.Context, contactID string) (*Preferences, error) {
	var out Preferences
	err := c.do(ctx, &request{method: http.MethodGet, path: "/v1/contacts/" + escape(contactID) + "/preferences", out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// SetPreferences changes the given settings of a contact's preferences
// (recorded in its ledger as changed by the API) and returns the
// preferences after the change. A rejected value is a *ValidationError
// naming the field, e.g. categories[0].email.
func (c *Client) SetPreferences(ctx context.Context, contactID string, updates []PreferenceUpdate) (*Preferences, error) {
	if updates == nil {
		updates = []PreferenceUpdate{} // the API wants a list
	}
	var out Preferences
	err := c.do(ctx, &request{method: http.MethodPut, path: "/v1/contacts/" + escape(contactID) + "/preferences",
		body: preferencesRequest{Categories: updates}, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
