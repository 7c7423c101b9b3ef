package explain

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// AddDigests adds to an event's explanation, after each step that
// collected a message into a digest, what became of that digest: still
// open with its close and count so far, or sent with its exact total
// (and its message's timeline, when the message is among msgs: it
// belongs to the digest's first event), and says in the summary that the
// event was collected (see digestSummary). digests are the digests the
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
	out.Summary = f.digestSummary(digests, msgs)
}

// digestSummary is the summary of an event whose items went into
// digests: for each digest, that the event was collected into it and when
// it is sent, or which message it became; before that, the event's other
// messages counted as Build does (a digest's message, which belongs to
// its first event, is told by its digest).
func (f *formatter) digestSummary(digests []*model.DigestState, msgs []*model.Message) string {
	byID := make(map[string]*model.Message, len(msgs))
	for _, m := range msgs {
		byID[m.ID] = m
	}
	var parts []string
	own := msgs[:0:0]
	for _, m := range msgs {
		if !slices.ContainsFunc(digests, func(d *model.DigestState) bool { return d.MessageID == m.ID }) {
			own = append(own, m)
		}
	}
	if len(own) > 0 {
		parts = append(parts, f.summary(own))
	}
	for _, d := range digests {
		data := map[string]any{"label": digestLabel(d), "what": f.cat.T(f.lang, "explain.overall.what.digest", nil)}
		if d.Flow == model.SummaryFlow {
			data["what"] = f.cat.T(f.lang, "explain.overall.what.summary", map[string]any{
				"summary": f.cat.T(f.lang, "explain.summary.kind."+d.Notification, nil)})
		}
		id := "explain.overall.open"
		switch {
		case d.Status == model.DigestClosed && d.ClosedAt != nil:
			id, data["at"], data["message"] = "explain.overall.sent", f.when(*d.ClosedAt), d.MessageID
			if m := byID[d.MessageID]; m != nil {
				id, data["status"] = id+".status", f.cat.T(f.lang, "status."+string(m.Status), nil)
			}
		default:
			data["at"] = f.when(d.ClosesAt)
			data["items"] = f.cat.TN(f.lang, "explain.overall.items", d.Total, nil)
		}
		parts = append(parts, f.cat.T(f.lang, id, data))
	}
	return strings.Join(parts, " ")
}

// digest explains one digest's state.
func (f *formatter) digest(s Step, d *model.DigestState, m *model.Message) []Step {
	label := digestLabel(d)
	params := map[string]string{"digest": d.ID, "key": d.Key, "total": strconv.Itoa(d.Total)}
	code, at := model.StepDigestOpen, d.ClosesAt
	if d.Status == model.DigestClosed && d.ClosedAt != nil {
		code, at = model.StepDigestSent, *d.ClosedAt
		params["closed_at"] = at.UTC().Format(time.RFC3339)
	} else {
		params["closes_at"] = at.UTC().Format(time.RFC3339)
	}
	data := map[string]any{"label": label, "at": f.when(at), "total": d.Total,
		"items": f.cat.TN(f.lang, "explain.overall.items", d.Total, nil), "with_items": f.cat.TN(f.lang, "explain.digest.with_items", d.Total, nil)}
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

// digestLabel names a digest for people: its recipient and key
// ("anna / T-4711").
func digestLabel(d *model.DigestState) string {
	if d.Key == "" || (d.Flow == model.SummaryFlow && d.Notification == model.SummaryRollUp) {
		// (a roll-up's key is its counter's: it names nothing for people)
		return d.Recipient
	}
	return d.Recipient + " / " + d.Key
}
