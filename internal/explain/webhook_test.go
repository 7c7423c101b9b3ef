package explain

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// The webhook channel's step says what became of its post as the
// delivery stands — waiting, failed so far and retried, delivered,
// failed for good, never recorded — with the recipients counted in
// proper singular and plural, in both languages.
func TestWebhookPostIsExplainedByItsDelivery(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	next := at.Add(30 * time.Second)
	payload, err := json.Marshal(map[string]any{"type": model.WebhookChannelPost,
		"data": map[string]any{"notification": map[string]any{"key": "crm"}}})
	require.NoError(t, err)
	delivery := func(status string, attempts int, reason string) *model.WebhookDelivery {
		d := &model.WebhookDelivery{ID: "msg_1", EndpointID: "whe_1", Type: model.WebhookChannelPost, EventID: "evt-1",
			Payload: payload, Status: status, Attempts: attempts, LastReason: reason, NextAt: &next, UpdatedAt: at}
		if status != model.DeliveryPending {
			d.NextAt = nil
		}
		return d
	}
	for _, tc := range []struct {
		name       string
		recipients string
		d          *model.WebhookDelivery
		en, de     string
	}{
		{"waiting", "1", delivery(model.DeliveryPending, 0, ""),
			"The event waits to be posted once to the webhook endpoint whe_1, with 1 recipient; nothing has been posted yet.",
			"Das Ereignis wartet darauf, einmal an den Webhook-Endpunkt whe_1 gesendet zu werden, mit 1 Empfänger; bisher wurde nichts gesendet."},
		{"retrying after a name that does not resolve", "1",
			delivery(model.DeliveryPending, 1, "Post \"https://crm.invalid/x\": dial tcp: lookup crm.invalid: no such host"),
			"The event has not reached the webhook endpoint whe_1 yet (with 1 recipient): 1 attempt failed. Herold tries again on 2026-03-02 at 09:00. " +
				"Last: The URL's server name could not be resolved. Check the endpoint's URL for typos.",
			"Das Ereignis ist noch nicht beim Webhook-Endpunkt whe_1 angekommen (mit 1 Empfänger): 1 Versuch ist gescheitert. Herold versucht es am 02.03.2026 um 09:00 erneut. " +
				"Zuletzt: Der Servername der URL ließ sich nicht auflösen. Prüfen Sie die URL des Endpunkts auf Tippfehler."},
		{"retrying after answers", "3", delivery(model.DeliveryPending, 2, "HTTP 500"),
			"The event has not reached the webhook endpoint whe_1 yet (with 3 recipients): 2 attempts failed. Herold tries again on 2026-03-02 at 09:00. Last: answer HTTP 500",
			"Das Ereignis ist noch nicht beim Webhook-Endpunkt whe_1 angekommen (mit 3 Empfängern): 2 Versuche sind gescheitert. Herold versucht es am 02.03.2026 um 09:00 erneut. Zuletzt: Antwort HTTP 500"},
		{"delivered", "2", delivery(model.DeliveryDelivered, 3, ""),
			"The event was posted to the webhook endpoint whe_1 on 2026-03-02 at 09:00, with 2 recipients; the endpoint accepted it (attempt 3).",
			"Das Ereignis wurde am 02.03.2026 um 09:00 an den Webhook-Endpunkt whe_1 gesendet, mit 2 Empfängern; der Endpunkt hat es angenommen (Versuch 3)."},
		{"failed for good", "1", delivery(model.DeliveryFailed, 1, "HTTP 410"),
			"Posting the event to the webhook endpoint whe_1 (with 1 recipient) failed for good on 2026-03-02 at 09:00, after 1 attempt: " +
				"The endpoint answered 410 Gone: it wants no more deliveries. Turn it on again if that was a mistake.",
			"Das Ereignis ließ sich nicht an den Webhook-Endpunkt whe_1 senden (mit 1 Empfänger); Herold hat am 02.03.2026 um 09:00 nach 1 Versuch aufgegeben: " +
				"Der Endpunkt hat mit 410 Gone geantwortet: Er möchte keine Zustellungen mehr. Schalten Sie ihn wieder ein, falls das ein Irrtum war."},
		{"never recorded", "2", nil,
			"Nothing was posted to the webhook endpoint whe_1 (with 2 recipients): no delivery is recorded, as the endpoint was disabled or deleted when the event came in.",
			"An den Webhook-Endpunkt whe_1 wurde nichts gesendet (mit 2 Empfängern): Es ist keine Zustellung verzeichnet, weil der Endpunkt beim Eingang des Ereignisses abgeschaltet oder gelöscht war."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev := &model.Event{ID: "evt-1", Type: "ping", Project: "p", Trace: []model.Step{
				{Code: model.StepWebhookQueued, Notification: "crm", Params: map[string]string{"endpoint": "whe_1", "recipients": tc.recipients}},
			}}
			var hooks []*model.WebhookDelivery
			if tc.d != nil {
				// another notification's post to the same endpoint is not this one's
				other := *tc.d
				other.ID, other.Payload, other.Status = "msg_0", []byte(`{"data":{"notification":{"key":"other"}}}`), model.DeliveryDelivered
				hooks = []*model.WebhookDelivery{&other, tc.d}
			}
			for lang, want := range map[string]string{"en": tc.en, "de": tc.de} {
				ex := New(cat).Build(ev, nil, lang, time.UTC)
				New(cat).AddWebhooks(ex, hooks, time.UTC)
				got := steps(t, ex, model.StepWebhookQueued)
				require.Len(t, got, 1)
				require.Equal(t, want, got[0].Text, lang)
				if tc.d != nil {
					require.Equal(t, tc.d.ID, got[0].Params["delivery"])
					require.Equal(t, tc.d.Status, got[0].Params["status"])
				}
			}
		})
	}
	// A dry run has no delivery: the step says what the channel does.
	ev := &model.Event{Trace: []model.Step{{Code: model.StepWebhookQueued, Notification: "crm",
		Params: map[string]string{"endpoint": "whe_1", "recipients": "1"}}}}
	require.Equal(t, "Der Webhook-Kanal sendet das Ereignis einmal an den Endpunkt whe_1, mit 1 Empfänger.",
		steps(t, New(cat).Build(ev, nil, "de", time.UTC), model.StepWebhookQueued)[0].Text)
}
