package plan

import (
	"strconv"

	"github.com/herold-dev/herold/internal/model"
)

// collect marks a queued e-mail of a notification with a digest as
// collected into its digest, adding the window to the step's params, and
// reports whether it did. A message awaiting confirmation is not
// collected (validation refuses digests on such notifications).
func collect(m *Message, params map[string]string) bool {
	d := m.Notification.Digest
	if d == nil || m.Status != model.MsgQueued {
		return false
	}
	m.Digest = d
	params["key"] = d.Key
	params["window"] = d.Window.Type
	if d.MaxItems > 0 {
		params["max_items"] = strconv.Itoa(d.MaxItems)
	}
	return true
}

// Label names a recipient as the trace does: the contact id, else the
// address (a digest's recipient is stored under it, so that explain
// finds the digest of a trace step).
func Label(r Recipient) string { return label(r) }
