package store

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
)

// SuppressionUpsertParams put an address on a workspace's suppression list.
type SuppressionUpsertParams struct {
	WorkspaceID int64
	// Suppression.Email is stored in lower case (model.SuppressionKey).
	Suppression *model.Suppression
}

// SuppressionListParams page through a suppression list by address.
type SuppressionListParams struct {
	WorkspaceID int64
	// Search, when set, keeps the addresses containing it
	// (case-insensitive).
	Search string
	// After is the last address of the previous page ("" for the first).
	After string
	// Limit is the page size (the caller bounds it).
	Limit int
}

// SuppressionQueries are the operations on the suppression list: the
// addresses a workspace does not mail (see model.Suppression).
type SuppressionQueries interface {
	// SuppressionUpsert adds the entry or, when the address is listed
	// already, replaces it with the newer evidence; created says which.
	SuppressionUpsert(ctx context.Context, p *SuppressionUpsertParams) (created bool, err error)
	// SuppressionGetMany returns the entries of the given addresses that
	// exist, expired or not, keyed by model.SuppressionKey.
	SuppressionGetMany(ctx context.Context, workspaceID int64, emails []string) (map[string]*model.Suppression, error)
	SuppressionList(ctx context.Context, p *SuppressionListParams) ([]*model.Suppression, error)
	// SuppressionDelete removes an address; ErrNotFound when not listed.
	SuppressionDelete(ctx context.Context, workspaceID int64, email string) error
}
