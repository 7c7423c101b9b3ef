package model

// Summaries are digests Herold builds itself, with a built-in template:
// a contact's daily or weekly frequency for a category, and the roll-up
// of a throttle rule's excess ("+3 more"). They are stored as digests
// under the reserved flow key SummaryFlow (a flow key cannot start with
// "~"), with the kind in the notification column, so that the digest
// machinery (one open row per key, one message at close) serves them.
const (
	// SummaryFlow marks a stored digest as a summary.
	SummaryFlow = "~summary"
	// SummaryDaily and SummaryWeekly collect a category's mail for a
	// contact who chose that frequency; the digest key is the category.
	SummaryDaily  = FrequencyDaily
	SummaryWeekly = FrequencyWeekly
	// SummaryRollUp collects the excess of a throttle rule with
	// RollUp until the rule's window ends.
	SummaryRollUp = "roll-up"
	// SummaryAt is the local time at which frequency summaries are sent
	// (weekly ones on Mondays), in the contact's time zone.
	SummaryAt = "08:00"
	// SummaryTemplate names the built-in template of summaries in
	// messages and history.
	SummaryTemplate = "~summary"
)

// ReasonRolledUp: a throttle rule with roll-up allowed no more messages
// now; the message is collected into the summary sent when the rule's
// window ends.
const ReasonRolledUp SuppressReason = "rolled_up"

// FrequencyDigest is the calendar window of a frequency summary: daily
// at SummaryAt, or weekly on Monday at SummaryAt; nil for any other
// frequency (instantly: no summary).
func FrequencyDigest(frequency string) *Digest {
	w := DigestWindow{Type: DigestCalendar, At: SummaryAt}
	switch frequency {
	case FrequencyDaily:
		w.Every = "daily"
	case FrequencyWeekly:
		w.Every, w.Weekday = "weekly", "monday"
	default:
		return nil
	}
	return &Digest{Window: w, ShowItems: MaxDigestShowItems}
}
