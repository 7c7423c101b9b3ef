package postgres

import (
	"context"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// likeEscaper makes LIKE's wildcards literal.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// likeContains is a LIKE pattern that finds q anywhere; the queries
// compare it with herold_fold() of the column (migration 00026), which
// folds umlauts under any locale ("MÜLLER" → "müller").
func likeContains(q string) string {
	return "%" + likeEscaper.Replace(strings.ToLower(q)) + "%"
}

// ContactSearch implements store.SearchQueries.
func (q queriesImpl) ContactSearch(ctx context.Context, p *store.SearchParams) ([]*model.Contact, error) {
	rows, err := q.db.Query(ctx, query("ContactSearch"), p.WorkspaceID, likeContains(p.Query), p.Limit)
	return collect(rows, err, scanContact)
}

// EventSearch implements store.SearchQueries.
func (q queriesImpl) EventSearch(ctx context.Context, p *store.SearchParams) ([]*model.Event, error) {
	rows, err := q.db.Query(ctx, query("EventSearch"), p.WorkspaceID, likeContains(p.Query), p.Limit)
	return collect(rows, err, scanEvent)
}

// MessageSearch implements store.SearchQueries.
func (q queriesImpl) MessageSearch(ctx context.Context, p *store.SearchParams) ([]*model.Message, error) {
	rows, err := q.db.Query(ctx, query("MessageSearch"), p.WorkspaceID, likeContains(p.Query), p.Limit)
	return collect(rows, err, scanMessage)
}
