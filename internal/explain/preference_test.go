package explain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// TestPreferenceOptOutIsNamed: a recipient suppressed by a preference is
// explained with who opted out and the day, in the workspace's zone
// (23:30 UTC on 30 November is 1 December in Berlin), in both languages;
// an opt-out without a recorded source keeps the plain wording.
func TestPreferenceOptOutIsNamed(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	tests := []struct {
		source, channel string
		en, de          string
	}{
		{"page", "", "No message to anna: opted out of newsletter by the preference page on 2026-12-01.",
			"Keine Nachricht an anna: newsletter abbestellt über die Einstellungsseite am 01.12.2026."},
		{"one_click", "", "No message to anna: opted out of newsletter by one-click unsubscribe on 2026-12-01.",
			"Keine Nachricht an anna: newsletter abbestellt per Ein-Klick-Abmeldung am 01.12.2026."},
		{"admin", "inapp", "No message to anna (in-app): opted out of newsletter by an administrator on 2026-12-01.",
			"Keine Nachricht an anna (In-App): newsletter abbestellt durch einen Administrator am 01.12.2026."},
		{"", "", "No message to anna: they opted out of newsletter messages.",
			"Keine Nachricht an anna: Der Kontakt hat newsletter-Nachrichten abbestellt."},
	}
	for _, tt := range tests {
		params := map[string]string{"reason": "opted_out", "category": "newsletter", "field": "to",
			"channel": tt.channel}
		if tt.source != "" {
			params["pref_source"], params["pref_at"] = tt.source, "2026-11-30T23:30:00Z"
		}
		ev := &model.Event{ID: "evt-1", Trace: []model.Step{{Code: model.StepRecipientSuppressed, Notification: "n",
			Recipient: "anna", Params: params}}}
		for lang, want := range map[string]string{"en": tt.en, "de": tt.de} {
			got := New(cat).Build(ev, nil, lang, berlin)
			require.Equal(t, want, got.Steps[0].Text, "%s %s", tt.source, lang)
		}
	}
}
