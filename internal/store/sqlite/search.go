package sqlite

import (
	"context"
	"strings"
	"unicode"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// globContains is a GLOB pattern that finds q anywhere, in any letter
// case. SQLite's LIKE and lower() fold only ASCII letters; a class per
// letter ("[üÜ]") folds umlauts and every other letter too.
func globContains(q string) string {
	var b strings.Builder
	b.WriteByte('*')
	for _, r := range q {
		lo, up := unicode.ToLower(r), unicode.ToUpper(r)
		switch {
		case r == '*' || r == '?' || r == '[':
			b.WriteString("[" + string(r) + "]")
		case lo != up:
			b.WriteString("[" + string(lo) + string(up))
			if t := unicode.ToTitle(r); t != up && t != lo {
				b.WriteRune(t)
			}
			b.WriteByte(']')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('*')
	return b.String()
}

// ContactSearch implements store.SearchQueries.
func (q queriesImpl) ContactSearch(ctx context.Context, p *store.SearchParams) ([]*model.Contact, error) {
	rows, err := q.db.QueryContext(ctx, query("ContactSearch"), p.WorkspaceID, globContains(p.Query), p.Limit)
	return collect(rows, err, scanContact)
}

// EventSearch implements store.SearchQueries.
func (q queriesImpl) EventSearch(ctx context.Context, p *store.SearchParams) ([]*model.Event, error) {
	rows, err := q.db.QueryContext(ctx, query("EventSearch"), p.WorkspaceID, globContains(p.Query), p.Limit)
	return collect(rows, err, scanEvent)
}

// MessageSearch implements store.SearchQueries.
func (q queriesImpl) MessageSearch(ctx context.Context, p *store.SearchParams) ([]*model.Message, error) {
	rows, err := q.db.QueryContext(ctx, query("MessageSearch"), p.WorkspaceID, globContains(p.Query), p.Limit)
	return collect(rows, err, scanMessage)
}
