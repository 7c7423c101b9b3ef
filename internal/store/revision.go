package store

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
)

// ConfigRevisionListParams page through a workspace's revisions, newest
// first.
type ConfigRevisionListParams struct {
	WorkspaceID int64
	// Before is the number of the last revision of the previous page (0
	// for the first page).
	Before int64
	// Limit is the page size (the caller bounds it).
	Limit int
}

// ConfigRevisionQueries record applies of configuration files.
type ConfigRevisionQueries interface {
	// ConfigRevisionInsert stores r as the workspace's next revision and
	// sets r.Number. Two writers that race for one number: the second
	// gets ErrConflict.
	ConfigRevisionInsert(ctx context.Context, workspaceID int64, r *model.ConfigRevision) error
	// ConfigRevisionGet returns one revision with its documents.
	ConfigRevisionGet(ctx context.Context, workspaceID int64, number int64) (*model.ConfigRevision, error)
	// ConfigRevisionLatest returns the newest revision with its documents;
	// ErrNotFound when files never configured the workspace.
	ConfigRevisionLatest(ctx context.Context, workspaceID int64) (*model.ConfigRevision, error)
	// ConfigRevisionList lists revisions newest first, without documents.
	ConfigRevisionList(ctx context.Context, p *ConfigRevisionListParams) ([]*model.ConfigRevision, error)
}
