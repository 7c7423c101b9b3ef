package explain

import (
	"strconv"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// AddDigests adds to an event's explanation, after each step that
// collected a message into a digest, what became of that digest: still
// open with its close and count so far, or sent with its exact total
// (and its message's timeline, when the message is among msgs: it
// belongs to the digest's first event). digests are the digests the
// event's items went into.
func (x *Explainer) AddDigests(out *Explanation, digests []*model.DigestState, msgs []*model.Message, loc *time.Location) {
	if len(digests) == 0 {
		return
	}
	byID := make(map[string]*model.Message, len(msgs))
	for _, m := range msgs {
		byID[m.ID] = m
	}
	f := &formatter{cat: x.cat, lang: out.Language, loc: loc}
	steps := make([]Step, 0, len(out.Steps)+len(digests))
	for _, s := range out.Steps {
		steps = append(steps, s)
		if s.Params["summary_key"] != "" {
			// A frequency summary or a throttle's roll-up.
			for _, d := range digests {
				if d.Flow == model.SummaryFlow && d.Key == s.Params["summary_key"] && d.Recipient == s.Recipient {
					steps = append(steps, f.digest(s, d, byID[d.MessageID])...)
				}
			}
			continue
		}
		if s.Code != model.StepDigestCollected {
			continue
		}
		for _, d := range digests {
			if d.Flow != model.SummaryFlow && d.Notification == s.Notification && d.Recipient == s.Recipient {
				steps = append(steps, f.digest(s, d, byID[d.MessageID])...)
			}
		}
	}
	out.Steps = steps
}

// digest explains one digest's state.
func (f *formatter) digest(s Step, d *model.DigestState, m *model.Message) []Step {
	label := d.Recipient
	if d.Key != "" && !(d.Flow == model.SummaryFlow && d.Notification == model.SummaryRollUp) {
		// (a roll-up's key is its counter's: it names nothing for people)
		label += " / " + d.Key
	}
	params := map[string]string{"digest": d.ID, "key": d.Key, "total": strconv.Itoa(d.Total)}
	code, at := model.StepDigestOpen, d.ClosesAt
	if d.Status == model.DigestClosed && d.ClosedAt != nil {
		code, at = model.StepDigestSent, *d.ClosedAt
		params["closed_at"] = at.UTC().Format(time.RFC3339)
	} else {
		params["closes_at"] = at.UTC().Format(time.RFC3339)
	}
	data := map[string]any{"label": label, "at": f.when(at), "total": d.Total}
	if d.Flow == model.SummaryFlow {
		// "the daily summary for anna / newsletter"
		code = map[model.StepCode]model.StepCode{model.StepDigestOpen: model.StepSummaryOpen,
			model.StepDigestSent: model.StepSummarySent}[code]
		data["summary"] = f.cat.T(f.lang, "explain.summary.kind."+d.Notification, nil)
		params["summary"] = d.Notification
	}
	out := []Step{{Code: code, Notification: s.Notification, Recipient: s.Recipient, Message: d.MessageID, At: &at,
		Params: params, Text: f.cat.T(f.lang, "explain."+string(code), data)}}
	if m != nil {
		out = append(out, f.timeline(model.Step{Notification: s.Notification, Recipient: s.Recipient}, m)...)
	}
	return out
}
