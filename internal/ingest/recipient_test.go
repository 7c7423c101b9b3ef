package ingest

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/alloctest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
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

// TestRecipientDataIsBuiltOnlyWhenUsed pins what choosing a recipient's
// data costs: nothing for the event's subject (its map is shared; a
// literal address's map was once built for every recipient first), and
// a literal address gets its own.
func TestRecipientDataIsBuiltOnlyWhenUsed(t *testing.T) { // not parallel: it counts bytes
	anna := contact("anna")
	sn := &snapshot{subject: anna, subjectData: anna.Data()}
	to := plan.Recipient{Address: model.Address{ContactID: "anna", Email: "anna@example.org"}, Contact: anna}
	var got map[string]any
	bytes := alloctest.BytesPerRun(t, 100, func() { got = sn.recipientData(to) })
	require.Zero(t, bytes, "the subject's data is shared, nothing is built")
	require.Equal(t, "anna", got["id"])

	lit := plan.Recipient{Address: model.Address{Email: "x@example.org", Name: "X"}}
	require.Equal(t, map[string]any{"email": "x@example.org", "name": "X", "id": ""}, sn.recipientData(lit))
	ben := contact("ben")
	require.Equal(t, ben.Data(), sn.recipientData(plan.Recipient{Address: model.Address{ContactID: "ben"}, Contact: ben}))
}

// TestSnapshotsOfOneLoadShareTheWorkspacesData: the events read together
// plan with one workspace map (the data model is read-only), equal to the
// one each would build.
func TestSnapshotsOfOneLoadShareTheWorkspacesData(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"), contact("ben"))
	items := []item{{in: ping("anna")}, {in: ping("ben")}}
	for i := range items {
		items[i].ev = newEvent(items[i].in, start)
	}
	snaps, err := f.g.loadSnapshots(f.ctx, f.st, f.ws, items)
	require.NoError(t, err)
	a, b := snaps[items[0].ev].input(f.ws, items[0].ev, start), snaps[items[1].ev].input(f.ws, items[1].ev, start)
	require.Equal(t, f.ws.Data(), a.WorkspaceData)
	require.Equal(t, reflect.ValueOf(a.WorkspaceData).Pointer(), reflect.ValueOf(b.WorkspaceData).Pointer())
}
