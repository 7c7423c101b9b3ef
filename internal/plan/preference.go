package plan

import (
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// preferenceParams returns the trace parameters that name the preference
// an opt-out comes from (who set it and when, from the ledger's derived
// state), so that explain can say "opted out of newsletter by the
// preference page on 2026-12-01"; nil for any other reason or an opt-out
// without a recorded source (the host app's opt_outs).
func preferenceParams(r Recipient, category, channel string, reason model.SuppressReason) map[string]string {
	if reason != model.ReasonOptedOut || r.Contact == nil {
		return nil
	}
	_, p := r.Contact.ChannelOptedOut(category, channel)
	if p == nil || p.Source == "" {
		return nil
	}
	return map[string]string{"pref_source": string(p.Source), "pref_channel": channel,
		"pref_at": p.At.UTC().Format(time.RFC3339)}
}
