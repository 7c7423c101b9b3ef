package ingest

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRecipientDataOfTheSubjectAndOthers renders an event about anna that
// goes to anna and to ben: anna's message shares the decision's data of
// its subject as the recipient, ben's gets ben's own; neither sees the
// other's.
func TestRecipientDataOfTheSubjectAndOthers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	anna, ben := contact("anna"), contact("ben")
	anna.Locale = "de"
	ben.Attributes = map[string]any{"firma": "Ben GmbH"}
	f.contacts(anna, ben)
	in := ping("anna", "ben")
	in.Contact = "anna"
	res, err := f.g.Accept(f.ctx, f.ws, in)
	require.NoError(t, err)
	require.Len(t, res.Messages, 2)
	subjects := map[string]string{}
	for _, m := range res.Messages {
		subjects[m.To.ContactID] = m.Subject
	}
	require.Equal(t, map[string]string{"anna": "Hallo Person anna", "ben": "Hallo Person ben"}, subjects)

	// The event about ben goes to anna: she is not its subject.
	in = ping("anna")
	in.Contact = "ben"
	res, err = f.g.Accept(f.ctx, f.ws, in)
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	require.Equal(t, "Hallo Person anna", res.Messages[0].Subject)
}
