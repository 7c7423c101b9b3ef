package explain

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// Recipients found as watchers are named "watcher of ticket 4711", and an
// object without watchers says so, in English and German.
func TestWatchersAreExplained(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	m := message(model.MsgQueued)
	ev := &model.Event{ID: "evt-1", Type: "ticket.updated", Project: "support",
		Object: &model.ObjectRef{Collection: "ticket", ID: "4711"}, Trace: []model.Step{
			{Code: model.StepNoWatchers, Notification: "cc", Params: map[string]string{"collection": "ticket", "id": "4711", "field": "cc"}},
			{Code: model.StepMessageQueued, Notification: "n", Recipient: "anna", Message: m.ID,
				Params: map[string]string{"via": "watchers"}},
			{Code: model.StepMessageAwaiting, Notification: "n", Recipient: "ben", Params: map[string]string{"via": "watchers"}},
			{Code: model.StepRecipientDuplicate, Notification: "n", Recipient: "ben",
				Params: map[string]string{"via": "watchers", "first_via": "role:assignee (object)"}},
			{Code: model.StepMessageQueued, Notification: "n", Recipient: "clara", Params: map[string]string{"via": "role:assignee (object)"}},
		}}
	texts := func(lang string) []string {
		var out []string
		for _, s := range New(cat).Build(ev, []*model.Message{m}, lang, nil).Steps {
			out = append(out, s.Text)
		}
		return out
	}
	require.Equal(t, []string{
		"Notification cc: the ticket 4711 has no watchers.",
		"The message to Anna <anna@example.org> (watcher of ticket 4711) was queued for delivery.",
		"The message to ben (watcher of ticket 4711) is held until someone approves or declines it.",
		"ben is reached both via role:assignee (object) and via watcher of ticket 4711 and gets one message.",
		"The message to clara was queued for delivery.",
	}, texts("en"))
	require.Equal(t, []string{
		"Benachrichtigung cc: ticket 4711 hat keine Beobachter.",
		"Die Nachricht an Anna <anna@example.org> (Beobachter von ticket 4711) wurde zum Versand eingereiht.",
		"Die Nachricht an ben (Beobachter von ticket 4711) wird zurückgehalten, bis jemand sie freigibt oder ablehnt (Nachfrage).",
		"ben ist sowohl über role:assignee (object) als auch über Beobachter von ticket 4711 erreichbar und erhält eine Nachricht.",
		"Die Nachricht an clara wurde zum Versand eingereiht.",
	}, texts("de"))
}
