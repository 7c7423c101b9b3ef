// Package storetest is the conformance suite every store.Store driver must
// pass. A driver's test calls Exercise with a function that returns a fresh,
// migrated store; the suite runs the same cases against SQLite and
// PostgreSQL.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// NewStore returns a fresh, migrated, empty store for one test.
type NewStore func(t *testing.T) store.Store

// base is a fixed, millisecond-precise time so that round trips compare
// exactly.
var base = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// bundle is what each case gets.
type bundle struct {
	ctx   context.Context
	s     store.Store
	ws    *model.Workspace
	other *model.Workspace
}

func setup(t *testing.T, newStore NewStore) *bundle {
	t.Helper()
	s := newStore(t)
	ctx := context.Background()
	b := &bundle{ctx: ctx, s: s}
	b.ws = mustWorkspace(t, s, "acme")
	b.other = mustWorkspace(t, s, "other")
	return b
}

func mustWorkspace(t *testing.T, s store.Store, key string) *model.Workspace {
	t.Helper()
	w := &model.Workspace{
		Key: key, Name: "Workspace " + key, DefaultLocale: "de", Timezone: "Europe/Berlin",
		Sender: model.Sender{From: "Herold <noreply@example.org>"}, AllowedSenders: []string{"example.org"},
		RetentionDays: 30, ConfirmationExpiryHours: 168, CreatedAt: base, UpdatedAt: base,
	}
	require.NoError(t, s.WorkspaceInsert(context.Background(), w))
	require.NotZero(t, w.ID)
	return w
}

// Exercise runs the conformance suite.
func Exercise(t *testing.T, newStore NewStore) {
	cases := []storeCase{
		{"Workspaces", testWorkspaces},
		{"WorkspaceSenders", testWorkspaceSenders},
		{"APIKeys", testAPIKeys},
		{"Templates", testTemplates},
		{"Flows", testFlows},
		{"Notifications", testNotifications},
		{"Projects", testProjects},
		{"Contacts", testContacts},
		{"ContactsBulk", testContactsBulk},
		{"ContactOptOut", testContactOptOut},
		{"Preferences", testPreferences},
		{"Objects", testObjects},
		{"Pagination", testPagination},
		{"TxRollback", testTxRollback},
		{"TxContextEnded", testTxContextEnded},
		{"Secrets", testSecrets},
		{"MessageEventAppend", testMessageEventAppend},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, setup(t, newStore))
		})
	}
	for _, c := range pipelineCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, setup(t, newStore))
		})
	}
}

// storeCase is one conformance test, run on every dialect.
type storeCase struct {
	name string
	fn   func(t *testing.T, b *bundle)
}

// pipelineCases are registered by the files covering events and messages.
var pipelineCases []storeCase

// testWorkspaceSenders: the allowed senders round-trip, change only
// through WorkspaceSendersSet (a workspace admin's WorkspaceUpdate cannot
// widen them), and stay per workspace.
func testWorkspaceSenders(t *testing.T, b *bundle) {
	got, err := b.s.WorkspaceGetByKey(b.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, []string{"example.org"}, got.AllowedSenders)

	none := &model.Workspace{Key: "none", Name: "None", DefaultLocale: "de", Timezone: "Europe/Berlin",
		RetentionDays: 30, ConfirmationExpiryHours: 168, CreatedAt: base, UpdatedAt: base}
	require.NoError(t, b.s.WorkspaceInsert(b.ctx, none))
	got, err = b.s.WorkspaceGetByID(b.ctx, none.ID)
	require.NoError(t, err)
	require.Empty(t, got.AllowedSenders)

	at := base.Add(time.Hour)
	want := []string{"agentur-nord.example", "dispo@agentur-sued.example", model.AnySender}
	require.NoError(t, b.s.WorkspaceSendersSet(b.ctx, &store.WorkspaceSendersSetParams{
		WorkspaceID: b.ws.ID, AllowedSenders: want, At: at}))
	got, err = b.s.WorkspaceGetByID(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, want, got.AllowedSenders)
	require.True(t, got.UpdatedAt.Equal(at))

	stale := *b.ws // as a workspace admin's request saw it before the change
	stale.Name, stale.UpdatedAt = "Renamed", at.Add(time.Minute)
	require.NoError(t, b.s.WorkspaceUpdate(b.ctx, &stale))
	got, err = b.s.WorkspaceGetByID(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, "Renamed", got.Name)
	require.Equal(t, want, got.AllowedSenders, "WorkspaceUpdate must not write the allowed senders")

	other, err := b.s.WorkspaceGetByID(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"example.org"}, other.AllowedSenders)

	require.NoError(t, b.s.WorkspaceSendersSet(b.ctx, &store.WorkspaceSendersSetParams{
		WorkspaceID: b.ws.ID, AllowedSenders: nil, At: at}))
	got, err = b.s.WorkspaceGetByID(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Empty(t, got.AllowedSenders)

	err = b.s.WorkspaceSendersSet(b.ctx, &store.WorkspaceSendersSetParams{WorkspaceID: 1 << 40, At: at})
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testWorkspaces(t *testing.T, b *bundle) {
	got, err := b.s.WorkspaceGetByKey(b.ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, b.ws, got)

	got, err = b.s.WorkspaceGetByID(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Equal(t, "other", got.Key)

	_, err = b.s.WorkspaceGetByKey(b.ctx, "missing")
	require.ErrorIs(t, err, store.ErrNotFound)

	dup := *b.ws
	require.ErrorIs(t, b.s.WorkspaceInsert(b.ctx, &dup), store.ErrConflict)

	b.ws.Name, b.ws.Timezone, b.ws.RetentionDays = "Acme GmbH", "Europe/Vienna", 14
	b.ws.UpdatedAt = base.Add(time.Hour)
	require.NoError(t, b.s.WorkspaceUpdate(b.ctx, b.ws))
	got, err = b.s.WorkspaceGetByID(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, b.ws, got)

	v, err := b.s.WorkspaceConfigVersion(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.NoError(t, b.s.WorkspaceConfigBump(b.ctx, b.ws.ID))
	v2, err := b.s.WorkspaceConfigVersion(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, v+1, v2)
	vo, err := b.s.WorkspaceConfigVersion(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Equal(t, int64(0), vo, "bumping one workspace leaves the others")

	list, err := b.s.WorkspaceList(b.ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []string{"acme", "other"}, []string{list[0].Key, list[1].Key})
}

func testAPIKeys(t *testing.T, b *bundle) {
	k := &model.APIKey{ID: "key1", WorkspaceID: b.ws.ID, Name: "ci", Prefix: "hk_abcd",
		Scopes: []model.Scope{model.ScopeAdmin, model.ScopeIngest}, CreatedAt: base}
	require.NoError(t, b.s.APIKeyInsert(b.ctx, &store.APIKeyInsertParams{Key: k, Hash: []byte("hash-1")}))
	got, err := b.s.APIKeyGetByHash(b.ctx, []byte("hash-1"))
	require.NoError(t, err)
	require.Equal(t, k, got)
	_, err = b.s.APIKeyGetByHash(b.ctx, []byte("hash-2"))
	require.ErrorIs(t, err, store.ErrNotFound)

	list, err := b.s.APIKeyList(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Empty(t, list, "keys must not leak across workspaces")
	hashes, err := b.s.APIKeyHashes(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"key1": []byte("hash-1")}, hashes)
	hashes, err = b.s.APIKeyHashes(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Empty(t, hashes)

	// Revoking through another workspace must not work.
	err = b.s.APIKeyRevoke(b.ctx, &store.APIKeyRevokeParams{WorkspaceID: b.other.ID, ID: "key1", At: base})
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, b.s.APIKeyRevoke(b.ctx, &store.APIKeyRevokeParams{WorkspaceID: b.ws.ID, ID: "key1", At: base.Add(time.Minute)}))
	got, err = b.s.APIKeyGetByHash(b.ctx, []byte("hash-1"))
	require.NoError(t, err)
	require.NotNil(t, got.RevokedAt)
	require.True(t, got.RevokedAt.Equal(base.Add(time.Minute)))
}

func sampleTemplate(key string) *model.Template {
	return normalized(&model.Template{
		Key: key, Name: "Template " + key, Description: "d",
		Sender: model.Sender{From: "A <a@example.org>", ReplyTo: "r@example.org"},
		Locales: map[string]model.TemplateContent{
			"de": {Subject: "Hallo {{ .recipient.name }}", HTML: "<p>Hallo</p>", Text: "Hallo"},
			"en": {Subject: "Hello", Text: "Hello"},
		},
		CreatedAt: base, UpdatedAt: base,
	})
}

func testTemplates(t *testing.T, b *bundle) {
	tmpl := sampleTemplate("job-request")
	created, err := b.s.TemplateUpsert(b.ctx, b.ws.ID, tmpl)
	require.NoError(t, err)
	require.True(t, created)

	got, err := b.s.TemplateGet(b.ctx, b.ws.ID, "job-request")
	require.NoError(t, err)
	require.Equal(t, tmpl, got)

	_, err = b.s.TemplateGet(b.ctx, b.other.ID, "job-request")
	require.ErrorIs(t, err, store.ErrNotFound, "template visible in another workspace")

	upd := sampleTemplate("job-request")
	upd.Name, upd.UpdatedAt, upd.CreatedAt = "Renamed", base.Add(time.Hour), base.Add(time.Hour)
	created, err = b.s.TemplateUpsert(b.ctx, b.ws.ID, upd)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, base, upd.CreatedAt, "upsert must keep the original created_at")
	got, err = b.s.TemplateGet(b.ctx, b.ws.ID, "job-request")
	require.NoError(t, err)
	require.Equal(t, "Renamed", got.Name)
	require.Equal(t, base, got.CreatedAt)

	many, err := b.s.TemplateGetMany(b.ctx, b.ws.ID, []string{"job-request", "missing"})
	require.NoError(t, err)
	require.Len(t, many, 1)
	many, err = b.s.TemplateGetMany(b.ctx, b.other.ID, []string{"job-request"})
	require.NoError(t, err)
	require.Empty(t, many)

	// In use by a notification: refused with the user named.
	f := sampleFlow("standard", "job-request")
	_, err = b.s.FlowUpsert(b.ctx, b.ws.ID, f)
	require.NoError(t, err)
	err = b.s.TemplateDelete(b.ctx, b.ws.ID, "job-request")
	var inUse *store.InUseError
	require.ErrorAs(t, err, &inUse)
	require.Equal(t, []string{"flow standard, notification job-requested", "flow standard, notification booking-confirmed"}, inUse.UsedBy)

	require.ErrorIs(t, b.s.TemplateDelete(b.ctx, b.other.ID, "job-request"), store.ErrNotFound)
	require.NoError(t, b.s.FlowDelete(b.ctx, b.ws.ID, "standard"))
	require.NoError(t, b.s.TemplateDelete(b.ctx, b.ws.ID, "job-request"))
	_, err = b.s.TemplateGet(b.ctx, b.ws.ID, "job-request")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, b.s.TemplateDelete(b.ctx, b.ws.ID, "job-request"), store.ErrNotFound)
}

func sampleFlow(key, template string) *model.Flow {
	return normalized(&model.Flow{
		Key: key, Name: "Standard", Description: "Promotion agency",
		Sender: model.Sender{From: "Agentur <info@agentur.example>"},
		Notifications: []model.Notification{
			{Key: "job-requested", EventType: "job.requested", Template: template,
				Recipients: []model.Recipient{"role:promoter"}, BCC: []model.Recipient{"role:agency"},
				Status: model.StatusActive, Category: model.CategoryTransactional, Channel: model.ChannelEmail},
			{Key: "booking-confirmed", Name: "Booking", EventType: "booking.confirmed", Template: template,
				Condition:  "object.status != 'cancelled'",
				Recipients: []model.Recipient{"role:promoter", "email:office@agentur.example"},
				CC:         []model.Recipient{"contact:c-1"},
				Status:     model.StatusConfirm, Category: "booking", Channel: "email,webhook", Webhook: "whe_1"},
		},
		CreatedAt: base, UpdatedAt: base,
	})
}

func testFlows(t *testing.T, b *bundle) {
	f := sampleFlow("standard", "tmpl")
	created, err := b.s.FlowUpsert(b.ctx, b.ws.ID, f)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, 1, f.Version)

	got, err := b.s.FlowGet(b.ctx, b.ws.ID, "standard")
	require.NoError(t, err)
	require.Equal(t, f, got)
	_, err = b.s.FlowGet(b.ctx, b.other.ID, "standard")
	require.ErrorIs(t, err, store.ErrNotFound)

	// Replacing keeps created_at, bumps the version and replaces the
	// notifications in order.
	f2 := sampleFlow("standard", "tmpl")
	f2.Notifications = f2.Notifications[1:]
	f2.UpdatedAt = base.Add(time.Hour)
	created, err = b.s.FlowUpsert(b.ctx, b.ws.ID, f2)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, 2, f2.Version)
	got, err = b.s.FlowGet(b.ctx, b.ws.ID, "standard")
	require.NoError(t, err)
	require.Len(t, got.Notifications, 1)
	require.Equal(t, "booking-confirmed", got.Notifications[0].Key)
	require.Equal(t, base, got.CreatedAt)

	// An import sets the version it had in the source; the next change
	// counts on from there. Other workspaces are untouched.
	require.NoError(t, b.s.FlowSetVersion(b.ctx, b.ws.ID, "standard", 7))
	got, err = b.s.FlowGet(b.ctx, b.ws.ID, "standard")
	require.NoError(t, err)
	require.Equal(t, 7, got.Version)
	_, err = b.s.FlowUpsert(b.ctx, b.ws.ID, got)
	require.NoError(t, err)
	require.Equal(t, 8, got.Version)
	require.ErrorIs(t, b.s.FlowSetVersion(b.ctx, b.other.ID, "standard", 3), store.ErrNotFound)
	require.ErrorIs(t, b.s.FlowSetVersion(b.ctx, b.ws.ID, "missing", 3), store.ErrNotFound)

	// A flow used by a project cannot be deleted.
	p := normalized(&model.Project{Key: "messe", Name: "Messe", Flow: "standard", CreatedAt: base, UpdatedAt: base})
	_, err = b.s.ProjectUpsert(b.ctx, b.ws.ID, p)
	require.NoError(t, err)
	var inUse *store.InUseError
	require.ErrorAs(t, b.s.FlowDelete(b.ctx, b.ws.ID, "standard"), &inUse)
	require.Equal(t, []string{"project messe"}, inUse.UsedBy)
	require.ErrorIs(t, b.s.FlowDelete(b.ctx, b.other.ID, "standard"), store.ErrNotFound)

	list, err := b.s.FlowList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Len(t, list[0].Notifications, 1)
	list, err = b.s.FlowList(b.ctx, &store.ListParams{WorkspaceID: b.other.ID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)
}

func testNotifications(t *testing.T, b *bundle) {
	f := sampleFlow("standard", "tmpl")
	_, err := b.s.FlowUpsert(b.ctx, b.ws.ID, f)
	require.NoError(t, err)

	n := model.Notification{Key: "cancelled", EventType: "project.cancelled", Template: "tmpl",
		Recipients: []model.Recipient{"role:promoter"}, Status: model.StatusInactive}
	n.Normalize()
	at := base.Add(time.Hour)
	created, err := b.s.NotificationUpsert(b.ctx, &store.NotificationUpsertParams{WorkspaceID: b.ws.ID, Flow: "standard", Notification: &n, At: at})
	require.NoError(t, err)
	require.True(t, created)
	got, err := b.s.FlowGet(b.ctx, b.ws.ID, "standard")
	require.NoError(t, err)
	require.Equal(t, 2, got.Version)
	require.Len(t, got.Notifications, 3)
	require.Equal(t, "cancelled", got.Notifications[2].Key, "new notifications are appended")
	require.True(t, got.UpdatedAt.Equal(at))

	// Editing keeps the position.
	n0 := got.Notifications[0]
	n0.Status = model.StatusInactive
	created, err = b.s.NotificationUpsert(b.ctx, &store.NotificationUpsertParams{WorkspaceID: b.ws.ID, Flow: "standard", Notification: &n0, At: at})
	require.NoError(t, err)
	require.False(t, created)
	got, err = b.s.FlowGet(b.ctx, b.ws.ID, "standard")
	require.NoError(t, err)
	require.Equal(t, 3, got.Version)
	require.Equal(t, model.StatusInactive, got.Notifications[0].Status)
	require.Equal(t, "job-requested", got.Notifications[0].Key)

	// Another workspace cannot touch them.
	err = b.s.NotificationDelete(b.ctx, &store.NotificationDeleteParams{WorkspaceID: b.other.ID, Flow: "standard", Key: "cancelled", At: at})
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, b.s.NotificationDelete(b.ctx, &store.NotificationDeleteParams{WorkspaceID: b.ws.ID, Flow: "standard", Key: "cancelled", At: at}))
	err = b.s.NotificationDelete(b.ctx, &store.NotificationDeleteParams{WorkspaceID: b.ws.ID, Flow: "standard", Key: "cancelled", At: at})
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err = b.s.FlowGet(b.ctx, b.ws.ID, "standard")
	require.NoError(t, err)
	require.Len(t, got.Notifications, 2)
	require.Equal(t, 4, got.Version)
}

func testProjects(t *testing.T, b *bundle) {
	p := normalized(&model.Project{Key: "messe-koeln", Name: "Messe Köln", Flow: "",
		Members:    map[string][]string{"agency": {"c-1", "c-2"}},
		Attributes: map[string]any{"city": "Köln", "days": jsonNumber("3")},
		CreatedAt:  base, UpdatedAt: base})
	created, err := b.s.ProjectUpsert(b.ctx, b.ws.ID, p)
	require.NoError(t, err)
	require.True(t, created)
	got, err := b.s.ProjectGet(b.ctx, b.ws.ID, "messe-koeln")
	require.NoError(t, err)
	require.Equal(t, p, got)
	require.Equal(t, "", got.Flow, "no flow stays no flow")

	p.Flow = "standard"
	created, err = b.s.ProjectUpsert(b.ctx, b.ws.ID, p)
	require.NoError(t, err)
	require.False(t, created)
	got, err = b.s.ProjectGet(b.ctx, b.ws.ID, "messe-koeln")
	require.NoError(t, err)
	require.Equal(t, "standard", got.Flow)

	_, err = b.s.ProjectGet(b.ctx, b.other.ID, "messe-koeln")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, b.s.ProjectDelete(b.ctx, b.other.ID, "messe-koeln"), store.ErrNotFound)
	require.NoError(t, b.s.ProjectDelete(b.ctx, b.ws.ID, "messe-koeln"))
	_, err = b.s.ProjectGet(b.ctx, b.ws.ID, "messe-koeln")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func sampleContact(id string) *model.Contact {
	return normalized(&model.Contact{
		ID: id, Email: id + "@example.org", Name: "Person " + id, Locale: "de", Timezone: "Europe/Berlin",
		Attributes: map[string]any{"birthday": "1980-05-17", "membership_status": "active", "level": jsonNumber("2")},
		Consents:   []string{"birthday"}, OptOuts: []string{},
		CreatedAt: base, UpdatedAt: base,
	})
}

func testContacts(t *testing.T, b *bundle) {
	c := sampleContact("c-1")
	created, err := b.s.ContactUpsert(b.ctx, b.ws.ID, c)
	require.NoError(t, err)
	require.True(t, created)
	got, err := b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, c, got)

	c2 := sampleContact("c-1")
	c2.Email, c2.OptOuts, c2.UpdatedAt, c2.CreatedAt = "new@example.org", []string{"birthday"}, base.Add(time.Hour), base.Add(time.Hour)
	created, err = b.s.ContactUpsert(b.ctx, b.ws.ID, c2)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, base, c2.CreatedAt)
	got, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, c2, got)

	// Saving without opt-outs (nil) keeps the stored ones and reports them;
	// a new contact saved so has none; an empty list replaces them.
	c3 := sampleContact("c-1")
	c3.Name, c3.OptOuts, c3.UpdatedAt = "Renamed", nil, base.Add(2*time.Hour)
	_, err = b.s.ContactUpsert(b.ctx, b.ws.ID, c3)
	require.NoError(t, err)
	require.Equal(t, []string{"birthday"}, c3.OptOuts)
	got, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, c3, got)
	fresh := sampleContact("c-new")
	fresh.OptOuts = nil
	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		c4 := sampleContact("c-1")
		c4.OptOuts = nil
		if err := tx.ContactUpsertMany(b.ctx, b.ws.ID, []*model.Contact{c4, fresh}); err != nil {
			return err
		}
		require.Equal(t, []string{"birthday"}, c4.OptOuts, "many: kept")
		return nil
	}))
	require.Equal(t, []string{}, fresh.OptOuts, "many: a new contact has none")
	got, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-new")
	require.NoError(t, err)
	require.Equal(t, []string{}, got.OptOuts)
	got, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, []string{"birthday"}, got.OptOuts)
	c5 := sampleContact("c-1")
	c5.OptOuts = []string{}
	_, err = b.s.ContactUpsert(b.ctx, b.ws.ID, c5)
	require.NoError(t, err)
	got, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, []string{}, got.OptOuts, "an empty list replaces them")
	c2.OptOuts = []string{"birthday"}
	_, err = b.s.ContactUpsert(b.ctx, b.ws.ID, c2)
	require.NoError(t, err)
	require.NoError(t, b.s.ContactDelete(b.ctx, b.ws.ID, "c-new"))

	// The same id in another workspace is another contact.
	other := sampleContact("c-1")
	other.Email = "someone-else@example.org"
	created, err = b.s.ContactUpsert(b.ctx, b.other.ID, other)
	require.NoError(t, err)
	require.True(t, created)
	got, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, "new@example.org", got.Email)

	many, err := b.s.ContactGetMany(b.ctx, b.ws.ID, []string{"c-1", "c-404"})
	require.NoError(t, err)
	require.Len(t, many, 1)
	require.Equal(t, "new@example.org", many["c-1"].Email)

	require.NoError(t, b.s.ContactDelete(b.ctx, b.ws.ID, "c-1"))
	_, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err = b.s.ContactGet(b.ctx, b.other.ID, "c-1")
	require.NoError(t, err, "deleting in one workspace must not touch another")
	require.Equal(t, "someone-else@example.org", got.Email)
}

func testContactsBulk(t *testing.T, b *bundle) {
	const n = 2000
	cs := make([]*model.Contact, n)
	for i := range cs {
		cs[i] = sampleContact(fmt.Sprintf("m-%05d", i))
		cs[i].Attributes["level"] = jsonNumber(fmt.Sprint(i))
		cs[i].Consents = []string{fmt.Sprintf("c%d", i%7)}
	}
	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		return tx.ContactUpsertMany(b.ctx, b.ws.ID, cs)
	}))
	var all []*model.Contact
	after := ""
	for {
		page, err := b.s.ContactList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, After: after, Limit: 500})
		require.NoError(t, err)
		all = append(all, page...)
		if len(page) < 500 {
			break
		}
		after = page[len(page)-1].ID
	}
	require.Len(t, all, n)
	// Pages are decoded on several CPUs: every contact must come back
	// whole, in order, with its own data.
	for i, c := range all {
		require.Equal(t, cs[i], c, "contact %d", i)
	}
	list, err := b.s.ContactList(b.ctx, &store.ListParams{WorkspaceID: b.other.ID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)
}

func testObjects(t *testing.T, b *bundle) {
	o := normalized(&model.Object{Collection: "qualifications", ID: "q-1",
		Attributes:  map[string]any{"name": "Übungsleiter C", "expires_on": "2026-04-01", "lead_days": jsonNumber("30")},
		Contacts:    map[string][]string{"holder": {"c-1"}},
		Subscribers: []string{"c-2"}, CreatedAt: base, UpdatedAt: base})
	created, err := b.s.ObjectUpsert(b.ctx, b.ws.ID, o)
	require.NoError(t, err)
	require.True(t, created)
	ref := model.ObjectRef{Collection: "qualifications", ID: "q-1"}
	got, err := b.s.ObjectGet(b.ctx, b.ws.ID, ref)
	require.NoError(t, err)
	require.Equal(t, o, got)

	_, err = b.s.ObjectGet(b.ctx, b.ws.ID, model.ObjectRef{Collection: "tasks", ID: "q-1"})
	require.ErrorIs(t, err, store.ErrNotFound, "collections are separate")
	_, err = b.s.ObjectGet(b.ctx, b.other.ID, ref)
	require.ErrorIs(t, err, store.ErrNotFound)

	o.Attributes["expires_on"] = "2027-04-01"
	o.UpdatedAt = base.Add(time.Hour)
	created, err = b.s.ObjectUpsert(b.ctx, b.ws.ID, o)
	require.NoError(t, err)
	require.False(t, created)
	list, err := b.s.ObjectList(b.ctx, &store.ObjectListParams{ListParams: store.ListParams{WorkspaceID: b.ws.ID, Limit: 10}, Collection: "qualifications"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "2027-04-01", list[0].Attributes["expires_on"])
	list, err = b.s.ObjectList(b.ctx, &store.ObjectListParams{ListParams: store.ListParams{WorkspaceID: b.other.ID, Limit: 10}, Collection: "qualifications"})
	require.NoError(t, err)
	require.Empty(t, list)

	// A page of many objects comes back whole and in order.
	var tasks []*model.Object
	for i := range 300 {
		task := normalized(&model.Object{Collection: "tasks", ID: fmt.Sprintf("t-%03d", i),
			Attributes:  map[string]any{"title": fmt.Sprintf("Aufgabe %d", i), "hours": jsonNumber(fmt.Sprint(i))},
			Contacts:    map[string][]string{"assignee": {fmt.Sprintf("c-%d", i%5)}},
			Subscribers: []string{fmt.Sprintf("c-%d", i%3)}, CreatedAt: base, UpdatedAt: base})
		_, err := b.s.ObjectUpsert(b.ctx, b.ws.ID, task)
		require.NoError(t, err)
		tasks = append(tasks, task)
	}
	list, err = b.s.ObjectList(b.ctx, &store.ObjectListParams{ListParams: store.ListParams{WorkspaceID: b.ws.ID, Limit: 500}, Collection: "tasks"})
	require.NoError(t, err)
	require.Equal(t, tasks, list)
	for _, task := range tasks {
		require.NoError(t, b.s.ObjectDelete(b.ctx, b.ws.ID, model.ObjectRef{Collection: "tasks", ID: task.ID}))
	}

	colls, err := b.s.ObjectCollections(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, []string{"qualifications"}, colls)
	colls, err = b.s.ObjectCollections(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Empty(t, colls)

	require.ErrorIs(t, b.s.ObjectDelete(b.ctx, b.other.ID, ref), store.ErrNotFound)
	require.NoError(t, b.s.ObjectDelete(b.ctx, b.ws.ID, ref))
	require.ErrorIs(t, b.s.ObjectDelete(b.ctx, b.ws.ID, ref), store.ErrNotFound)
}

func testPagination(t *testing.T, b *bundle) {
	for _, k := range []string{"c", "a", "e", "b", "d"} {
		_, err := b.s.TemplateUpsert(b.ctx, b.ws.ID, sampleTemplate(k))
		require.NoError(t, err)
		_, err = b.s.ProjectUpsert(b.ctx, b.ws.ID, normalized(&model.Project{Key: k, Name: k, CreatedAt: base, UpdatedAt: base}))
		require.NoError(t, err)
	}
	page, err := b.s.TemplateList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, templateKeys(page))
	page, err = b.s.TemplateList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, After: "b", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"c", "d"}, templateKeys(page))
	page, err = b.s.TemplateList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, After: "d", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"e"}, templateKeys(page))

	projects, err := b.s.ProjectList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, After: "c", Limit: 10})
	require.NoError(t, err)
	require.Len(t, projects, 2)
	require.Equal(t, "d", projects[0].Key)
	projects, err = b.s.ProjectList(b.ctx, &store.ListParams{WorkspaceID: b.other.ID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, projects)
}

func templateKeys(ts []*model.Template) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Key
	}
	return out
}

var errBoom = errors.New("boom")

func testTxRollback(t *testing.T, b *bundle) {
	err := b.s.WithTx(b.ctx, func(tx store.Tx) error {
		if _, err := tx.TemplateUpsert(b.ctx, b.ws.ID, sampleTemplate("t1")); err != nil {
			return err
		}
		if _, err := tx.ContactUpsert(b.ctx, b.ws.ID, sampleContact("c-9")); err != nil {
			return err
		}
		require.NotNil(t, tx.Raw())
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	_, err = b.s.TemplateGet(b.ctx, b.ws.ID, "t1")
	require.ErrorIs(t, err, store.ErrNotFound, "rolled back template must not exist")
	_, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-9")
	require.ErrorIs(t, err, store.ErrNotFound, "rolled back contact must not exist")

	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		_, err := tx.TemplateUpsert(b.ctx, b.ws.ID, sampleTemplate("t1"))
		return err
	}))
	_, err = b.s.TemplateGet(b.ctx, b.ws.ID, "t1")
	require.NoError(t, err)
}

// A transaction whose context ends before it commits saves nothing and
// says that the context ended (a client that went away is not a server
// error).
func testTxContextEnded(t *testing.T, b *bundle) {
	ctx, cancel := context.WithCancel(b.ctx)
	err := b.s.WithTx(ctx, func(tx store.Tx) error {
		if _, err := tx.ContactUpsert(ctx, b.ws.ID, sampleContact("c-gone")); err != nil {
			return err
		}
		cancel()
		// database/sql rolls the transaction back on its own once the
		// context ends; wait (bounded) until it has, so that the commit
		// below meets an already finished transaction.
		for range 1000 {
			if _, err := tx.ContactGet(b.ctx, b.ws.ID, "c-gone"); err != nil {
				break
			}
		}
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	_, err = b.s.ContactGet(b.ctx, b.ws.ID, "c-gone")
	require.ErrorIs(t, err, store.ErrNotFound, "nothing of the ended transaction is saved")
}
