package service

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/manifest"
	"github.com/herold-dev/herold/internal/model"
)

// TestInboundSettingsAsCode: a Workspace file sets the inbound settings
// (a file is the whole truth, so one without them clears them), and a
// bad pattern in it is refused with the field's path.
func TestInboundSettingsAsCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := New(Config{Store: openSQLite(t), Clock: clock.NewFake(time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC))})
	require.NoError(t, err)
	created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "acme", AllowedSenders: []string{model.AnySender}})
	require.NoError(t, err)
	file := func(inbound string) []manifest.File {
		return []manifest.File{{Name: "workspace.yaml", Data: "apiVersion: herold/v1\nkind: Workspace\nmetadata: {name: acme}\nspec:\n" + inbound}}
	}
	_, err = s.ConfigApply(ctx, created.Workspace, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{Files: file(
		"  inbound:\n    reply_tracking: true\n    subject_token: {pattern: '\\[(T-\\d+)\\]', collection: tickets, project: support}\n" +
			"    rules: [{tag: support, project: support}]\n")}, Author: "ci"})
	require.NoError(t, err)
	ws, err := s.WorkspaceGet(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, model.InboundSettings{ReplyTracking: true,
		SubjectToken: &model.SubjectToken{Pattern: `\[(T-\d+)\]`, Collection: "tickets", Project: "support"},
		Rules:        []model.InboundRule{{Tag: "support", Project: "support"}}}, ws.Inbound)

	_, err = s.ConfigApply(ctx, ws, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{Files: file(
		"  inbound:\n    subject_token: {pattern: '[(', collection: tickets, project: support}\n")}, Author: "ci"})
	var verr *ValidationError
	require.True(t, errors.As(err, &verr), "%v", err)
	require.Equal(t, "spec.inbound.subject_token.pattern", verr.Fields[0].Field)

	_, err = s.ConfigApply(ctx, ws, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{Files: file("  name: Acme\n")}, Author: "ci"})
	require.NoError(t, err)
	ws, err = s.WorkspaceGet(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, model.InboundSettings{}, ws.Inbound)
}
