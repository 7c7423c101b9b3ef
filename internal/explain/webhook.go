package explain

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// webhookRecipients says how many recipients a post of the webhook
// channel carries ("with 2 recipients"), from the step's params.
func (f *formatter) webhookRecipients(params map[string]string) string {
	n, _ := strconv.Atoi(params["recipients"])
	return f.cat.TN(f.lang, "explain.webhook.recipients", n, nil)
}

// AddWebhooks words each webhook.queued step of an event's explanation by
// what became of its post, as the delivery stands: waiting to be posted,
// failed so far and retried, delivered, or failed for good; and says so
// when no delivery was recorded. hooks are the event's webhook
// deliveries. Without AddWebhooks (a dry run) the step says what the
// channel does.
func (x *Explainer) AddWebhooks(out *Explanation, hooks []*model.WebhookDelivery, loc *time.Location) {
	f := &formatter{cat: x.cat, lang: out.Language, loc: loc}
	used := map[string]bool{}
	for i := range out.Steps {
		s := &out.Steps[i]
		if s.Code != model.StepWebhookQueued {
			continue
		}
		d := channelDelivery(hooks, s.Params["endpoint"], s.Notification, used)
		f.webhookStep(s, d)
	}
}

// channelDelivery finds the post of the webhook channel for notification
// to endpoint among hooks that is not used yet.
func channelDelivery(hooks []*model.WebhookDelivery, endpoint, notification string, used map[string]bool) *model.WebhookDelivery {
	for _, d := range hooks {
		if d.Type != model.WebhookChannelPost || d.EndpointID != endpoint || used[d.ID] {
			continue
		}
		var p struct {
			Data struct {
				Notification struct {
					Key string `json:"key"`
				} `json:"notification"`
			} `json:"data"`
		}
		if json.Unmarshal(d.Payload, &p) == nil && p.Data.Notification.Key == notification {
			used[d.ID] = true
			return d
		}
	}
	return nil
}

// webhookStep rewords s by its delivery d (nil: none was recorded).
func (f *formatter) webhookStep(s *Step, d *model.WebhookDelivery) {
	data := map[string]any{"endpoint": s.Params["endpoint"], "recipients": f.webhookRecipients(s.Params)}
	params := make(map[string]string, len(s.Params)+3)
	for k, v := range s.Params {
		params[k] = v
	}
	s.Params = params
	if d == nil {
		s.Text = f.cat.T(f.lang, "explain.webhook.missing", data)
		return
	}
	params["delivery"], params["status"], params["attempts"] = d.ID, d.Status, strconv.Itoa(d.Attempts)
	if d.LastReason != "" {
		params["reason"] = d.LastReason
	}
	data["why"], _ = WebhookReason(f.cat, f.lang, d.LastReason)
	data["attempts"] = d.Attempts
	id := "explain.webhook.pending"
	switch {
	case d.Status == model.DeliveryDelivered:
		id, data["at"] = "explain.webhook.delivered", f.when(d.UpdatedAt)
		s.At = &d.UpdatedAt
	case d.Status == model.DeliveryFailed && d.Attempts == 0:
		id = "explain.webhook.failed.none"
		s.At = &d.UpdatedAt
	case d.Status == model.DeliveryFailed:
		id, data["at"] = "explain.webhook.failed", f.when(d.UpdatedAt)
		data["after"] = f.cat.TN(f.lang, "explain.webhook.after_attempts", d.Attempts, nil)
		s.At = &d.UpdatedAt
	case d.Attempts > 0: // pending again after failed attempts
		id = "explain.webhook.retrying"
		data["failed"] = f.cat.TN(f.lang, "explain.webhook.attempts_failed", d.Attempts, nil)
		if d.NextAt != nil {
			data["next"] = f.when(*d.NextAt)
			params["next_attempt_at"] = d.NextAt.UTC().Format(time.RFC3339)
		} else {
			id += ".waiting"
		}
	}
	s.Text = f.cat.T(f.lang, id, data)
}
