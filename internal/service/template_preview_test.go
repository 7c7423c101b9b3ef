package service

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestTemplatePreviewForAChosenDay: a preview whose sample sets today
// renders the mail as it would be sent that day — age and days_until
// count from it (a leap-day child turns 27 on 28 February 2027), not
// from the real date; a "now" works the same, a bad day is a field error.
func TestTemplatePreviewForAChosenDay(t *testing.T) {
	t.Parallel()
	e := newEdges(t, time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	content := &model.TemplateContent{Subject: "{{ age .contact.birthday }}. Geburtstag",
		Text: "Noch {{ days_until .object.expires_on }} Tage, heute ist der {{ .today | date \"02.01.2006\" }}."}
	preview := func(data map[string]any) (*Preview, error) {
		data["contact"] = map[string]any{"birthday": "2000-02-29"}
		data["object"] = map[string]any{"expires_on": "2027-03-10"}
		return e.s.TemplatePreview(e.ctx, e.ws, "", PreviewParams{Locale: "de", Data: data, Content: content})
	}
	p, err := preview(map[string]any{"today": "2027-02-28"})
	require.NoError(t, err)
	require.Equal(t, "27. Geburtstag", p.Subject)
	require.Equal(t, "Noch 10 Tage, heute ist der 28.02.2027.", p.Text)

	p, err = preview(map[string]any{"now": "2027-03-01T08:00:00+01:00"})
	require.NoError(t, err)
	require.Equal(t, "Noch 9 Tage, heute ist der 01.03.2027.", p.Text)

	p, err = preview(map[string]any{})
	require.NoError(t, err)
	require.Equal(t, "26. Geburtstag", p.Subject, "without a day: the real (here: the fake clock's) date")

	_, err = preview(map[string]any{"today": "28.13.2027"})
	requireFieldError(t, err, "data.today")
}
