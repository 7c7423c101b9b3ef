package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases, storeCase{"Search", testSearch})
}

// testSearch: part of a name or address finds contacts, their events and
// their messages (as recipient or as CC/BCC copy) in any letter case,
// umlauts included, only in the workspace, at most Limit; wildcards in the
// query are literal.
func testSearch(t *testing.T, b *bundle) {
	put := func(ws *model.Workspace, c *model.Contact) {
		_, err := b.s.ContactUpsert(b.ctx, ws.ID, c)
		require.NoError(t, err)
	}
	put(b.ws, &model.Contact{ID: "c-jm", Name: "Jürgen Müller", Email: "j.mueller@example.org"})
	put(b.ws, &model.Contact{ID: "c-gross", Name: "GRÖSSE MÜLLER-LÜDENSCHEID", Email: "gml@example.org"})
	put(b.ws, &model.Contact{ID: "c-anna", Name: "Anna Berger", Email: "anna@example.org"})
	put(b.ws, &model.Contact{ID: "c-pct", Name: "100% Agentur_Nord", Email: "pct@example.org"})
	put(b.other, &model.Contact{ID: "c-jm", Name: "Jürgen Müller (other)", Email: "j.mueller@other.example"})

	ids := func(q string) []string {
		t.Helper()
		cs, err := b.s.ContactSearch(b.ctx, &store.SearchParams{WorkspaceID: b.ws.ID, Query: q, Limit: 10})
		require.NoError(t, err)
		return idsOf(cs, func(c *model.Contact) string { return c.ID })
	}
	for _, q := range []string{"Müller", "müller", "MÜLLER", "mÜlLeR"} {
		require.Equal(t, []string{"c-gross", "c-jm"}, ids(q), q)
	}
	require.Equal(t, []string{"c-gross"}, ids("lüdenscheid"))
	require.Equal(t, []string{"c-jm"}, ids("J.MUELLER@"), "by address")
	require.Equal(t, []string{"c-anna"}, ids("c-ann"), "by id")
	require.Equal(t, []string{"c-pct"}, ids("100%"), "% is literal")
	require.Equal(t, []string{"c-pct"}, ids("r_n"), "_ is literal")
	require.Empty(t, ids("*"), "* is literal")
	require.Empty(t, ids("mueller (other)"), "other workspace")
	cs, err := b.s.ContactSearch(b.ctx, &store.SearchParams{WorkspaceID: b.ws.ID, Query: "example.org", Limit: 2})
	require.NoError(t, err)
	require.Len(t, cs, 2, "limit")

	// Events of a matching contact, as subject or as actor.
	e1 := sampleEvent("evt-1", base)
	e1.Contact, e1.Actors = "c-anna", map[string][]string{"promoter": {"c-jm"}}
	e2 := sampleEvent("evt-2", base)
	e2.Contact, e2.Actors = "c-gross", nil
	e3 := sampleEvent("evt-3", base)
	e3.Contact, e3.Actors = "c-anna", nil
	for _, e := range []*model.Event{e1, e2, e3} {
		require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, e))
	}
	oe := sampleEvent("evt-o", base)
	oe.Contact, oe.Actors = "c-jm", nil
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, oe))
	evs, err := b.s.EventSearch(b.ctx, &store.SearchParams{WorkspaceID: b.ws.ID, Query: "MÜLLER", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"evt-2", "evt-1"}, idsOf(evs, func(e *model.Event) string { return e.ID }),
		"newest first, only this workspace")

	// Messages to a matching recipient or with a matching copy.
	m1 := sampleMessage("msg-1", "evt-1", model.MsgSent, base) // to anna, CC cc@, BCC c-7
	m2 := sampleMessage("msg-2", "evt-1", model.MsgSent, base)
	m2.To = model.Address{ContactID: "c-x", Email: "x@example.org", Name: "Xaver"}
	m2.CC, m2.BCC = nil, []model.Address{{ContactID: "c-jm", Email: "j.mueller@example.org"}}
	m3 := sampleMessage("msg-3", "evt-1", model.MsgSent, base)
	m3.To = model.Address{Email: "y@example.org"}
	m3.CC, m3.BCC = []model.Address{{ContactID: "c-gross", Email: "copy@example.org"}}, nil
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{m1, m2, m3}))
	msgs := func(q string) []string {
		t.Helper()
		ms, err := b.s.MessageSearch(b.ctx, &store.SearchParams{WorkspaceID: b.ws.ID, Query: q, Limit: 10})
		require.NoError(t, err)
		return idsOf(ms, func(m *model.Message) string { return m.ID })
	}
	require.Equal(t, []string{"msg-1"}, msgs("ANNA"), "the recipient's name")
	require.Equal(t, []string{"msg-2"}, msgs("J.Mueller"), "a BCC copy's address")
	require.Equal(t, []string{"msg-3"}, msgs("grÖsse"), "a CC copy's contact name")
	require.Equal(t, []string{"msg-1"}, msgs("AGENTUR@"), "a BCC copy's address")
	require.Empty(t, msgs("nobody"))
}
