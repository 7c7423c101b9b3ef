package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases, storeCase{"MessageCopiesInHistory", testMessageCopiesInHistory})
}

// testMessageCopiesInHistory: the contact and address filters of the
// history find the messages a person got as CC or BCC, with every other
// filter, the cursor and the workspace still applied.
func testMessageCopiesInHistory(t *testing.T, b *bundle) {
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-1", base)))
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-2", base)))
	msg := func(id, event string, status model.MessageStatus, at time.Duration, to string, cc, bcc []model.Address) *model.Message {
		m := sampleMessage(id, event, status, base.Add(at))
		m.To = model.Address{ContactID: to, Email: to + "@example.org"}
		m.CC, m.BCC = cc, bcc
		return m
	}
	dispo := model.Address{ContactID: "c-dispo", Email: "Dispo@Agentur.example"}
	office := model.Address{Email: "buero@example.org"} // a literal address, no contact
	msgs := []*model.Message{
		msg("msg-1", "evt-1", model.MsgSent, 0, "c-dispo", nil, nil),
		msg("msg-2", "evt-1", model.MsgSent, time.Second, "c-anna", []model.Address{dispo}, nil),
		msg("msg-3", "evt-2", model.MsgFailed, 2*time.Second, "c-ben", nil, []model.Address{office, dispo}),
		msg("msg-4", "evt-2", model.MsgSent, 3*time.Second, "c-cem", []model.Address{office}, nil),
		msg("msg-5", "evt-2", model.MsgSent, 4*time.Second, "c-dora", nil, nil),
	}
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, msgs))
	// The same person in another workspace.
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, sampleEvent("evt-9", base)))
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.other.ID,
		[]*model.Message{msg("msg-9", "evt-9", model.MsgSent, 0, "c-x", []model.Address{dispo, office}, nil)}))

	list := func(p store.MessageListParams) []string {
		t.Helper()
		if p.WorkspaceID == 0 {
			p.WorkspaceID = b.ws.ID
		}
		p.Limit = max(p.Limit, 1)
		got, err := b.s.MessageList(b.ctx, &p)
		require.NoError(t, err)
		return messageIDs(got)
	}
	tests := []struct {
		name string
		p    store.MessageListParams
		want []string
	}{
		{"contact: to, cc and bcc", store.MessageListParams{Contact: "c-dispo", Limit: 10}, []string{"msg-3", "msg-2", "msg-1"}},
		{"contact: a page", store.MessageListParams{Contact: "c-dispo", Limit: 2}, []string{"msg-3", "msg-2"}},
		{"contact: after the cursor", store.MessageListParams{Contact: "c-dispo", Before: "msg-3", Limit: 10}, []string{"msg-2", "msg-1"}},
		{"contact with status", store.MessageListParams{Contact: "c-dispo", Statuses: []model.MessageStatus{model.MsgFailed}, Limit: 10}, []string{"msg-3"}},
		{"contact with event", store.MessageListParams{Contact: "c-dispo", EventID: "evt-1", Limit: 10}, []string{"msg-2", "msg-1"}},
		{"contact of the to only", store.MessageListParams{Contact: "c-dora", Limit: 10}, []string{"msg-5"}},
		{"email in cc and bcc, any case", store.MessageListParams{Email: "BUERO@example.org", Limit: 10}, []string{"msg-4", "msg-3"}},
		{"email of a contact's copy", store.MessageListParams{Email: "dispo@agentur.example", Limit: 10}, []string{"msg-3", "msg-2"}},
		{"email with event", store.MessageListParams{Email: "buero@example.org", EventID: "evt-2", Before: "msg-4", Limit: 10}, []string{"msg-3"}},
		{"email with status", store.MessageListParams{Email: "buero@example.org", Statuses: []model.MessageStatus{model.MsgSent}, Limit: 10}, []string{"msg-4"}},
		{"email and contact", store.MessageListParams{Contact: "c-dispo", Email: "buero@example.org", Limit: 10}, []string{"msg-3"}},
		{"other workspace by contact", store.MessageListParams{WorkspaceID: b.other.ID, Contact: "c-dispo", Limit: 10}, []string{"msg-9"}},
		{"other workspace by email", store.MessageListParams{WorkspaceID: b.other.ID, Email: "buero@example.org", Limit: 10}, []string{"msg-9"}},
		{"no contact matches an empty one", store.MessageListParams{Contact: "nobody", Limit: 10}, []string{}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, list(tt.p), tt.name)
	}
}
