package explain

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// A throttled message names the rule and the count; a held one the time
// it goes, whose quiet hours hold it and their zone, in both languages.
func TestThrottleAndHoldAreExplained(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	m := &model.Message{ID: "msg-1", To: model.Address{ContactID: "anna", Email: "anna@example.org", Name: "Anna"},
		Status: model.MsgSuppressed, Reason: "throttled"}
	held := &model.Message{ID: "msg-2", To: model.Address{ContactID: "ben", Email: "ben@example.org"}, Status: model.MsgQueued}
	ev := &model.Event{ID: "evt-1", Type: "ping", Project: "p", Trace: []model.Step{
		{Code: model.StepRecipientSuppressed, Notification: "n", Recipient: "anna", Message: m.ID, Params: map[string]string{
			"reason": "throttled", "category": "support", "field": "to", "rule": "1", "scope": "category", "scope_value": "support",
			"count": "5", "max": "5", "window": "1 h", "window_end": "2026-03-02T10:00:00Z"}},
		{Code: model.StepMessageQueued, Notification: "n", Recipient: "ben", Message: held.ID, Params: map[string]string{
			"held_until": "2026-03-03T07:00:00Z", "held_local": "08:00", "held_date": "2026-03-03", "held_by": "workspace",
			"zone": "Europe/Berlin"}},
	}}
	for lang, want := range map[string][2]string{
		"en": {"No message to Anna <anna@example.org>: throttled: 5 of at most 5 per 1 h for category support (rule 1 of the notification; the window ends on 2026-03-02 at 11:00).",
			"The message to ben@example.org was queued and is held until 08:00 on 2026-03-03 (quiet hours of the workspace, Europe/Berlin)."},
		"de": {"Keine Nachricht an Anna <anna@example.org>: gedrosselt: 5 von höchstens 5 pro 1 h für die Kategorie support (Regel 1 der Benachrichtigung; das Zeitfenster endet am 02.03.2026 um 11:00).",
			"Die Nachricht an ben@example.org wurde eingereiht und wird bis 08:00 Uhr am 03.03.2026 zurückgehalten (Ruhezeiten des Mandanten, Europe/Berlin)."},
	} {
		ex := New(cat).Build(ev, []*model.Message{m, held}, lang, model.LoadLocation("Europe/Berlin"))
		require.Equal(t, want[0], steps(t, ex, model.StepRecipientSuppressed)[0].Text, lang)
		require.Equal(t, want[1], steps(t, ex, model.StepMessageQueued)[0].Text, lang)
	}
}
