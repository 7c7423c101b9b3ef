package explain

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// A message held over the weekend by business hours names the weekday
// it goes, in both languages.
func TestHoldOverTheWeekendNamesTheWeekday(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	held := &model.Message{ID: "msg-1", To: model.Address{ContactID: "ben", Email: "ben@example.org"}, Status: model.MsgQueued}
	ev := &model.Event{ID: "evt-1", Type: "ping", Project: "p", Trace: []model.Step{
		{Code: model.StepMessageQueued, Notification: "n", Recipient: "ben", Message: held.ID, Params: map[string]string{
			"held_until": "2026-03-30T06:00:00Z", "held_local": "08:00", "held_date": "2026-03-30", "held_weekday": "monday",
			"held_by": "workspace", "zone": "Europe/Berlin"}},
	}}
	for lang, want := range map[string]string{
		"en": "The message to ben@example.org was queued and is held until 08:00 on Monday 2026-03-30 (quiet hours of the workspace, Europe/Berlin).",
		"de": "Die Nachricht an ben@example.org wurde eingereiht und wird bis 08:00 Uhr am Montag, 30.03.2026 zurückgehalten (Ruhezeiten des Mandanten, Europe/Berlin).",
	} {
		ex := New(cat).Build(ev, []*model.Message{held}, lang, model.LoadLocation("Europe/Berlin"))
		require.Equal(t, want, steps(t, ex, model.StepMessageQueued)[0].Text, lang)
	}
}
