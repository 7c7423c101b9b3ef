package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func init() {
	pipelineCases = append(pipelineCases, storeCase{"WorkspaceInboundSettings", testWorkspaceInboundSettings})
}

// testWorkspaceInboundSettings: a workspace's inbound settings are empty
// by default, round-trip through WorkspaceUpdate and stay its own.
func testWorkspaceInboundSettings(t *testing.T, b *bundle) {
	got, err := b.s.WorkspaceGetByID(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, model.InboundSettings{}, got.Inbound)

	b.ws.Inbound = model.InboundSettings{ReplyTracking: true,
		SubjectToken: &model.SubjectToken{Pattern: `\[T-(\d+)\]`, Collection: "tickets", Project: "support"},
		Rules:        []model.InboundRule{{Tag: "support", Project: "support"}, {SenderDomain: "kunde.example", Project: "sales"}}}
	b.ws.UpdatedAt = base.Add(time.Hour)
	require.NoError(t, b.s.WorkspaceUpdate(b.ctx, b.ws))
	got, err = b.s.WorkspaceGetByKey(b.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, b.ws.Inbound, got.Inbound)

	other, err := b.s.WorkspaceGetByID(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Equal(t, model.InboundSettings{}, other.Inbound)
}
