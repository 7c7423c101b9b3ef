package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// BenchmarkContactScan reads pages of 500 contacts as W2's schedule run
// does (a name, a locale, one attribute, one consent), per contact.
//
//	go test -run '^$' -bench ContactScan -benchmem ./internal/store/sqlite/
func BenchmarkContactScan(b *testing.B) {
	s, ws := benchStore(b)
	ctx := context.Background()
	const page = 500
	cs := make([]*model.Contact, page)
	for i := range cs {
		id := fmt.Sprintf("c-%07d", i)
		cs[i] = &model.Contact{ID: id, Email: id + "@example.org", Name: fmt.Sprintf("Person %d", i), Locale: "de",
			Attributes: map[string]any{"city": "Köln"}, Consents: []string{"newsletter"}}
	}
	if err := s.WithTx(ctx, func(tx store.Tx) error { return tx.ContactUpsertMany(ctx, ws.ID, cs) }); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i += page {
		p, err := s.ContactScan(ctx, &store.ContactScanParams{ListParams: store.ListParams{WorkspaceID: ws.ID, Limit: page}})
		if err != nil || len(p.Contacts) != page {
			b.Fatalf("%d contacts, %v", len(p.Contacts), err)
		}
	}
}
