package explain

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// Explain speaks one language: a notification's status and a schedule's
// consent exclusion read in German in German text, not "Status active".
func TestExplainSpeaksOneLanguage(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	ev := &model.Event{ID: "evt-1", Type: "contact.birthday", Project: "verein", Trace: []model.Step{
		{Code: model.StepScheduled, Params: map[string]string{"schedule": "birthdays", "occurrence": "birthday-anna-2026"}},
		{Code: model.StepNotificationMatched, Notification: "gruss", Params: map[string]string{"template": "gruss", "status": "confirm"}},
		{Code: model.StepScheduleExcluded, Params: map[string]string{"schedule": "birthdays", "reason": "no_consent", "category": "birthday"}},
	}}
	texts := func(lang string) []string {
		var out []string
		for _, s := range New(cat).Build(ev, nil, lang, nil).Steps {
			out = append(out, s.Text)
		}
		return out
	}
	require.Equal(t, []string{
		"Vom zeitgesteuerten Versand birthdays für den Anlass birthday-anna-2026 ausgelöst.",
		"Die Benachrichtigung gruss greift (Vorlage gruss, Status Nachfrage).",
		"Nichts wurde gesendet: Der zeitgesteuerte Versand birthdays schließt diesen Kontakt aus, weil die Einwilligung in birthday-Nachrichten fehlt.",
	}, texts("de"))
	require.Equal(t, "Notification gruss applies (template gruss, status confirm).", texts("en")[1])
}
