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

// TestBounceInTimelineIsExplained: a bounce that came back about a sent
// message is told after its delivery, in both languages.
func TestBounceInTimelineIsExplained(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	m := message(model.MsgSent,
		model.MessageEvent{At: at.Add(time.Minute), Status: model.MsgSent, Attempt: 1, Detail: "250 ok"},
		model.MessageEvent{At: at.Add(time.Hour), Status: model.MsgBounced, Actor: "anna@example.org", Detail: "550 5.1.1 user unknown"})
	for lang, want := range map[string]string{
		"en": "The message to Anna <anna@example.org> bounced on 2026-03-02 at 11:00 (anna@example.org). This address does not exist at the recipient: " +
			"check the contact's e-mail address. The mail server replied: “550 5.1.1 user unknown”.",
		"de": "Die Nachricht an Anna <anna@example.org> kam am 02.03.2026 um 11:00 als unzustellbar zurück (anna@example.org). Diese Adresse gibt es " +
			"beim Empfänger nicht: bitte die E-Mail-Adresse des Kontakts prüfen. Antwort des Mailservers: „550 5.1.1 user unknown“.",
	} {
		berlin, err := time.LoadLocation("Europe/Berlin")
		require.NoError(t, err)
		ex := New(cat).Build(event(m), []*model.Message{m}, lang, berlin)
		got := steps(t, ex, model.StepMessageBounced)
		require.Len(t, got, 1, lang)
		require.Equal(t, want, got[0].Text, lang)
	}
	// A bounce whose diagnostic has no SMTP code is shown as recorded.
	m.Timeline[len(m.Timeline)-1].Detail = "bounce (text)"
	got := steps(t, New(cat).Build(event(m), []*model.Message{m}, "en", time.UTC), model.StepMessageBounced)
	require.Len(t, got, 1)
	require.Equal(t, "The message to Anna <anna@example.org> bounced on 2026-03-02 at 10:00 (anna@example.org): bounce (text)", got[0].Text)
}
