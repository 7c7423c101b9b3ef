package plan

import (
	"strconv"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// summarize collects a queued e-mail of n into the recipient contact's
// daily or weekly summary when they chose that frequency for n's
// category and the workspace ws allows it, and reports whether it did.
// Transactional mail, mail to literal addresses and mail awaiting
// confirmation always go at once; a notification with its own digest
// keeps it (collect runs first).
func summarize(m *Message, params map[string]string, ws *model.Workspace, now time.Time) bool {
	n, c := m.Notification, m.To.Contact
	if c == nil || m.Status != model.MsgQueued || n.Category == model.CategoryTransactional {
		return false
	}
	// A choice the admin no longer allows counts as "instantly".
	freq := ws.Vocabulary.EffectiveFrequency(n.Category, c.Frequency(n.Category))
	loc := ws.Location()
	d := model.FrequencyDigest(freq, ws.SummarySchedule)
	if d == nil {
		return false
	}
	if c.Timezone != "" {
		loc = model.LoadLocation(c.Timezone)
	}
	m.Digest, m.Summary = d, freq
	params["summary"] = freq
	params["category"] = n.Category
	params["summary_key"] = n.Category
	params["closes_at"] = d.Deadline(now, loc).UTC().Format(time.RFC3339)
	return true
}

// RolledUp collects m, whose counter c with roll-up was full at count,
// into the summary that closes when c's window ends, and records the
// rule and the count in its trace step s (reason rolled_up). It returns
// the summary's key (see RollUpKey).
func RolledUp(m *Message, s *model.Step, c ThrottleCounter, count int) string {
	Throttled(m, s, c, count)
	key := RollUpKey(c)
	m.Reason = model.ReasonRolledUp
	s.Params["reason"] = string(model.ReasonRolledUp)
	s.Params["summary"] = model.SummaryRollUp
	s.Params["summary_key"] = key
	return key
}

// RollUpKey is the key of the roll-up summary of counter c: one per
// counter (rule, scope, recipient) and window.
func RollUpKey(c ThrottleCounter) string {
	return c.Key + "|" + strconv.FormatInt(c.Start.Unix(), 10)
}
