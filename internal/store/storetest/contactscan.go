package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases, storeCase{"ContactScan", testContactScan})
}

// testContactScan pages through contacts as a schedule's scan does: every
// page counts all the contacts it looked at and returns its last one, and
// a DateSkip leaves out exactly the plain dates it names.
func testContactScan(t *testing.T, b *bundle) {
	birthdays := []any{
		"1990-03-14",                      // 0: left out
		"1990-03-15",                      // 1: another day
		nil,                               // 2: no birthday at all
		"null",                            // 3: JSON null (see below)
		jsonNumber("19900314"),            // 4: a number
		" 1990-03-14",                     // 5: not the plain form
		"1990-03-14T10:00:00Z",            // 6: a timestamp
		"199x-03-14",                      // 7: not a year
		[]any{"1990-03-14"},               // 8: a list
		"٢٠٠٠-03-14",                      // 9: digits, but not ASCII
		"2001-12-24",                      // 10: left out
		"1990-03-14",                      // 11: left out
		map[string]any{"d": "1990-03-14"}, // 12: an object
		"1990-03-14",                      // 13: left out, the last of its page below
		"1990-03-1",                       // 14: too short
		"0000-03-14",                      // 15: left out
	}
	skip := &store.DateSkip{Field: "birthday", MonthDays: []string{"03-14", "12-24", "01-01"}}
	leftOut := map[int]bool{0: true, 10: true, 11: true, 13: true, 15: true}
	cs := make([]*model.Contact, len(birthdays))
	for i, bd := range birthdays {
		c := sampleContact(fmt.Sprintf("s-%02d", i))
		c.Attributes = map[string]any{"anniversary": "1990-03-14"}
		switch bd {
		case nil:
		case "null":
			c.Attributes["birthday"] = nil
		default:
			c.Attributes["birthday"] = bd
		}
		cs[i] = c
	}
	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		if err := tx.ContactUpsertMany(b.ctx, b.ws.ID, cs); err != nil {
			return err
		}
		// Another workspace's contacts are never counted.
		return tx.ContactUpsertMany(b.ctx, b.other.ID, []*model.Contact{sampleContact("s-00"), sampleContact("s-99")})
	}))

	scan := func(limit int, skip *store.DateSkip) (pages []*store.ContactScanPage) {
		t.Helper()
		after := ""
		for {
			p, err := b.s.ContactScan(b.ctx, &store.ContactScanParams{
				ListParams: store.ListParams{WorkspaceID: b.ws.ID, After: after, Limit: limit}, Skip: skip})
			require.NoError(t, err)
			pages = append(pages, p)
			if p.Scanned < limit {
				return pages
			}
			require.NotEmpty(t, p.Contacts, "a full page returns its last contact")
			after = p.Contacts[len(p.Contacts)-1].ID
		}
	}

	t.Run("without skip every contact comes back whole", func(t *testing.T) {
		var got []*model.Contact
		scanned := 0
		for _, p := range scan(4, nil) {
			got, scanned = append(got, p.Contacts...), scanned+p.Scanned
		}
		require.Equal(t, len(cs), scanned)
		require.Equal(t, cs, got)
	})

	t.Run("with skip", func(t *testing.T) {
		const limit = 7 // pages s-00…s-06, s-07…s-13 (its last left out), s-14…s-15
		pages := scan(limit, skip)
		require.Len(t, pages, 3)
		require.Equal(t, []int{7, 7, 2}, []int{pages[0].Scanned, pages[1].Scanned, pages[2].Scanned})
		for i, p := range pages {
			var want []*model.Contact
			for j := i * limit; j < min((i+1)*limit, len(cs)); j++ {
				if !leftOut[j] || j == min((i+1)*limit, len(cs))-1 {
					want = append(want, cs[j])
				}
			}
			require.Equal(t, want, p.Contacts, "page %d", i)
		}
	})

	t.Run("the field is a name, not a path", func(t *testing.T) {
		dotted := sampleContact("s-50") // left out
		dotted.Attributes = map[string]any{"born.on": "1990-03-14"}
		nested := sampleContact("s-51") // kept: it has no field "born.on"
		nested.Attributes = map[string]any{"born": map[string]any{"on": "1990-03-14"}}
		last := sampleContact("s-52")
		last.Attributes = map[string]any{}
		require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
			return tx.ContactUpsertMany(b.ctx, b.ws.ID, []*model.Contact{dotted, nested, last})
		}))
		p, err := b.s.ContactScan(b.ctx, &store.ContactScanParams{
			ListParams: store.ListParams{WorkspaceID: b.ws.ID, After: "s-49", Limit: 10},
			Skip:       &store.DateSkip{Field: "born.on", MonthDays: []string{"03-14"}}})
		require.NoError(t, err)
		require.Equal(t, 3, p.Scanned)
		require.Equal(t, []*model.Contact{nested, last}, p.Contacts)
	})

	t.Run("past the end", func(t *testing.T) {
		p, err := b.s.ContactScan(b.ctx, &store.ContactScanParams{
			ListParams: store.ListParams{WorkspaceID: b.ws.ID, After: "s-99", Limit: 10}, Skip: skip})
		require.NoError(t, err)
		require.Zero(t, p.Scanned)
		require.Empty(t, p.Contacts)
	})
}
