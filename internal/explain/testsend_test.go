package explain

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// A test send from the cockpit says so, naming who sent it to which
// address, in German and English.
func TestExplainTestSend(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	ev := &model.Event{ID: "evt-1", Type: "job.requested", Project: "messe-koeln", Source: model.SourceManual,
		Trace: []model.Step{{Code: model.StepTestSend, Notification: "job-requested",
			Params: map[string]string{"flow": "standard", "to": "pruefer@example.net", "by": "anna@agentur-nord.de", "template": "job-requested"}}}}
	text := func(lang string) string { return New(cat).Build(ev, nil, lang, nil).Steps[0].Text }
	require.Equal(t, "Test von anna@agentur-nord.de: nur an pruefer@example.net gesendet (Vorlage job-requested, Ablauf standard), nicht an die eigentlichen Empfänger.", text("de"))
	require.Equal(t, "Test by anna@agentur-nord.de: sent only to pruefer@example.net (template job-requested, flow standard), not to the real recipients.", text("en"))
}
