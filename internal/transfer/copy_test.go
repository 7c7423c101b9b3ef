package transfer_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/transfer"
)

// TestCopyWorkspace: a simulation's scratch copy gets the workspace's
// settings, templates, flows, projects, contacts, objects and suppression
// list, but not its history nor the other workspaces.
func TestCopyWorkspace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, ws := sourceStore(t)
	other := &model.Workspace{Key: "other", Name: "Other", DefaultLocale: "en", Timezone: "UTC", RetentionDays: 30,
		ConfirmationExpiryHours: 24, CreatedAt: at, UpdatedAt: at}
	require.NoError(t, src.WorkspaceInsert(ctx, other))
	_, err := src.TemplateUpsert(ctx, ws.ID, &model.Template{Key: "t", Name: "T", Locales: map[string]model.TemplateContent{
		"de": {Subject: "Hallo", Text: "Hallo"}}, CreatedAt: at, UpdatedAt: at})
	require.NoError(t, err)
	_, err = src.FlowUpsert(ctx, ws.ID, &model.Flow{Key: "f", Name: "F", CreatedAt: at, UpdatedAt: at})
	require.NoError(t, err)
	_, err = src.ProjectUpsert(ctx, ws.ID, &model.Project{Key: "p", Name: "P", Flow: "f", CreatedAt: at, UpdatedAt: at})
	require.NoError(t, err)
	require.NoError(t, src.ContactUpsertMany(ctx, ws.ID, []*model.Contact{{ID: "anna", Email: "anna@example.org", CreatedAt: at, UpdatedAt: at}}))
	require.NoError(t, src.ContactUpsertMany(ctx, other.ID, []*model.Contact{{ID: "ben", Email: "ben@example.org", CreatedAt: at, UpdatedAt: at}}))
	_, err = src.ObjectUpsert(ctx, ws.ID, &model.Object{Collection: "tickets", ID: "4711", Contacts: map[string][]string{"assignee": {"anna"}},
		CreatedAt: at, UpdatedAt: at})
	require.NoError(t, err)
	_, err = src.SuppressionUpsert(ctx, &store.SuppressionUpsertParams{WorkspaceID: ws.ID, Suppression: &model.Suppression{
		Email: "gone@example.org", Kind: model.SuppressionHardBounce, Evidence: "550 user unknown", CreatedAt: at}})
	require.NoError(t, err)
	require.NoError(t, src.EventInsert(ctx, ws.ID, &model.Event{ID: "01956f2a-3c47-7b11-9a3e-0c1f2e3d4b5a", Type: "ping", Project: "p",
		OccurredAt: at, ReceivedAt: at}))

	dst := openStore(t)
	cp, err := transfer.CopyWorkspace(ctx, src, dst, ws)
	require.NoError(t, err)
	require.Equal(t, "acme", cp.Key)
	require.Equal(t, "Europe/Berlin", cp.Timezone)
	tpl, err := dst.TemplateGet(ctx, cp.ID, "t")
	require.NoError(t, err)
	require.Equal(t, "Hallo", tpl.Locales["de"].Subject)
	_, err = dst.FlowGet(ctx, cp.ID, "f")
	require.NoError(t, err)
	p, err := dst.ProjectGet(ctx, cp.ID, "p")
	require.NoError(t, err)
	require.Equal(t, "f", p.Flow)
	c, err := dst.ContactGet(ctx, cp.ID, "anna")
	require.NoError(t, err)
	require.Equal(t, "anna@example.org", c.Email)
	o, err := dst.ObjectGet(ctx, cp.ID, model.ObjectRef{Collection: "tickets", ID: "4711"})
	require.NoError(t, err)
	require.Equal(t, []string{"anna"}, o.Contacts["assignee"])
	sup, err := dst.SuppressionGetMany(ctx, cp.ID, []string{"gone@example.org"})
	require.NoError(t, err)
	require.Contains(t, sup, "gone@example.org")

	evs, err := dst.EventList(ctx, &store.EventListParams{WorkspaceID: cp.ID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, evs, "no history")
	_, err = dst.WorkspaceGetByKey(ctx, "other")
	require.ErrorIs(t, err, store.ErrNotFound, "only the one workspace")
}
