package model

import (
	"slices"
	"time"
)

// PreferenceSource says who changed a preference: the ledger keeps it
// with every change, and explain names it.
type PreferenceSource string

// Preference sources.
const (
	// PrefByPage: the recipient on the hosted preference page.
	PrefByPage PreferenceSource = "page"
	// PrefByOneClick: the one-click unsubscribe of a mail (RFC 8058) or
	// the button of its page.
	PrefByOneClick PreferenceSource = "one_click"
	// PrefByAPI: the host application through the API.
	PrefByAPI PreferenceSource = "api"
	// PrefByAdmin: an administrator in the cockpit.
	PrefByAdmin PreferenceSource = "admin"
	// PrefByComplaint: the recipient reported a message as spam.
	PrefByComplaint PreferenceSource = "complaint"
)

// PreferenceSources lists the sources (for validation and documentation).
var PreferenceSources = []PreferenceSource{PrefByPage, PrefByOneClick, PrefByAPI, PrefByAdmin, PrefByComplaint}

// Preference settings: a channel a recipient opts in to or out of, or the
// frequency of a category.
const (
	// SettingFrequency is the setting of a category's frequency.
	SettingFrequency = "frequency"
)

// PreferenceChannels are the channels a recipient opts in to or out of
// per category; a webhook goes to a system, not to a person.
var PreferenceChannels = []string{ChannelEmail, ChannelInApp}

// Values of a channel setting.
const (
	ValueIn  = "in"
	ValueOut = "out"
)

// Frequencies a recipient may choose for a category, where the
// workspace allows it.
const (
	FrequencyInstantly = "instantly"
	FrequencyDaily     = "daily"
	FrequencyWeekly    = "weekly"
)

// Frequencies lists the frequencies in the order pages show them.
var Frequencies = []string{FrequencyInstantly, FrequencyDaily, FrequencyWeekly}

// ValidPreference reports whether value is a value of setting.
func ValidPreference(setting, value string) bool {
	switch {
	case setting == SettingFrequency:
		return slices.Contains(Frequencies, value)
	case slices.Contains(PreferenceChannels, setting):
		return value == ValueIn || value == ValueOut
	}
	return false
}

// Preference is a contact's current choice for one category and setting:
// the last change of the ledger for that pair, with its source and time,
// so that explain can name who decided and when.
type Preference struct {
	Category string `json:"category"`
	// Setting is a channel (email, inapp) or "frequency".
	Setting string `json:"setting"`
	// Value is "in" or "out" for a channel, a frequency for "frequency".
	Value  string           `json:"value"`
	Source PreferenceSource `json:"source"`
	At     time.Time        `json:"at"`
}

// PreferenceChange is one entry of the preference ledger: who changed
// which setting of which category of a contact, when, from what to what.
type PreferenceChange struct {
	ID        int64  `json:"id"`
	ContactID string `json:"contact_id"`
	Category  string `json:"category"`
	Setting   string `json:"setting"`
	// Old is the effective value before the change: a channel the
	// contact's opt-outs list counts as "out", a frequency never chosen
	// as "instantly".
	Old    string           `json:"old"`
	New    string           `json:"new"`
	Source PreferenceSource `json:"source"`
	// Actor names who acted where known: the administrator's user name,
	// the API key's id, the recipient's address.
	Actor string    `json:"actor,omitempty"`
	At    time.Time `json:"at"`
}

// PreferenceSet is one wanted value of a preference change request.
type PreferenceSet struct {
	Category string `json:"category"`
	Setting  string `json:"setting"`
	Value    string `json:"value"`
}

// PreferenceOf returns c's current preference for category and setting,
// or nil when none was ever recorded.
func (c *Contact) PreferenceOf(category, setting string) *Preference {
	for i := range c.Preferences {
		if p := &c.Preferences[i]; p.Category == category && p.Setting == setting {
			return p
		}
	}
	return nil
}

// ChannelOptedOut reports whether c is opted out of category on channel:
// by its preference for the channel or by its opt-outs (every channel).
// The preference is returned when it is what opts out, for explain.
func (c *Contact) ChannelOptedOut(category, channel string) (bool, *Preference) {
	if p := c.PreferenceOf(category, channel); p != nil && p.Value == ValueOut {
		return true, p
	}
	return c.OptedOut(category), nil
}

// Frequency returns the frequency c chose for category, "instantly"
// when none: the digest reads it to decide whether a message of the
// category waits for the recipient's daily or weekly digest.
func (c *Contact) Frequency(category string) string {
	if p := c.PreferenceOf(category, SettingFrequency); p != nil {
		return p.Value
	}
	return FrequencyInstantly
}

// Effective returns c's current value of setting for category: for a
// channel "in" exactly when a message of the category would reach c on
// it (not opted out, and consent given where the category needs it).
func (c *Contact) Effective(category, setting string) string {
	if setting == SettingFrequency {
		return c.Frequency(category)
	}
	if c.Suppression(category, setting) != "" {
		return ValueOut
	}
	return ValueIn
}

// ApplyPreferences changes c's preferences to the wanted values and
// returns the ledger entries of what actually changed (a value already
// in effect gives none). It keeps OptOuts consistent as derived state: a
// category is listed exactly when every channel of it is opted out, so
// schedules and host apps that read opt_outs see the same. The caller
// validates sets.
func (c *Contact) ApplyPreferences(sets []PreferenceSet, source PreferenceSource, actor string, at time.Time) []PreferenceChange {
	var changes []PreferenceChange
	touched := map[string]bool{}
	for _, s := range sets {
		if c.unchanged(s) {
			continue
		}
		old := c.Effective(s.Category, s.Setting)
		changes = append(changes, PreferenceChange{ContactID: c.ID, Category: s.Category, Setting: s.Setting,
			Old: old, New: s.Value, Source: source, Actor: actor, At: at})
		if s.Setting != SettingFrequency && !touched[s.Category] {
			// The opt-outs list stands for every channel: spell it out
			// per channel before one channel changes.
			touched[s.Category] = true
			for _, ch := range PreferenceChannels {
				if c.PreferenceOf(s.Category, ch) == nil && c.OptedOut(s.Category) {
					// No source: the ledger has no entry for it.
					c.setPreference(Preference{Category: s.Category, Setting: ch, Value: ValueOut, At: at})
				}
			}
		}
		c.setPreference(Preference{Category: s.Category, Setting: s.Setting, Value: s.Value, Source: source, At: at})
	}
	for cat := range touched {
		allOut := true
		for _, ch := range PreferenceChannels {
			if p := c.PreferenceOf(cat, ch); p == nil || p.Value != ValueOut {
				allOut = false
			}
		}
		c.OptOuts = slices.DeleteFunc(slices.Clone(c.OptOuts), func(x string) bool { return x == cat })
		if allOut {
			c.OptOuts = append(c.OptOuts, cat)
		}
	}
	return changes
}

func (c *Contact) setPreference(p Preference) {
	if cur := c.PreferenceOf(p.Category, p.Setting); cur != nil {
		*cur = p
		return
	}
	c.Preferences = append(c.Preferences, p)
}

// OptOutEverywhere are the settings that opt out of category on every
// channel: what one-click unsubscribe and a complaint do.
func OptOutEverywhere(category string) []PreferenceSet {
	sets := make([]PreferenceSet, len(PreferenceChannels))
	for i, ch := range PreferenceChannels {
		sets[i] = PreferenceSet{Category: category, Setting: ch, Value: ValueOut}
	}
	return sets
}

// recorded returns the value c's preferences or opt-outs hold for a
// channel of category, "" when neither says anything (consent decides).
func (c *Contact) recorded(category, channel string) string {
	if p := c.PreferenceOf(category, channel); p != nil {
		return p.Value
	}
	if c.OptedOut(category) {
		return ValueOut
	}
	return ""
}

// unchanged reports whether setting s changes nothing: the value is
// recorded already, or it is "in" and in effect (consent given). An "out"
// without consent is recorded all the same, so that a consent given later
// does not undo the recipient's opt-out.
func (c *Contact) unchanged(s PreferenceSet) bool {
	if s.Setting == SettingFrequency {
		return c.Frequency(s.Category) == s.Value
	}
	rec := c.recorded(s.Category, s.Setting)
	return rec == s.Value || rec == "" && s.Value == ValueIn && c.Effective(s.Category, s.Setting) == ValueIn
}
