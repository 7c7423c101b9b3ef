package explain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// TestSuppressionListEntryIsNamed: a recipient suppressed by the
// suppression list is explained with the entry's kind, the day it was
// listed (in the workspace's zone: 23:30 UTC on 30 November is
// 1 December in Berlin) and the evidence, in English and German.
func TestSuppressionListEntryIsNamed(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	tests := []struct {
		reason, kind, evidence string
		en, de                 string
	}{
		{"bounced", "hard_bounce", "550 5.1.1 user unknown",
			"No message to anna@example.org: suppressed: hard bounce on 2026-12-01, 550 5.1.1 user unknown.",
			"Keine Nachricht an anna@example.org: gesperrt: harter Bounce am 01.12.2026, 550 5.1.1 user unknown."},
		{"complained", "complaint", "",
			"No message to anna@example.org: suppressed: complaint on 2026-12-01.",
			"Keine Nachricht an anna@example.org: gesperrt: Beschwerde am 01.12.2026."},
		{"blocked", "manual", "asked by phone",
			"No message to anna@example.org: suppressed: blocked by an administrator on 2026-12-01, asked by phone.",
			"Keine Nachricht an anna@example.org: gesperrt: von einem Administrator gesperrt am 01.12.2026, asked by phone."},
	}
	for _, tt := range tests {
		ev := &model.Event{ID: "evt-1", Trace: []model.Step{{Code: model.StepRecipientSuppressed, Notification: "n",
			Recipient: "anna@example.org", Params: map[string]string{"reason": tt.reason, "kind": tt.kind, "field": "to",
				"since": "2026-11-30T23:30:00Z", "evidence": tt.evidence}}}}
		for lang, want := range map[string]string{"en": tt.en, "de": tt.de} {
			got := New(cat).Build(ev, nil, lang, berlin)
			require.Equal(t, want, got.Steps[0].Text, lang)
		}
	}
}
