package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// ErrNotFound is returned when a row does not exist (in this workspace).
var ErrNotFound = errors.New("not found")

// ErrConflict is returned when a unique key is already taken.
var ErrConflict = errors.New("already exists")

// InUseError is returned when a row cannot be deleted because others refer
// to it (a template used by notifications, a flow used by projects).
type InUseError struct {
	// UsedBy names the referring rows, e.g. "flow standard, notification
	// job-requested".
	UsedBy []string
}

func (e *InUseError) Error() string {
	return fmt.Sprintf("in use by %s", strings.Join(e.UsedBy, "; "))
}

// Store is Herold's persistence. Every method is scoped by workspace; the
// engine never sees SQL.
type Store interface {
	Queries
	// WithTx runs fn in one transaction: committed when fn returns nil,
	// rolled back otherwise.
	WithTx(ctx context.Context, fn func(tx Tx) error) error
	// Migrate brings the schema up to date.
	Migrate(ctx context.Context) error
	// Dialect is "sqlite" or "postgres".
	Dialect() string
	// Ping checks that the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// Tx is a Store inside a transaction.
type Tx interface {
	Queries
	// Raw returns the driver transaction (*sql.Tx or pgx.Tx) so that jobs
	// can be inserted in the same transaction.
	Raw() any
}

// ListParams pages through rows ordered by key.
type ListParams struct {
	WorkspaceID int64
	// After is the last key of the previous page ("" for the first page).
	After string
	// Limit is the page size (the caller bounds it).
	Limit int
}

// ObjectListParams pages through one collection's objects.
type ObjectListParams struct {
	ListParams
	Collection string
}

// NotificationUpsertParams adds or replaces one notification of a flow and
// bumps the flow's version.
type NotificationUpsertParams struct {
	WorkspaceID  int64
	Flow         string
	Notification *model.Notification
	At           time.Time
}

// NotificationDeleteParams removes one notification of a flow and bumps the
// flow's version.
type NotificationDeleteParams struct {
	WorkspaceID int64
	Flow        string
	Key         string
	At          time.Time
}

// WorkspaceSendersSetParams replace the sender domains and addresses the
// operator allows a workspace.
type WorkspaceSendersSetParams struct {
	WorkspaceID    int64
	AllowedSenders []string
	At             time.Time
}

// APIKeyInsertParams stores a new key with the hash of its secret.
type APIKeyInsertParams struct {
	Key  *model.APIKey
	Hash []byte
}

// APIKeyRevokeParams revokes a key.
type APIKeyRevokeParams struct {
	WorkspaceID int64
	ID          string
	At          time.Time
}

// ContactOptOutParams add one category to a contact's opt-outs.
type ContactOptOutParams struct {
	WorkspaceID int64
	ContactID   string
	Category    string
	At          time.Time
}

// ContactScanParams read one page of a schedule's scan over contacts.
type ContactScanParams struct {
	// ListParams: the page looks at the Limit contacts after After.
	ListParams
	// Skip, when set, leaves out the contacts it names (the schedule
	// knows they do not match), so that they cost no decoding.
	Skip *DateSkip
}

// DateSkip names the contacts whose attribute Field is a string of four
// ASCII digits, "-" and a month and day in MonthDays ("03-14").
type DateSkip struct {
	// Field is the attribute's name; one with a double quote in it is
	// an error on SQLite (its JSON paths cannot quote it).
	Field     string
	MonthDays []string
}

// ContactScanPage is one page of a scan.
type ContactScanPage struct {
	// Contacts are the page's contacts in id order, without those Skip
	// names, except the last: it always comes back, so that the caller
	// sees where the page ends.
	Contacts []*model.Contact
	// Scanned counts the contacts the page looked at, left out or not;
	// fewer than the limit means the scan reached the end.
	Scanned int
}

// Queries are the operations available both on a Store and inside a Tx.
type Queries interface {
	PipelineQueries
	ScheduleQueries
	BroadcastQueries
	UserQueries
	ConfigRevisionQueries
	WebhookQueries
	FeedQueries
	SuppressionQueries
	InboundQueries
	SearchQueries
	ThrottleQueries
	PreferenceQueries
	DigestQueries
	WatcherQueries
	RunMatchQueries

	WorkspaceInsert(ctx context.Context, w *model.Workspace) error
	WorkspaceGetByID(ctx context.Context, id int64) (*model.Workspace, error)
	WorkspaceGetByKey(ctx context.Context, key string) (*model.Workspace, error)
	WorkspaceList(ctx context.Context) ([]*model.Workspace, error)
	// WorkspaceUpdate saves the settings a workspace admin edits; it
	// leaves AllowedSenders alone, which only WorkspaceSendersSet changes.
	WorkspaceUpdate(ctx context.Context, w *model.Workspace) error
	WorkspaceSendersSet(ctx context.Context, p *WorkspaceSendersSetParams) error
	// WorkspaceConfigVersion returns the workspace's configuration counter;
	// WorkspaceConfigBump increases it (in the transaction of every change
	// to templates, flows or projects).
	WorkspaceConfigVersion(ctx context.Context, workspaceID int64) (int64, error)
	WorkspaceConfigBump(ctx context.Context, workspaceID int64) error

	APIKeyInsert(ctx context.Context, p *APIKeyInsertParams) error
	APIKeyGetByHash(ctx context.Context, hash []byte) (*model.APIKey, error)
	APIKeyList(ctx context.Context, workspaceID int64) ([]*model.APIKey, error)
	APIKeyRevoke(ctx context.Context, p *APIKeyRevokeParams) error
	// APIKeyHashes returns the stored hashes of a workspace's keys by key
	// id (for export to another database).
	APIKeyHashes(ctx context.Context, workspaceID int64) (map[string][]byte, error)

	TemplateUpsert(ctx context.Context, workspaceID int64, t *model.Template) (created bool, err error)
	TemplateGet(ctx context.Context, workspaceID int64, key string) (*model.Template, error)
	TemplateGetMany(ctx context.Context, workspaceID int64, keys []string) (map[string]*model.Template, error)
	TemplateList(ctx context.Context, p *ListParams) ([]*model.Template, error)
	TemplateDelete(ctx context.Context, workspaceID int64, key string) error

	FlowUpsert(ctx context.Context, workspaceID int64, f *model.Flow) (created bool, err error)
	// FlowSetVersion sets a flow's version number, so that an import keeps
	// the numbering events and messages of the source refer to.
	FlowSetVersion(ctx context.Context, workspaceID int64, key string, version int) error
	FlowGet(ctx context.Context, workspaceID int64, key string) (*model.Flow, error)
	FlowList(ctx context.Context, p *ListParams) ([]*model.Flow, error)
	FlowDelete(ctx context.Context, workspaceID int64, key string) error
	NotificationUpsert(ctx context.Context, p *NotificationUpsertParams) (created bool, err error)
	NotificationDelete(ctx context.Context, p *NotificationDeleteParams) error

	ProjectUpsert(ctx context.Context, workspaceID int64, p *model.Project) (created bool, err error)
	ProjectGet(ctx context.Context, workspaceID int64, key string) (*model.Project, error)
	ProjectList(ctx context.Context, p *ListParams) ([]*model.Project, error)
	ProjectDelete(ctx context.Context, workspaceID int64, key string) error

	// ContactUpsert and ContactUpsertMany create or replace contacts. A
	// contact with nil OptOuts keeps the stored ones (a new one gets
	// none): opt-outs are the recipients' own, and a host app that syncs
	// contacts without them must not subscribe people again. Either way
	// c.OptOuts is set to what was stored, and c.CreatedAt likewise.
	ContactUpsert(ctx context.Context, workspaceID int64, c *model.Contact) (created bool, err error)
	ContactUpsertMany(ctx context.Context, workspaceID int64, cs []*model.Contact) error
	ContactGet(ctx context.Context, workspaceID int64, id string) (*model.Contact, error)
	ContactGetMany(ctx context.Context, workspaceID int64, ids []string) (map[string]*model.Contact, error)
	ContactList(ctx context.Context, p *ListParams) ([]*model.Contact, error)
	ContactScan(ctx context.Context, p *ContactScanParams) (*ContactScanPage, error)
	ContactDelete(ctx context.Context, workspaceID int64, id string) error
	// ContactOptOut adds the category to the contact's opt-outs in one
	// statement (a concurrent upsert cannot lose it half-way) and reports
	// whether it was added; false means it was there already. A contact
	// that does not exist is ErrNotFound.
	ContactOptOut(ctx context.Context, p *ContactOptOutParams) (added bool, err error)

	// ObjectUpsert creates or replaces an object. An object with nil
	// Subscribers keeps its stored watchers (a new one gets none): host
	// apps sync objects and change watchers one by one (WatcherQueries).
	// Either way o.Subscribers is set to what was stored.
	ObjectUpsert(ctx context.Context, workspaceID int64, o *model.Object) (created bool, err error)
	ObjectGet(ctx context.Context, workspaceID int64, ref model.ObjectRef) (*model.Object, error)
	ObjectList(ctx context.Context, p *ObjectListParams) ([]*model.Object, error)
	ObjectDelete(ctx context.Context, workspaceID int64, ref model.ObjectRef) error
	// ObjectCollections lists the collections that have objects.
	ObjectCollections(ctx context.Context, workspaceID int64) ([]string, error)

	// SecretGetOrCreate returns the server secret called name, storing
	// candidate as that secret first when there is none. Replicas that
	// race all get the value stored first. Secrets are server-wide, not
	// scoped by workspace: one key signs the links of every workspace,
	// and the links carry their workspace inside the signature.
	SecretGetOrCreate(ctx context.Context, name string, candidate []byte, at time.Time) ([]byte, error)
}

// firstKey marks a context of WriteFirst.
type firstKey struct{}

// WriteFirst marks ctx for a WithTx that others wait on and that is
// small: delivery's outcome writes, which free room and end the window a
// crash repeats. On SQLite's one writer it takes the next turn before the
// writes already waiting, and its group commits right after it; a store
// without a single writer ignores the mark.
func WriteFirst(ctx context.Context) context.Context {
	return context.WithValue(ctx, firstKey{}, true)
}

// IsWriteFirst reports whether ctx was marked by WriteFirst.
func IsWriteFirst(ctx context.Context) bool {
	first, _ := ctx.Value(firstKey{}).(bool)
	return first
}
