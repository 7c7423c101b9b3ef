package service

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// configTx runs fn in a transaction and counts it as a configuration change,
// so that every replica's configuration cache notices it.
func (s *Service) configTx(ctx context.Context, ws *model.Workspace, fn func(tx store.Tx) error) error {
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		return tx.WorkspaceConfigBump(ctx, ws.ID)
	})
}
