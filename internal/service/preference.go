package service

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// MaxPreferenceCategories bounds the categories of one preference
// request and the categories a preference view lists.
const MaxPreferenceCategories = 100

// preferenceLedgerShown is how many ledger entries a preference view
// carries (the newest).
const preferenceLedgerShown = 50

// Preferences is a contact's preferences per category, as the API, the
// preference page and the cockpit show them, with the newest entries of
// its ledger.
type Preferences struct {
	ContactID  string               `json:"contact_id"`
	Categories []CategoryPreference `json:"categories"`
	// Changes are the newest entries of the contact's ledger, newest
	// first.
	Changes []*model.PreferenceChange `json:"changes"`
}

// CategoryPreference is a contact's choice for one category. In a
// request an empty field leaves that setting as it is.
type CategoryPreference struct {
	Category string `json:"category"`
	// Locked is true for transactional messages: they need no consent and
	// cannot be opted out of (responses only).
	Locked bool `json:"locked,omitempty"`
	// Email and InApp are "in" or "out": whether messages of the category
	// reach the contact on that channel.
	Email string `json:"email,omitempty"`
	InApp string `json:"inapp,omitempty"`
	// Frequency is instantly, daily or weekly: one the workspace allows
	// for the category (a request with another is refused; a stored
	// choice the workspace no longer allows is shown as instantly).
	Frequency string `json:"frequency,omitempty"`
	// Frequencies are the frequencies the workspace allows for the
	// category (responses only): more than one means the recipient may
	// choose.
	Frequencies []string `json:"frequencies,omitempty"`
}

// PreferencesGet returns a contact's preferences for the workspace's
// categories (those of its notifications) and the categories the contact
// has consents, opt-outs or preferences in.
func (s *Service) PreferencesGet(ctx context.Context, ws *model.Workspace, contactID string) (*Preferences, error) {
	c, err := s.store.ContactGet(ctx, ws.ID, contactID)
	if err != nil {
		return nil, mapNotFound(err, "contact %q", contactID)
	}
	cats, err := s.preferenceCategories(ctx, ws, c)
	if err != nil {
		return nil, err
	}
	changes, err := s.store.PreferenceChangeList(ctx, &store.PreferenceChangeListParams{WorkspaceID: ws.ID,
		ContactID: contactID, Limit: preferenceLedgerShown})
	if err != nil {
		return nil, fmt.Errorf("load preference ledger: %w", err)
	}
	if changes == nil {
		changes = []*model.PreferenceChange{}
	}
	return &Preferences{ContactID: c.ID, Categories: categoryPreferences(&ws.Vocabulary, c, cats), Changes: changes}, nil
}

// PreferencesUpdate sets the given settings of a contact's preferences;
// settings left empty stay as they are. Every value that changes is
// written to the ledger with source and actor (who: an API key's id, an
// administrator's name, the recipient's address). It returns the
// preferences after the change.
func (s *Service) PreferencesUpdate(ctx context.Context, ws *model.Workspace, contactID string, in []CategoryPreference, source model.PreferenceSource, actor string) (*Preferences, error) {
	if _, err := s.applyPreferences(ctx, ws, contactID, in, source, actor); err != nil {
		return nil, err
	}
	return s.PreferencesGet(ctx, ws, contactID)
}

// applyPreferences validates and applies in, returning the ledger
// entries written.
func (s *Service) applyPreferences(ctx context.Context, ws *model.Workspace, contactID string, in []CategoryPreference, source model.PreferenceSource, actor string) ([]model.PreferenceChange, error) {
	sets, err := checkPreferences(in, &ws.Vocabulary)
	if err != nil || len(sets) == 0 {
		return nil, err
	}
	changes, err := s.store.PreferenceApply(ctx, &store.PreferenceApplyParams{WorkspaceID: ws.ID, ContactID: contactID,
		Sets: sets, Source: source, Actor: actor, At: s.now()})
	if err != nil {
		return nil, mapNotFound(err, "contact %q", contactID)
	}
	return changes, nil
}

// ContactFrequency returns the frequency a contact chose for category:
// instantly (the default), daily or weekly. A digest asks it whether a
// message of the category waits for the recipient's daily or weekly
// digest.
func ContactFrequency(c *model.Contact, category string) string {
	if category == model.CategoryTransactional {
		return model.FrequencyInstantly
	}
	return c.Frequency(category)
}

// checkPreferences validates a request's categories and turns them into
// the settings to apply: a frequency must be one the workspace's
// vocabulary allows for the category.
func checkPreferences(in []CategoryPreference, voc *model.Vocabulary) ([]model.PreferenceSet, error) {
	var c checker
	if len(in) > MaxPreferenceCategories {
		c.add("categories", CodeTooMany, "at most %d categories per request", MaxPreferenceCategories)
		return nil, c.err()
	}
	var sets []model.PreferenceSet
	seen := map[string]bool{}
	for i, p := range in {
		field := fmt.Sprintf("categories[%d]", i)
		c.name(field+".category", p.Category)
		switch {
		case p.Category == model.CategoryTransactional:
			c.add(field+".category", CodeInvalid, "transactional messages are always sent: they cannot be opted out of")
			continue
		case seen[p.Category]:
			c.add(field+".category", CodeDuplicate, "%q is given twice", p.Category)
		}
		seen[p.Category] = true
		for _, v := range []struct{ setting, field, value string }{
			{model.ChannelEmail, "email", p.Email}, {model.ChannelInApp, "inapp", p.InApp},
			{model.SettingFrequency, "frequency", p.Frequency},
		} {
			if v.value == "" {
				continue
			}
			if !model.ValidPreference(v.setting, v.value) {
				want := `"in" or "out"`
				if v.setting == model.SettingFrequency {
					want = `"instantly", "daily" or "weekly"`
				}
				c.add(field+"."+v.field, CodeInvalid, "%q is not a value: give %s", v.value, want)
				continue
			}
			if v.setting == model.SettingFrequency && !voc.AllowsFrequency(p.Category, v.value) {
				c.add(field+".frequency", CodeInvalid, "the workspace does not offer %q for %q: give one of %s",
					v.value, p.Category, strings.Join(voc.AllowedFrequencies(p.Category), ", "))
				continue
			}
			sets = append(sets, model.PreferenceSet{Category: p.Category, Setting: v.setting, Value: v.value})
		}
	}
	return sets, c.err()
}

// preferenceCategories lists the categories a contact's preferences are
// shown for: the workspace's notifications' and the contact's own,
// transactional first, the rest sorted, at most MaxPreferenceCategories.
func (s *Service) preferenceCategories(ctx context.Context, ws *model.Workspace, c *model.Contact) ([]string, error) {
	set := map[string]bool{}
	for _, cat := range slices.Concat(c.Consents, c.OptOuts) {
		set[cat] = true
	}
	for _, p := range c.Preferences {
		set[p.Category] = true
	}
	after := ""
	for {
		flows, err := s.store.FlowList(ctx, &store.ListParams{WorkspaceID: ws.ID, After: after, Limit: 100})
		if err != nil {
			return nil, fmt.Errorf("load flows: %w", err)
		}
		for _, f := range flows {
			for _, n := range f.Notifications {
				set[n.Category] = true
			}
		}
		if len(flows) < 100 || len(set) > MaxPreferenceCategories {
			break
		}
		after = flows[len(flows)-1].Key
	}
	delete(set, model.CategoryTransactional)
	delete(set, "")
	cats := slices.Sorted(maps.Keys(set))
	if len(cats) > MaxPreferenceCategories-1 {
		cats = cats[:MaxPreferenceCategories-1]
	}
	return append([]string{model.CategoryTransactional}, cats...), nil
}

// categoryPreferences is c's effective choice for each category, with
// the frequencies the workspace allows for it.
func categoryPreferences(voc *model.Vocabulary, c *model.Contact, cats []string) []CategoryPreference {
	out := make([]CategoryPreference, len(cats))
	for i, cat := range cats {
		out[i] = CategoryPreference{Category: cat, Locked: cat == model.CategoryTransactional,
			Email: c.Effective(cat, model.ChannelEmail), InApp: c.Effective(cat, model.ChannelInApp),
			Frequency: voc.EffectiveFrequency(cat, ContactFrequency(c, cat)), Frequencies: voc.AllowedFrequencies(cat)}
	}
	return out
}
