package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// PreferenceQueries keep contacts' preferences and their ledger.
type PreferenceQueries interface {
	// PreferenceApply changes a contact's preferences to the wanted values
	// (model.Contact.ApplyPreferences), appends one ledger entry per value
	// that changed and stores the derived state (the contact's
	// preferences and opt-outs), all in one transaction with the contact's
	// row locked, so two writers at once both land in the ledger in order.
	// It returns the entries written (none when everything was already
	// so). A contact that does not exist is ErrNotFound.
	PreferenceApply(ctx context.Context, p *PreferenceApplyParams) ([]model.PreferenceChange, error)
	// PreferenceChangeList returns a contact's ledger, newest first.
	PreferenceChangeList(ctx context.Context, p *PreferenceChangeListParams) ([]*model.PreferenceChange, error)
	// PreferenceStateSet stores a contact's current preferences as they
	// are, without ledger entries: for a copy of a workspace (transfer),
	// whose source derived them from its own ledger already. The contact's
	// opt-outs and times stay as they are. A contact that does not exist
	// is ErrNotFound.
	PreferenceStateSet(ctx context.Context, p *PreferenceStateSetParams) error
}

// PreferenceStateSetParams set a contact's current preferences.
type PreferenceStateSetParams struct {
	WorkspaceID int64
	ContactID   string
	Preferences []model.Preference
}

// PreferenceApplyParams change a contact's preferences.
type PreferenceApplyParams struct {
	WorkspaceID int64
	ContactID   string
	// Sets are the wanted values; the caller validates them.
	Sets   []model.PreferenceSet
	Source model.PreferenceSource
	Actor  string
	At     time.Time
}

// PreferenceChangeListParams read one page of a contact's ledger: the
// Limit entries older than Before (an entry id; 0 for the newest).
type PreferenceChangeListParams struct {
	WorkspaceID int64
	ContactID   string
	Before      int64
	Limit       int
}
