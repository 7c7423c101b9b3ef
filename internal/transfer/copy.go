package transfer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// CopyWorkspace copies what one workspace's engine decides with — its
// settings, templates, flows, projects, contacts with their current
// preferences, objects and suppression list — from src into dst, a
// freshly migrated database, and returns the copy as dst knows it. Keys,
// users, schedules, broadcasts, history, the preference ledger's entries,
// open digests and statistics are not copied: a simulation (see
// service.Simulate) plans new events against the copy and must start
// from the same data without the past. The records stream through the
// export format, so memory stays bounded by one page.
func CopyWorkspace(ctx context.Context, src, dst store.Store, ws *model.Workspace) (*model.Workspace, error) {
	pr, pw := io.Pipe()
	go func() {
		out := &writer{enc: json.NewEncoder(pw), counts: Counts{}}
		err := out.put(KindWorkspace, ws.Key, ws)
		if err == nil {
			err = exportConfig(ctx, src, out, ws)
		}
		if err == nil {
			err = exportData(ctx, src, out, ws)
		}
		pw.CloseWithError(err)
	}()
	_, err := Import(ctx, dst, pr)
	// Import stops at its first error; the writer must not block on a
	// reader that is gone.
	pr.CloseWithError(errors.New("copy stopped"))
	if err != nil {
		return nil, fmt.Errorf("copy workspace %s: %w", ws.Key, err)
	}
	copied, err := dst.WorkspaceGetByKey(ctx, ws.Key)
	if err != nil {
		return nil, fmt.Errorf("read copied workspace %s: %w", ws.Key, err)
	}
	if err := copySuppressions(ctx, src, dst, ws.ID, copied.ID); err != nil {
		return nil, err
	}
	return copied, nil
}

// copySuppressions copies the suppression list page by page.
func copySuppressions(ctx context.Context, src, dst store.Store, from, to int64) error {
	after := ""
	for {
		page, err := src.SuppressionList(ctx, &store.SuppressionListParams{WorkspaceID: from, After: after, Limit: pageSize})
		if err != nil {
			return fmt.Errorf("list suppressions: %w", err)
		}
		for _, s := range page {
			if _, err := dst.SuppressionUpsert(ctx, &store.SuppressionUpsertParams{WorkspaceID: to, Suppression: s}); err != nil {
				return fmt.Errorf("copy suppression: %w", err)
			}
			after = s.Email
		}
		if len(page) < pageSize {
			return nil
		}
	}
}
